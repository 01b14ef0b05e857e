"""0018: 短期集中予防サービス (C) cases (issue 19; kaigo_desktop/domain/short_term_cases.py).

One row per case: referral, the initial assessment (a link to the participant's 基本チェックリスト and the physical
measures), the service period and sessions, the re-assessment, 地域ケア会議, outcome and the 6- and 12-month
follow-ups. The bounds and the order of the dates here are the last guard (services/short_term_cases.py
validates first, with Japanese messages). Personal data: carried only by encrypted exchange bundles
(storage/rows.PERSONAL_TABLES). A Python migration so that the audit trail's triggers cover the new table."""

from pathlib import Path

from kaigo_desktop.storage import audit_triggers


def _date(column: str, required: bool = False) -> str:
    null = " NOT NULL" if required else ""
    return f"    {column:<20} TEXT{null} CHECK (date({column}) IS {column}),\n"


def _measure(column: str, low: int, high: int) -> str:
    return f"    {column:<20} REAL CHECK ({column} BETWEEN {low} AND {high}),\n"


def _followup(months: int) -> str:
    return (_date(f"followup{months}_on")
            + f"    followup{months}_attending INTEGER CHECK (followup{months}_attending IN (0, 1)),\n"
            + f"    followup{months}_level TEXT CHECK (followup{months}_level IN ('robust', 'pre_frail', 'frail')),\n")


TABLE = (
    "CREATE TABLE short_term_cases (\n"
    "    id                   TEXT PRIMARY KEY CHECK (length(id) = 36),\n"
    "    participant_id       TEXT NOT NULL REFERENCES participants(id),\n"
    + _date("referred_on", required=True)
    + "    referral_source      TEXT NOT NULL CHECK (referral_source IN ('地域包括支援センター', '基本チェックリスト',"
      " '通いの場', '医療機関', 'ケアマネジャー', '本人・家族', '民生委員', 'その他')),\n"
    + _date("assessed_on")
    + "    initial_check_id     TEXT REFERENCES frailty_checks(id),\n"
    + _measure("initial_grip_kg", 1, 80) + _measure("initial_walk_5m_s", 1, 120) + _measure("initial_tug_s", 2, 180)
    + _date("service_start_on") + _date("service_end_on")
    + "    sessions             INTEGER CHECK (sessions BETWEEN 0 AND 200),\n"
    + _date("reassessed_on")
    + "    final_check_id       TEXT REFERENCES frailty_checks(id),\n"
    + _measure("final_grip_kg", 1, 80) + _measure("final_walk_5m_s", 1, 120) + _measure("final_tug_s", 2, 180)
    + _date("meeting_on")
    + "    meeting_decision     TEXT NOT NULL DEFAULT '' CHECK (length(meeting_decision) <= 200),\n"
    + "    outcome              TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', '自立', '通いの場へ', '一般介護予防',"
      " '継続', '要介護認定申請')),\n"
    + "    outcome_place_id     TEXT REFERENCES places(id),\n"
    + _followup(6) + _followup(12)
    + "    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL DEFAULT '',\n"
    "    origin_db TEXT NOT NULL, deleted_at TEXT, change_seq INTEGER NOT NULL DEFAULT 0,\n"
    "    CHECK ((outcome = '通いの場へ') = (outcome_place_id IS NOT NULL)),\n"
    "    CHECK (service_end_on IS NULL OR service_start_on IS NOT NULL),\n"
    # the order of the dates (each pair given), as domain/short_term_cases.DATE_ORDER
    "    CHECK (coalesce(assessed_on, service_start_on, service_end_on, reassessed_on, meeting_on, followup6_on,"
    " followup12_on, referred_on) >= referred_on),\n"
    "    CHECK (service_start_on IS NULL OR assessed_on IS NULL OR service_start_on >= assessed_on),\n"
    "    CHECK (service_end_on IS NULL OR service_end_on >= service_start_on),\n"
    "    CHECK (reassessed_on IS NULL OR service_end_on IS NULL OR reassessed_on >= service_end_on),\n"
    "    CHECK (followup12_on IS NULL OR followup6_on IS NULL OR followup12_on >= followup6_on)\n"
    ") STRICT;\n"
)
INDEXES = (
    "CREATE INDEX short_term_cases_participant ON short_term_cases(participant_id, referred_on)",
    "CREATE INDEX short_term_cases_service ON short_term_cases(service_start_on)",
    "CREATE INDEX short_term_cases_initial_check ON short_term_cases(initial_check_id)",
    "CREATE INDEX short_term_cases_final_check ON short_term_cases(final_check_id)",
    "CREATE INDEX short_term_cases_place ON short_term_cases(outcome_place_id)",
)


def migrate(conn, db_dir: Path) -> None:
    conn.execute(TABLE)
    for statement in INDEXES:
        conn.execute(statement)
    audit_triggers.install(conn)
