"""Fixtures for the GUI tests: user settings on an ini file, and the bug dialog turned into a test failure."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget

from kaigo_desktop.gui import error_dialog
from kaigo_desktop.gui.context import UserSettings
from tests.gui.exchange_gui import folders, open_context, pcs  # noqa: F401  (fixtures of the exchange dialog tests)


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


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the information and warning boxes shown during the test (answered at once)."""
    shown: list[str] = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda _p, _t, text, *a, **k: shown.append(text))
    return shown


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
def start_context(settings: UserSettings):
    """Start an AppContext on a database file: `start_context(path, user=..., settings=..., readonly=...)`.
    Each call starts its own worker thread; all are stopped after the test."""
    from kaigo_desktop.gui.context import AppContext
    from kaigo_desktop.gui.database_worker import DatabaseWorker

    workers: list[DatabaseWorker] = []

    def start(path: Path, *, user: str = "テスト", settings: UserSettings = settings,
              readonly: bool = False) -> AppContext:
        worker = DatabaseWorker(path, user=user, readonly=readonly)
        worker.start()
        workers.append(worker)
        return AppContext(worker, settings)

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def gui_context(db_path: Path, start_context):
    """An AppContext on a real database file, its worker thread running (stopped after the test)."""
    return start_context(db_path)


def type_text(widget: QWidget, text: str, *, pause_ms: int = 0) -> None:
    """Type into a widget like a user: focus it, then one character at a time (qtbot.keyClicks cannot send
    non-ASCII text), optionally pausing between keys as a person does (events are processed meanwhile)."""
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier)
        if pause_ms:
            QTest.qWait(pause_ms)


def show_sized(qtbot, widget: QWidget, width: int, height: int) -> QWidget:
    """Show a widget at a window's size (closed with the test)."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    return widget


def open_records_screen(qtbot, screen_class, context, *, today):
    """A records screen (活動記録, 推進員) shown as in the window, its "today" fixed, once its reference data
    has loaded."""
    screen = screen_class(context)
    screen.today = lambda: today
    show_sized(qtbot, screen, 1100, 700)
    screen.activate()
    qtbot.waitUntil(lambda: screen.reference is not None)
    return screen


def save_and_wait(qtbot, screen_or_form, timeout=10_000) -> bool:
    outcome = []
    screen_or_form.save(then=outcome.append)
    qtbot.waitUntil(lambda: outcome != [], timeout=timeout)
    return outcome[0]
