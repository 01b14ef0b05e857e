"""A bundle import writes each chunk's new rows, and the sender's audit entries, on a helper thread while the
next chunk is read and checked (exchange._WritesBehind): the writes really run there, nothing reads the
database while one runs, the result is the same as before, and an error of a write — or of the reading while
a write runs — refuses the whole bundle, with the helper done before the rollback. Chunks are a few rows here,
and each write is slowed down so that the reading always catches up with it."""

from __future__ import annotations

import threading
import time

import pytest

from kaigo_desktop.services import bundle_content, bundle_format, received_rows
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.services.incoming_rows import ListRows
from kaigo_desktop.storage import audit_log, lookups
from kaigo_desktop.storage import exchange_queries as q
from tests.exchange.test_bundle_streaming import GATHERINGS, _many_gatherings, _tables_here
from tests.exchange.test_exchange import pcs, rewrite_bundle  # noqa: F401

HELPER = "kaigo-bulk-write"


@pytest.fixture
def writing(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Small chunks; each write of new rows or of audit entries takes 30 ms more and is marked while it runs;
    the database reads of an import fail the test when they run during a write."""
    monkeypatch.setattr(bundle_format, "_CHUNK", 512)
    monkeypatch.setattr(bundle_content, "_BATCH_BYTES", 700)
    monkeypatch.setattr(ex, "_CHUNK", 5)
    busy = threading.Event()

    def slowed(write):
        def slow_write(*args, **kwargs):
            busy.set()
            try:
                time.sleep(0.03)
                return write(*args, **kwargs)
            finally:
                busy.clear()
        return slow_write

    monkeypatch.setattr(q, "insert_received", slowed(q.insert_received))
    monkeypatch.setattr(audit_log, "keep_received", slowed(audit_log.keep_received))

    def checked(read):
        def read_when_no_write_runs(*args, **kwargs):
            assert not _helper_running(), f"{read.__name__} read the database while a write ran"
            return read(*args, **kwargs)
        return read_when_no_write_runs

    for module, name in ((q, "rows_by_id"), (q, "bases"), (q, "open_conflict_row_ids"), (q, "open_conflicts_of"),
                         (lookups, "municipality"), (lookups, "vocabulary")):
        monkeypatch.setattr(module, name, checked(getattr(module, name)))
    return busy


def test_new_rows_and_audit_entries_are_written_on_the_helper_while_the_next_chunk_is_checked(
        pcs, tmp_path, writing, monkeypatch) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    checked_during_a_write = []
    check = received_rows.problems_of_received
    monkeypatch.setattr(received_rows, "problems_of_received", lambda *args: (
        checked_during_a_write.append(_helper_running()), check(*args))[1])
    threads: dict[str, set[str]] = {}

    def note(sql: str) -> None:
        for start in ("INSERT INTO gatherings", "INSERT OR IGNORE INTO audit_received"):
            if sql.startswith(start):
                threads.setdefault(start, set()).add(threading.current_thread().name)

    b.conn.set_trace_callback(note)
    summary = ex.import_bundle(b, path)
    b.conn.set_trace_callback(None)
    assert (summary.added, summary.conflicts, summary.invalid) == (GATHERINGS + 1, 0, 0)
    assert threads == {"INSERT INTO gatherings": {HELPER}, "INSERT OR IGNORE INTO audit_received": {HELPER}}
    assert any(checked_during_a_write), "the checks of a chunk overlapped the write of the one before"
    assert b.scalar("SELECT COUNT(*) FROM gatherings") == GATHERINGS
    assert b.scalar("SELECT COUNT(*) FROM exchange_base WHERE table_name = 'gatherings'") == GATHERINGS
    # every entry of the sender about these records, kept once, as it came
    sent = a.scalar("SELECT COUNT(*) FROM audit_log WHERE record_id IN (SELECT id FROM gatherings)"
                    " OR record_id IN (SELECT id FROM places)")
    assert sent > GATHERINGS and b.scalar("SELECT COUNT(*) FROM audit_received") == sent
    assert b.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'gatherings'") == GATHERINGS
    assert ex.import_bundle(b, path).already_imported


def _helper_running() -> bool:
    return any(t.name == HELPER for t in threading.enumerate())


def _helper_alive_at_rollback(db) -> list[bool]:
    """For every ROLLBACK the connection runs: whether the helper thread was still running then."""
    seen: list[bool] = []
    db.conn.set_trace_callback(lambda sql: seen.append(_helper_running())
                               if sql.startswith("ROLLBACK") and "SAVEPOINT" not in sql else None)
    return seen


def test_a_failing_write_of_a_late_chunk_refuses_the_bundle_after_the_helper_is_done(
        pcs, tmp_path, writing, monkeypatch) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    calls = []
    insert = q.insert_received

    def fails_on_the_fifth(*args, **kwargs) -> None:
        calls.append(threading.current_thread().name)
        if len(calls) == 5:
            raise OSError("the disk went away")
        insert(*args, **kwargs)

    monkeypatch.setattr(q, "insert_received", fails_on_the_fifth)
    before = _tables_here(b)
    rollbacks = _helper_alive_at_rollback(b)
    with pytest.raises(OSError, match="the disk went away"):
        ex.import_bundle(b, path)
    b.conn.set_trace_callback(None)
    assert len(calls) == 5 and set(calls) == {HELPER}
    assert rollbacks == [False]
    assert _tables_here(b) == before and not b.conn.in_transaction
    monkeypatch.setattr(q, "insert_received", insert)
    assert ex.import_bundle(b, path).added == GATHERINGS + 1  # the bundle itself is fine


def test_a_bad_row_read_while_a_chunk_is_written_refuses_the_bundle_after_the_helper_is_done(
        pcs, tmp_path, writing) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    bad = rewrite_bundle(a, path, tmp_path / "bad.kaigo",
                         lambda h, c: c["tables"]["gatherings"]["rows"][-1].__setitem__(1, {"x": 1}))
    before = _tables_here(b)
    rollbacks = _helper_alive_at_rollback(b)
    with pytest.raises(ex.BundleError):
        ex.import_bundle(b, bad)
    b.conn.set_trace_callback(None)
    assert rollbacks == [False]
    assert _tables_here(b) == before and not b.conn.in_transaction


def test_a_cancel_rolls_everything_back(pcs, tmp_path, writing) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    before = _tables_here(b)

    def cancel_late(done: int, total: int) -> None:
        if done >= GATHERINGS // 2:
            raise KeyboardInterrupt

    rollbacks = _helper_alive_at_rollback(b)
    with pytest.raises(KeyboardInterrupt):
        ex.import_bundle(b, path, progress=cancel_late)
    b.conn.set_trace_callback(None)
    assert rollbacks == [False]
    assert _tables_here(b) == before and not b.conn.in_transaction


def test_rows_whose_rules_read_the_database_are_checked_after_the_write() -> None:
    place = {"id": "0" * 36, "municipality_code": "131016", "name": "ひまわり会", "created_at": "2024-01-01",
             "updated_at": "2024-01-01", "origin_db": "x", "deleted_at": None, "updated_by": "", "_ancestors": []}
    answers = received_rows.RuleAnswers()
    # its municipality code is looked up
    assert ex._problems_meanwhile("places", ListRows(list(place), [list(place.values())]), answers) is None
    gathering = {"id": "1" * 36, "place_id": "0" * 36, "held_on": "2024-05-01", "attendance_total": 10,
                 "created_at": "2024-01-01", "updated_at": "2024-01-01", "origin_db": "x", "deleted_at": None,
                 "updated_by": "", "_ancestors": []}
    rows = [gathering, {**gathering, "attendance_total": -1}]
    chunk = ListRows(list(gathering), [list(row.values()) for row in rows])
    assert ex._problems_meanwhile("gatherings", chunk, answers) == {
        1: received_rows.problems_of_rows(None, "gatherings", [{**gathering, "attendance_total": -1}])[0]}


def test_deleted_and_live_rows_of_one_chunk_are_written_one_group_after_the_other(
        pcs, tmp_path, writing) -> None:  # noqa: F811
    """A chunk's deletions go first (their write runs behind), then its live rows, read only once it is in."""
    a, b, _ = pcs

    def delete_every_third(header, content) -> None:
        block = content["tables"]["gatherings"]
        deleted_at, updated_at = block["columns"].index("deleted_at"), block["columns"].index("updated_at")
        for row in block["rows"][::3]:
            row[deleted_at] = row[updated_at]

    path = rewrite_bundle(a, _many_gatherings(a, tmp_path), tmp_path / "some-deleted.kaigo", delete_every_third)
    summary = ex.import_bundle(b, path)
    gone = len(range(0, GATHERINGS, 3))
    assert (summary.added, summary.deleted) == (GATHERINGS + 1 - gone, gone)
    assert b.scalar("SELECT COUNT(*) FROM gatherings WHERE deleted_at IS NOT NULL") == gone
