-- 0014: the 開催記録 list walks an index in the order of whichever column it is sorted by, so it can show its
-- first rows at once (LIMIT) instead of sorting a million gatherings first. Each index ends in the rowid,
-- the list's final tie-breaker (entry order); gatherings_live_date (0004) ends in the id instead, which a
-- filtered list sorted by date would have to look up in the table (one 区市町村: 0.6 s against 0.3 s). The place
-- sorts walk places in よみ order and each place's live gatherings in gatherings_place_stats (0004). The places
-- indexes are UNIQUE (they end in the id) because only then does SQLite know each place is one step of the
-- order and skip the sort of what it joins. Each index on gatherings costs the bulk imports a few per cent
-- (benchmarks/bench_list_indexes.py), hence none for what an index of 0004 already gives.
-- tests/storage/test_list_sort_plans.py checks every sort's plan with EXPLAIN QUERY PLAN.
CREATE INDEX gatherings_list_date ON gatherings(held_on) WHERE deleted_at IS NULL;
CREATE INDEX gatherings_list_attendance ON gatherings(attendance_total) WHERE deleted_at IS NULL;
CREATE INDEX gatherings_list_updated ON gatherings(updated_at) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX places_list_kana ON places(kana, name, id);
CREATE UNIQUE INDEX places_list_municipality ON places(municipality_code, kana, name, id);
