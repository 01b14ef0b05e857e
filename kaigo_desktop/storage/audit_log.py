"""The audit trail's SQL: who is writing (audit_context), sealing new entries into the hash chain, reading
entries back, verifying the chain, and keeping entries received from other databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kaigo_desktop.domain.audit import HASHED_FIELDS, ChainBreak, changes_from_raw, entry_hash

_FIELDS = ", ".join(HASHED_FIELDS)


def is_installed(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").fetchone() \
        is not None


def begin(conn: sqlite3.Connection, *, at: str, user_name: str, pc: str, origin_db: str) -> None:
    """Say who writes in this transaction; the triggers copy it into every entry."""
    conn.execute("INSERT OR REPLACE INTO audit_context (id, at, user_name, pc, origin_db, operation)"
                 " VALUES (1, ?, ?, ?, ?, '')", (at, user_name, pc, origin_db))


def set_operation(conn: sqlite3.Connection, operation: str) -> None:
    """What the rows written from now on in this transaction are part of (an import of a file, a merge…)."""
    conn.execute("UPDATE audit_context SET operation = ? WHERE id = 1", (operation,))


def note(conn: sqlite3.Connection, action: str, detail: str, *, table_name: str = "", record_id: str = "",
         at: str | None = None, user_name: str | None = None, pc: str | None = None,
         origin_db: str | None = None) -> None:
    """An entry for an operation that changes no row of an audited table itself (a restore of a backup)."""
    conn.execute(
        "INSERT INTO audit_log (at, user_name, pc, origin_db, action, table_name, record_id, changes, detail)"
        " SELECT coalesce(?, c.at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), coalesce(?, c.user_name, ''),"
        " coalesce(?, c.pc, ''), coalesce(?, c.origin_db, ''), ?, ?, ?, '', ?"
        " FROM (SELECT 1) LEFT JOIN audit_context c ON c.id = 1",
        (at, user_name, pc, origin_db, action, table_name, record_id, detail))


def seal(conn: sqlite3.Connection) -> None:
    """Chain every entry made since the last seal (in seq order) and forget who was writing; called inside the
    write transaction just before COMMIT, so an entry and its hash are committed together."""
    head = conn.execute("SELECT seq, hash FROM audit_seal WHERE id = 1").fetchone()
    last_seq, prev = (head[0], head[1]) if head else (0, "")
    sealed: list[tuple[str, str, str, int]] = []
    for row in conn.execute(f"SELECT {_FIELDS} FROM audit_log WHERE seq > ? ORDER BY seq", (last_seq,)):
        entry = dict(row)
        entry["changes"] = changes_from_raw(entry["changes"])
        digest = entry_hash(entry, prev)
        sealed.append((entry["changes"], prev, digest, entry["seq"]))
        prev = digest
    if sealed:
        conn.executemany("UPDATE audit_log SET changes = ?, prev_hash = ?, hash = ? WHERE seq = ?", sealed)
        conn.execute("INSERT OR REPLACE INTO audit_seal (id, seq, hash) VALUES (1, ?, ?)", (sealed[-1][3], prev))
    conn.execute("DELETE FROM audit_context")


def chain_breaks(conn: sqlite3.Connection, *, limit: int = 20) -> list[ChainBreak]:
    """Where our own chain is broken: an entry whose fields no longer give its hash (changed), one whose
    predecessor is not the entry it was chained to (missing entries before it), a gap in seq, an entry the
    last seal does not reach (unsealed: written around the app), or a seal past the last entry (missing)."""
    breaks: list[ChainBreak] = []
    prev, expected_seq = "", 1
    last_sealed, last_sealed_hash = 0, ""
    for row in conn.execute(f"SELECT {_FIELDS}, prev_hash, hash FROM audit_log ORDER BY seq"):
        seq = row[0]
        if row["hash"] == "":
            breaks.append(ChainBreak(seq, "unsealed"))
        elif seq != expected_seq or row["prev_hash"] != prev:
            breaks.append(ChainBreak(seq, "missing"))
        elif entry_hash(row, prev) != row["hash"]:
            breaks.append(ChainBreak(seq, "changed"))
        if row["hash"]:
            last_sealed, last_sealed_hash = seq, row["hash"]
        prev, expected_seq = row["hash"], seq + 1
        if len(breaks) >= limit:
            return breaks
    head = conn.execute("SELECT seq, hash FROM audit_seal WHERE id = 1").fetchone()
    if head is not None and (head[0], head[1]) != (last_sealed, last_sealed_hash):
        breaks.append(ChainBreak(head[0], "missing"))
    return breaks


def received_breaks(conn: sqlite3.Connection, *, limit: int = 20) -> list[tuple[str, ChainBreak]]:
    """The same per origin for received entries: each entry's hash from its fields and its stated prev_hash,
    and consecutive entries of one origin linked (a gap is entries not sent to us, not a break)."""
    breaks: list[tuple[str, ChainBreak]] = []
    previous: tuple[str, int, str] | None = None
    for row in conn.execute("SELECT origin_seq AS seq, at, user_name, pc, origin_db, action, table_name,"
                            " record_id, changes, detail, prev_hash, hash FROM audit_received"
                            " ORDER BY origin_db, origin_seq"):
        if entry_hash(row, row["prev_hash"]) != row["hash"]:
            breaks.append((row["origin_db"], ChainBreak(row["seq"], "changed")))
        elif (previous is not None and previous[0] == row["origin_db"] and previous[1] + 1 == row["seq"]
              and previous[2] != row["prev_hash"]):
            breaks.append((row["origin_db"], ChainBreak(row["seq"], "missing")))
        previous = (row["origin_db"], row["seq"], row["hash"])
        if len(breaks) >= limit:
            break
    return breaks


@dataclass(frozen=True)
class EntryFilter:
    since: str | None = None  # an ISO date or time: entries at or after it
    user_name: str | None = None
    record_id: str | None = None
    table_name: str | None = None
    limit: int | None = None


_ENTRY_COLUMNS = ("seq, at, user_name, pc, origin_db, action, table_name, record_id, changes, detail,"
                  " prev_hash, hash")


def entries(conn: sqlite3.Connection, where: EntryFilter) -> list[dict[str, Any]]:
    """Own and received entries matching `where`, newest first; a received one has `received` True and its
    origin's seq."""
    clauses, params = [], []
    if where.since:
        clauses.append("at >= ?")
        params.append(where.since)
    if where.user_name is not None:
        clauses.append("user_name = ?")
        params.append(where.user_name)
    if where.record_id is not None:
        clauses.append("record_id = ?")
        params.append(where.record_id)
    if where.table_name is not None:
        clauses.append("table_name = ?")
        params.append(where.table_name)
    condition = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = (f"SELECT {_ENTRY_COLUMNS}, 0 AS received FROM audit_log{condition}"
           f" UNION ALL SELECT origin_seq, at, user_name, pc, origin_db, action, table_name, record_id, changes,"
           f" detail, prev_hash, hash, 1 FROM audit_received{condition}"
           " ORDER BY at DESC, received, seq DESC")
    if where.limit is not None:
        sql += f" LIMIT {int(where.limit)}"
    return [dict(row) | {"received": bool(row["received"])}
            for row in conn.execute(sql, params + params)]


def own_entries_for(conn: sqlite3.Connection, record_ids: Iterable[str], *, limit: int) -> Iterator[dict[str, Any]]:
    """Own sealed entries about these records, oldest first (what a bundle carries)."""
    ids = list(dict.fromkeys(record_ids))
    count = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(f"SELECT {_ENTRY_COLUMNS} FROM audit_log WHERE hash <> '' AND record_id IN"
                                f" ({marks}) ORDER BY seq", chunk):
            yield dict(row)
            count += 1
            if count >= limit:
                return


def keep_received(conn: sqlite3.Connection, rows: list[dict[str, Any]], received_at: str) -> int:
    """Store entries of other databases as they came (their hash and origin); one already kept is skipped."""
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO audit_received (origin_db, origin_seq, at, user_name, pc, action, table_name,"
        " record_id, changes, detail, prev_hash, hash, received_at) VALUES (:origin_db, :seq, :at, :user_name,"
        " :pc, :action, :table_name, :record_id, :changes, :detail, :prev_hash, :hash, :received_at)",
        [row | {"received_at": received_at} for row in rows])
    return conn.total_changes - before
