"""A gatherings import writes each chunk on a helper thread while the next is read (services/background_write):
the inserts really run there, the reading never looks anything up in the database while a chunk is being
written (it waits), and the file stays all or nothing. Chunks are 4 rows here, and each write is slowed down
so that reading always catches up with it."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import importing_figures, records
from kaigo_desktop.services.background_write import BackgroundWrite
from kaigo_desktop.services.importing import import_file
from kaigo_desktop.storage import lookups, repository, rights_queries
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 6, 30)
CHIYODA = "131016"


@pytest.fixture(autouse=True)
def small_slow_chunks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Chunks of 4 rows, each write taking 50 ms more; the thread of every INSERT into gatherings is noted."""
    monkeypatch.setattr(importing_figures, "CHUNK_ROWS", 4)
    writing = threading.Event()
    original = repository.RowsLoad.write

    def slow_insert(*args, **kwargs) -> None:
        writing.set()
        try:
            time.sleep(0.05)
            original(*args, **kwargs)
        finally:
            writing.clear()

    monkeypatch.setattr(repository.RowsLoad, "write", slow_insert)

    def checked(read):
        def read_when_no_write_runs(*args, **kwargs):
            assert not writing.is_set(), f"{read.__name__} read the database while a chunk was being written"
            return read(*args, **kwargs)
        return read_when_no_write_runs

    for module, name in ((lookups, "promoter_ids_by_name"), (lookups, "is_live"),
                         (lookups, "record_municipality"), (rights_queries, "place_center")):
        monkeypatch.setattr(module, name, checked(getattr(module, name)))
    return []


def gatherings_file(tmp_path: Path, place: r.Place, promoters: list[r.Promoter], count: int) -> Path:
    """Each promoter first named (by name, then by id) a chunk or more into the file."""
    lines = ["通いの場ID,開催日,参加者数,推進員"]
    for i in range(count):
        promoter = promoters[(i // 6) % len(promoters)]
        named = promoter.name if i % 2 else promoter.id
        lines.append(f"{place.id},{date(2024, 5, 1) + timedelta(days=i)},{10 + i % 5},{named}")
    path = tmp_path / "in.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def place(database: Database) -> r.Place:
    return records.add(database, r.Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)


@pytest.fixture
def promoters(database: Database) -> list[r.Promoter]:
    return [records.add(database, r.Promoter(CHIYODA, f"推進員{i}", "保健師", date(2023, 4, 1)), today=TODAY)
            for i in range(5)]


def test_chunks_are_written_on_the_helper_thread_and_lookups_wait_for_them(
        database: Database, place: r.Place, promoters: list[r.Promoter], tmp_path: Path) -> None:
    threads: set[str] = set()
    database.conn.set_trace_callback(
        lambda sql: threads.add(threading.current_thread().name) if sql.startswith("INSERT INTO gatherings") else None)
    result = import_file(database, "gatherings", gatherings_file(tmp_path, place, promoters, 30), today=TODAY)
    database.conn.set_trace_callback(None)
    assert result.ok and result.added == 30, result.errors
    assert threads == {"kaigo-bulk-write"}
    assert database.scalar("SELECT COUNT(DISTINCT promoter_id) FROM gatherings") == 5
    assert database.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'gatherings'") == 30


def test_an_error_of_a_chunk_written_behind_refuses_the_file_and_the_helper_is_done_before_the_rollback(
        database: Database, place: r.Place, promoters: list[r.Promoter], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    slowed = repository.RowsLoad.write

    def fails_on_the_third(*args, **kwargs) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("the disk went away")
        slowed(*args, **kwargs)

    monkeypatch.setattr(repository.RowsLoad, "write", fails_on_the_third)
    stops = []
    original_stop = BackgroundWrite.stop
    monkeypatch.setattr(BackgroundWrite, "stop", lambda self: (stops.append(self._thread), original_stop(self)))
    with pytest.raises(OSError):
        import_file(database, "gatherings", gatherings_file(tmp_path, place, promoters, 30), today=TODAY)
    assert stops, "the helper was joined on the way out"
    assert database.scalar("SELECT COUNT(*) FROM gatherings") == 0
    assert not database.conn.in_transaction
