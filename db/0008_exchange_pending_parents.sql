-- 0008: exchange — rows held back are indexed by the record they wait for, and each bundle received remembers
-- which range of its sender's changes it carried (kaigo_desktop/services/exchange.py).

-- A held-back row waits for one missing record (its place, promoter or center); an import retries only the rows
-- whose record has arrived, so rows that still wait cost nothing. id: what `bundle pending` shows and
-- `bundle pending --drop ID` takes.
CREATE TABLE exchange_pending_by_parent (
    id            INTEGER PRIMARY KEY,
    table_name    TEXT NOT NULL,
    row_id        TEXT NOT NULL,
    version       TEXT NOT NULL,  -- "updated_at|origin_db"
    incoming_json TEXT NOT NULL,
    parent_table  TEXT,  -- with parent_id, the record it waits for; NULL: not known yet (retried at the next import)
    parent_id     TEXT,
    received_at   TEXT,  -- when it arrived; NULL: before this version
    UNIQUE (table_name, row_id, version)
) STRICT;
INSERT INTO exchange_pending_by_parent (table_name, row_id, version, incoming_json)
    SELECT table_name, row_id, version, incoming_json FROM exchange_pending ORDER BY table_name, row_id, version;
DROP TABLE exchange_pending;
ALTER TABLE exchange_pending_by_parent RENAME TO exchange_pending;
CREATE INDEX exchange_pending_parent ON exchange_pending(parent_table, parent_id);

-- The range of the sender's changes a bundle carried (since_seq, max_seq], for which destination and scope
-- (as exchange_destinations), and when and by whom it was made: a later bundle starting after a range never
-- received here names the bundle that is missing. Bundles received before this version are known only as
-- "everything of that sender up to what was applied from it" (destination and scope NULL: any).
ALTER TABLE exchange_received ADD COLUMN destination TEXT;
ALTER TABLE exchange_received ADD COLUMN scope TEXT;
ALTER TABLE exchange_received ADD COLUMN since_seq INTEGER;
ALTER TABLE exchange_received ADD COLUMN max_seq INTEGER;
ALTER TABLE exchange_received ADD COLUMN made_at TEXT;
ALTER TABLE exchange_received ADD COLUMN made_by TEXT;
UPDATE exchange_received SET since_seq = 0,
    max_seq = (SELECT max_seq_applied FROM exchange_sources WHERE exchange_sources.source_db = exchange_received.source_db);
CREATE INDEX exchange_received_source ON exchange_received(source_db, destination, scope);
