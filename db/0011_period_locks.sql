-- 0011: approval and period locks, as DHIS2 does them (kaigo_desktop/services/approval.py): a center confirms
-- its places' 年度 (センター確認), then the 区市町村管理者 approves and locks the 年度 for the 区市町村 (提出済み).

CREATE TABLE center_confirmations (
    fiscal_year   INTEGER NOT NULL,
    center_id     TEXT NOT NULL REFERENCES centers(id),
    confirmed_at  TEXT NOT NULL,
    confirmed_by  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (fiscal_year, center_id)
) STRICT;

-- A row here = the 年度 is locked (提出済み) for the 区市町村; unlocking deletes it (the event stays).
CREATE TABLE period_locks (
    fiscal_year       INTEGER NOT NULL,
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    locked_at         TEXT NOT NULL,
    locked_by         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (fiscal_year, municipality_code)
) STRICT;

-- Every confirm, withdrawal, lock and unlock, never updated or deleted; an unlock keeps its reason.
CREATE TABLE period_events (
    id                INTEGER PRIMARY KEY,
    fiscal_year       INTEGER NOT NULL,
    municipality_code TEXT NOT NULL,
    center_id         TEXT,
    action            TEXT NOT NULL CHECK (action IN ('confirm', 'unconfirm', 'lock', 'unlock')),
    at                TEXT NOT NULL,
    by                TEXT NOT NULL DEFAULT '',
    reason            TEXT NOT NULL DEFAULT '',
    CHECK (action <> 'unlock' OR length(trim(reason)) > 0)
) STRICT;

CREATE TRIGGER period_events_kept_update BEFORE UPDATE ON period_events
BEGIN SELECT RAISE(ABORT, 'PERIOD_EVENTS_KEPT'); END;
CREATE TRIGGER period_events_kept_delete BEFORE DELETE ON period_events
BEGIN SELECT RAISE(ABORT, 'PERIOD_EVENTS_KEPT'); END;

-- The lock, in one place: every write that would change a locked 年度's figures is refused here, whichever
-- path it takes (forms, the month grid, imports, bundles, merges, restores from the trash). The message is
-- the constant PERIOD_LOCKED (SQLite before 3.47 takes only a literal); storage/sqlite_errors.py classifies
-- it and storage/period_queries.py names the 年度 in Japanese.
-- A row counts in a 年度 when it is live (deleted_at IS NULL): soft delete and restore are changes of it.
-- Gatherings by held_on, activities by done_on (the 区市町村 of their place / promoter), members, population and
-- expenses by fiscal_year. Places and promoters only when active in a locked 年度 (start/end as in
-- storage/definitions.py), and only for the fields listed (the figures and which places/promoters count):
-- a name, kana, address, contact, capacity or notes may still be corrected. An update that writes the same
-- values (a bundle row already held) is no change. AFTER triggers (RAISE(ABORT) undoes the statement all the
-- same); a row's 年度 is looked up alone first, so a row of an open 年度 never reads its place or promoter.
-- Cost: any trigger makes SQLite keep a statement journal per INSERT, which is most of the overhead
-- measured by benchmarks/bench_period_lock.py.
-- gatherings: place_id, held_on, start_time, end_time, programs, attendance_total, male, female, age_under_65, age_65_74, age_75_plus, new_participants, professionals, promoter_id, deleted_at
CREATE TRIGGER gatherings_period_lock_insert AFTER INSERT ON gatherings
WHEN new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = (CAST(substr(new.held_on, 1, 4) AS INTEGER) - (substr(new.held_on, 6, 2) < '04')))
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = (CAST(substr(new.held_on, 1, 4) AS INTEGER) - (substr(new.held_on, 6, 2) < '04')) AND l.municipality_code = (SELECT municipality_code FROM places WHERE id = new.place_id))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER gatherings_period_lock_update AFTER UPDATE OF place_id, held_on, start_time, end_time, programs, attendance_total, male, female, age_under_65, age_65_74, age_75_plus, new_participants, professionals, promoter_id, deleted_at ON gatherings
WHEN (old.place_id IS NOT new.place_id
        OR old.held_on IS NOT new.held_on
        OR old.start_time IS NOT new.start_time
        OR old.end_time IS NOT new.end_time
        OR old.programs IS NOT new.programs
        OR old.attendance_total IS NOT new.attendance_total
        OR old.male IS NOT new.male
        OR old.female IS NOT new.female
        OR old.age_under_65 IS NOT new.age_under_65
        OR old.age_65_74 IS NOT new.age_65_74
        OR old.age_75_plus IS NOT new.age_75_plus
        OR old.new_participants IS NOT new.new_participants
        OR old.professionals IS NOT new.professionals
        OR old.promoter_id IS NOT new.promoter_id
        OR old.deleted_at IS NOT new.deleted_at)
    AND ((old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = (CAST(substr(old.held_on, 1, 4) AS INTEGER) - (substr(old.held_on, 6, 2) < '04')))
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = (CAST(substr(old.held_on, 1, 4) AS INTEGER) - (substr(old.held_on, 6, 2) < '04')) AND l.municipality_code = (SELECT municipality_code FROM places WHERE id = old.place_id)))
      OR (new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = (CAST(substr(new.held_on, 1, 4) AS INTEGER) - (substr(new.held_on, 6, 2) < '04')))
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = (CAST(substr(new.held_on, 1, 4) AS INTEGER) - (substr(new.held_on, 6, 2) < '04')) AND l.municipality_code = (SELECT municipality_code FROM places WHERE id = new.place_id))))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER gatherings_period_lock_delete AFTER DELETE ON gatherings
WHEN old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = (CAST(substr(old.held_on, 1, 4) AS INTEGER) - (substr(old.held_on, 6, 2) < '04')))
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = (CAST(substr(old.held_on, 1, 4) AS INTEGER) - (substr(old.held_on, 6, 2) < '04')) AND l.municipality_code = (SELECT municipality_code FROM places WHERE id = old.place_id))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;

