"""The reads behind the checks before sending (services/submission_checks.py): set-based, on the same
definitions as the 年度 aggregation (storage/definitions.py), so a check and the figure it checks cannot
count different records. Gatherings are read through the covering index gatherings_place_stats."""

from __future__ import annotations

import sqlite3
from datetime import date

from kaigo_desktop.storage.aggregates import Scope
from kaigo_desktop.storage import member_figures
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.definitions import (
    active_place,
    gathering_in_municipality,
    in_municipality,
)

_PLACES_IN_SCOPE = gathering_in_municipality()


def active_places(db: Database, scope: Scope) -> list[sqlite3.Row]:
    """Active places of the 年度 with what a check names them by: id, name, 区市町村, center, open period."""
    return db.query(
        "SELECT p.id, p.name, p.municipality_code, p.center_id, COALESCE(c.name, '') AS center_name,"
        " p.start_date, p.end_date FROM places p LEFT JOIN centers c ON c.id = p.center_id"
        f" WHERE {active_place('p')} AND {in_municipality('p.municipality_code')}"
        " ORDER BY p.municipality_code, p.kana, p.name, p.id", scope.params())


def live_places(db: Database, municipality_code: str | None) -> list[sqlite3.Row]:
    """Every place not in the trash (active in the 年度 or not): id, name and open period."""
    return db.query(
        "SELECT p.id, p.name, p.municipality_code, p.start_date, p.end_date FROM places p"
        f" WHERE p.deleted_at IS NULL AND {in_municipality('p.municipality_code')}", {"muni": municipality_code})


def _per_place(columns: str, scope: Scope) -> str:
    """A per-place read of the live gatherings of the 年度 in scope (`columns` over the gatherings' own columns).
    For one 区市町村 its places lead and each one's gatherings are sought in the covering index (a 区市町村 of a
    big database reads only its own rows: 0.15 s instead of 1.8 s at a million gatherings); for all, one scan
    of that index. Both count the same gatherings as gathering_in_municipality() (places in the trash too)."""
    if scope.municipality_code is None:
        return (f"SELECT place_id, {columns} FROM gatherings INDEXED BY gatherings_place_stats"
                f" WHERE deleted_at IS NULL AND held_on BETWEEN :start AND :end AND {_PLACES_IN_SCOPE}"
                " GROUP BY place_id")
    return (f"SELECT p.id AS place_id, {columns} FROM places p"
            " CROSS JOIN gatherings INDEXED BY gatherings_place_stats ON gatherings.place_id = p.id"
            " AND gatherings.deleted_at IS NULL AND gatherings.held_on BETWEEN :start AND :end"
            " WHERE p.municipality_code = :muni GROUP BY p.id")


def gathering_span_by_place(db: Database, scope: Scope) -> list[sqlite3.Row]:
    """Per place: first and last gathering day of the 年度 and the 延べ参加者数 (live gatherings)."""
    return db.query(_per_place("MIN(held_on) AS first_day, MAX(held_on) AS last_day, COUNT(*) AS gatherings,"
                               " SUM(attendance_total) AS attendance", scope), scope.params())


def months_with_gatherings(db: Database, scope: Scope) -> dict[str, set[str]]:
    """Place id → the months of the 年度 ("2025-04") in which it held a live gathering. One row a place
    (the months joined by SQLite), so a million gatherings do not become a million Python rows."""
    rows = db.query(_per_place("group_concat(DISTINCT substr(held_on, 1, 7))", scope), scope.params())
    return {row[0]: set(row[1].split(",")) for row in rows}


def attendance_by_place(db: Database, scope: Scope) -> dict[str, list[int]]:
    """Place id → the attendance of each of its live gatherings of the 年度 (one row a place, as above)."""
    rows = db.query(_per_place("group_concat(attendance_total)", scope), scope.params())
    return {row[0]: [int(value) for value in row[1].split(",")] for row in rows}


def gatherings_with_attendance(db: Database, scope: Scope, place_id: str,
                               attendance: list[int]) -> list[sqlite3.Row]:
    """The live gatherings of one place in the 年度 whose attendance is one of `attendance`."""
    marks = ",".join("?" * len(attendance))
    return db.query(
        "SELECT id, held_on, attendance_total FROM gatherings WHERE deleted_at IS NULL AND place_id = ?"
        f" AND held_on BETWEEN ? AND ? AND attendance_total IN ({marks}) ORDER BY held_on, id",
        (place_id, scope.fy_start.isoformat(), scope.fy_end.isoformat(), *attendance))


