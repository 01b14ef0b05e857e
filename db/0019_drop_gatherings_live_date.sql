-- gatherings_live_date (held_on, id) of 0004 is read by nothing any more: the list sorted by date walks
-- gatherings_list_date (0016: held_on, then the rowid the list breaks ties with), a place's gatherings by
-- date walk gatherings_place_stats, and the figures of a span of days read gatherings_stats (held_on first).
-- It was the largest of the indexes a bulk import of gatherings builds again (a 36-character id in every
-- entry): 1.5 s of the seven the builds take after a million rows into 1.1M (benchmarks/bench_load_floor.py).
-- tests/storage/test_list_sort_plans.py and tests/storage/test_migration_drop_live_date.py check the plans.
DROP INDEX gatherings_live_date;
