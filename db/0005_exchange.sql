-- 0005: exchange between PCs by bundle files (kaigo_desktop/services/exchange.py).
-- A record version is (updated_at, origin_db); these tables remember what was exchanged.

-- Where bundles go: this database's change_seq at the last bundle made for that destination.
CREATE TABLE exchange_destinations (
    name          TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
    last_seq_sent INTEGER NOT NULL DEFAULT 0,
    last_sent_at  TEXT
) STRICT;

-- Where bundles came from: the source database and the highest change_seq applied from it.
CREATE TABLE exchange_sources (
    source_db        TEXT PRIMARY KEY,
    max_seq_applied  INTEGER NOT NULL DEFAULT 0,
    last_received_at TEXT NOT NULL
) STRICT;

-- Bundles already imported (by content hash): importing one again changes nothing.
CREATE TABLE exchange_received (
    content_sha256 TEXT PRIMARY KEY,
    source_db      TEXT NOT NULL,
    received_at    TEXT NOT NULL
) STRICT;

-- Per record: the version last exchanged (sent or received) and the versions it descends from, so a local
-- edit since the last exchange, and an incoming version that is older or newer than ours, can be told apart.
CREATE TABLE exchange_base (
    table_name TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    origin_db  TEXT NOT NULL,
    ancestors  TEXT NOT NULL DEFAULT '[]',  -- JSON list of "updated_at|origin_db"
    PRIMARY KEY (table_name, row_id)
) STRICT;

-- Both sides changed the same record (or a name collides): nothing overwritten; a person chooses.
CREATE TABLE conflicts (
    id            TEXT PRIMARY KEY CHECK (length(id) = 36),
    table_name    TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    local_json    TEXT,
    incoming_json TEXT NOT NULL,
    detected_at   TEXT NOT NULL,
    resolved_at   TEXT,
    resolution    TEXT CHECK (resolution IN ('local', 'incoming', 'elsewhere'))  -- elsewhere: settled on another PC
) STRICT;
CREATE INDEX conflicts_open ON conflicts(table_name, row_id) WHERE resolved_at IS NULL;

-- Incoming rows that could not be applied yet (their place or promoter is in a bundle not yet received).
CREATE TABLE exchange_pending (
    table_name    TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    incoming_json TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id)
) STRICT;
