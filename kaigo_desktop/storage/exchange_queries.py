"""All SQL of the exchange between PCs (kaigo_desktop/services/exchange.py): changed rows, per-record bases,
destinations, sources, received bundles, pending rows and conflicts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from kaigo_desktop.storage import many_rows

# How each user table reaches a municipality (for `--municipality`).
_MUNICIPALITY_FILTER = {
    "centers": "municipality_code = :m",
    "places": "municipality_code = :m",
    "promoters": "municipality_code = :m",
    "population": "municipality_code = :m",
    "expenses": "municipality_code = :m",
    "assignments": "place_id IN (SELECT id FROM places WHERE municipality_code = :m)",
    "gatherings": "place_id IN (SELECT id FROM places WHERE municipality_code = :m)",
    "members": "place_id IN (SELECT id FROM places WHERE municipality_code = :m)",
    "activities": "promoter_id IN (SELECT id FROM promoters WHERE municipality_code = :m)",
    "participants": "center_id IN (SELECT id FROM centers WHERE municipality_code = :m)",
    **dict.fromkeys(("participant_places", "frailty_checks", "questionnaires", "short_term_cases"),
                    "participant_id IN (SELECT p.id FROM participants p JOIN centers c ON c.id = p.center_id"
                    " WHERE c.municipality_code = :m)"),
    "gathering_participants": "participant_id IN (SELECT p.id FROM participants p JOIN centers c"
                              " ON c.id = p.center_id WHERE c.municipality_code = :m)",
}


# How each user table reaches a center (for `--center`); population and expenses belong to no center.
_CENTER_FILTER = {
    "centers": "id = :c",
    "places": "center_id = :c",
    "promoters": "center_id = :c",
    "population": "0",
    "expenses": "0",
    "assignments": "(place_id IN (SELECT id FROM places WHERE center_id = :c)"
                   " OR promoter_id IN (SELECT id FROM promoters WHERE center_id = :c))",
    "gatherings": "place_id IN (SELECT id FROM places WHERE center_id = :c)",
    "members": "place_id IN (SELECT id FROM places WHERE center_id = :c)",
    "activities": "promoter_id IN (SELECT id FROM promoters WHERE center_id = :c)",
    "participants": "center_id = :c",
    **dict.fromkeys(("participant_places", "frailty_checks", "questionnaires", "short_term_cases"),
                    "participant_id IN (SELECT id FROM participants WHERE center_id = :c)"),
    "gathering_participants": "participant_id IN (SELECT id FROM participants WHERE center_id = :c)",
}


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def changed_rows(conn: sqlite3.Connection, table: str, cols: Sequence[str], since_seq: int,
                 municipality: str | None, center: str | None = None) -> sqlite3.Cursor:
    where = "change_seq > :since"
    if municipality:
        where += f" AND {_MUNICIPALITY_FILTER[table]}"
    if center:
        where += f" AND {_CENTER_FILTER[table]}"
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: the bundle holds rows as lists
    return cursor.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE {where} ORDER BY change_seq, id",
                          {"since": since_seq, "m": municipality, "c": center})


def center_exists(conn: sqlite3.Connection, center_id: str) -> bool:
    return conn.execute("SELECT 1 FROM centers WHERE id = ?", (center_id,)).fetchone() is not None


def rows_by_id(conn: sqlite3.Connection, table: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """id → the row as a plain dict (compared column by column on import: a dict looks names up faster)."""
    found = {}
    cursor = conn.cursor()
    cursor.row_factory = None
    for start in range(0, len(ids), 50_000):
        chunk = json.dumps(list(ids[start:start + 50_000]))
        cursor.execute(f"SELECT * FROM {table} WHERE id IN (SELECT value FROM json_each(?))", (chunk,))
        cols = [d[0] for d in cursor.description]
        id_index = cols.index("id")
        for values in cursor:
            found[values[id_index]] = dict(zip(cols, values))
    return found


def live_row_with_name(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> sqlite3.Row | None:
    if "name" not in row or "municipality_code" not in row:
        return None
    return conn.execute(f"SELECT * FROM {table} WHERE municipality_code = ? AND name = ? AND deleted_at IS NULL"
                        " AND id <> ?", (row["municipality_code"], row["name"], row["id"])).fetchone()


def insert_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})", row)


_STAGING = "exchange_staging"  # temporary tables (one per width): the connection's own, gone with it


class Staged(NamedTuple):
    """Rows new here as insert_received takes them: their values, many rows per statement, made on the
    caller's thread (received_values), so the thread that runs the statements spends its time in SQLite
    (which lets go of the GIL) rather than in Python (services/exchange writes them behind the reading)."""
    columns: tuple[str, ...]  # every column written
    statements: list[tuple[int, list[Any]]]  # (rows, their values one after the other): the columns not in `same`
    same: dict[str, Any]  # columns holding one value in every row: bound once


def received_values(columns: Sequence[str], rows: Iterable[Sequence[Any]], same: dict[str, Any] | None = None
                    ) -> Staged:
    """The rows for insert_received: `columns` written, `same` those of them with one value in every row,
    each row holding the values of the others, in the order of `columns`."""
    same = dict(same or {})
    return Staged(tuple(columns), many_rows.statements(rows, len(columns) - len(same)), same)


def insert_received(conn: sqlite3.Connection, table: str, staged: Staged, change_seq: int) -> None:
    """Rows new here (staged.columns holding id, updated_at and origin_db among them), written with
    `change_seq`, each with its base: the version received, with no ancestors (save_bases then adds those of
    the rows that have some). The rows are staged in a temporary table first and go into `table` in one
    INSERT … SELECT: a row inserted alone under a trigger or a foreign key is a statement of its own, whose
    changed pages SQLite journals for its rollback (once the journal outgrows 64 KiB, into a temporary file:
    two write() calls per page per row, 7.5 million for a million-row bundle); one statement journals each page
    once. Its bases come from the same staged rows in a second one (no tuple per row in Python). A column of
    staged.same is not staged: its one value is bound once in each of the two."""
    columns, same = staged.columns, staged.same
    varying = [name for name in columns if name not in same]
    staging = _staging_table(conn, len(varying))

    def selected(names: Sequence[str]) -> tuple[str, list[Any]]:
        """The SELECT list taking `names` from the staged rows, and the values bound for those of `same`."""
        return (", ".join("?" if name in same else f"c{varying.index(name)}" for name in names),
                [same[name] for name in names if name in same])

    head, full_sql, full_rows = f"INSERT INTO {staging} VALUES ", "", 0
    for rows, values in staged.statements:
        if rows != full_rows:
            full_sql, full_rows = head + many_rows.values_sql(len(varying), rows), rows
        conn.execute(full_sql, values)
    stored, bound = selected(columns)
    conn.execute(f"INSERT INTO {table} ({', '.join(columns)}, change_seq) SELECT {stored}, {int(change_seq)}"
                 f" FROM {staging} ORDER BY rowid", bound)
    version, bound = selected(("id", "updated_at", "origin_db"))
    conn.execute("INSERT INTO exchange_base (table_name, row_id, updated_at, origin_db, ancestors, same_as)"
                 f" SELECT ?, {version}, '[]', '[]' FROM {staging} WHERE true"
                 " ON CONFLICT (table_name, row_id) DO UPDATE SET updated_at = excluded.updated_at,"
                 " origin_db = excluded.origin_db, ancestors = excluded.ancestors, same_as = excluded.same_as",
                 [table, *bound])
    conn.execute(f"DELETE FROM {staging}")


def _staging_table(conn: sqlite3.Connection, width: int) -> str:
    """The connection's temporary table of `width` columns (c0, c1 …) for insert_received, empty. Kept from one
    call to the next, emptied rather than dropped: a table made or dropped changes the schema, and every
    statement prepared on the connection (the staging INSERT of 1,600 rows, 32,000 parameters, among them)
    was prepared again for each chunk. Its columns have no type: the values stay as they came, and the STRICT
    table judges them as it would."""
    name = f"temp.{_STAGING}_{int(width)}"
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGING}_{int(width)}"
                 f" ({', '.join(f'c{index}' for index in range(width))})")
    conn.execute(f"DELETE FROM {name}")  # what a write stopped midway left (its savepoint undone otherwise)
    return name


def update_row(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    sets = ", ".join(f"{c} = :{c}" for c in row if c not in ("id", "created_at"))
    conn.execute(f"UPDATE {table} SET {sets} WHERE id = :id", row)


def update_rows(conn: sqlite3.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Many rows changing the same columns (those of the first row)."""
    sets = ", ".join(f"{c} = :{c}" for c in rows[0] if c not in ("id", "created_at"))
    conn.executemany(f"UPDATE {table} SET {sets} WHERE id = :id", rows)


