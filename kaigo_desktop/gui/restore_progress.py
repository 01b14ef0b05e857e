"""Restoring a backup off the GUI thread: a thread of its own runs the restore while a QProgressDialog shows
how far it got and can cancel it; the caller waits in a local event loop, so windows keep painting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, QThread, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.services.backups import CopyCancelled, RestoreResult, RestoreStep, restore_backup

STEPS = 1000  # the bar's resolution: RestoreStep counts KiB, which overflow Qt's int past 2 TB


@dataclass
class RestoreOutcome:
    """What became of a restore: done (`result`), failed (`error`, the file unchanged) or cancelled."""

    result: RestoreResult | None = None
    error: BaseException | None = None
    cancelled: bool = False


class RestoreThread(QThread):
    """Runs `before` (closing the database), then the restore. It touches files only, never a connection
    another thread owns; `step_did_change` carries its RestoreSteps to the GUI thread."""

    step_did_change = Signal(object)

    def __init__(self, db_path: Path, backup_path: Path, before: Callable[[], None] | None = None,
                 user: str = ""):
        super().__init__()
        self.user = user  # named in the restored file's audit trail
        self.db_path = Path(db_path)
        self.backup_path = Path(backup_path)
        self.before = before
        self.outcome = RestoreOutcome()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            if self.before is not None:
                self.before()
            self.outcome.result = restore_backup(self.db_path, self.backup_path, progress=self.step_did_change.emit,
                                                 cancelled=self.is_cancelled, user=self.user)
        except CopyCancelled:
            self.outcome.cancelled = True
        except BaseException as error:  # noqa: BLE001 - handed to the GUI thread, which explains it
            self.outcome.error = error


class RestoreProgressDialog(QProgressDialog):
    """Stays up until the restore has really ended: キャンセル (or Esc, or closing it) only asks the thread to
    stop, since the window behind must not be used while the database is closed."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("復元の準備をしています…", words.CANCEL, 0, STEPS, parent)
        self.setObjectName("restore_progress")
        self.setWindowTitle("バックアップから復元")
        self.setWindowModality(Qt.WindowModality.WindowModal if parent is not None
                               else Qt.WindowModality.ApplicationModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 28)
        self.canceled.disconnect(self.cancel)  # QProgressDialog would hide itself at once
        self.canceled.connect(self._ask_to_cancel)
        self.setValue(0)

    def show_step(self, step: RestoreStep) -> None:
        if self.cancel_was_requested():
            return  # keep saying that it is stopping
        self.setLabelText(step.text)
        self.setValue(step.done * STEPS // max(1, step.total))
        if not step.can_cancel:
            self.setCancelButtonText("")  # the last stage is one rename: it can no longer be stopped
            self.setCancelButton(None)

    def cancel_was_requested(self) -> bool:
        return bool(self.property("cancel_requested"))

    def _ask_to_cancel(self) -> None:
        if self.cancel_was_requested():
            return
        self.setProperty("cancel_requested", True)
        self.setLabelText("取り消しています。元のデータベースはそのまま残ります…")
        self.cancel_requested.emit()

    def reject(self) -> None:  # Esc
        self._ask_to_cancel()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        event.ignore()
        self._ask_to_cancel()


def run_restore(parent: QWidget | None, db_path: Path, backup_path: Path, *,
                before: Callable[[], None] | None = None, user: str = "") -> RestoreOutcome:
    """Restore `backup_path` over `db_path` with a progress dialog (modal over `parent`), waiting in a local
    event loop until the thread has ended. `before` runs first on that thread: the caller's way of closing
    the database, so that the GUI never waits for it."""
    thread = RestoreThread(db_path, backup_path, before, user)
    dialog = RestoreProgressDialog(parent)
    thread.step_did_change.connect(dialog.show_step)
    dialog.cancel_requested.connect(thread.cancel)
    loop = QEventLoop()
    thread.finished.connect(loop.quit)
    dialog.show()
    thread.start()
    loop.exec()  # user input reaches only the dialog: it is modal
    thread.wait()
    dialog.hide()
    dialog.deleteLater()
    thread.deleteLater()
    return thread.outcome
