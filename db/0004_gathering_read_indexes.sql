-- 0004: indexes shaped after the reads measured in benchmarks/bench_core.py.
-- Per-place figures of a 年度 read in place order without a sort.
CREATE INDEX gatherings_place_stats ON gatherings(place_id, held_on, attendance_total, professionals)
    WHERE deleted_at IS NULL;
DROP INDEX gatherings_place_date;
-- The list of live gatherings by date is covered by a partial index; the trash has its own.
CREATE INDEX gatherings_live_date ON gatherings(held_on, id) WHERE deleted_at IS NULL;
DROP INDEX gatherings_date;
CREATE INDEX gatherings_trash ON gatherings(deleted_at) WHERE deleted_at IS NOT NULL;