def touch_row(conn: sqlite3.Connection, table: str, row_id: str, change_seq: int) -> None:
    """Mark a row as changed here (sent with the next bundles) without making a new version of it."""
    conn.execute(f"UPDATE {table} SET change_seq = ? WHERE id = ?", (change_seq, row_id))


def set_name_aside(conn: sqlite3.Connection, table: str, row_id: str) -> None:
    """A temporary name no other record has (the record's own name and id), so that names can be swapped."""
    conn.execute(f"UPDATE {table} SET name = name || ' ' || id WHERE id = ?", (row_id,))


def trash_row(conn: sqlite3.Connection, table: str, row_id: str, at: str, by: str, origin_db: str,
              change_seq: int) -> None:
    """Soft-delete one row, stamped as a change of this database."""
    conn.execute(f"UPDATE {table} SET deleted_at = ?, updated_at = ?, updated_by = ?, origin_db = ?,"
                 f" change_seq = ? WHERE id = ?", (at, at, by, origin_db, change_seq, row_id))


# ---- per-record bases ----------------------------------------------------------------------------

class Base(NamedTuple):
    """The version of a record last exchanged, the versions it descends from, and those found equal to it."""
    version: str
    ancestors: list[str]
    same_as: list[str]


def _json_list(text: str) -> list[str]:
    return [] if text == "[]" else json.loads(text)


