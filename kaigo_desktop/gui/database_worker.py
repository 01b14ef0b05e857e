"""The one thread that owns the database connection. Screens submit jobs (plain functions of the open
database); results, errors and progress come back to the GUI thread by signal."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from kaigo_desktop.storage.database import Database


@dataclass
class JobContext:
    """Given to every job: report progress, and see whether the user asked to cancel."""

    _cancel: threading.Event
    _progress: Callable[[int, int], None]

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int) -> None:
        self._progress(done, total)


@dataclass
class _Job:
    id: int
    fn: Callable[[Database, JobContext], Any]
    cancel: threading.Event = field(default_factory=threading.Event)


class JobHandle:
    def __init__(self, job: _Job):
        self._job = job

    @property
    def id(self) -> int:
        return self._job.id

    def cancel(self) -> None:
        self._job.cancel.set()


class DatabaseWorker(QObject):
    """Jobs run one after another, in submission order, on the worker thread."""

    job_did_finish = Signal(int, object)
    job_did_fail = Signal(int, object)
    job_did_progress = Signal(int, int, int)
    database_did_open = Signal(object)  # the Database's path
    database_did_fail_to_open = Signal(object)  # the exception

    def __init__(self, db_path: Path, user: str = "", parent: QObject | None = None, *, readonly: bool = False):
        super().__init__(parent)
        self._db_path = db_path
        self._user = user
        self.readonly = readonly  # opened without the writer's lock: another program may be writing it
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None, Callable | None]] = {}
        self._thread = threading.Thread(target=self._run, name="kaigo-database", daemon=True)
        self._stopped = False
        self.job_did_finish.connect(self._deliver_result)
        self.job_did_fail.connect(self._deliver_error)
        self.job_did_progress.connect(self._deliver_progress)

    def start(self) -> None:
        """Start the thread, once; never after stop() (a start put off until the window painted may come after
        the window already let go of the database: the file is then not opened at all)."""
        if not self._stopped and not self.started:
            self._thread.start()

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the queued jobs, close the database and end the thread."""
        self._stopped = True
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def submit(
        self,
        fn: Callable[[Database, JobContext], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> JobHandle:
        job = _Job(next(self._ids), fn)
        self._callbacks[job.id] = (on_done, on_error, on_progress)
        self._queue.put(job)
        return JobHandle(job)

    # ---- worker thread -------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            db = Database.open(self._db_path, user=self._user, readonly=self.readonly)
        except BaseException as error:  # noqa: BLE001 - reported to the GUI, which explains it
            self.database_did_fail_to_open.emit(error)
            self._drain_after_failure(error)
            return
        self.database_did_open.emit(self._db_path)
        try:
            while (job := self._queue.get()) is not None:
                context = JobContext(job.cancel, lambda done, total, i=job.id: self.job_did_progress.emit(i, done, total))
                try:
                    result = job.fn(db, context)
                except BaseException as error:  # noqa: BLE001 - every failure goes back to the GUI
                    self.job_did_fail.emit(job.id, error)
                else:
                    self.job_did_finish.emit(job.id, result)
        finally:
            db.close()

    def _drain_after_failure(self, error: BaseException) -> None:
        while (job := self._queue.get()) is not None:
            self.job_did_fail.emit(job.id, error)

    # ---- GUI thread ----------------------------------------------------------------------------

    def _deliver_result(self, job_id: int, result: object) -> None:
        on_done, _, _ = self._callbacks.pop(job_id, (None, None, None))
        if on_done:
            on_done(result)

    def _deliver_error(self, job_id: int, error: object) -> None:
        _, on_error, _ = self._callbacks.pop(job_id, (None, None, None))
        if on_error:
            on_error(error)
        else:
            raise error  # type: ignore[misc]  # reaches the application's exception hook

    def _deliver_progress(self, job_id: int, done: int, total: int) -> None:
        _, _, on_progress = self._callbacks.get(job_id, (None, None, None))
        if on_progress:
            on_progress(done, total)
