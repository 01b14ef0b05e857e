"""What the マスタ・設定 screen, the dashboard's choices and the welcome dialog read and write: population and
expenses of a 年度 (saved all or nothing), centers, the 年度 a database spans, the recording user's name."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kaigo_desktop import paths
from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.domain.records import Center, Expense, Municipality, Population
from kaigo_desktop.domain.validation import FieldError
from kaigo_desktop.services import database_defaults as defaults_store
from kaigo_desktop.services import records, setup
from kaigo_desktop.services.validators import validate
from kaigo_desktop.storage import aggregates, master_queries
from kaigo_desktop.storage.database import Database

YEARS_BEFORE_DATA = 1  # a 年度 choice list starts this many years before the first record (for new figures)


def tokyo_municipalities() -> list[Municipality]:
    """The 62 区市町村 from the shipped reference list, for choosing one before any database exists."""
    with open(paths.db_dir() / "reference" / "municipalities.csv", encoding="utf-8", newline="") as handle:
        return [Municipality(row["code"], row["name"], row["kana"], row["kind"]) for row in csv.DictReader(handle)]


def create_database(path: Path, municipality_code: str, center_name: str = "", *,
                    user: str = "") -> tuple[str, str]:
    """A new database file set up for one 区市町村 (and its first center), whole or not at all.
    Returns the (区市町村 code, center id) it was set up for."""
    def build(db: Database) -> tuple[str, str]:
        setup.initialise(db, municipality_code, center_name.strip() or None)
        return database_defaults(db)
    return Database.create_new(path, build, user=user)


def database_file(db: Database) -> Path:
    return Path(db.path)


def set_user_name(db: Database, name: str) -> None:
    """Writes from now on are stamped with this name (updated_by); no restart needed."""
    db.user = name.strip()


def database_defaults(db: Database) -> tuple[str, str]:
    """(区市町村 code, center id) the database was set up for ("" when not set)."""
    stored = defaults_store.load(db)
    return (stored.municipality, stored.center)


def likely_municipality(db: Database) -> str:
    """The 区市町村 a page should start on: the database's default, else the first one with records ("" when
    the database is empty)."""
    database_default = database_defaults(db)[0]
    if database_default:
        return database_default
    in_use = master_queries.municipalities_in_use(db)
    return in_use[0] if in_use else ""


def fiscal_year_choices(db: Database, today: date, *, ahead: int = 0) -> list[int]:
    """年度 worth offering, newest first: from the first one with any record to the current one (plus
    `ahead` years, for figures entered before a 年度 starts), or the last one with records, if later."""
    current = fiscal_year_of(today) + ahead
    first, last = master_queries.data_date_span(db)
    years = set(master_queries.recorded_fiscal_years(db)) | {current}
    if first:
        years.add(fiscal_year_of(date.fromisoformat(first)))
    if last:
        years.add(fiscal_year_of(date.fromisoformat(last)))
    return list(range(max(years), min(years) - YEARS_BEFORE_DATA - 1, -1))


# ---------------------------------------------------------------- population

@dataclass(frozen=True)
class PopulationRow:
    municipality_code: str
    municipality_name: str
    population_65_plus: int | None
    population_75_plus: int | None
    reference_date: date | None
    updated_by: str
    record_id: str | None  # None when nothing is recorded for this 区市町村 and 年度


def population_table(db: Database, fiscal_year: int) -> list[PopulationRow]:
    return [PopulationRow(row["code"], row["name"], row["population_65_plus"], row["population_75_plus"],
                          date.fromisoformat(row["reference_date"]) if row["reference_date"] else None,
                          row["updated_by"] or "", row["id"])
            for row in master_queries.population_rows(db, fiscal_year)]


@dataclass(frozen=True)
class PopulationEntry:
    """One edited row: population_65_plus None clears the 区市町村's figure for the 年度 (to the trash)."""

    municipality_code: str
    population_65_plus: int | None
    population_75_plus: int | None = None
    reference_date: date | None = None


