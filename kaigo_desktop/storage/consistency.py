"""Integrity and consistency checks of a whole database, as SQL counts of offending rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.domain.validation import FIELD_LIMITS
from kaigo_desktop.storage import ownership
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.master_queries import recorded_fiscal_years

T = TypeVar("T")


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    message: str
    count: int


# Rules about one row, counted for every live row of its table in one pass (a table of 1,000,000 gatherings is
# read once, not once per rule): table → (severity, message, condition on the row).
_ROW_RULES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "gatherings": (
        ("error", "開催日が未来の開催記録", "held_on > date('now', 'localtime')"),
        ("error", "年齢区分の合計が参加者数と一致しない開催記録",
         "(age_under_65 IS NOT NULL OR age_65_74 IS NOT NULL OR age_75_plus IS NOT NULL)"
         " AND coalesce(age_under_65, 0) + coalesce(age_65_74, 0) + coalesce(age_75_plus, 0) != attendance_total"),
        ("error", "新規参加者数が参加者数を超える開催記録", "new_participants > attendance_total"),
    ),
    "members": (
        ("error", "年齢区分の合計が実人数と一致しない参加者実人数",
         "(age_under_65 IS NOT NULL OR age_65_74 IS NOT NULL OR age_75_plus IS NOT NULL)"
         " AND coalesce(age_under_65, 0) + coalesce(age_65_74, 0) + coalesce(age_75_plus, 0) != total"),
    ),
}

# Rules between a record and its place or promoter: counted from the (few) places and promoters, each
# seeking its own live gatherings or activities along an index (gatherings_place_stats), never by joining
# every gathering to its place.
_LINK_RULES = (
    ("error", "開催日が通いの場の開設期間の外にある開催記録",
     "SELECT coalesce(sum("
     "(SELECT COUNT(*) FROM gatherings g WHERE g.place_id = p.id AND g.deleted_at IS NULL"
     " AND g.held_on < p.start_date)"
     " + (SELECT COUNT(*) FROM gatherings g WHERE g.place_id = p.id AND g.deleted_at IS NULL"
     " AND g.held_on > p.end_date)), 0)"
     " FROM places p WHERE p.start_date IS NOT NULL OR p.end_date IS NOT NULL"),
    ("error", "削除済みの通いの場に残っている有効な開催記録",
     "SELECT coalesce(sum((SELECT COUNT(*) FROM gatherings g WHERE g.place_id = p.id AND g.deleted_at IS NULL)), 0)"
     " FROM places p WHERE p.deleted_at IS NOT NULL"),
    ("warning", "配置期間の外にある推進員の活動記録",
     "SELECT COUNT(*) FROM activities a JOIN promoters p ON p.id = a.promoter_id WHERE a.deleted_at IS NULL"
     " AND (a.done_on < p.start_date OR (p.end_date IS NOT NULL AND a.done_on > p.end_date))"),
)


def integrity_problems(db: Database, *, full: bool = False,
                       progress: Callable[[int, int, str], None] | None = None) -> list[str]:
    """SQLite's own check of the file. By default its quick check (every page and row read, not every index
    matched against its table: a second on a million rows) — already run when this command opened the file
    (Database.quick_checked_at_open), so not run twice; `full` the whole integrity check, table by table so
    `progress(done, total, table)` can follow it."""
    if not full:
        if db.quick_checked_at_open:
            return []
        return [row[0] for row in db.query("PRAGMA quick_check") if row[0] != "ok"]
    tables = [row[0] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'"
                                         " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    problems: list[str] = []
    for done, table in enumerate(tables):
        if progress:
            progress(done, len(tables), table)
        problems += [row[0] for row in db.query(f'PRAGMA integrity_check("{table}")') if row[0] != "ok"]
    if progress:
        progress(len(tables), len(tables), "")
    return problems


def read_beside_quick_check(db: Database, *jobs: Callable[[Database], T]) -> list[T]:
    """Database.read_in_parallel, with SQLite's quick check run first on the first job's reader when opening
    the file did not run it (`check` opens with quick_check=False so that the check uses both cores). A
    damaged file raises the error Database.open raises for one, whatever the jobs read meanwhile."""
    if db.quick_checked_at_open:
        return db.read_in_parallel(*jobs)
    found: list[str] = []

    def quick_check_then(job: Callable[[Database], T]) -> Callable[[Database], T | None]:
        def run(reader: Database) -> T | None:
            found.extend(integrity_problems(reader))
            return None if found else job(reader)
        return run

    try:
        results = db.read_in_parallel(quick_check_then(jobs[0]), *jobs[1:])
    except sqlite3.DatabaseError as error:
        raise db.damaged_error(found[0] if found else str(error)) from error
    if found:
        raise db.damaged_error(found[0])
    return results


def foreign_key_problems(db: Database) -> list[str]:
    return [f"外部キー違反: {row[0]} の行 {row[1]} が {row[2]} を参照できません"
            for row in db.query("PRAGMA foreign_key_check")]


# The bounded count columns of each record table (their limits: domain.validation.FIELD_LIMITS). Rows stored
# before the bounds existed may hold more, and the 年度 sums over them could overflow.
_BOUNDED_COLUMNS = {
    "gatherings": ("attendance_total", "male", "female", "age_under_65", "age_65_74", "age_75_plus",
                   "new_participants"),
    "members": ("total", "male", "female", "age_under_65", "age_65_74", "age_75_plus"),
    "places": ("capacity",),
    "activities": ("minutes",),
    "population": ("population_65_plus", "population_75_plus"),
    "expenses": ("amount",),
}
_TABLE_LABELS = {"gatherings": "開催記録", "members": "参加者実人数", "places": "通いの場", "activities": "推進員の活動記録",
                 "population": "65歳以上人口", "expenses": "経費"}


@dataclass(frozen=True)
class RowFindings:
    consistency: list[Finding]
    beyond_bounds: list[Finding]  # the 年度 sums over these mean nothing (and may not fit in an integer)


def row_findings(db: Database) -> RowFindings:
    """The rules about one row and the bounds of its numbers, each table read once; then the rules between
    records and their place or promoter."""
    consistency: list[Finding] = []
    beyond_bounds: list[Finding] = []
    for table in dict.fromkeys([*_ROW_RULES, *_BOUNDED_COLUMNS]):
        rules = _ROW_RULES.get(table, ())
        bounded = _BOUNDED_COLUMNS.get(table, ())
        beyond = " OR ".join(f"{column} NOT BETWEEN 0 AND {FIELD_LIMITS[column]}" for column in bounded) or "0"
        counts = [f"coalesce(sum({condition}), 0)" for _, _, condition in rules]
        row = db.query(f"SELECT coalesce(sum({beyond}), 0){''.join(', ' + c for c in counts)}"
                       f" FROM {table} WHERE deleted_at IS NULL")[0]
        if row[0]:
            beyond_bounds.append(Finding("error", f"上限を超える数値がある{_TABLE_LABELS[table]}", row[0]))
        consistency += [Finding(severity, message, count)
                        for (severity, message, _), count in zip(rules, tuple(row)[1:]) if count]
    for severity, message, sql in _LINK_RULES:
        count = db.scalar(sql)
        if count:
            consistency.append(Finding(severity, message, count))
    return RowFindings(consistency, beyond_bounds)


def schema_findings(db: Database) -> list[Finding]:
    """Tables, indexes, triggers and views that differ from those our migrations make (one each)."""
    return [Finding("error", line, 1) for line in ownership.schema_difference(db.conn).describe()]


def _fiscal_years_of_dates(db: Database, table: str, column: str) -> set[int]:
    """The 年度 of the live dates in table.column, found one 年度 at a time along its index."""
    years: set[int] = set()
    start = ""
    while True:
        found = db.scalar(f"SELECT {column} FROM {table} WHERE deleted_at IS NULL AND {column} >= ?"
                          f" ORDER BY {column} LIMIT 1", (start,))
        if found is None:
            return years
        year = fiscal_year_of(date.fromisoformat(found))
        years.add(year)
        start = f"{year + 1:04d}-04-01"


def fiscal_years_with_data(db: Database, current_fiscal_year: int) -> list[int]:
    """Every 年度 some live record belongs to: gatherings, activities, figures recorded per 年度, and each
    年度 a promoter was placed in (up to the current one for those still placed)."""
    years = set(recorded_fiscal_years(db))
    years |= _fiscal_years_of_dates(db, "gatherings", "held_on")
    years |= _fiscal_years_of_dates(db, "activities", "done_on")
    for row in db.query("SELECT start_date, end_date FROM promoters WHERE deleted_at IS NULL"):
        first = fiscal_year_of(date.fromisoformat(row[0]))
        last = fiscal_year_of(date.fromisoformat(row[1])) if row[1] else max(first, current_fiscal_year)
        years.update(range(first, last + 1))
    return sorted(years)