-- activities: promoter_id, done_on, kind, place_id, minutes, deleted_at
CREATE TRIGGER activities_period_lock_insert AFTER INSERT ON activities
WHEN new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = (CAST(substr(new.done_on, 1, 4) AS INTEGER) - (substr(new.done_on, 6, 2) < '04')))
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = (CAST(substr(new.done_on, 1, 4) AS INTEGER) - (substr(new.done_on, 6, 2) < '04')) AND l.municipality_code = (SELECT municipality_code FROM promoters WHERE id = new.promoter_id))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER activities_period_lock_update AFTER UPDATE OF promoter_id, done_on, kind, place_id, minutes, deleted_at ON activities
WHEN (old.promoter_id IS NOT new.promoter_id
        OR old.done_on IS NOT new.done_on
        OR old.kind IS NOT new.kind
        OR old.place_id IS NOT new.place_id
        OR old.minutes IS NOT new.minutes
        OR old.deleted_at IS NOT new.deleted_at)
    AND ((old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = (CAST(substr(old.done_on, 1, 4) AS INTEGER) - (substr(old.done_on, 6, 2) < '04')))
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = (CAST(substr(old.done_on, 1, 4) AS INTEGER) - (substr(old.done_on, 6, 2) < '04')) AND l.municipality_code = (SELECT municipality_code FROM promoters WHERE id = old.promoter_id)))
      OR (new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = (CAST(substr(new.done_on, 1, 4) AS INTEGER) - (substr(new.done_on, 6, 2) < '04')))
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = (CAST(substr(new.done_on, 1, 4) AS INTEGER) - (substr(new.done_on, 6, 2) < '04')) AND l.municipality_code = (SELECT municipality_code FROM promoters WHERE id = new.promoter_id))))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER activities_period_lock_delete AFTER DELETE ON activities
WHEN old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = (CAST(substr(old.done_on, 1, 4) AS INTEGER) - (substr(old.done_on, 6, 2) < '04')))
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = (CAST(substr(old.done_on, 1, 4) AS INTEGER) - (substr(old.done_on, 6, 2) < '04')) AND l.municipality_code = (SELECT municipality_code FROM promoters WHERE id = old.promoter_id))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;