def _row_errors(db: Database, record: object, prefix: str, today: date) -> list[FieldError]:
    return [FieldError(error.field, f"{prefix}: {error.message}") for error in validate(db, record, today)]


def save_population(db: Database, fiscal_year: int, entries: list[PopulationEntry],
                    today: date | None = None) -> int:
    """All rows or none, in one transaction; errors name the 区市町村. Returns the rows written."""
    today = today or date.today()
    names = aggregates.municipality_names(db)
    current = {row.municipality_code: row for row in population_table(db, fiscal_year)}
    upserts: list[Population] = []
    clears: list[str] = []
    errors: list[FieldError] = []
    for entry in entries:
        if entry.population_65_plus is None:
            if entry.population_75_plus is not None:
                errors.append(FieldError("population_65_plus",
                                         f"{names.get(entry.municipality_code, entry.municipality_code)}:"
                                         " 75歳以上人口だけでは保存できません。65歳以上人口を入力してください。"))
            elif current.get(entry.municipality_code) and current[entry.municipality_code].record_id:
                clears.append(current[entry.municipality_code].record_id)  # type: ignore[arg-type]
            continue
        record = Population(entry.municipality_code, fiscal_year, entry.population_65_plus,
                            entry.population_75_plus, entry.reference_date)
        errors += _row_errors(db, record, names.get(entry.municipality_code, entry.municipality_code), today)
        upserts.append(record)
    return records.write_rows(db, Population, upserts, clears, errors, today)


# ---------------------------------------------------------------- expenses

@dataclass(frozen=True)
class ExpenseRow:
    category: str
    eligible: bool  # False for 備品購入費: recorded, never counted towards the subsidy
    amount: int | None
    notes: str
    updated_by: str
    record_id: str | None


def expense_table(db: Database, municipality_code: str, fiscal_year: int) -> list[ExpenseRow]:
    return [ExpenseRow(row["category"], bool(row["eligible"]), row["amount"], row["notes"] or "",
                       row["updated_by"] or "", row["id"])
            for row in master_queries.expense_rows(db, municipality_code, fiscal_year)]


def save_expenses(db: Database, municipality_code: str, fiscal_year: int, amounts: dict[str, int | None],
                  today: date | None = None) -> int:
    """Amounts by category for one 区市町村 and 年度, all or nothing; None clears a category (to the trash)."""
    today = today or date.today()
    current = {row.category: row for row in expense_table(db, municipality_code, fiscal_year)}
    upserts: list[Expense] = []
    clears: list[str] = []
    errors: list[FieldError] = []
    for category, amount in amounts.items():
        if amount is None:
            row = current.get(category)
            if row is not None and row.record_id:
                clears.append(row.record_id)
            continue
        notes = current[category].notes if category in current else ""
        record = Expense(municipality_code, fiscal_year, category, amount, notes)
        errors += _row_errors(db, record, category, today)
        upserts.append(record)
    return records.write_rows(db, Expense, upserts, clears, errors, today)


# ---------------------------------------------------------------- centers

@dataclass(frozen=True)
class CenterRow:
    center: Center
    municipality_name: str
    places: int  # live 通いの場 that name this center


def center_table(db: Database, municipality_code: str | None, *, deleted: bool = False) -> list[CenterRow]:
    return [CenterRow(Center(row["municipality_code"], row["name"], row["kana"], row["address"], row["phone"],
                             row["notes"], row["id"]), row["municipality_name"], row["places"])
            for row in master_queries.center_rows(db, municipality_code, deleted=deleted)]


def save_center(db: Database, center: Center, today: date | None = None) -> Center:
    """Adds a new center (no id) or updates one; ValidationFailed / ConstraintError as the services raise."""
    return records.update(db, center, today=today) if center.id else records.add(db, center, today=today)
