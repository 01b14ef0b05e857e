"""0014: participants and their frailty checks (issue 19; kaigo_desktop/domain/participants.py and checklist.py).

The minimum personal data: a number, birth year and month, sex, the center, optionally name and よみ — no
address, no insurance number. Checks keep the answers (1 = はい, 0 = いいえ, NULL = 未回答) and height/weight;
the domain layer computes the results, so a change of cut-offs never leaves stale results behind. The bounds
here are the last guard (services/participants.py validates first, with Japanese messages). These tables are
personal data: they travel only in encrypted exchange bundles (storage/rows.PERSONAL_TABLES). A Python migration so that the
audit trail's triggers cover the new tables.
"""

from pathlib import Path

from kaigo_desktop.storage import audit_triggers

TABLES = """
CREATE TABLE participants (
    id          TEXT PRIMARY KEY CHECK (length(id) = 36),
    center_id   TEXT NOT NULL REFERENCES centers(id),
    number      TEXT NOT NULL CHECK (length(trim(number)) BETWEEN 1 AND 20 AND number = trim(number)),
    birth_year  INTEGER NOT NULL CHECK (birth_year BETWEEN 1900 AND 2200),
    birth_month INTEGER NOT NULL CHECK (birth_month BETWEEN 1 AND 12),
    sex         TEXT NOT NULL CHECK (sex IN ('男性', '女性', '不明')),
    name        TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 60),
    kana        TEXT NOT NULL DEFAULT '' CHECK (length(kana) <= 60),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX participants_number_unique ON participants(center_id, number) WHERE deleted_at IS NULL;

CREATE TABLE participant_places (
    id             TEXT PRIMARY KEY CHECK (length(id) = 36),
    participant_id TEXT NOT NULL REFERENCES participants(id),
    place_id       TEXT NOT NULL REFERENCES places(id),
    start_date     TEXT NOT NULL CHECK (date(start_date) IS start_date),
    end_date       TEXT CHECK (date(end_date) IS end_date AND end_date >= start_date),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX participant_places_participant ON participant_places(participant_id);
CREATE INDEX participant_places_place ON participant_places(place_id, start_date);

CREATE TABLE frailty_checks (
    id             TEXT PRIMARY KEY CHECK (length(id) = 36),
    participant_id TEXT NOT NULL REFERENCES participants(id),
    checked_on     TEXT NOT NULL CHECK (date(checked_on) IS checked_on),
    entered_by     TEXT NOT NULL DEFAULT '' CHECK (length(entered_by) <= 40),
    q1         INTEGER CHECK (q1 IN (0, 1)),
    q2         INTEGER CHECK (q2 IN (0, 1)),
    q3         INTEGER CHECK (q3 IN (0, 1)),
    q4         INTEGER CHECK (q4 IN (0, 1)),
    q5         INTEGER CHECK (q5 IN (0, 1)),
    q6         INTEGER CHECK (q6 IN (0, 1)),
    q7         INTEGER CHECK (q7 IN (0, 1)),
    q8         INTEGER CHECK (q8 IN (0, 1)),
    q9         INTEGER CHECK (q9 IN (0, 1)),
    q10        INTEGER CHECK (q10 IN (0, 1)),
    q11        INTEGER CHECK (q11 IN (0, 1)),
    q13        INTEGER CHECK (q13 IN (0, 1)),
    q14        INTEGER CHECK (q14 IN (0, 1)),
    q15        INTEGER CHECK (q15 IN (0, 1)),
    q16        INTEGER CHECK (q16 IN (0, 1)),
    q17        INTEGER CHECK (q17 IN (0, 1)),
    q18        INTEGER CHECK (q18 IN (0, 1)),
    q19        INTEGER CHECK (q19 IN (0, 1)),
    q20        INTEGER CHECK (q20 IN (0, 1)),
    q21        INTEGER CHECK (q21 IN (0, 1)),
    q22        INTEGER CHECK (q22 IN (0, 1)),
    q23        INTEGER CHECK (q23 IN (0, 1)),
    q24        INTEGER CHECK (q24 IN (0, 1)),
    q25        INTEGER CHECK (q25 IN (0, 1)),
    height_cm      REAL CHECK (height_cm BETWEEN 100 AND 220),
    weight_kg      REAL CHECK (weight_kg BETWEEN 20 AND 200),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0,
    CHECK ((height_cm IS NULL) = (weight_kg IS NULL))
) STRICT;
CREATE UNIQUE INDEX frailty_checks_one_a_day ON frailty_checks(participant_id, checked_on) WHERE deleted_at IS NULL;

CREATE TABLE questionnaires (
    id             TEXT PRIMARY KEY CHECK (length(id) = 36),
    participant_id TEXT NOT NULL REFERENCES participants(id),
    answered_on    TEXT NOT NULL CHECK (date(answered_on) IS answered_on),
    entered_by     TEXT NOT NULL DEFAULT '' CHECK (length(entered_by) <= 40),
    a1         INTEGER CHECK (a1 BETWEEN 1 AND 5),
    a2         INTEGER CHECK (a2 BETWEEN 1 AND 4),
    a3         INTEGER CHECK (a3 BETWEEN 1 AND 2),
    a4         INTEGER CHECK (a4 BETWEEN 1 AND 2),
    a5         INTEGER CHECK (a5 BETWEEN 1 AND 2),
    a6         INTEGER CHECK (a6 BETWEEN 1 AND 2),
    a7         INTEGER CHECK (a7 BETWEEN 1 AND 2),
    a8         INTEGER CHECK (a8 BETWEEN 1 AND 2),
    a9         INTEGER CHECK (a9 BETWEEN 1 AND 2),
    a10        INTEGER CHECK (a10 BETWEEN 1 AND 2),
    a11        INTEGER CHECK (a11 BETWEEN 1 AND 2),
    a12        INTEGER CHECK (a12 BETWEEN 1 AND 3),
    a13        INTEGER CHECK (a13 BETWEEN 1 AND 2),
    a14        INTEGER CHECK (a14 BETWEEN 1 AND 2),
    a15        INTEGER CHECK (a15 BETWEEN 1 AND 2),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX questionnaires_one_a_day ON questionnaires(participant_id, answered_on) WHERE deleted_at IS NULL;
"""


def migrate(conn, db_dir: Path) -> None:
    import sqlite3

    pending = ""
    for line in TABLES.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    audit_triggers.install(conn)