def bases(conn: sqlite3.Connection, table: str, ids: Sequence[str]) -> dict[str, Base]:
    found = {}
    for start in range(0, len(ids), 50_000):
        chunk = json.dumps(list(ids[start:start + 50_000]))
        for row_id, at, origin, ancestors, same_as in conn.execute(
                "SELECT row_id, updated_at, origin_db, ancestors, same_as FROM exchange_base WHERE table_name = ?"
                " AND row_id IN (SELECT value FROM json_each(?))", (table, chunk)):
            found[row_id] = Base(f"{at}|{origin}", _json_list(ancestors), _json_list(same_as))
    return found


def save_bases(conn: sqlite3.Connection, table: str,
               rows: Iterable[tuple[str, str, list[str]] | tuple[str, str, list[str], list[str]]]) -> None:
    """rows: (row_id, version, ancestors[, same_as])."""
    conn.executemany(
        "INSERT INTO exchange_base (table_name, row_id, updated_at, origin_db, ancestors, same_as)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (table_name, row_id) DO UPDATE SET updated_at = excluded.updated_at,"
        " origin_db = excluded.origin_db, ancestors = excluded.ancestors, same_as = excluded.same_as",
        ((table, row[0], *row[1].split("|", 1), _json_text(row[2]), _json_text(row[3] if len(row) > 3 else []))
         for row in rows))


def _json_text(items: list[str]) -> str:
    return json.dumps(items) if items else "[]"  # most records have no history yet: a million json.dumps saved


def set_created_at(conn: sqlite3.Connection, table: str, row_id: str, created_at: str) -> None:
    conn.execute(f"UPDATE {table} SET created_at = ? WHERE id = ?", (created_at, row_id))


def rows_with_ids(conn: sqlite3.Connection, table: str, cols: Sequence[str], ids: Sequence[str]) -> list[tuple]:
    """Plain tuples of `cols`, as changed_rows gives them (for the records a filtered bundle refers to)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE id IN (SELECT value FROM json_each(?))"
                          " ORDER BY change_seq, id", (json.dumps(list(ids)),)).fetchall()


def references(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(column, parent table) of each foreign key of `table`."""
    return [(row[3], row[2]) for row in conn.execute(f"PRAGMA foreign_key_list({table})")]


# ---- destinations, sources, received bundles -----------------------------------------------------

def last_seq_sent(conn: sqlite3.Connection, destination: str, scope: str = "") -> int:
    row = conn.execute("SELECT last_seq_sent FROM exchange_destinations WHERE name = ? AND scope = ?",
                       (destination, scope)).fetchone()
    return row[0] if row else 0


def set_destination(conn: sqlite3.Connection, destination: str, scope: str, seq: int, at: str) -> None:
    conn.execute("INSERT INTO exchange_destinations (name, scope, last_seq_sent, last_sent_at) VALUES (?, ?, ?, ?)"
                 " ON CONFLICT (name, scope) DO UPDATE SET last_seq_sent = max(last_seq_sent, excluded.last_seq_sent),"
                 " last_sent_at = excluded.last_sent_at", (destination, scope, seq, at))


