"""0014: the metropolitan view (issue 18). On a 区市町村's database: its declared 短期集中予防サービス per 年度
(entered in マスタ・設定 until participant records exist), frozen by the 年度's lock like the other figures.
On 東京都's database (`init --metro`): the mark that it is one, the submissions received (one current per
区市町村 and 年度; a replaced one is kept with when and why), the keys trusted per 区市町村, the evaluation
sheet's targets (seeded from Tokyo's own sheet: 事項1 6, 事項2 62, 事項3 7, by 令和5年度) and rules, and the
outcome indicators entered by hand (健康寿命, 生きがいを感じる人の率) with their source.
A Python migration because the audit trail's triggers list the tables: they are made again to cover these."""

from pathlib import Path

from kaigo_desktop.storage import audit_triggers

STATEMENTS = (
    """CREATE TABLE short_term_service_declarations (
        fiscal_year       INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
        municipality_code TEXT NOT NULL REFERENCES municipalities(code),
        offered           INTEGER NOT NULL CHECK (offered IN (0, 1)),
        users             INTEGER CHECK (users IS NULL OR users BETWEEN 0 AND 1000000),
        updated_at        TEXT NOT NULL,
        updated_by        TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (fiscal_year, municipality_code),
        CHECK (offered = 1 OR users IS NULL OR users = 0)
    ) STRICT""",
    # The declaration is one of the 年度's figures: a locked 年度 refuses it on every path (PERIOD_LOCKED is
    # classified and named by storage/sqlite_errors.py and storage/period_queries.py).
    """CREATE TRIGGER short_term_service_declarations_period_lock_insert
        AFTER INSERT ON short_term_service_declarations
        WHEN EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = new.fiscal_year
                     AND municipality_code = new.municipality_code)
        BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END""",
    """CREATE TRIGGER short_term_service_declarations_period_lock_update
        AFTER UPDATE OF offered, users, fiscal_year, municipality_code ON short_term_service_declarations
        WHEN (old.offered IS NOT new.offered OR old.users IS NOT new.users
              OR old.fiscal_year IS NOT new.fiscal_year OR old.municipality_code IS NOT new.municipality_code)
         AND (EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = old.fiscal_year
                      AND municipality_code = old.municipality_code)
              OR EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = new.fiscal_year
                         AND municipality_code = new.municipality_code))
        BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END""",
    """CREATE TRIGGER short_term_service_declarations_period_lock_delete
        AFTER DELETE ON short_term_service_declarations
        WHEN EXISTS (SELECT 1 FROM period_locks WHERE fiscal_year = old.fiscal_year
                     AND municipality_code = old.municipality_code)
        BEGIN SELECT RAISE(ABORT, 'PERIOD_LOCKED'); END""",

    # ---- 東京都's database ----
    """CREATE TABLE metro_marker (
        only       INTEGER PRIMARY KEY CHECK (only = 1),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT ''
    ) STRICT""",
    """CREATE TABLE metro_trusted_keys (
        municipality_code TEXT NOT NULL REFERENCES municipalities(code),
        database_id       TEXT NOT NULL,
        name              TEXT NOT NULL DEFAULT '',
        public_key        BLOB NOT NULL CHECK (length(public_key) = 32),
        fingerprint       TEXT NOT NULL,
        added_at          TEXT NOT NULL,
        added_by          TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (municipality_code, database_id)
    ) STRICT""",
    "CREATE UNIQUE INDEX metro_trusted_keys_key ON metro_trusted_keys(public_key)",
    # Every submission imported; replaced_at is set (never cleared) when a newer one for the same 区市町村 and
    # 年度 arrives, so exactly one is current and the earlier ones stay for the record.
    """CREATE TABLE metro_submissions (
        id                INTEGER PRIMARY KEY,
        municipality_code TEXT NOT NULL REFERENCES municipalities(code),
        fiscal_year       INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
        created_at        TEXT NOT NULL,
        created_by        TEXT NOT NULL DEFAULT '',
        source_db         TEXT NOT NULL,
        fingerprint       TEXT NOT NULL,
        locked            INTEGER NOT NULL CHECK (locked IN (0, 1)),
        content           TEXT NOT NULL,
        content_sha256    TEXT NOT NULL,
        imported_at       TEXT NOT NULL,
        imported_by       TEXT NOT NULL DEFAULT '',
        file_name         TEXT NOT NULL DEFAULT '',
        replaced_at       TEXT,
        replaced_by_id    INTEGER REFERENCES metro_submissions(id),
        replaced_reason   TEXT NOT NULL DEFAULT ''
    ) STRICT""",
    """CREATE UNIQUE INDEX metro_submissions_current ON metro_submissions(municipality_code, fiscal_year)
        WHERE replaced_at IS NULL""",
    # The evaluation sheet's targets per 事項 and 年度 ("by 令和5年度": the target of 2023 counts for the 年度
    # up to it); NULL = no target.
    """CREATE TABLE metro_targets (
        item        TEXT NOT NULL CHECK (item IN ('1', '2', '3')),
        fiscal_year INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
        target      INTEGER CHECK (target IS NULL OR target BETWEEN 0 AND 62),
        updated_at  TEXT NOT NULL,
        updated_by  TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (item, fiscal_year)
    ) STRICT""",
    # How a 区市町村 is counted for each 事項 (the sheet states it): 1 = program types its survey places offer
    # together (of five), 2 = 推進員 placed, 3 = users of its declared 短期集中予防サービス.
    """CREATE TABLE metro_item_rules (
        item    TEXT PRIMARY KEY CHECK (item IN ('1', '2', '3')),
        minimum INTEGER NOT NULL CHECK (minimum >= 1)
    ) STRICT""",
    """CREATE TABLE metro_indicators (
        key         TEXT NOT NULL CHECK (key IN ('healthy_life_expectancy', 'ikigai_rate')),
        fiscal_year INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
        value       REAL,
        source      TEXT NOT NULL DEFAULT '',
        source_year INTEGER CHECK (source_year IS NULL OR source_year BETWEEN 1900 AND 2100),
        updated_at  TEXT NOT NULL,
        updated_by  TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (key, fiscal_year)
    ) STRICT""",
    "INSERT INTO metro_item_rules (item, minimum) VALUES ('1', 5), ('2', 1), ('3', 1)",
    # Tokyo's own sheet: 6区市町村 / 62区市町村で各1人以上 / 7区市町村, each 「令和5年度まで」.
    """INSERT INTO metro_targets (item, fiscal_year, target, updated_at, updated_by) VALUES
        ('1', 2023, 6, '2023-04-01T00:00:00Z', '東京都評価シート'),
        ('2', 2023, 62, '2023-04-01T00:00:00Z', '東京都評価シート'),
        ('3', 2023, 7, '2023-04-01T00:00:00Z', '東京都評価シート')""",
)


def migrate(conn, db_dir: Path) -> None:
    for statement in STATEMENTS:
        conn.execute(statement)
    audit_triggers.install(conn)