def gatherings_between(db: Database, place_id: str, first: date | str, last: date | str) -> list[sqlite3.Row]:
    """The live gatherings of one place from `first` to `last` (to name the records a check concerns)."""
    return db.query(
        "SELECT id, held_on, attendance_total FROM gatherings WHERE deleted_at IS NULL AND place_id = :place"
        " AND held_on BETWEEN :first AND :last ORDER BY held_on, id",
        {"place": place_id, "first": str(first), "last": str(last)})


def members_of_year(db: Database, fiscal_year: int, municipality_code: str | None) -> list[sqlite3.Row]:
    return db.query(
        "SELECT m.id, m.place_id, m.total, m.age_65_74, m.age_75_plus, m.from_roster"
        f" FROM {member_figures.figures()} m JOIN places p ON p.id = m.place_id"
        f" WHERE {in_municipality('p.municipality_code')}",
        {"fy": fiscal_year, "muni": municipality_code})


def population_rows(db: Database, fiscal_year: int, municipality_code: str | None) -> list[sqlite3.Row]:
    return db.query(
        "SELECT id, municipality_code, population_65_plus FROM population WHERE deleted_at IS NULL"
        f" AND fiscal_year = :fy AND {in_municipality('municipality_code')}",
        {"fy": fiscal_year, "muni": municipality_code})


def expense_municipalities(db: Database, fiscal_year: int, municipality_code: str | None) -> set[str]:
    """The 区市町村 with at least one expense recorded for the 年度."""
    rows = db.query(
        "SELECT DISTINCT municipality_code FROM expenses WHERE deleted_at IS NULL AND fiscal_year = :fy"
        f" AND {in_municipality('municipality_code')}", {"fy": fiscal_year, "muni": municipality_code})
    return {row[0] for row in rows}


def trashed_in_year(db: Database, scope: Scope) -> list[sqlite3.Row]:
    """Records of the 年度 in the trash, by kind: (kind, count). A place counts when its open period
    overlaps the 年度; gatherings and activities by their day; members and population by their 年度."""
    params = scope.params(fy=scope.fy_start.year)
    return db.query(
        "SELECT 'places', COUNT(*) FROM places p WHERE p.deleted_at IS NOT NULL"
        " AND (p.start_date IS NULL OR p.start_date <= :end) AND (p.end_date IS NULL OR p.end_date >= :start)"
        f" AND {in_municipality('p.municipality_code')}"
        " UNION ALL SELECT 'gatherings', COUNT(*) FROM gatherings INDEXED BY gatherings_trash"
        " WHERE deleted_at IS NOT NULL AND held_on BETWEEN :start AND :end AND " + _PLACES_IN_SCOPE +
        " UNION ALL SELECT 'members', COUNT(*) FROM members WHERE deleted_at IS NOT NULL AND fiscal_year = :fy"
        f" AND {_PLACES_IN_SCOPE}"
        " UNION ALL SELECT 'population', COUNT(*) FROM population WHERE deleted_at IS NOT NULL"
        f" AND fiscal_year = :fy AND {in_municipality('municipality_code')}", params)


def open_conflicts(db: Database) -> list[sqlite3.Row]:
    """Exchange conflicts not settled yet (they may change any figure)."""
    return db.query("SELECT id, table_name, row_id, reason FROM conflicts WHERE resolved_at IS NULL"
                    " ORDER BY detected_at, id")


def members_rows(db: Database, fiscal_year: int, place_ids: list[str]) -> list[sqlite3.Row]:
    """The 参加者実人数 of the 年度 for these places as counted (typed, or computed from a roster: from_roster)."""
    if not place_ids:
        return []
    marks = ",".join(f":p{n}" for n in range(len(place_ids)))
    return db.query(
        "SELECT id, place_id, total, male, female, age_under_65, age_65_74, age_75_plus, updated_by, from_roster"
        f" FROM {member_figures.figures()} m WHERE place_id IN ({marks})",
        {"fy": fiscal_year, **{f"p{n}": place_id for n, place_id in enumerate(place_ids)}})
