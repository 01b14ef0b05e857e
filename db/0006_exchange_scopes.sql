-- 0006: exchange refinements (kaigo_desktop/services/exchange.py).

-- What was last sent is remembered per destination *and scope* (all records, one municipality, one center):
-- a bundle filtered to one center must not mark the other centers' records as sent.
CREATE TABLE exchange_destinations_scoped (
    name          TEXT NOT NULL CHECK (length(trim(name)) > 0),
    scope         TEXT NOT NULL DEFAULT '',  -- '' = all records, 'municipality=131016', 'center=<id>' or both joined by ' '
    last_seq_sent INTEGER NOT NULL DEFAULT 0,
    last_sent_at  TEXT,
    PRIMARY KEY (name, scope)
) STRICT;
INSERT INTO exchange_destinations_scoped (name, scope, last_seq_sent, last_sent_at)
    SELECT name, '', last_seq_sent, last_sent_at FROM exchange_destinations;
DROP TABLE exchange_destinations;
ALTER TABLE exchange_destinations_scoped RENAME TO exchange_destinations;

-- Every waiting version of a record is kept (two versions may both wait for their place; which one is later
-- is decided by their history when they are applied, never by the PCs' clocks).
CREATE TABLE exchange_pending_versions (
    table_name    TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    version       TEXT NOT NULL,  -- "updated_at|origin_db"
    incoming_json TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id, version)
) STRICT;
INSERT INTO exchange_pending_versions (table_name, row_id, version, incoming_json)
    SELECT table_name, row_id,
           json_extract(incoming_json, '$.updated_at') || '|' || json_extract(incoming_json, '$.origin_db'),
           incoming_json
    FROM exchange_pending;
DROP TABLE exchange_pending;
ALTER TABLE exchange_pending_versions RENAME TO exchange_pending;

-- Versions found to hold exactly the same data as the record's exchanged version (the same figure entered on
-- two PCs): an edit of any of them is a later edit of ours, not a conflict.
ALTER TABLE exchange_base ADD COLUMN same_as TEXT NOT NULL DEFAULT '[]';  -- JSON list of "updated_at|origin_db"
