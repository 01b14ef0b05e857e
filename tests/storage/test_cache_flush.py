"""cache_flush.flush writes an open transaction's changed pages to the WAL without committing them, so the next
statement of a bulk write finds the cache clean and copies no earlier page into its journal. Checked on real
files: the WAL grows, nothing is visible to another connection, a rollback undoes it all, and a statement after
a flush writes (almost) no statement journal where one without it writes megabytes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from kaigo_desktop.storage import cache_flush
from kaigo_desktop.storage.connections import connect

linux_only = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd")


def _wal_file(tmp_path: Path) -> sqlite3.Connection:
    conn = connect(tmp_path / "bulk.sqlite3", isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)")
    # a foreign key and a trigger that may abort: each INSERT … SELECT keeps a statement journal
    conn.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents(id),"
                 " body TEXT NOT NULL CHECK (length(body) > 0))")
    conn.execute("CREATE TRIGGER rows_guard AFTER INSERT ON rows WHEN new.parent < 0"
                 " BEGIN SELECT RAISE(ABORT, 'no'); END")
    conn.execute("INSERT INTO parents (id) VALUES (1)")
    return conn


def _insert_batch(conn: sqlite3.Connection, rows: int = 2_000) -> None:
    conn.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
                 " INSERT INTO rows (parent, body) SELECT 1, printf('%.400c', 'x') FROM n", (rows,))


def _temp_file_bytes() -> int:
    """Bytes held by SQLite's temporary files (statement journals among them) open in this process."""
    total = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if "etilqs" in os.readlink(f"/proc/self/fd/{fd}"):
                total += os.fstat(int(fd)).st_size
        except OSError:
            continue
    return total


@pytest.mark.skipif(cache_flush._library() is None, reason="this Python's sqlite3 handle is not reachable")
def test_the_pages_go_to_the_wal_uncommitted_and_a_rollback_undoes_them(tmp_path: Path) -> None:
    conn = _wal_file(tmp_path)
    wal = tmp_path / "bulk.sqlite3-wal"
    conn.execute("BEGIN")
    _insert_batch(conn, 200)
    before = wal.stat().st_size
    assert not cache_flush.flush(conn), "a write far from filling the cache is left alone"
    assert wal.stat().st_size == before
    assert cache_flush.flush(conn, only_when_filling=False)
    assert wal.stat().st_size > before + 200 * 400, "the changed pages are in the WAL"
    other = connect(tmp_path / "bulk.sqlite3")
    assert other.execute("SELECT COUNT(*) FROM rows").fetchone()[0] == 0, "and not committed"
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT COUNT(*) FROM rows").fetchone()[0] == 0
    assert other.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    other.close()
    conn.close()


@linux_only
@pytest.mark.skipif(cache_flush._library() is None, reason="this Python's sqlite3 handle is not reachable")
@pytest.mark.parametrize("flushed", [False, True])
def test_a_statement_after_a_flush_copies_no_earlier_page_into_its_journal(tmp_path: Path, flushed: bool) -> None:
    conn = _wal_file(tmp_path)
    conn.execute("PRAGMA cache_size = -1024")  # 1 MiB: a batch of 2,000 rows (~0.9 MB) nearly fills it
    conn.execute("BEGIN")
    done = []
    for _ in range(6):
        if flushed:
            done.append(cache_flush.flush(conn))  # from the second batch on: the cache is filling
        _insert_batch(conn)
    journals = _temp_file_bytes()
    assert done == ([False] + [True] * 5 if flushed else [])
    conn.execute("COMMIT")
    assert conn.execute("SELECT COUNT(*) FROM rows").fetchone()[0] == 12_000
    if flushed:
        assert journals < 200_000, f"{journals:,} bytes of statement journal after flushing"
    else:  # the measurement itself: without the flush, earlier pages spilled mid-statement are copied first
        assert journals > 500_000, f"only {journals:,} bytes of statement journal without flushing"
    conn.close()


def test_nothing_is_done_outside_a_transaction_or_on_a_python_it_does_not_know(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _wal_file(tmp_path)
    assert not cache_flush.flush(conn), "no transaction open"
    cache_flush._library.cache_clear()
    monkeypatch.setattr(cache_flush, "SUPPORTED_PYTHONS", ())
    try:
        conn.execute("BEGIN")
        _insert_batch(conn, 10)
        assert not cache_flush.flush(conn, only_when_filling=False)
        assert conn.in_transaction
        conn.execute("COMMIT")
        assert conn.execute("SELECT COUNT(*) FROM rows").fetchone()[0] == 10
    finally:
        monkeypatch.undo()
        cache_flush._library.cache_clear()  # found again for the tests after this one
        conn.close()
