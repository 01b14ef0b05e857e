"""Numbered migrations from db/: NNNN_name.sql (statements) or NNNN_name.py (a `migrate(conn, db_dir)`),
each applied in its own transaction and recorded in schema_migrations and PRAGMA user_version."""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kaigo_desktop.paths import db_dir as shipped_db_dir

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sql|py)$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def available_migrations(directory: Path | None = None) -> list[Migration]:
    directory = directory or shipped_db_dir()
    found = []
    for path in directory.iterdir():
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), path))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration numbers must run 1..N without gaps: {versions}")
    return found


def latest_version(directory: Path | None = None) -> int:
    return len(available_migrations(directory))


def split_statements(script: str) -> list[str]:
    """Split a script into complete statements (trigger bodies stay whole) so that each can run inside
    our own transaction; executescript() would commit first."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in pending.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement at the end: {pending[:80]!r}")
    return statements


def _run_python_migration(conn: sqlite3.Connection, migration: Migration) -> None:
    spec = importlib.util.spec_from_file_location(f"kaigo_migration_{migration.version}", migration.path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    module.migrate(conn, migration.path.parent)


def apply_migration(conn: sqlite3.Connection, migration: Migration) -> None:
    """One migration, all or nothing. `conn` must be in autocommit mode (isolation_level None)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if migration.path.suffix == ".sql":
            for statement in split_statements(migration.path.read_text(encoding="utf-8")):
                conn.execute(statement)
        else:
            _run_python_migration(conn, migration)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT"
        )
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (migration.version, migration.name, datetime.now(timezone.utc).isoformat(timespec="seconds")),
        )
        conn.execute(f"PRAGMA user_version = {int(migration.version)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def pending_migrations(conn: sqlite3.Connection, directory: Path | None = None) -> list[Migration]:
    current = schema_version(conn)
    return [m for m in available_migrations(directory) if m.version > current]
