"""Reads behind the 通いの場 screen: the filtered, sorted list of places (live or in the trash), the centers
to choose from, and the promoters assigned to one place over time."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.storage.database import Database

# Sort keys the screen may ask for → SQL expression. Kana then id break ties, so equal keys keep a stable
# order between keystrokes.
PLACE_LIST_SORTS: dict[str, str] = {
    "name": "p.name",
    "kana": "p.kana",
    "municipality": "p.municipality_code",  # the code order is the order Tokyo lists its 区市町村 in
    "center": "coalesce(c.kana, '') || coalesce(c.name, '')",
    "address": "p.address",
    "programs": "p.programs",
    "status": "CASE p.status WHEN '活動中' THEN 0 WHEN '休止中' THEN 1 ELSE 2 END",
    "start_date": "p.start_date",
    "end_date": "p.end_date",
    "deleted_at": "p.deleted_at",
    "updated_at": "p.updated_at",
}

# The columns of a list row, in this order (plain tuples: the list is read at every keystroke and tuples
# are the cheapest rows sqlite3 makes).
LIST_COLUMNS: tuple[str, ...] = (
    "id", "name", "kana", "municipality_code", "municipality_name", "center_id", "center_name", "address",
    "programs", "status", "start_date", "end_date", "deleted_at",
)
_LIST_SELECT = (
    "p.id, p.name, p.kana, p.municipality_code, m.name, p.center_id, coalesce(c.name, ''), p.address,"
    " p.programs, p.status, p.start_date, p.end_date, p.deleted_at"
)


def _escaped_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(
    *,
    terms: Sequence[tuple[str, str]],
    municipality_code: str | None,
    center_id: str | None,
    program_bit: int,
    status: str | None,
    deleted: bool,
) -> tuple[str, list[Any]]:
    """Each term is (as typed, as katakana): every term must be found in the name, the kana or the
    address; the katakana form lets hiragana typed by the user find the katakana stored in kana."""
    clauses = ["p.deleted_at IS NOT NULL" if deleted else "p.deleted_at IS NULL"]
    params: list[Any] = []
    for typed, katakana in terms:
        clauses.append("(p.name LIKE ? ESCAPE '\\' OR p.address LIKE ? ESCAPE '\\'"
                       " OR p.kana LIKE ? ESCAPE '\\' OR p.kana LIKE ? ESCAPE '\\')")
        params += [_escaped_pattern(typed), _escaped_pattern(typed), _escaped_pattern(typed),
                   _escaped_pattern(katakana)]
    for column, value in (("municipality_code", municipality_code), ("center_id", center_id),
                          ("status", status)):
        if value:
            clauses.append(f"p.{column} = ?")
            params.append(value)
    if program_bit:
        clauses.append("(p.programs & ?) != 0")
        params.append(program_bit)
    return " AND ".join(clauses), params


def place_list(
    db: Database,
    *,
    terms: Sequence[tuple[str, str]] = (),
    municipality_code: str | None = None,
    center_id: str | None = None,
    program_bit: int = 0,
    status: str | None = None,
    deleted: bool = False,
    order_by: str = "kana",
    descending: bool = False,
) -> list[tuple[Any, ...]]:
    """Rows as tuples of LIST_COLUMNS."""
    if order_by not in PLACE_LIST_SORTS:
        raise ValueError(f"unknown sort key {order_by!r}")
    where, params = _where(terms=terms, municipality_code=municipality_code, center_id=center_id,
                           program_bit=program_bit, status=status, deleted=deleted)
    direction = "DESC" if descending else "ASC"
    order = f"{PLACE_LIST_SORTS[order_by]} {direction}, p.kana {direction}, p.id {direction}"
    cursor = db.conn.cursor()
    cursor.row_factory = None
    return cursor.execute(
        f"SELECT {_LIST_SELECT} FROM places p JOIN municipalities m ON m.code = p.municipality_code"
        f" LEFT JOIN centers c ON c.id = p.center_id WHERE {where} ORDER BY {order}", params).fetchall()


def live_centers(db: Database) -> list[sqlite3.Row]:
    """Centers not in the trash, grouped by municipality, by kana within one."""
    return db.query("SELECT id, municipality_code, name, kana FROM centers WHERE deleted_at IS NULL"
                    " ORDER BY municipality_code, kana, name")


def center_names(db: Database, center_ids: Sequence[str]) -> dict[str, str]:
    """Names of the given centers, deleted ones included (a place may still point at one)."""
    if not center_ids:
        return {}
    rows = db.query("SELECT id, name, deleted_at FROM centers WHERE id IN (SELECT value FROM json_each(?))",
                    [json.dumps(list(center_ids))])
    return {row["id"]: words.marked_deleted(row["name"], bool(row["deleted_at"])) for row in rows}


def place_assignments(db: Database, place_id: str) -> list[sqlite3.Row]:
    """The promoters assigned to the place (live assignments), latest period first."""
    return db.query(
        "SELECT a.id, a.promoter_id, pr.name AS promoter_name, pr.deleted_at AS promoter_deleted_at,"
        " a.start_date, a.end_date FROM assignments a JOIN promoters pr ON pr.id = a.promoter_id"
        " WHERE a.place_id = ? AND a.deleted_at IS NULL ORDER BY a.start_date DESC, pr.kana, a.id",
        (place_id,))