-- members: place_id, fiscal_year, total, male, female, age_under_65, age_65_74, age_75_plus, deleted_at
CREATE TRIGGER members_period_lock_insert AFTER INSERT ON members
WHEN new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = new.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = new.fiscal_year AND l.municipality_code = (SELECT municipality_code FROM places WHERE id = new.place_id))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER members_period_lock_update AFTER UPDATE OF place_id, fiscal_year, total, male, female, age_under_65, age_65_74, age_75_plus, deleted_at ON members
WHEN (old.place_id IS NOT new.place_id
        OR old.fiscal_year IS NOT new.fiscal_year
        OR old.total IS NOT new.total
        OR old.male IS NOT new.male
        OR old.female IS NOT new.female
        OR old.age_under_65 IS NOT new.age_under_65
        OR old.age_65_74 IS NOT new.age_65_74
        OR old.age_75_plus IS NOT new.age_75_plus
        OR old.deleted_at IS NOT new.deleted_at)
    AND ((old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = old.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = old.fiscal_year AND l.municipality_code = (SELECT municipality_code FROM places WHERE id = old.place_id)))
      OR (new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = new.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = new.fiscal_year AND l.municipality_code = (SELECT municipality_code FROM places WHERE id = new.place_id))))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER members_period_lock_delete AFTER DELETE ON members
WHEN old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = old.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = old.fiscal_year AND l.municipality_code = (SELECT municipality_code FROM places WHERE id = old.place_id))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;

-- population: municipality_code, fiscal_year, population_65_plus, population_75_plus, reference_date, deleted_at
CREATE TRIGGER population_period_lock_insert AFTER INSERT ON population
WHEN new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = new.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = new.fiscal_year AND l.municipality_code = new.municipality_code)
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER population_period_lock_update AFTER UPDATE OF municipality_code, fiscal_year, population_65_plus, population_75_plus, reference_date, deleted_at ON population
WHEN (old.municipality_code IS NOT new.municipality_code
        OR old.fiscal_year IS NOT new.fiscal_year
        OR old.population_65_plus IS NOT new.population_65_plus
        OR old.population_75_plus IS NOT new.population_75_plus
        OR old.reference_date IS NOT new.reference_date
        OR old.deleted_at IS NOT new.deleted_at)
    AND ((old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = old.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = old.fiscal_year AND l.municipality_code = old.municipality_code))
      OR (new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = new.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = new.fiscal_year AND l.municipality_code = new.municipality_code)))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER population_period_lock_delete AFTER DELETE ON population
WHEN old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = old.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = old.fiscal_year AND l.municipality_code = old.municipality_code)
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;

-- expenses: municipality_code, fiscal_year, category, amount, deleted_at
CREATE TRIGGER expenses_period_lock_insert AFTER INSERT ON expenses
WHEN new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = new.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = new.fiscal_year AND l.municipality_code = new.municipality_code)
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER expenses_period_lock_update AFTER UPDATE OF municipality_code, fiscal_year, category, amount, deleted_at ON expenses
WHEN (old.municipality_code IS NOT new.municipality_code
        OR old.fiscal_year IS NOT new.fiscal_year
        OR old.category IS NOT new.category
        OR old.amount IS NOT new.amount
        OR old.deleted_at IS NOT new.deleted_at)
    AND ((old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = old.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = old.fiscal_year AND l.municipality_code = old.municipality_code))
      OR (new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = new.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = new.fiscal_year AND l.municipality_code = new.municipality_code)))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER expenses_period_lock_delete AFTER DELETE ON expenses
WHEN old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = old.fiscal_year)
        AND EXISTS (SELECT 1 FROM period_locks l WHERE l.fiscal_year = old.fiscal_year AND l.municipality_code = old.municipality_code)
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;

