"""The app paints its main window before the database thread opens the file (issue 17): started earlier, the
thread's open (a quick check of the whole file) and its queued jobs took the GUI thread's core and GIL before the
first paint. Every job still waits for the open and its check, so nothing reads or writes an unchecked file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from kaigo_desktop.gui.app import Session
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.services.overview import record_counts
from kaigo_desktop.storage import lock
from tests.gui.conftest import run_and_wait


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, worker) -> None:
        super().__init__()
        self.window, self.worker = window, worker
        self.worker_started_at_paint: bool | None = None

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if (self.worker_started_at_paint is None and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget) and watched.window() is self.window):
            self.worker_started_at_paint = self.worker.started
        return False


def test_the_window_paints_before_the_database_thread_opens_the_file(qtbot, qapp, db_path: Path,
                                                                     settings: UserSettings) -> None:
    session = Session(qapp, settings)
    window = session.open(db_path)
    qtbot.addWidget(window)
    worker = window.context.worker
    watcher = _FirstPaint(window, worker)
    qapp.installEventFilter(watcher)
    try:
        assert not worker.started and not lock.lock_path(db_path).exists()  # nothing before the event loop
        qtbot.waitUntil(lambda: watcher.worker_started_at_paint is not None, timeout=10_000)
        assert watcher.worker_started_at_paint is False
    finally:
        qapp.removeEventFilter(watcher)
    qtbot.waitUntil(lambda: worker.started, timeout=10_000)
    assert run_and_wait(qtbot, window.context, lambda db, _ctx: record_counts(db))["places"] >= 0
    assert lock.lock_path(db_path).exists()
    window.close()
