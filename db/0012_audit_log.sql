-- 0012: the audit trail (kaigo_desktop/services/audit.py): who changed what, when and on which PC, each
-- entry holding the hash of the one before so that an edited entry is found by `check`.

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
