"""The output-file guard on its own, for what the CLI tests do not reach: SQLite's companion files of another
database, a folder where a file is meant, and a file the user agreed to replace."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kaigo_desktop.services.output_files import OutputRefused, check_output_path


def test_another_databases_wal_and_journal_are_refused_even_with_force(db, tmp_path: Path) -> None:
    other = tmp_path / "other" / "app.db"
    other.parent.mkdir()
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    wal = Path(f"{other}-wal")
    assert wal.stat().st_size > 0  # still open: the row lives in the -wal only
    copy = tmp_path / "wal-copy.bin"  # the same bytes under an innocent name
    copy.write_bytes(wal.read_bytes())
    journal = tmp_path / "old.db-journal.txt"
    journal.write_bytes(bytes.fromhex("d9d505f920a163d7") + b"\0" * 504)
    try:
        for path in (wal, copy, journal):
            before = path.read_bytes()
            with pytest.raises(OutputRefused, match="SQLite"):
                check_output_path(path, db, force=True)
            assert path.read_bytes() == before
    finally:
        conn.close()


def test_a_folder_is_not_a_file_and_a_plain_file_needs_force(db, tmp_path: Path) -> None:
    with pytest.raises(OutputRefused, match="フォルダ"):
        check_output_path(tmp_path, db, force=True)
    plain = tmp_path / "memo.pdf"
    plain.write_text("x", encoding="utf-8")
    with pytest.raises(OutputRefused, match="既にある"):
        check_output_path(plain, db, force=False)
    assert check_output_path(plain, db, force=True) == plain
    assert check_output_path(tmp_path / "new.pdf", db, force=False) == tmp_path / "new.pdf"
