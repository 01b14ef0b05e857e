"""Every connection to a SQLite file goes through connect(): whatever SQL a file carries in its schema
(triggers, views, CHECK and DEFAULT expressions) may then call only SQLite's harmless built-in functions."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any


def connect(target: Any, **kwargs: Any) -> sqlite3.Connection:
    """sqlite3.connect with `trusted_schema` off, set before the file's schema is read: a file from
    someone else cannot make our connection run functions with side effects through its own SQL."""
    conn = sqlite3.connect(target, **kwargs)
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def pragma_for_block(conn: sqlite3.Connection, name: str, value: int) -> Iterator[None]:
    """PRAGMA `name` (an integer setting of the connection: cache_size, threads) = `value` for the block; the
    value before is put back after, with an error or not."""
    previous = conn.execute(f"PRAGMA {name}").fetchone()[0]
    conn.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA {name} = {int(previous)}")
