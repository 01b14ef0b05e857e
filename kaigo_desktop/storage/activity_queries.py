"""Reads for the 活動記録 screen: promoter activities filtered and sorted in SQL, their totals, and the 年度
that have any."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from kaigo_desktop.storage.database import Database

# Sort keys the caller may ask for → SQL expression; the id is always the final tie-breaker.
ACTIVITY_SORTS = {
    "done_on": "a.done_on",
    "promoter": "p.kana",
    "kind": "k.sort",
    "place": "coalesce(pl.kana, '')",
    "minutes": "coalesce(a.minutes, -1)",
    "summary": "a.summary",
}


@dataclass(frozen=True)
class ActivityQuery:
    promoter_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    deleted: bool = False  # True lists the trash instead


def _where(query: ActivityQuery) -> tuple[str, dict[str, Any]]:
    clauses = ["a.deleted_at IS NOT NULL" if query.deleted else "a.deleted_at IS NULL"]
    params: dict[str, Any] = {}
    if query.promoter_id:
        clauses.append("a.promoter_id = :promoter")
        params["promoter"] = query.promoter_id
    if query.date_from:
        clauses.append("a.done_on >= :date_from")
        params["date_from"] = query.date_from.isoformat()
    if query.date_to:
        clauses.append("a.done_on <= :date_to")
        params["date_to"] = query.date_to.isoformat()
    if query.kind:
        clauses.append("a.kind = :kind")
        params["kind"] = query.kind
    return " AND ".join(clauses), params


def activity_rows(db: Database, query: ActivityQuery, *, order_by: str = "done_on", descending: bool = True,
                  limit: int | None = None) -> list[sqlite3.Row]:
    """Activities with the promoter's and the place's names."""
    if order_by not in ACTIVITY_SORTS:
        raise ValueError(f"unknown sort key {order_by!r}")
    where, params = _where(query)
    direction = "DESC" if descending else "ASC"
    sql = (
        "SELECT a.*, p.name AS promoter_name, p.municipality_code, pl.name AS place_name FROM activities a"
        " JOIN promoters p ON p.id = a.promoter_id LEFT JOIN places pl ON pl.id = a.place_id"
        " LEFT JOIN activity_kinds k ON k.name = a.kind"
        f" WHERE {where} ORDER BY {ACTIVITY_SORTS[order_by]} {direction}, a.id {direction}"
    )
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return db.query(sql, params)


def activity_totals(db: Database, query: ActivityQuery) -> tuple[int, int]:
    """(number of activities, sum of their minutes) over the whole filtered list."""
    where, params = _where(query)
    row = db.conn.execute(
        f"SELECT COUNT(*), coalesce(SUM(a.minutes), 0) FROM activities a WHERE {where}", params).fetchone()
    return int(row[0]), int(row[1])


def activity_date_range(db: Database) -> tuple[date, date] | None:
    """First and last date of any activity (trash included), None when there are none."""
    row = db.conn.execute("SELECT MIN(done_on), MAX(done_on) FROM activities").fetchone()
    if row[0] is None:
        return None
    return date.fromisoformat(row[0]), date.fromisoformat(row[1])
