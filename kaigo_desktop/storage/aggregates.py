"""The raw figures behind the 年度 aggregation, read in a few set-based queries (services combine them)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.storage.database import Database


@dataclass(frozen=True)
class Scope:
    fy_start: date
    fy_end: date
    municipality_code: str | None  # None = every municipality

    def params(self) -> dict[str, object]:
        return {"fy_start": self.fy_start.isoformat(), "fy_end": self.fy_end.isoformat(),
                "muni": self.municipality_code}


_MUNI = "(:muni IS NULL OR {col} = :muni)"
_PLACES_IN_SCOPE = "(:muni IS NULL OR place_id IN (SELECT id FROM places WHERE municipality_code = :muni))"
_LIVE_PLACES_IN_SCOPE = ("place_id IN (SELECT id FROM places WHERE deleted_at IS NULL"
                         " AND (:muni IS NULL OR municipality_code = :muni))")


def active_places(db: Database, scope: Scope) -> list[sqlite3.Row]:
    return db.query(
        "SELECT id, municipality_code, programs, operator_kind, frequency_declared, start_date, end_date"
        " FROM places WHERE deleted_at IS NULL"
        " AND (start_date IS NULL OR start_date <= :fy_end) AND (end_date IS NULL OR end_date >= :fy_start)"
        f" AND {_MUNI.format(col='municipality_code')}", scope.params())


def gathering_figures_by_place(db: Database, scope: Scope, reference_start: date,
                               reference_end: date) -> list[sqlite3.Row]:
    """Per place: gatherings, attendance, any 専門職 involvement, gatherings in the reference month.
    Reads the covering index gatherings_place_stats in place order, so no sort is needed."""
    params = scope.params() | {"ref_start": reference_start.isoformat(), "ref_end": reference_end.isoformat()}
    return db.query(
        "SELECT place_id, COUNT(*) AS gatherings, SUM(attendance_total) AS attendance,"
        " MAX(professionals != 0) AS with_professional,"
        " SUM(held_on BETWEEN :ref_start AND :ref_end) AS in_reference_month"
        " FROM gatherings INDEXED BY gatherings_place_stats"
        " WHERE deleted_at IS NULL AND held_on BETWEEN :fy_start AND :fy_end"
        f" AND {_PLACES_IN_SCOPE} GROUP BY place_id", params)


def attendance_by_month(db: Database, scope: Scope) -> dict[str, int]:
    # Summing by day first keeps the grouping small; the IN filter avoids a join per gathering.
    rows = db.query(
        "SELECT substr(day, 1, 7) AS month, SUM(attendance) FROM ("
        " SELECT held_on AS day, SUM(attendance_total) AS attendance FROM gatherings INDEXED BY gatherings_stats"
        " WHERE deleted_at IS NULL AND held_on BETWEEN :fy_start AND :fy_end"
        f" AND {_LIVE_PLACES_IN_SCOPE} GROUP BY held_on) GROUP BY month", scope.params())
    return {row[0]: row[1] for row in rows}


def members(db: Database, fiscal_year: int) -> list[sqlite3.Row]:
    return db.query(
        "SELECT m.place_id, m.total, m.male, m.female, m.age_under_65, m.age_65_74, m.age_75_plus"
        " FROM members m WHERE m.deleted_at IS NULL AND m.fiscal_year = :fy", {"fy": fiscal_year})


def population(db: Database, scope: Scope, fiscal_year: int) -> dict[str, int]:
    rows = db.query(
        "SELECT municipality_code, population_65_plus FROM population WHERE deleted_at IS NULL"
        f" AND fiscal_year = :fy AND {_MUNI.format(col='municipality_code')}",
        scope.params() | {"fy": fiscal_year})
    return {row[0]: row[1] for row in rows}


def promoters_employed(db: Database, scope: Scope) -> list[sqlite3.Row]:
    return db.query(
        "SELECT id, municipality_code, start_date, end_date FROM promoters WHERE deleted_at IS NULL"
        " AND start_date <= :fy_end AND (end_date IS NULL OR end_date >= :fy_start)"
        f" AND {_MUNI.format(col='municipality_code')}", scope.params())


def activity_totals(db: Database, scope: Scope) -> list[sqlite3.Row]:
    return db.query(
        "SELECT a.kind, COUNT(*) AS activities, COALESCE(SUM(a.minutes), 0) AS minutes FROM activities a"
        " JOIN promoters pr ON pr.id = a.promoter_id AND pr.deleted_at IS NULL"
        " WHERE a.deleted_at IS NULL AND a.done_on BETWEEN :fy_start AND :fy_end"
        f" AND {_MUNI.format(col='pr.municipality_code')} GROUP BY a.kind", scope.params())


def expenses(db: Database, scope: Scope, fiscal_year: int) -> list[sqlite3.Row]:
    return db.query(
        "SELECT municipality_code, category, amount FROM expenses WHERE deleted_at IS NULL"
        f" AND fiscal_year = :fy AND {_MUNI.format(col='municipality_code')}",
        scope.params() | {"fy": fiscal_year})


def municipality_names(db: Database) -> dict[str, str]:
    return {row[0]: row[1] for row in db.query("SELECT code, name FROM municipalities")}


def setting(db: Database, key: str) -> str | None:
    return db.scalar("SELECT value FROM settings WHERE key = ?", (key,))
