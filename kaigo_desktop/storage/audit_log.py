"""The audit trail's SQL: who is writing (audit_context), sealing new entries into the hash chain, reading
entries back, verifying the chain, and keeping entries received from other databases."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kaigo_desktop.domain.audit import (DIGEST_CHARS, ENTRY_FIELDS, SEAL_FIELDS, ChainBreak, RunningHash, chain,
                                        seal_header)
from kaigo_desktop.storage import audit_triggers, many_rows

# An entry's canonical text (domain/audit.RunningHash): its fields in ENTRY_FIELDS order joined by U+001F; the
# fields a person's text reaches are SQL literals (%Q: as quote() writes them, so no U+001F of theirs can move a
# field boundary), the others — made by the app (number, write, time, action, table, ids) — as they are (a NULL
# tx or at as empty). One printf() makes it: a third less of SQLite's time on 100,000 entries than `||`.
_FREE_TEXT = frozenset({"changes", "detail"})
CANONICAL = ("printf('" + "\x1f".join("%Q" if name in _FREE_TEXT else "%s" for name in ENTRY_FIELDS) + "', "
             + ", ".join(ENTRY_FIELDS) + ")")
# …as RunningHash.add takes it: after a newline, as UTF-8 bytes (Python neither decodes nor encodes it).
_FRAMED = f"CAST(char(10) || {CANONICAL} AS BLOB)"
_SEAL_HEADER = ", ".join(SEAL_FIELDS)


def is_installed(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_seals'").fetchone() \
        is not None


def begin(conn: sqlite3.Connection, *, at: str, user_name: str, pc: str, origin_db: str) -> None:
    """Say who writes in this transaction (kept once, in its seal); the triggers name the seal to be in every
    entry."""
    conn.execute("INSERT OR REPLACE INTO audit_context (id, tx, at, user_name, pc, origin_db, operation)"
                 " SELECT 1, coalesce(max(id), 0) + 1, ?, ?, ?, ?, '' FROM audit_seals",
                 (at, user_name, pc, origin_db))


def set_operation(conn: sqlite3.Connection, operation: str) -> None:
    """What the rows written from now on in this transaction are part of (an import of a file, a merge…)."""
    conn.execute("UPDATE audit_context SET operation = ? WHERE id = 1", (operation,))


def note(conn: sqlite3.Connection, action: str, detail: str, *, table_name: str = "", record_id: str = "") -> None:
    """An entry for an operation that changes no row of an audited table itself (a restore of a backup)."""
    conn.execute(
        "INSERT INTO audit_log (tx, at, action, table_name, record_id, changes, detail)"
        " SELECT c.tx, CASE WHEN c.tx IS NULL THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END, ?, ?, ?, '', ?"
        " FROM (SELECT 1) LEFT JOIN audit_context c ON c.id = 1",
        (action, table_name, record_id, detail))


@contextlib.contextmanager
def inserts_logged_in_bulk(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """Inside a write transaction: rows inserted into `table` in the block get their entries from one
    INSERT … SELECT at its end instead of the row trigger (whose per-row call is what made a bulk import of
    100,000 gatherings 30-50 % slower; benchmarks/bench_audit.py). The trigger is dropped and made again in
    the same transaction, so no commit ever sees it missing. The new rows are those above the table's highest
    rowid before the block (rowids only grow on insert)."""
    name = audit_triggers.insert_trigger_name(table)
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
    if row is None or not conn.in_transaction:
        yield
        return
    before = conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').fetchone()[0]
    conn.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
        conn.execute(audit_triggers.insert_entries_sql(conn, table), (before,))
    finally:
        # An error SQLite answers by rolling the whole transaction back (a full disk) brought the trigger back.
        if conn.in_transaction:
            conn.execute(row[0].replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))


def _last_seal(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT last_seq, hash FROM audit_seals ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, "")


def seal(conn: sqlite3.Connection) -> None:
    """Chain every entry made since the last seal (in seq order) into one audit_seals row and forget who was
    writing; called inside the write transaction just before COMMIT, so entries and seal commit together.
    Entries written around the app (no seal yet) are sealed here too, by the next write."""
    last_seq, prev = _last_seal(conn)
    span: list[int] = []

    def texts() -> Iterator[bytes]:  # streamed: 100,000 entries' texts are not held at once
        cursor = conn.execute(f"SELECT seq, {_FRAMED} FROM audit_log WHERE seq > ? ORDER BY seq", (last_seq,))
        cursor.row_factory = None
        for seq, text in cursor:
            if not span:
                span.append(seq)
            yield text
        if span:
            span.append(seq)

    context = conn.execute("SELECT tx, at, user_name, pc, origin_db FROM audit_context WHERE id = 1").fetchone()
    if context is None:  # a write around Database.write(): its entries wait for the next write's seal
        return
    digests, last_hash = chain(texts(), prev, seal_header(context))
    if span:
        conn.execute(f"INSERT INTO audit_seals ({_SEAL_HEADER}, first_seq, last_seq, digests, prev_hash, hash)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*context, span[0], span[-1], digests, prev, last_hash))
    conn.execute("DELETE FROM audit_context")


_JOINED_ENTRIES = 50_000  # entries hashed per blob: a few MB


def _seal_holds(conn: sqlite3.Connection, header: list[Any], first: int, last: int, prev: str, hash_: str) -> bool:
    """The fast way through a seal, taken first: every entry first..last there (seq is the primary key, so
    their number says it) and the running hash over all of them equal to the seal's, fed in batches without
    the per-entry digests (a seal of 1,000,000 entries in about a second). Only a seal that fails it is
    walked entry by entry to name the break."""
    held = conn.execute("SELECT COUNT(*) FROM audit_log WHERE seq BETWEEN ? AND ?", (first, last)).fetchone()[0]
    if held != last - first + 1:
        return False
    hasher = RunningHash(prev, seal_header(header))
    # SQLite joins each stretch of entries into one blob (a Python object per entry cost more than the
    # hashing); an ORDER BY subquery under an aggregate is never flattened, so its order holds. Were it ever
    # not to, the seal would only be walked entry by entry below: slower, never a false break.
    for start in range(first, last + 1, _JOINED_ENTRIES):
        cursor = conn.execute(f"SELECT CAST(group_concat(framed, '') AS BLOB) FROM (SELECT {_FRAMED} AS framed"
                              " FROM audit_log WHERE seq BETWEEN ? AND ? ORDER BY seq)",
                              (start, min(last, start + _JOINED_ENTRIES - 1)))
        cursor.row_factory = None
        (joined,) = cursor.fetchone()
        hasher.add_many((joined or b"",))
    return hasher.hexdigest() == hash_


def chain_breaks(conn: sqlite3.Connection, *, limit: int = 20) -> list[ChainBreak]:
    """Where our chain is broken, by entry seq: an entry whose fields no longer give its hash ("changed"),
    an entry or a seal gone ("missing"), entries no seal covers (written around the app after the last write
    of the app: "unsealed"). Within a seal only the first break is named: every hash after it differs too."""
    breaks: list[ChainBreak] = []
    prev, expected_first = "", 1
    seals = conn.execute(f"SELECT {_SEAL_HEADER}, first_seq, last_seq, digests, prev_hash, hash FROM audit_seals"
                         " ORDER BY id")
    for *header, first, last, digests, seal_prev, seal_hash in seals.fetchall():
        if first != expected_first or seal_prev != prev:
            breaks.append(ChainBreak(min(first, expected_first), "missing"))
        if _seal_holds(conn, header, first, last, seal_prev, seal_hash):
            prev, expected_first = seal_hash, last + 1
            if len(breaks) >= limit:
                return breaks[:limit]
            continue
        cursor = conn.execute(f"SELECT seq, {_FRAMED} FROM audit_log WHERE seq BETWEEN ? AND ? ORDER BY seq",
                              (first, last))
        cursor.row_factory = None  # streamed: a bulk import's seal holds 100,000 entries
        hasher, running, expected = RunningHash(seal_prev, seal_header(header)), seal_prev, first
        for seq, text in cursor:
            if seq != expected:
                breaks.append(ChainBreak(expected, "missing"))
                break
            running = hasher.add(text)
            index = seq - first
            if running[:DIGEST_CHARS] != digests[index * DIGEST_CHARS:(index + 1) * DIGEST_CHARS]:
                breaks.append(ChainBreak(seq, "changed"))
                break
            expected += 1
        else:
            if expected != last + 1:
                breaks.append(ChainBreak(expected, "missing"))
            elif running != seal_hash:
                breaks.append(ChainBreak(last, "changed"))
        prev, expected_first = seal_hash, last + 1
        if len(breaks) >= limit:
            return breaks[:limit]
    for (seq,) in conn.execute("SELECT seq FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?",
                               (expected_first, limit - len(breaks))):
        breaks.append(ChainBreak(seq, "unsealed"))
    return breaks


@dataclass(frozen=True)
class EntryFilter:
    since: str | None = None  # an ISO date or time: entries at or after it
    user_name: str | None = None
    record_id: str | None = None
    limit: int | None = None


# An own entry as it is read: with its write's who, when and PC (its seal; inside the write itself, before
# the seal is made, the write's context), an entry written around the app with its own time and no name. The
# same columns as a received entry's.
_WRITE = {name: f"coalesce(s.{name}, c.{name}{', e.at' if name == 'at' else ''}, '')"
          for name in ("at", "user_name", "pc", "origin_db")}
_OWN_COLUMNS = _WRITE | {"record_id": "e.record_id"}
_OWN_FROM = "audit_log e LEFT JOIN audit_seals s ON s.id = e.tx LEFT JOIN audit_context c ON c.tx = e.tx"
_OWN_FIELDS = ("e.seq AS seq, " + ", ".join(f"{sql} AS {name}" for name, sql in _WRITE.items())
               + ", e.action AS action, e.table_name AS table_name, e.record_id AS record_id,"
               " e.changes AS changes, e.detail AS detail")
_OWN = f"{_OWN_FIELDS}, 0 AS received"
_RECEIVED = ("origin_seq, at, user_name, pc, origin_db, action, table_name, record_id, changes, detail,"
             " 1 AS received")


def entries(conn: sqlite3.Connection, where: EntryFilter) -> list[sqlite3.Row]:
    """Own and received entries matching `where`, newest first (a received one with its origin's seq)."""
    clauses, params = [], []
    if where.since:
        clauses.append(("at", ">= ?"))
        params.append(where.since)
    if where.user_name is not None:
        clauses.append(("user_name", "= ?"))
        params.append(where.user_name)
    if where.record_id is not None:
        clauses.append(("record_id", "= ?"))
        params.append(where.record_id)

    def condition(columns: dict[str, str]) -> str:
        return (" WHERE " + " AND ".join(f"{columns.get(name, name)} {test}" for name, test in clauses)
                ) if clauses else ""

    sql = (f"SELECT {_OWN} FROM {_OWN_FROM}{condition(_OWN_COLUMNS)}"
           f" UNION ALL SELECT {_RECEIVED} FROM audit_received{condition({})}"
           " ORDER BY at DESC, received, seq DESC")
    if where.limit is not None:
        sql += f" LIMIT {int(where.limit)}"
    return conn.execute(sql, params + params).fetchall()


def own_entries_for(conn: sqlite3.Connection, record_ids: Iterable[str], *, limit: int
                    ) -> Iterator[sqlite3.Row]:
    """Own entries about these records, oldest first (what a bundle carries), at most `limit`."""
    ids = list(dict.fromkeys(record_ids))
    count = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(f"SELECT {_OWN_FIELDS} FROM {_OWN_FROM} WHERE e.record_id IN ({marks})"
                                " ORDER BY e.seq", chunk):
            yield row
            count += 1
            if count >= limit:
                return


_RECEIVED_INSERT = ("INSERT OR IGNORE INTO audit_received (origin_db, origin_seq, at, user_name, pc, action, table_name,"
                    " record_id, changes, detail, received_at) VALUES ")
_RECEIVED_FIELDS = 9  # of an entry as a bundle carries it
_RECEIVED_WIDTH = _RECEIVED_FIELDS + 2  # with its origin and when it was received


def received_values(origin_db: str, rows: Iterable[Sequence[Any]], received_at: str) -> list[tuple[int, list[Any]]]:
    """Entries of another database, for keep_received: rows (seq, at, user_name, pc, action, table_name,
    record_id, changes, detail) — positional, as a bundle carries them (a million of them: no dict per
    entry). Their values are put together here, many entries per statement (many_rows), on the caller's thread,
    so the thread that writes them spends its time in SQLite (which lets go of the GIL), not in Python: a
    bundle's entries are written on a helper thread while the next ones are read (services/exchange)."""
    def under_origin(row: Sequence[Any]) -> tuple[Any, ...]:
        if len(row) != _RECEIVED_FIELDS:  # bundle_format checked it; a shifted field would go unnoticed
            raise ValueError(f"an audit entry has {_RECEIVED_FIELDS} fields, not {len(row)}")
        return (origin_db, *row, received_at)

    return many_rows.statements(map(under_origin, rows), _RECEIVED_WIDTH)


def keep_received(conn: sqlite3.Connection, statements: Iterable[tuple[int, list[Any]]]) -> int:
    """Store the entries of received_values as they came, under their origin; one already kept is skipped.
    How many were new."""
    before = conn.total_changes
    for count, values in statements:
        conn.execute(_RECEIVED_INSERT + many_rows.values_sql(_RECEIVED_WIDTH, count), values)
    return conn.total_changes - before
