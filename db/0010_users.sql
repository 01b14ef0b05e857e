-- 0010: users and roles (kaigo_desktop/services/users.py; the rights in kaigo_desktop/domain/roles.py).
-- A database without users behaves as before: one implicit 区市町村管理者.

-- password_hash: '' = no password; else "scrypt$n$r$p$salt_b64$hash_b64" (never the password itself).
-- Users stay on this PC: they do not travel in exchange bundles. A removed user keeps its row (removed_at) so
-- that the audit trail's names stay explained.
CREATE TABLE users (
    name          TEXT PRIMARY KEY CHECK (length(trim(name)) > 0 AND length(name) <= 40),
    role          TEXT NOT NULL CHECK (role IN ('staff', 'promoter', 'admin')),
    center_id     TEXT REFERENCES centers(id),
    promoter_id   TEXT REFERENCES promoters(id),
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    removed_at    TEXT,
    CHECK (role <> 'staff' OR center_id IS NOT NULL),
    CHECK (role <> 'promoter' OR promoter_id IS NOT NULL)
) STRICT;
