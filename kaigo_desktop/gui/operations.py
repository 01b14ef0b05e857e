"""One way to run a change from the GUI (modelled on Anki's CollectionOp): an operation object runs its
function on the database thread, the window stays responsive (no nested event loop), and when it succeeds
the `Changes` it made are announced once through the context so every screen showing them refreshes.

    CollectionOp(self, self.context, lambda db, job: places_view.save_place(db, place),
                 changes=lambda saved: Changes.of("places", [saved.id])) \
        .success(self._saved).failure(self._show_errors).run_in_background()

`.disabling(button, …)` keeps the widgets that would start another write disabled until the operation ends
(no double submit); `.showing_progress("…")` puts up a busy dialog when the operation takes longer than a
moment. Reads use `QueryOp` (no changes announced). A failure with no `failure` handler that is a user error
(bad input, a problem with the file) is shown in a message box; anything else is a bug and reaches the
application's exception hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressDialog, QWidget

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.database_worker import JobContext, JobHandle
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.storage.database import Database

T = TypeVar("T")


class QueryOp(Generic[T]):
    """Read something on the database thread and hand it to `success` on the GUI thread."""

    def __init__(self, parent: QWidget | None, context: AppContext, op: Callable[[Database, JobContext], T]):
        self.parent = parent
        self.context = context
        self._op = op
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[BaseException], Any] | None = None
        self._progress: Callable[[int, int], Any] | None = None
        self._disabled: list[QWidget] = []
        self._held: list[QWidget] = []
        self._progress_label = ""
        self._progress_dialog: QProgressDialog | None = None
        self.handle: JobHandle | None = None

    def success(self, fn: Callable[[T], Any]) -> QueryOp[T]:
        self._success = fn
        return self

    def failure(self, fn: Callable[[BaseException], Any]) -> QueryOp[T]:
        self._failure = fn
        return self

    def with_progress(self, fn: Callable[[int, int], Any]) -> QueryOp[T]:
        self._progress = fn
        return self

    def disabling(self, *widgets: QWidget) -> QueryOp[T]:
        """Disable `widgets` while the operation runs; each gets back the enabled state it had."""
        self._disabled.extend(widgets)
        return self

    def showing_progress(self, label: str) -> QueryOp[T]:
        """A busy dialog with `label` over the parent if the operation is still running after a moment."""
        self._progress_label = label
        return self

    def run_in_background(self) -> JobHandle:
        self._held = list(self._disabled)
        for widget in self._held:
            _hold(widget)
        if self._progress_label:
            self._progress_dialog = _busy_dialog(self.parent, self._progress_label)
        self.handle = self.context.run(self._op, on_done=self._done, on_error=self._failed,
                                       on_progress=self._show_progress)
        return self.handle

    def _show_progress(self, done: int, total: int) -> None:
        if self._progress_dialog is not None and total > 0:
            self._progress_dialog.setMaximum(total)
            self._progress_dialog.setValue(min(done, total))
        if self._progress is not None:
            self._progress(done, total)

    def _ended(self) -> None:
        """Before any callback: the widgets come back (the callback may then change them again)."""
        held, self._held = self._held, []
        for widget in held:
            if shiboken6.isValid(widget):  # its dialog may have been closed meanwhile
                _release(widget)
        dialog, self._progress_dialog = self._progress_dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.close()
            dialog.deleteLater()

    def _parent_gone(self) -> bool:
        """The dialog that started the operation was closed meanwhile: nobody is left to show the result to."""
        return self.parent is not None and not shiboken6.isValid(self.parent)

    def _done(self, result: T) -> None:
        self._ended()
        if self._success is not None and not self._parent_gone():
            self._success(result)

    def _failed(self, error: BaseException) -> None:
        self._ended()
        if self._parent_gone():
            if is_user_error(error):
                return  # explained to nobody: the window that asked is closed
            raise error
        if self._failure is not None:
            self._failure(error)
        elif is_user_error(error):
            QMessageBox.warning(self.parent, "エラー", str(error))
        else:
            raise error


class CollectionOp(QueryOp[T]):
    """Write on the database thread; on success announce what changed, then call `success`.
    `changes` is a fixed `Changes` or a function of the result (e.g. the saved record's id)."""

    def __init__(self, parent: QWidget | None, context: AppContext, op: Callable[[Database, JobContext], T], *,
                 changes: Changes | Callable[[T], Changes]):
        super().__init__(parent, context, op)
        self._changes = changes

    def _done(self, result: T) -> None:
        self._ended()
        changes = self._changes(result) if callable(self._changes) else self._changes
        if not changes.is_empty:
            self.context.announce(changes)
        super()._done(result)


Then = Callable[[bool], None]  # told once an asynchronous save or leave is settled: True = done, go on


def finish(then: Then | None, ok: bool) -> None:
    """Tell the caller of an asynchronous save how it ended (nobody may be waiting)."""
    if then is not None:
        then(ok)


def is_user_error(error: BaseException) -> bool:
    """Bad input or a problem with the database file: explained to the user. Anything else is a bug."""
    return isinstance(error, UserFacingError)


def read_failure_on(label: QLabel) -> Callable[[BaseException], None]:
    """The failure handler of a screen's read: a problem of the user's (is_user_error) said on `label`
    (「読み込めませんでした：…」); anything else raised, a bug for the application's exception hook."""
    def failed(error: BaseException) -> None:
        if not is_user_error(error):
            raise error
        label.setText(f"読み込めませんでした：{error}")
    return failed


# Two operations may hold the same widget (an end date saved, then an assignment added at once): the widget
# gets back the state it had before the first, when the last one ends.
_HOLDS = "kaigo_operation_holds"
_ENABLED_BEFORE = "kaigo_enabled_before_operations"


def _hold(widget: QWidget) -> None:
    holds = widget.property(_HOLDS) or 0
    if holds == 0:
        widget.setProperty(_ENABLED_BEFORE, widget.isEnabled())
    widget.setProperty(_HOLDS, holds + 1)
    widget.setEnabled(False)


def _release(widget: QWidget) -> None:
    holds = (widget.property(_HOLDS) or 1) - 1
    widget.setProperty(_HOLDS, holds)
    if holds == 0:
        widget.setEnabled(bool(widget.property(_ENABLED_BEFORE)))


def _busy_dialog(parent: QWidget | None, label: str) -> QProgressDialog:
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setCancelButton(None)  # a write that has started finishes: its transaction is short or has its own 中止
    dialog.setWindowTitle("処理中")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(500)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    return dialog
