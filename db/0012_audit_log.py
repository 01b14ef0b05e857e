"""0012: the audit trail (kaigo_desktop/services/audit.py): who changed what, when and on which PC, each entry
holding the hash of the one before so that an edited or removed entry is found by `check`.

audit_log     own entries, one per changed row (made by triggers: kaigo_desktop/storage/audit_triggers.py)
              or per operation without rows (a restore); sealed (prev_hash, hash) before COMMIT, then never
              updated or deleted.
audit_context the one row saying who is writing now (Database.write() fills it at BEGIN, empties it before
              COMMIT).
audit_seal    the last sealed entry (seq, hash): where the next sealing continues the chain.
audit_received entries of other databases that came in bundles, kept with their origin and their own hashes
              (their chain is theirs, verified per origin), never re-chained as ours.
"""

from pathlib import Path

from kaigo_desktop.storage import audit_triggers

TABLES = """
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user_name   TEXT NOT NULL DEFAULT '',
    pc          TEXT NOT NULL DEFAULT '',
    origin_db   TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    table_name  TEXT NOT NULL DEFAULT '',
    record_id   TEXT NOT NULL DEFAULT '',
    changes     TEXT NOT NULL DEFAULT '{}',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL DEFAULT '',
    hash        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_record ON audit_log(record_id);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TABLE audit_context (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    at        TEXT NOT NULL,
    user_name TEXT NOT NULL DEFAULT '',
    pc        TEXT NOT NULL DEFAULT '',
    origin_db TEXT NOT NULL DEFAULT '',
    operation TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE audit_seal (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;

CREATE TABLE audit_received (
    origin_db   TEXT NOT NULL,
    origin_seq  INTEGER NOT NULL,
    at          TEXT NOT NULL,
    user_name   TEXT NOT NULL DEFAULT '',
    pc          TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    table_name  TEXT NOT NULL DEFAULT '',
    record_id   TEXT NOT NULL DEFAULT '',
    changes     TEXT NOT NULL DEFAULT '{}',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (origin_db, origin_seq)
) STRICT;
CREATE INDEX audit_received_record ON audit_received(record_id);

-- Entries are never changed: the only update allowed is sealing an unsealed entry (hash '' -> its hash, the
-- triggers' raw changes -> JSON), leaving everything else as it was; no entry is ever deleted.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash <> '' OR NEW.hash = '' OR NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at
    OR NEW.user_name IS NOT OLD.user_name OR NEW.pc IS NOT OLD.pc OR NEW.origin_db IS NOT OLD.origin_db
    OR NEW.action IS NOT OLD.action OR NEW.table_name IS NOT OLD.table_name
    OR NEW.record_id IS NOT OLD.record_id OR NEW.detail IS NOT OLD.detail
BEGIN SELECT RAISE(ABORT, 'audit_log entries cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log entries cannot be deleted'); END;
CREATE TRIGGER audit_received_no_update BEFORE UPDATE ON audit_received
BEGIN SELECT RAISE(ABORT, 'audit_log entries cannot be changed'); END;
CREATE TRIGGER audit_received_no_delete BEFORE DELETE ON audit_received
BEGIN SELECT RAISE(ABORT, 'audit_log entries cannot be deleted'); END;
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
