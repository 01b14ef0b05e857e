"""Fixtures for the GUI tests: user settings on an ini file, and the bug dialog turned into a test failure."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from kaigo_desktop.gui import error_dialog
from kaigo_desktop.gui.context import UserSettings


@pytest.fixture
def settings(tmp_path: Path) -> UserSettings:
    return UserSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def bug_dialog_fails_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The app's exception hook installed as at start-up, but an error reaching the bug dialog fails the test
    instead of waiting for a click (e.g. a write that got through a read-only window, a restore that blew up)."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(error_dialog.ErrorDialog, "exec",
                        lambda self: pytest.fail(f"bug dialog: {self.details.toPlainText()}"))
    handlers = list(error_dialog.logger.handlers)
    error_dialog.install_exception_hook(tmp_path / "logs" / "kaigo-desktop.log")
    yield
    for handler in error_dialog.logger.handlers[:]:
        if handler not in handlers:
            handler.close()
            error_dialog.logger.removeHandler(handler)


def run_and_wait(qtbot, context, fn, timeout=10_000):
    """Run `fn(db, job)` on the context's database thread and wait for its result (tests only: the app never
    waits on the database thread)."""
    outcome = []
    context.run(fn, on_done=lambda result: outcome.append((True, result)),
                on_error=lambda error: outcome.append((False, error)))
    qtbot.waitUntil(lambda: outcome != [], timeout=timeout)
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


@pytest.fixture
def gui_context(db_path: Path, settings: UserSettings):
    """An AppContext on a real database file, its worker thread running (stopped after the test)."""
    from kaigo_desktop.gui.context import AppContext
    from kaigo_desktop.gui.database_worker import DatabaseWorker

    worker = DatabaseWorker(db_path, user="テスト")
    worker.start()
    yield AppContext(worker, settings)
    worker.stop()


def save_and_wait(qtbot, screen_or_form, timeout=10_000) -> bool:
    outcome = []
    screen_or_form.save(then=outcome.append)
    qtbot.waitUntil(lambda: outcome != [], timeout=timeout)
    return outcome[0]
