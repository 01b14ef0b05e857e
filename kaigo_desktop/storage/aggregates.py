"""The raw figures behind the 年度 aggregation, read in a few set-based queries (services combine them), and
the reads the reports share with it (names, population, expenses)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.storage import member_figures
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.definitions import (
    active_place,
    employed,
    gathering_in_municipality,
    in_municipality,
    period_params,
)


@dataclass(frozen=True)
class Scope:
    fy_start: date
    fy_end: date
    municipality_code: str | None  # None = every municipality

    def params(self, **more: object) -> dict[str, object]:
        return period_params(self.fy_start, self.fy_end, self.municipality_code, **more)


# Gatherings are filtered to places by id: the covering indexes on gatherings then need no join per row.
_PLACES_IN_SCOPE = gathering_in_municipality()
_ACTIVE_PLACES_IN_SCOPE = (f"place_id IN (SELECT p.id FROM places p WHERE {active_place('p')}"
                           f" AND {in_municipality('p.municipality_code')})")


def active_places(db: Database, scope: Scope) -> list[sqlite3.Row]:
    return db.query(
        "SELECT p.id, p.municipality_code, p.programs, p.operator_kind, p.frequency_declared, p.start_date,"
        " p.end_date, p.venue_kind, p.main_activity_1"
        f" FROM places p WHERE {active_place('p')} AND {in_municipality('p.municipality_code')}",
        scope.params())


def gathering_figures_by_place(db: Database, scope: Scope, reference_start: date,
                               reference_end: date) -> list[sqlite3.Row]:
    """Per place: gatherings, attendance, any 専門職 involvement, gatherings and attendance in the reference
    month.
    Reads the covering index gatherings_place_stats in place order, so no sort is needed. Places that are
    not active come back too: the caller keeps those of `active_places`."""
    params = scope.params(ref_start=reference_start.isoformat(), ref_end=reference_end.isoformat())
    return db.query(
        "SELECT place_id, COUNT(*) AS gatherings, SUM(attendance_total) AS attendance,"
        " MAX(professionals != 0) AS with_professional,"
        " SUM(held_on BETWEEN :ref_start AND :ref_end) AS in_reference_month,"
        " SUM(CASE WHEN held_on BETWEEN :ref_start AND :ref_end THEN attendance_total ELSE 0 END)"
        " AS reference_attendance"
        " FROM gatherings INDEXED BY gatherings_place_stats"
        " WHERE deleted_at IS NULL AND held_on BETWEEN :start AND :end"
        f" AND {_PLACES_IN_SCOPE} GROUP BY place_id", params)


def professional_kinds_by_place(db: Database, scope: Scope) -> dict[str, int]:
    """Per place with any 専門職 (推進員 included) at a gathering in the period: the kinds that came, as the
    union of the gatherings' bit masks. Distinct masks per place are few, so the union is taken here; the
    date-ordered covering index reads only the period's rows."""
    masks: dict[str, int] = {}
    for place_id, mask in db.query(
            "SELECT DISTINCT place_id, professionals FROM gatherings INDEXED BY gatherings_stats"
            " WHERE deleted_at IS NULL AND professionals != 0 AND held_on BETWEEN :start AND :end"
            f" AND {_PLACES_IN_SCOPE}", scope.params()):
        masks[place_id] = masks.get(place_id, 0) | mask
    return masks


def attendance_by_month(db: Database, scope: Scope) -> dict[str, int]:
    """Attendance per month ("2025-04") over the active places, so the months add up to the 延べ参加者数."""
    # Summing by day first keeps the grouping small; the IN filter avoids a join per gathering.
    rows = db.query(
        "SELECT substr(day, 1, 7) AS month, SUM(attendance) FROM ("
        " SELECT held_on AS day, SUM(attendance_total) AS attendance FROM gatherings INDEXED BY gatherings_stats"
        " WHERE deleted_at IS NULL AND held_on BETWEEN :start AND :end"
        f" AND {_ACTIVE_PLACES_IN_SCOPE} GROUP BY held_on) GROUP BY month", scope.params())
    return {row[0]: row[1] for row in rows}


def members(db: Database, fiscal_year: int) -> list[sqlite3.Row]:
    return db.query(
        "SELECT m.place_id, m.total, m.male, m.female, m.age_under_65, m.age_65_74, m.age_75_plus"
        f" FROM {member_figures.figures()} m", {"fy": fiscal_year})


def population(db: Database, fiscal_year: int, municipality_code: str | None) -> dict[str, int]:
    """Code → 65歳以上人口 of the 年度, for the 区市町村 that have one (all when municipality_code is None)."""
    rows = db.query(
        "SELECT municipality_code, population_65_plus FROM population WHERE deleted_at IS NULL"
        f" AND fiscal_year = :fy AND {in_municipality('municipality_code')}",
        {"fy": fiscal_year, "muni": municipality_code})
    return {row[0]: row[1] for row in rows}


def population_reference_dates(db: Database, fiscal_year: int, municipality_code: str | None) -> dict[str, str | None]:
    """Code → 基準日 (ISO) of the 年度's 65歳以上人口, None where it was not entered."""
    rows = db.query(
        "SELECT municipality_code, reference_date FROM population WHERE deleted_at IS NULL"
        f" AND fiscal_year = :fy AND {in_municipality('municipality_code')}",
        {"fy": fiscal_year, "muni": municipality_code})
    return {row[0]: row[1] for row in rows}


def promoters_employed(db: Database, scope: Scope) -> list[sqlite3.Row]:
    return db.query(
        "SELECT pr.id, pr.municipality_code, pr.start_date, pr.end_date FROM promoters pr"
        f" WHERE {employed('pr')} AND {in_municipality('pr.municipality_code')}", scope.params())


def activity_totals(db: Database, scope: Scope) -> list[sqlite3.Row]:
    return db.query(
        "SELECT a.kind, COUNT(*) AS activities, COALESCE(SUM(a.minutes), 0) AS minutes FROM activities a"
        " JOIN promoters pr ON pr.id = a.promoter_id AND pr.deleted_at IS NULL"
        " WHERE a.deleted_at IS NULL AND a.done_on BETWEEN :start AND :end"
        f" AND {in_municipality('pr.municipality_code')} GROUP BY a.kind", scope.params())


def expenses(db: Database, fiscal_year: int, municipality_code: str | None) -> list[sqlite3.Row]:
    """The 年度's expenses by 区市町村, categories in their listed order."""
    return db.query(
        "SELECT e.municipality_code, e.category, e.amount FROM expenses e"
        " JOIN expense_categories c ON c.name = e.category"
        f" WHERE e.deleted_at IS NULL AND e.fiscal_year = :fy AND {in_municipality('e.municipality_code')}"
        " ORDER BY e.municipality_code, c.sort", {"fy": fiscal_year, "muni": municipality_code})


def municipality_names(db: Database) -> dict[str, str]:
    """Code → name of Tokyo's 62 区市町村, in code order."""
    return {row[0]: row[1] for row in db.query("SELECT code, name FROM municipalities ORDER BY code")}


def setting(db: Database, key: str) -> str | None:
    return db.scalar("SELECT value FROM settings WHERE key = ?", (key,))
