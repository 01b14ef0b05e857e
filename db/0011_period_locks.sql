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
    reason            TEXT NOT NULL DEFAULT ''
) STRICT;
