"""What goes wrong with database files outside our code, made on purpose for the tests: a damaged page, a
program killed while it holds the file, a query SQLite refuses."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def damage_table(path: Path, table: str, out: Path | None = None) -> Path:
    """Scribble over the root page of `table`, as a failing disk or a bad copy would. Writes the damaged bytes
    to `out` (default: `path` itself) and returns where they went."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page
    data[start + 8:start + page - 8] = bytes((i * 37 + 11) % 256 for i in range(page - 16))
    out = out or path
    out.write_bytes(bytes(data))
    return out


def kill_once_ready(script: str, *args: str, ready: str) -> None:
    """Run `script` in another Python, wait until it prints `ready`, then kill it as a power cut would (no
    clean-up of its own runs)."""
    child = subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().strip() == ready
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    child.stdin.close()


def sqlite_error(path: Path, sql: str) -> sqlite3.DatabaseError:
    """The error SQLite itself raises running `sql` on the file at `path` (opened without our code)."""
    conn = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.DatabaseError) as caught:
            conn.execute(sql).fetchall()
    finally:
        conn.close()
    return caught.value
