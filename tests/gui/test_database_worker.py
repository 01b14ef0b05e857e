"""The database worker thread: results, errors, progress and cancel reach the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kaigo_desktop.gui.database_worker import DatabaseWorker
from kaigo_desktop.storage.errors import DatabaseMissingError


@pytest.fixture
def worker(db_path: Path):
    worker = DatabaseWorker(db_path, user="画面")
    worker.start()
    yield worker
    worker.stop()


def test_jobs_run_on_the_worker_thread_and_results_arrive_on_the_gui_thread(qtbot, worker) -> None:
    seen = {}

    def job(db, ctx):
        seen["thread"] = threading.current_thread().name
        return db.scalar("SELECT COUNT(*) FROM municipalities")

    with qtbot.waitCallback() as done:
        worker.submit(job, on_done=done)
    assert done.args == [62]
    assert seen["thread"] == "kaigo-database"


def test_errors_and_progress_are_delivered(qtbot, worker) -> None:
    progress = []

    def failing(db, ctx):
        ctx.progress(1, 2)
        raise ValueError("だめです")

    with qtbot.waitCallback() as failed:
        worker.submit(failing, on_error=failed, on_progress=lambda d, t: progress.append((d, t)))
    assert isinstance(failed.args[0], ValueError)
    assert progress == [(1, 2)]


def test_cancel_is_seen_by_the_running_job(qtbot, worker) -> None:
    started = threading.Event()

    def long_job(db, ctx):
        started.set()
        while not ctx.is_cancelled():
            threading.Event().wait(0.01)
        return "cancelled"

    with qtbot.waitCallback() as done:
        handle = worker.submit(long_job, on_done=done)
        assert started.wait(5)
        handle.cancel()
    assert done.args == ["cancelled"]


def test_a_database_that_cannot_be_opened_fails_every_job(qtbot, tmp_path: Path) -> None:
    worker = DatabaseWorker(tmp_path / "absent.sqlite3")
    with qtbot.waitSignal(worker.database_did_fail_to_open) as opened:
        worker.start()
    assert isinstance(opened.args[0], DatabaseMissingError)
    with qtbot.waitCallback() as failed:
        worker.submit(lambda db, ctx: 1, on_error=failed)
    assert isinstance(failed.args[0], DatabaseMissingError)
    worker.stop()


def test_a_worker_stopped_before_it_started_never_opens_the_file(db_path: Path) -> None:
    """The app starts the thread once the window has painted (gui/app.py Session.open); a window that let go of
    the database before that must not open it afterwards (it would hold the lock with nobody to release it)."""
    from kaigo_desktop.storage import lock

    worker = DatabaseWorker(db_path, user="画面")
    worker.stop()
    worker.start()
    assert not worker.started and not lock.lock_path(db_path).exists()
