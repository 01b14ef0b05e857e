"""Small reads: reference lists and finding records by their natural names."""

from __future__ import annotations

from datetime import date

from kaigo_desktop.domain.records import Municipality
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.definitions import employed, period_params
from kaigo_desktop.storage.rows import TABLE_BY_NAME

VOCABULARY_TABLES = (
    "qualifications", "operator_kinds", "venue_kinds", "activity_kinds", "frequency_buckets",
    "main_activity_kinds", "professional_kinds", "expense_categories",
)


def municipalities(db: Database) -> list[Municipality]:
    return [Municipality(*row) for row in db.query(
        "SELECT code, name, kana, kind FROM municipalities ORDER BY code")]


def municipality(db: Database, code: str) -> Municipality | None:
    row = db.conn.execute("SELECT code, name, kana, kind FROM municipalities WHERE code = ?",
                          (code,)).fetchone()
    return Municipality(*row) if row else None


def vocabulary(db: Database, table: str) -> list[str]:
    """Reference lists change only by migration, so each is read once per open database."""
    if table not in VOCABULARY_TABLES:
        raise ValueError(table)
    cached = db.reference_cache.get(table)
    if cached is None:
        cached = db.reference_cache[table] = [row[0] for row in db.query(f"SELECT name FROM {table} ORDER BY sort")]
    return list(cached)


def _ids(db: Database, sql: str, params: tuple) -> list[str]:
    return [row[0] for row in db.query(sql, params)]


def place_ids_by_name(db: Database, municipality_code: str, name: str) -> list[str]:
    return _ids(db, "SELECT id FROM places WHERE municipality_code = ? AND name = ? AND deleted_at IS NULL",
                (municipality_code, name))


def place_names(db: Database, municipality_code: str) -> list[str]:
    """The names of the municipality's live places, in よみ order (an import template's drop-down list)."""
    return [row[0] for row in db.query(
        "SELECT name FROM places WHERE municipality_code = ? AND deleted_at IS NULL ORDER BY kana, name",
        (municipality_code,))]


def promoter_ids_by_name(db: Database, name: str, municipality_code: str | None = None) -> list[str]:
    if municipality_code:
        return _ids(db, "SELECT id FROM promoters WHERE name = ? AND municipality_code = ?"
                        " AND deleted_at IS NULL", (name, municipality_code))
    return _ids(db, "SELECT id FROM promoters WHERE name = ? AND deleted_at IS NULL", (name,))


def center_ids_by_name(db: Database, municipality_code: str, name: str) -> list[str]:
    return _ids(db, "SELECT id FROM centers WHERE municipality_code = ? AND name = ? AND deleted_at IS NULL",
                (municipality_code, name))


def is_live(db: Database, table: str, record_id: str) -> bool:
    if table not in ("places", "promoters", "centers", "participants"):
        raise ValueError(table)
    return db.scalar(f"SELECT 1 FROM {table} WHERE id = ? AND deleted_at IS NULL", (record_id,)) == 1


def participant_birth(db: Database, participant_id: str) -> tuple[int, int] | None:
    row = db.conn.execute("SELECT birth_year, birth_month FROM participants WHERE id = ?",
                          (participant_id,)).fetchone()
    return (row[0], row[1]) if row else None



def check_participant(db: Database, check_id: str) -> str | None:
    """The participant of a live 基本チェックリスト (None: no such live check)."""
    return db.scalar("SELECT participant_id FROM frailty_checks WHERE id = ? AND deleted_at IS NULL", (check_id,))


def record_municipality(db: Database, table: str, record_id: str) -> str | None:
    if table not in ("places", "promoters", "centers", "participants"):
        raise ValueError(table)
    return db.scalar(f"SELECT municipality_code FROM {table} WHERE id = ?", (record_id,))


def place_period(db: Database, place_id: str) -> tuple[date | None, date | None] | None:
    row = db.conn.execute("SELECT start_date, end_date FROM places WHERE id = ?", (place_id,)).fetchone()
    if row is None:
        return None
    return tuple(date.fromisoformat(v) if v else None for v in row)  # type: ignore[return-value]


def population_65_plus(db: Database, municipality_code: str, fiscal_year: int) -> int | None:
    return db.scalar("SELECT population_65_plus FROM population WHERE municipality_code = ?"
                     " AND fiscal_year = ? AND deleted_at IS NULL", (municipality_code, fiscal_year))


def promoters_employed_count(db: Database, municipality_code: str, fy_start: date, fy_end: date,
                             exclude_id: str = "") -> int:
    return db.scalar(
        f"SELECT COUNT(*) FROM promoters pr WHERE {employed('pr')} AND pr.municipality_code = :muni"
        " AND pr.id != :exclude", period_params(fy_start, fy_end, municipality_code, exclude=exclude_id))


def table_counts(db: Database) -> dict[str, int]:
    tables = ("centers", "places", "promoters", "assignments", "gatherings", "members", "population",
              "activities", "expenses")
    return {t: db.scalar(f"SELECT COUNT(*) FROM {t} WHERE deleted_at IS NULL") for t in tables}


def holds_user_records(db: Database) -> bool:
    """Anything a person entered or received: a record in any user table (in the trash too) or the trace
    of one deleted for good. Reference data and settings do not count."""
    tables = (*TABLE_BY_NAME, "tombstones")
    return any(db.scalar(f"SELECT EXISTS (SELECT 1 FROM {table})") for table in tables)