def destinations(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT name, max(last_sent_at) AS last_sent_at FROM exchange_destinations"
                        " GROUP BY name ORDER BY name").fetchall()


def already_received(conn: sqlite3.Connection, content_sha256: str) -> bool:
    return conn.execute("SELECT 1 FROM exchange_received WHERE content_sha256 = ?",
                        (content_sha256,)).fetchone() is not None


def mark_received(conn: sqlite3.Connection, content_sha256: str, source_db: str, max_seq: int, at: str, *,
                  destination: str = "", scope: str = "", since_seq: int = 0, made_at: str = "",
                  made_by: str = "") -> None:
    conn.execute("INSERT INTO exchange_received (content_sha256, source_db, received_at, destination, scope,"
                 " since_seq, max_seq, made_at, made_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (content_sha256, source_db, at, destination, scope, since_seq, max_seq, made_at, made_by))
    conn.execute("INSERT INTO exchange_sources (source_db, max_seq_applied, last_received_at) VALUES (?, ?, ?)"
                 " ON CONFLICT (source_db) DO UPDATE SET"
                 " max_seq_applied = max(max_seq_applied, excluded.max_seq_applied),"
                 " last_received_at = excluded.last_received_at", (source_db, max_seq, at))


def received_ranges(conn: sqlite3.Connection, source_db: str, destination: str, scope: str) -> list[sqlite3.Row]:
    """(since_seq, max_seq, made_at) of the bundles received from `source_db` for that destination and scope,
    and of those received before db/0008 (known only as everything up to what was applied from the source)."""
    return conn.execute("SELECT since_seq, max_seq, made_at FROM exchange_received WHERE source_db = ?"
                        " AND (destination IS NULL OR (destination = ? AND scope = ?)) AND max_seq IS NOT NULL"
                        " ORDER BY since_seq, max_seq", (source_db, destination, scope)).fetchall()


# ---- pending rows ---------------------------------------------------------------------------------

def foreign_keys(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, str]]:
    """(column, parent table, parent column) of each foreign key of `table`."""
    return [(row[3], row[2], row[4] or "id") for row in conn.execute(f"PRAGMA foreign_key_list({table})")]


