-- 0007: signed exchange bundles (kaigo_desktop/services/bundle_signing.py).

-- This database's Ed25519 signing key, made when first needed. Keyed by the database id: a file copied to
-- another PC and given a new id (`bundle new-id`) gets a key of its own, and the old one is deleted.
CREATE TABLE exchange_signing_key (
    database_id TEXT PRIMARY KEY,
    private_key BLOB NOT NULL CHECK (length(private_key) = 32),
    public_key  BLOB NOT NULL CHECK (length(public_key) = 32),
    created_at  TEXT NOT NULL
) STRICT;

-- The PCs (databases) whose bundles this database accepts: set up once per pair by a person who compared the
-- fingerprint (by phone) or carried a trust file.
CREATE TABLE exchange_trusted_pcs (
    database_id TEXT PRIMARY KEY CHECK (length(database_id) > 0),
    name        TEXT NOT NULL,              -- who it said it was when trusted (区市町村, センター, user)
    public_key  BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),
    fingerprint TEXT NOT NULL,              -- the short form people compare, e.g. 3F2A-91C0-5B7D-E412-0A9C
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL DEFAULT ''
) STRICT;
