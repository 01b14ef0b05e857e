"""Copies of a live database through SQLite's online backup API (never a raw copy of a WAL file)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path


def backup_database(source: sqlite3.Connection, destination: Path) -> Path:
    """Write a consistent copy to `destination` (via a temporary name, so a failed copy never looks
    finished) and verify it with integrity_check."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise RuntimeError(f"バックアップの検証に失敗しました: {result}")
    finally:
        target.close()
    partial.replace(destination)
    return destination


def timestamped_backup_path(database_path: Path, label: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return database_path.parent / "backups" / f"{database_path.stem}-{label}-{stamp}.sqlite3"
