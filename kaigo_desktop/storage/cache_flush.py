"""A write transaction's changed pages written to the WAL between two statements, without committing
(SQLite's sqlite3_db_cacheflush, which Python's sqlite3 module does not offer).

Why: a bulk write in one transaction fills the page cache. Once it is full, SQLite writes the oldest changed
pages to the WAL in the middle of the next statement — and first copies each into that statement's journal,
because the page existed when the statement began and a statement that fails is undone alone. A bundle of a
million rows wrote ~0.7 GB of such copies on its writing thread (benchmarks/scale_bundles.py; the bundle import
1.2 s faster without them). Written out between statements, the same pages need no copy. Only a write that
fills the cache is flushed: a smaller one would never spill, so flushing it would only write the WAL early.

The connection's SQLite handle is read from CPython's connection object, where it is the first field after the
object's header in every CPython from 2.7 to 3.13. So `flush` works only on CPython with the GIL, 3.11 to 3.13,
only with the very SQLite library the sqlite3 module uses (same version), and only when SQLite, asked through
the handle, names the connection's own main file; otherwise it does nothing and says so (False): the write goes
on as before, slower, with the same result."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import sqlite3
import sys
import sysconfig
from typing import Any

SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
SQLITE_OK = 0
SQLITE_DBSTATUS_CACHE_USED = 1  # bytes of memory the connection's page caches hold
FILLED_SHARE = 0.5  # flushed from this share of the cache on: below it the next batch does not spill


@functools.cache
def _library() -> Any | None:
    """SQLite's C functions, from the library the sqlite3 module is linked with; None when that cannot be
    made sure of."""
    if (sys.implementation.name != "cpython" or sys.version_info[:2] not in SUPPORTED_PYTHONS
            or sysconfig.get_config_var("Py_GIL_DISABLED")):
        return None
    import _sqlite3

    # The module's own handle finds the library it was linked with (POSIX); Windows: the sqlite3.dll loaded
    # already beside it.
    for name in (_sqlite3.__file__, "sqlite3", ctypes.util.find_library("sqlite3")):
        if not name:
            continue
        try:
            library = ctypes.CDLL(name)
            library.sqlite3_db_cacheflush  # noqa: B018 - raises AttributeError when not there
            library.sqlite3_libversion.restype = ctypes.c_char_p
            if library.sqlite3_libversion().decode() != sqlite3.sqlite_version:
                continue
        except (OSError, AttributeError):
            continue
        library.sqlite3_db_cacheflush.argtypes = [ctypes.c_void_p]
        library.sqlite3_db_cacheflush.restype = ctypes.c_int
        library.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        library.sqlite3_db_filename.restype = ctypes.c_char_p
        library.sqlite3_db_status.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                                              ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        library.sqlite3_db_status.restype = ctypes.c_int
        return library
    return None


def _handle(conn: sqlite3.Connection, library: Any) -> int | None:
    """The connection's sqlite3* — when SQLite, asked through it, names the connection's own main file."""
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    if not handle:
        return None
    named = library.sqlite3_db_filename(handle, b"main")
    main = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), None)
    if named is None or main is None or os.path.realpath(named.decode()) != os.path.realpath(main):
        return None
    return handle


def _cache_limit_bytes(conn: sqlite3.Connection) -> int:
    size = conn.execute("PRAGMA cache_size").fetchone()[0]
    return -size * 1024 if size < 0 else size * conn.execute("PRAGMA page_size").fetchone()[0]


def flush(conn: sqlite3.Connection, *, only_when_filling: bool = True) -> bool:
    """Write the changed pages of the connection's open transaction to the WAL (still uncommitted: a
    rollback undoes them). Call it between statements, never inside a savepoint opened after the pages were
    changed (they would be copied into its journal all the same). `only_when_filling`: only once the page
    cache holds FILLED_SHARE of what it may — a smaller write would not spill at all, and one that is then
    rolled back (a refused bundle) leaves the WAL file byte for byte as it was. Whether it was done."""
    library = _library()
    if library is None or not conn.in_transaction:
        return False
    handle = _handle(conn, library)
    if handle is None:
        return False
    if only_when_filling:
        used, highest = ctypes.c_int(0), ctypes.c_int(0)
        if library.sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_USED, ctypes.byref(used), ctypes.byref(highest),
                                     0) != SQLITE_OK or used.value < FILLED_SHARE * _cache_limit_bytes(conn):
            return False
    return library.sqlite3_db_cacheflush(handle) == SQLITE_OK