def missing_parent(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> tuple[str, str] | None:
    """(parent table, key) of the first record `row` refers to that is not here; None when all are."""
    for column, parent, key in foreign_keys(conn, table):
        value = row.get(column)
        if value is not None and conn.execute(f"SELECT 1 FROM {parent} WHERE {key} = ?", (value,)).fetchone() is None:
            return parent, str(value)
    return None


def add_pending(conn: sqlite3.Connection, table: str, row_id: str, version: str, incoming: dict[str, Any],
                parent: tuple[str, str] | None, at: str) -> None:
    """Every waiting version is kept; which is later is decided by history when they are applied."""
    conn.execute("INSERT OR IGNORE INTO exchange_pending (table_name, row_id, version, incoming_json, parent_table,"
                 " parent_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (table, row_id, version, json.dumps(incoming, ensure_ascii=False), *(parent or (None, None)), at))


def _parent_keys(conn: sqlite3.Connection, tables: Iterable[str]) -> dict[str, str]:
    """Each table a user table refers to, with the column referred to (only these are looked up by name)."""
    return {parent: key for table in tables for _, parent, key in foreign_keys(conn, table)}


def take_ready_pending(conn: sqlite3.Connection, user_tables: Sequence[str],
                       unknown_too: bool) -> list[tuple[str, dict[str, Any]]]:
    """Take out of the queue the rows whose awaited record is here now (and, with unknown_too, those not known
    to wait for anything in particular); the index on what they wait for finds them without reading the others."""
    keys = _parent_keys(conn, user_tables)
    ids: list[int] = []
    for (parent,) in conn.execute("SELECT DISTINCT parent_table FROM exchange_pending WHERE parent_table IS NOT NULL"
                                  ).fetchall():
        if parent not in keys:
            continue
        ids += [row[0] for row in conn.execute(
            f"SELECT p.id FROM (SELECT DISTINCT parent_id FROM exchange_pending WHERE parent_table = ?) AS w"
            f" JOIN {parent} AS x ON x.{keys[parent]} = w.parent_id"
            f" JOIN exchange_pending AS p ON p.parent_table = ? AND p.parent_id = w.parent_id", (parent, parent))]
    if unknown_too:
        ids += [row[0] for row in conn.execute("SELECT id FROM exchange_pending WHERE parent_table IS NULL")]
    if not ids:
        return []
    chosen = json.dumps(ids)
    rows = [(table, json.loads(text)) for table, text in conn.execute(
        "SELECT table_name, incoming_json FROM exchange_pending WHERE id IN (SELECT value FROM json_each(?))"
        " ORDER BY table_name, row_id, version", (chosen,))]
    conn.execute("DELETE FROM exchange_pending WHERE id IN (SELECT value FROM json_each(?))", (chosen,))
    return rows


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM exchange_pending").fetchone()[0]


def pending_rows(conn: sqlite3.Connection, limit: int | None = None) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, table_name, row_id, version, incoming_json, parent_table, parent_id, received_at"
                        " FROM exchange_pending ORDER BY id LIMIT ?", (-1 if limit is None else limit,)).fetchall()


def drop_pending(conn: sqlite3.Connection, ids: Sequence[int] | None) -> int:
    """Drop the given rows (None: all); returns how many went."""
    if ids is None:
        return conn.execute("DELETE FROM exchange_pending").rowcount
    return conn.execute("DELETE FROM exchange_pending WHERE id IN (SELECT value FROM json_each(?))",
                        (json.dumps(list(ids)),)).rowcount


# ---- conflicts ------------------------------------------------------------------------------------

def open_conflicts_of(conn: sqlite3.Connection, table: str, row_id: str, reason: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM conflicts WHERE table_name = ? AND row_id = ? AND reason = ?"
                        " AND resolved_at IS NULL ORDER BY detected_at, id", (table, row_id, reason)).fetchall()


def open_conflict_row_ids(conn: sqlite3.Connection, table: str, reason: str) -> list[str]:
    return [row[0] for row in conn.execute("SELECT DISTINCT row_id FROM conflicts WHERE table_name = ? AND reason = ?"
                                           " AND resolved_at IS NULL", (table, reason))]


def open_conflicts_with_reason(conn: sqlite3.Connection, reason: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM conflicts WHERE reason = ? AND resolved_at IS NULL ORDER BY detected_at, id",
                        (reason,)).fetchall()


def update_conflict(conn: sqlite3.Connection, conflict_id: str, local: dict[str, Any] | None,
                    incoming: dict[str, Any], at: str) -> None:
    conn.execute("UPDATE conflicts SET local_json = ?, incoming_json = ?, detected_at = ? WHERE id = ?",
                 (None if local is None else json.dumps(local, ensure_ascii=False),
                  json.dumps(incoming, ensure_ascii=False), at, conflict_id))


def add_conflict(conn: sqlite3.Connection, conflict_id: str, table: str, row_id: str, reason: str,
                 local: dict[str, Any] | None, incoming: dict[str, Any], at: str) -> None:
    conn.execute(
        "INSERT INTO conflicts (id, table_name, row_id, reason, local_json, incoming_json, detected_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (conflict_id, table, row_id, reason, None if local is None else json.dumps(local, ensure_ascii=False),
         json.dumps(incoming, ensure_ascii=False), at))


def add_settled_conflict(conn: sqlite3.Connection, conflict_id: str, table: str, row_id: str, reason: str,
                         local: dict[str, Any], incoming: dict[str, Any], at: str, resolution: str) -> None:
    """A conflict decided by rule as it was found: kept so that the version not taken is written down."""
    add_conflict(conn, conflict_id, table, row_id, reason, local, incoming, at)
    mark_resolved(conn, conflict_id, resolution, at)


def conflicts(conn: sqlite3.Connection, *, include_resolved: bool = False) -> list[sqlite3.Row]:
    where = "" if include_resolved else "WHERE resolved_at IS NULL"
    return conn.execute(f"SELECT * FROM conflicts {where} ORDER BY detected_at, id").fetchall()


def open_conflict_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0]


def conflict(conn: sqlite3.Connection, conflict_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM conflicts WHERE id = ?", (conflict_id,)).fetchone()


def set_conflict_local(conn: sqlite3.Connection, conflict_id: str, local: dict[str, Any] | None) -> None:
    conn.execute("UPDATE conflicts SET local_json = ? WHERE id = ?",
                 (None if local is None else json.dumps(local, ensure_ascii=False), conflict_id))


def mark_resolved(conn: sqlite3.Connection, conflict_id: str, resolution: str, at: str) -> None:
    conn.execute("UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?", (at, resolution, conflict_id))