-- places: municipality_code, center_id, venue_kind, operator_kind, main_activity_1, main_activity_2, frequency_declared, start_date, end_date, status, programs, deleted_at
CREATE TRIGGER places_period_lock_insert AFTER INSERT ON places
WHEN new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks l WHERE l.municipality_code = new.municipality_code
        AND (new.start_date IS NULL OR new.start_date <= (l.fiscal_year + 1) || '-03-31') AND (new.end_date IS NULL OR new.end_date >= l.fiscal_year || '-04-01'))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER places_period_lock_update AFTER UPDATE OF municipality_code, center_id, venue_kind, operator_kind, main_activity_1, main_activity_2, frequency_declared, start_date, end_date, status, programs, deleted_at ON places
WHEN (old.municipality_code IS NOT new.municipality_code
        OR old.center_id IS NOT new.center_id
        OR old.venue_kind IS NOT new.venue_kind
        OR old.operator_kind IS NOT new.operator_kind
        OR old.main_activity_1 IS NOT new.main_activity_1
        OR old.main_activity_2 IS NOT new.main_activity_2
        OR old.frequency_declared IS NOT new.frequency_declared
        OR old.start_date IS NOT new.start_date
        OR old.end_date IS NOT new.end_date
        OR old.status IS NOT new.status
        OR old.programs IS NOT new.programs
        OR old.deleted_at IS NOT new.deleted_at)
    AND ((old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks l WHERE l.municipality_code = old.municipality_code
        AND (old.start_date IS NULL OR old.start_date <= (l.fiscal_year + 1) || '-03-31') AND (old.end_date IS NULL OR old.end_date >= l.fiscal_year || '-04-01')))
      OR (new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks l WHERE l.municipality_code = new.municipality_code
        AND (new.start_date IS NULL OR new.start_date <= (l.fiscal_year + 1) || '-03-31') AND (new.end_date IS NULL OR new.end_date >= l.fiscal_year || '-04-01'))))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER places_period_lock_delete AFTER DELETE ON places
WHEN old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks l WHERE l.municipality_code = old.municipality_code
        AND (old.start_date IS NULL OR old.start_date <= (l.fiscal_year + 1) || '-03-31') AND (old.end_date IS NULL OR old.end_date >= l.fiscal_year || '-04-01'))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;

-- promoters: municipality_code, center_id, qualification, start_date, end_date, deleted_at
CREATE TRIGGER promoters_period_lock_insert AFTER INSERT ON promoters
WHEN new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks l WHERE l.municipality_code = new.municipality_code
        AND (new.start_date IS NULL OR new.start_date <= (l.fiscal_year + 1) || '-03-31') AND (new.end_date IS NULL OR new.end_date >= l.fiscal_year || '-04-01'))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER promoters_period_lock_update AFTER UPDATE OF municipality_code, center_id, qualification, start_date, end_date, deleted_at ON promoters
WHEN (old.municipality_code IS NOT new.municipality_code
        OR old.center_id IS NOT new.center_id
        OR old.qualification IS NOT new.qualification
        OR old.start_date IS NOT new.start_date
        OR old.end_date IS NOT new.end_date
        OR old.deleted_at IS NOT new.deleted_at)
    AND ((old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks l WHERE l.municipality_code = old.municipality_code
        AND (old.start_date IS NULL OR old.start_date <= (l.fiscal_year + 1) || '-03-31') AND (old.end_date IS NULL OR old.end_date >= l.fiscal_year || '-04-01')))
      OR (new.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks l WHERE l.municipality_code = new.municipality_code
        AND (new.start_date IS NULL OR new.start_date <= (l.fiscal_year + 1) || '-03-31') AND (new.end_date IS NULL OR new.end_date >= l.fiscal_year || '-04-01'))))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;
CREATE TRIGGER promoters_period_lock_delete AFTER DELETE ON promoters
WHEN old.deleted_at IS NULL AND EXISTS (SELECT 1 FROM period_locks l WHERE l.municipality_code = old.municipality_code
        AND (old.start_date IS NULL OR old.start_date <= (l.fiscal_year + 1) || '-03-31') AND (old.end_date IS NULL OR old.end_date >= l.fiscal_year || '-04-01'))
BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END;

