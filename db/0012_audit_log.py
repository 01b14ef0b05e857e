"""0012: the audit trail (kaigo_desktop/services/audit.py): who changed what, when and on which PC. Entries are
made by triggers on every audited table (kaigo_desktop/storage/audit_triggers.py), never changed or deleted,
and chained by hash at the end of each write transaction (audit_seals) so that `check` finds an edited or
removed entry. Received entries (audit_received) keep their origin and stay out of our chain.
"""

from pathlib import Path

from kaigo_desktop.storage import audit_triggers

TABLES = """
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    tx          INTEGER,  -- the write (audit_seals.id) that made it: who, when, which PC; NULL: around the app
    at          TEXT,     -- only an entry written around the app (no write of ours): when
    action      TEXT NOT NULL,
    table_name  TEXT NOT NULL DEFAULT '',
    record_id   TEXT NOT NULL DEFAULT '',
    changes     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_record ON audit_log(record_id);

-- One row per write transaction that made entries: who, when, which PC and database wrote (kept once here
-- rather than in each of its entries: half the row and half the hashed text of a bulk import), and the
-- entries first_seq..last_seq chained in Python before COMMIT (kaigo_desktop/domain/audit.py): `digests` the
-- first 16 hex digits of the running hash after each entry (to name the entry that was changed), `hash` the
-- last one whole, `prev_hash` the seal before's.
CREATE TABLE audit_seals (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_name TEXT NOT NULL DEFAULT '',
    pc        TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL DEFAULT '',
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    digests   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

-- The write under way (Database.write() fills it at BEGIN, empties it before COMMIT): `tx` the id its seal
-- will have, which the triggers copy into every entry.
CREATE TABLE audit_context (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    tx        INTEGER NOT NULL,
    at        TEXT NOT NULL,
    user_name TEXT NOT NULL DEFAULT '',
    pc        TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL DEFAULT '',
    operation TEXT NOT NULL DEFAULT ''
) STRICT;

-- Entries of other databases, kept as they came in a signed bundle (the signature vouches for them); they are
-- not part of our chain.
CREATE TABLE audit_received (
    origin_db   TEXT NOT NULL,
    origin_seq  INTEGER NOT NULL,
    at          TEXT NOT NULL,
    user_name   TEXT NOT NULL DEFAULT '',
    pc          TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    table_name  TEXT NOT NULL DEFAULT '',
    record_id   TEXT NOT NULL DEFAULT '',
    changes     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL,
    PRIMARY KEY (origin_db, origin_seq)
) STRICT;
CREATE INDEX audit_received_record ON audit_received(record_id);

-- Entries and seals are never changed nor deleted.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
CREATE TRIGGER audit_received_no_update BEFORE UPDATE ON audit_received
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
CREATE TRIGGER audit_received_no_delete BEFORE DELETE ON audit_received
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
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
