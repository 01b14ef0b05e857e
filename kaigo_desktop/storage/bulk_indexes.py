"""A table's secondary indexes set aside for one large load and built again before its transaction commits.

Inserting a million gatherings into a table that already holds a million updates each of its date- and
place-ordered indexes at a random place, with the import's 128 MiB page cache. Dropping those indexes and making
them again from the stored CREATE INDEX text at the end of the same transaction costs one sorted pass over the
whole table instead, which pays once the load is a good part of what the table holds. Measured with
benchmarks/bench_bulk_indexes.py on the 1.1M-gathering database (rows written ~1,450 per statement): 1,000,000
gatherings 25.1 s with the indexes kept, 18.7 s set aside; 500,000 gatherings 10.9 s against 11.2 s.
The builds sort on two threads (PRAGMA threads): the table's rows are all written by then, so the second
core is free (the five builds at 2.1M gatherings: 8.4 s → 7.6 s).

Everything happens inside the caller's write transaction: a rollback (errors, a dry run, a crash) brings the
indexes back with the rows, and no commit can see the table without them. UNIQUE indexes are never set aside —
they are constraints the load must meet row by row — nor is the primary key, nor an index a load of new live
rows adds nothing to or only adds to at its end (kept_through_load): building those again would read the whole
table for nothing."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kaigo_desktop.storage.connections import pragma_for_block

if TYPE_CHECKING:
    from kaigo_desktop.storage.database import Database

MIN_ROWS = 100_000  # below this the indexes' own updates are cheap enough
SHARE_OF_TABLE = 2  # ... and the load must be at least half the rows already there
# The page cache while the indexes are built again, and so the memory of each of SORT_THREADS sorts. Measured
# with benchmarks/scale_imports.py's million rows into 1.1M: 32 MiB on one thread 28.3 s, peak 261 MiB; on two
# threads 26.4 s but 306 MiB; 16 MiB on two threads 26.3 s, 262 MiB.
REBUILD_CACHE_MIB = 16
SORT_THREADS = 2


def worth_setting_aside(rows_in_table: int, rows_to_load: int) -> bool:
    """Whether building the indexes again beats updating them row by row (see the module's note)."""
    return rows_to_load >= MIN_ROWS and rows_to_load * SHARE_OF_TABLE >= rows_in_table


def rows_in_table(conn: sqlite3.Connection, table: str) -> int:
    """About how many rows `table` holds (its highest rowid: rowids only grow on insert), read at no cost."""
    return conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').fetchone()[0]


def secondary_indexes(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX text) of the table's non-unique indexes made by a migration, in creation order."""
    unique = {row[1] for row in conn.execute(f'PRAGMA index_list("{table}")') if row[2]}
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                        " AND sql IS NOT NULL ORDER BY rowid", (table,)).fetchall()
    return [(name, sql) for name, sql in rows if name not in unique]


# An index over deleted rows only: new live rows are not in it.
_DELETED_ONLY = re.compile(r"\bWHERE\s+deleted_at\s+IS\s+NOT\s+NULL\s*$", re.IGNORECASE)
# An index led by a stamp of the write: every row of one write has the same one, at or above every earlier
# write's, so the new rows all go at one place (its end), in rowid order.
_LED_BY_STAMP = re.compile(r"\bON\s+\S+\s*\(\s*(change_seq|updated_at|created_at)\b", re.IGNORECASE)


def kept_through_load(sql: str) -> bool:
    """Whether a load of new live rows leaves the index (its CREATE INDEX text) as cheap to update as to keep."""
    text = " ".join(sql.split())
    return bool(_DELETED_ONLY.search(text) or _LED_BY_STAMP.search(text))


@contextmanager
def set_aside_for_load(db: Database, table: str, rows_to_load: int, *,
                       before_each_build: Callable[[], None] = lambda: None) -> Iterator[bool]:
    """Inside db.write(): when a load of about `rows_to_load` rows is worth it, `table`'s secondary indexes are
    dropped for the block and made again at its end. The block is a savepoint: when it raises, the rows it
    wrote and the dropped indexes come back together at once (a cancel does not wait for a rebuild), and the
    caller's transaction is as it was before the block. `before_each_build` is called before each index is
    built again (a job's progress, which raises when the person cancels: a build takes seconds at 2M rows).
    Yields whether the indexes were set aside."""
    conn = db.conn
    if not conn.in_transaction or not worth_setting_aside(rows_in_table(conn, table), rows_to_load):
        yield False
        return
    with db.write():  # nested: a savepoint of the caller's transaction
        dropped = [(name, sql) for name, sql in secondary_indexes(conn, table) if not kept_through_load(sql)]
        for name, _sql in dropped:
            conn.execute(f'DROP INDEX "{name}"')
        yield True
        # SQLite sorts each index in as much memory as the page cache may hold, beside that cache: a smaller
        # cache while they are built keeps the process within its memory (the sort spills to a temp file).
        with db.page_cache(REBUILD_CACHE_MIB), pragma_for_block(conn, "threads", SORT_THREADS):
            for _name, sql in dropped:
                before_each_build()
                conn.execute(sql)

