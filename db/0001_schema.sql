-- 0001: the first schema of Kaigo Desktop.
-- Every user record: a UUID text id (made on the PC that created it, so two offline PCs never collide),
-- created_at/updated_at (UTC ISO 8601), updated_by (the user's name), origin_db (the database that made the
-- last change), deleted_at (soft delete: the row stays as its own tombstone) and change_seq (this database's
-- change counter at the last write, so a later exchange can find what changed since a given point).
-- Hard deletes (emptying the trash) leave a row in `tombstones`.

CREATE TABLE db_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE tombstones (
    table_name TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    deleted_at TEXT NOT NULL,
    origin_db  TEXT NOT NULL,
    change_seq INTEGER NOT NULL,
    PRIMARY KEY (table_name, row_id)
) STRICT;

-- Reference data (filled by 0002 from db/reference/*.csv).

CREATE TABLE municipalities (
    code TEXT PRIMARY KEY CHECK (length(code) = 6 AND code GLOB '13[0-9][0-9][0-9][0-9]'),
    name TEXT NOT NULL UNIQUE,
    kana TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('特別区', '市', '町', '村'))
) STRICT;

CREATE TABLE program_types (
    code TEXT PRIMARY KEY,
    bit  INTEGER NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    sort INTEGER NOT NULL
) STRICT;

CREATE TABLE qualifications (name TEXT PRIMARY KEY, sort INTEGER NOT NULL) STRICT;
CREATE TABLE operator_kinds (name TEXT PRIMARY KEY, sort INTEGER NOT NULL) STRICT;
CREATE TABLE venue_kinds (name TEXT PRIMARY KEY, sort INTEGER NOT NULL) STRICT;
CREATE TABLE activity_kinds (name TEXT PRIMARY KEY, sort INTEGER NOT NULL) STRICT;
CREATE TABLE frequency_buckets (
    name TEXT PRIMARY KEY,
    sort INTEGER NOT NULL,
    min_per_month INTEGER NOT NULL
) STRICT;
CREATE TABLE main_activity_kinds (
    name TEXT PRIMARY KEY,
    sort INTEGER NOT NULL,
    program_code TEXT REFERENCES program_types(code)
) STRICT;
CREATE TABLE professional_kinds (
    name TEXT PRIMARY KEY,
    bit  INTEGER NOT NULL UNIQUE,
    sort INTEGER NOT NULL
) STRICT;
CREATE TABLE expense_categories (
    name     TEXT PRIMARY KEY,
    eligible INTEGER NOT NULL CHECK (eligible IN (0, 1)),
    sort     INTEGER NOT NULL
) STRICT;

-- User records.

CREATE TABLE population (
    id                 TEXT PRIMARY KEY CHECK (length(id) = 36),
    municipality_code  TEXT NOT NULL REFERENCES municipalities(code),
    fiscal_year        INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1989 AND 2200),
    population_65_plus INTEGER NOT NULL CHECK (population_65_plus >= 0),
    population_75_plus INTEGER CHECK (population_75_plus >= 0 AND population_75_plus <= population_65_plus),
    reference_date     TEXT CHECK (date(reference_date) IS reference_date),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (municipality_code, fiscal_year)
) STRICT;

CREATE TABLE centers (
    id                TEXT PRIMARY KEY CHECK (length(id) = 36),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    name              TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kana              TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX centers_name_unique ON centers(municipality_code, name) WHERE deleted_at IS NULL;

CREATE TABLE places (
    id                 TEXT PRIMARY KEY CHECK (length(id) = 36),
    municipality_code  TEXT NOT NULL REFERENCES municipalities(code),
    center_id          TEXT REFERENCES centers(id),
    name               TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kana               TEXT NOT NULL DEFAULT '',
    address            TEXT NOT NULL DEFAULT '',
    venue_kind         TEXT REFERENCES venue_kinds(name),
    operator_kind      TEXT REFERENCES operator_kinds(name),
    main_activity_1    TEXT REFERENCES main_activity_kinds(name),
    main_activity_2    TEXT REFERENCES main_activity_kinds(name),
    frequency_declared TEXT REFERENCES frequency_buckets(name),
    start_date         TEXT CHECK (date(start_date) IS start_date),
    end_date           TEXT CHECK (date(end_date) IS end_date AND end_date >= start_date),
    status             TEXT NOT NULL DEFAULT '活動中' CHECK (status IN ('活動中', '休止中', '終了')),
    capacity           INTEGER CHECK (capacity >= 0),
    contact            TEXT NOT NULL DEFAULT '',
    notes              TEXT NOT NULL DEFAULT '',
    programs           INTEGER NOT NULL DEFAULT 0 CHECK (programs BETWEEN 0 AND 31),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX places_name_unique ON places(municipality_code, name) WHERE deleted_at IS NULL;
CREATE INDEX places_center ON places(center_id);
CREATE INDEX places_kana ON places(kana);

CREATE TABLE promoters (
    id                TEXT PRIMARY KEY CHECK (length(id) = 36),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    center_id         TEXT REFERENCES centers(id),
    name              TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kana              TEXT NOT NULL DEFAULT '',
    qualification     TEXT NOT NULL REFERENCES qualifications(name),
    start_date        TEXT NOT NULL CHECK (date(start_date) IS start_date),
    end_date          TEXT CHECK (date(end_date) IS end_date AND end_date >= start_date),
    contact           TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX promoters_name_unique ON promoters(municipality_code, name) WHERE deleted_at IS NULL;

CREATE TABLE assignments (
    id          TEXT PRIMARY KEY CHECK (length(id) = 36),
    promoter_id TEXT NOT NULL REFERENCES promoters(id),
    place_id    TEXT NOT NULL REFERENCES places(id),
    start_date  TEXT NOT NULL CHECK (date(start_date) IS start_date),
    end_date    TEXT CHECK (date(end_date) IS end_date AND end_date >= start_date),
    notes       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX assignments_promoter ON assignments(promoter_id, start_date);
CREATE INDEX assignments_place ON assignments(place_id, start_date);

CREATE TABLE gatherings (
    id               TEXT PRIMARY KEY CHECK (length(id) = 36),
    place_id         TEXT NOT NULL REFERENCES places(id),
    held_on          TEXT NOT NULL CHECK (date(held_on) IS held_on),
    start_time       TEXT CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    end_time         TEXT CHECK (end_time GLOB '[0-2][0-9]:[0-5][0-9]'),
    programs         INTEGER NOT NULL DEFAULT 0 CHECK (programs BETWEEN 0 AND 31),
    attendance_total INTEGER NOT NULL CHECK (attendance_total >= 0),
    male             INTEGER CHECK (male >= 0),
    female           INTEGER CHECK (female >= 0),
    age_under_65     INTEGER CHECK (age_under_65 >= 0),
    age_65_74        INTEGER CHECK (age_65_74 >= 0),
    age_75_plus      INTEGER CHECK (age_75_plus >= 0),
    new_participants INTEGER CHECK (new_participants >= 0 AND new_participants <= attendance_total),
    professionals    INTEGER NOT NULL DEFAULT 0 CHECK (professionals BETWEEN 0 AND 8191),
    promoter_id      TEXT REFERENCES promoters(id),
    notes            TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0,
    CHECK (coalesce(male, 0) + coalesce(female, 0) <= attendance_total)
) STRICT;
CREATE INDEX gatherings_place_date ON gatherings(place_id, held_on);
CREATE INDEX gatherings_date ON gatherings(held_on, id);
-- Covers the per-年度 aggregation so it never reads the table itself.
CREATE INDEX gatherings_stats ON gatherings(held_on, place_id, attendance_total, professionals)
    WHERE deleted_at IS NULL;
CREATE INDEX gatherings_promoter ON gatherings(promoter_id) WHERE promoter_id IS NOT NULL;

CREATE TABLE members (
    id           TEXT PRIMARY KEY CHECK (length(id) = 36),
    place_id     TEXT NOT NULL REFERENCES places(id),
    fiscal_year  INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1989 AND 2200),
    total        INTEGER NOT NULL CHECK (total >= 0),
    male         INTEGER CHECK (male >= 0),
    female       INTEGER CHECK (female >= 0),
    age_under_65 INTEGER CHECK (age_under_65 >= 0),
    age_65_74    INTEGER CHECK (age_65_74 >= 0),
    age_75_plus  INTEGER CHECK (age_75_plus >= 0),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (place_id, fiscal_year),
    CHECK (coalesce(male, 0) + coalesce(female, 0) <= total)
) STRICT;

CREATE TABLE activities (
    id          TEXT PRIMARY KEY CHECK (length(id) = 36),
    promoter_id TEXT NOT NULL REFERENCES promoters(id),
    done_on     TEXT NOT NULL CHECK (date(done_on) IS done_on),
    kind        TEXT NOT NULL REFERENCES activity_kinds(name),
    place_id    TEXT REFERENCES places(id),
    minutes     INTEGER CHECK (minutes >= 0),
    summary     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX activities_promoter_date ON activities(promoter_id, done_on);
CREATE INDEX activities_date ON activities(done_on);
CREATE INDEX activities_place ON activities(place_id) WHERE place_id IS NOT NULL;

CREATE TABLE expenses (
    id                TEXT PRIMARY KEY CHECK (length(id) = 36),
    municipality_code TEXT NOT NULL REFERENCES municipalities(code),
    fiscal_year       INTEGER NOT NULL CHECK (fiscal_year BETWEEN 1989 AND 2200),
    category          TEXT NOT NULL REFERENCES expense_categories(name),
    amount            INTEGER NOT NULL CHECK (amount >= 0),
    notes             TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (municipality_code, fiscal_year, category)
) STRICT;
