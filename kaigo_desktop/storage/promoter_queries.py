"""Reads for the 推進員 screen: the promoter list (filtered and sorted in SQL), a promoter's assignments, and
the places and centers of a municipality to choose from."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from kaigo_desktop.storage.database import Database

# Sort keys the caller may ask for → SQL expression; the id is always the final tie-breaker.
PROMOTER_SORTS = {
    "name": "p.name",
    "kana": "p.kana",
    "municipality": "p.municipality_code",
    "qualification": "q.sort",
    "start_date": "p.start_date",
    "end_date": "coalesce(p.end_date, '9999-12-31')",
    "place_count": "place_count",
}


@dataclass(frozen=True)
class PromoterQuery:
    text: str = ""  # matches name or kana
    kana_text: str = ""  # the same text in katakana (kana is stored in katakana); made by the caller
    municipality_code: str | None = None
    deleted: bool = False  # True lists the trash instead


def like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards escaped (used with ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(query: PromoterQuery) -> tuple[str, dict[str, Any]]:
    clauses = ["p.deleted_at IS NOT NULL" if query.deleted else "p.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    if query.text:
        clauses.append("(p.name LIKE :text ESCAPE '\\' OR p.kana LIKE :text ESCAPE '\\'"
                       " OR p.kana LIKE :kana ESCAPE '\\')")
        params.update(text=like_pattern(query.text), kana=like_pattern(query.kana_text or query.text))
    if query.municipality_code:
        clauses.append("p.municipality_code = :municipality")
        params["municipality"] = query.municipality_code
    return " AND ".join(clauses), params


def promoter_rows(db: Database, query: PromoterQuery, *, today: date, order_by: str = "kana",
                  descending: bool = False) -> list[sqlite3.Row]:
    """Promoters with their municipality and center names and the number of places they are assigned to
    on `today` (live assignments whose period contains it)."""
    if order_by not in PROMOTER_SORTS:
        raise ValueError(f"unknown sort key {order_by!r}")
    where, params = _where(query)
    direction = "DESC" if descending else "ASC"
    sql = (
        "SELECT p.*, m.name AS municipality_name, c.name AS center_name,"
        " (SELECT COUNT(DISTINCT a.place_id) FROM assignments a JOIN places pl ON pl.id = a.place_id"
        "   WHERE a.promoter_id = p.id AND a.deleted_at IS NULL AND pl.deleted_at IS NULL"
        "   AND a.start_date <= :today AND (a.end_date IS NULL OR a.end_date >= :today)) AS place_count"
        " FROM promoters p JOIN municipalities m ON m.code = p.municipality_code"
        " LEFT JOIN centers c ON c.id = p.center_id"
        " LEFT JOIN qualifications q ON q.name = p.qualification"
        f" WHERE {where} ORDER BY {PROMOTER_SORTS[order_by]} {direction}, p.id {direction}"
    )
    return db.query(sql, {**params, "today": today.isoformat()})


def assignment_rows(db: Database, promoter_id: str, *, deleted: bool = False) -> list[sqlite3.Row]:
    """A promoter's assignments with the place's name, newest start first."""
    return db.query(
        "SELECT a.*, pl.name AS place_name, pl.deleted_at AS place_deleted_at FROM assignments a"
        " JOIN places pl ON pl.id = a.place_id"
        f" WHERE a.promoter_id = ? AND a.deleted_at IS {'NOT NULL' if deleted else 'NULL'}"
        " ORDER BY a.start_date DESC, pl.kana, a.id", (promoter_id,))


def overlapping_assignment_count(db: Database, promoter_id: str, place_id: str, start: date,
                                 end: date | None, exclude_id: str = "") -> int:
    """Live assignments of the same promoter to the same place whose period overlaps start .. end."""
    return db.scalar(
        "SELECT COUNT(*) FROM assignments WHERE promoter_id = ? AND place_id = ? AND deleted_at IS NULL"
        " AND id != ? AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
        (promoter_id, place_id, exclude_id, (end or date.max).isoformat(), start.isoformat()))


def place_choice_rows(db: Database, municipality_code: str | None = None) -> list[sqlite3.Row]:
    """Live places (of one municipality, or all by municipality), by kana, for type-ahead pickers."""
    where, params = ("AND municipality_code = ?", (municipality_code,)) if municipality_code else ("", ())
    return db.query(
        f"SELECT id, name, kana, municipality_code FROM places WHERE deleted_at IS NULL {where}"
        " ORDER BY municipality_code, kana, name, id", params)


def center_choice_rows(db: Database, municipality_code: str | None = None) -> list[sqlite3.Row]:
    where, params = ("AND municipality_code = ?", (municipality_code,)) if municipality_code else ("", ())
    return db.query(
        f"SELECT id, name, municipality_code FROM centers WHERE deleted_at IS NULL {where}"
        " ORDER BY municipality_code, kana, name, id", params)


def promoter_choice_rows(db: Database) -> list[sqlite3.Row]:
    """Live promoters with their municipality, by municipality then kana (for pickers and filters)."""
    return db.query(
        "SELECT p.id, p.name, p.kana, p.municipality_code, m.name AS municipality_name, p.start_date,"
        " p.end_date FROM promoters p JOIN municipalities m ON m.code = p.municipality_code"
        " WHERE p.deleted_at IS NULL ORDER BY p.municipality_code, p.kana, p.name, p.id")


def municipalities_with_promoters(db: Database) -> list[sqlite3.Row]:
    return db.query(
        "SELECT DISTINCT m.code, m.name FROM promoters p JOIN municipalities m ON m.code = p.municipality_code"
        " ORDER BY m.code")
