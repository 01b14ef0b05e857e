"""One way to run a change from the GUI (modelled on Anki's CollectionOp): an operation object runs its
function on the database thread, the window stays responsive (no nested event loop), and when it succeeds
the `Changes` it made are announced once through the context so every screen showing them refreshes.

    CollectionOp(self, self.context, lambda db, job: places_view.save_place(db, place),
                 changes=lambda saved: Changes.of("places", [saved.id])) \
        .success(self._saved).failure(self._show_errors).run_in_background()

Reads use `QueryOp` (no changes announced). A failure with no `failure` handler that is a user error
(bad input, a problem with the file) is shown in a message box; anything else is a bug and reaches the
application's exception hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

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

    def run_in_background(self) -> JobHandle:
        self.handle = self.context.run(self._op, on_done=self._done, on_error=self._failed,
                                       on_progress=self._progress)
        return self.handle

    def _done(self, result: T) -> None:
        if self._success is not None:
            self._success(result)

    def _failed(self, error: BaseException) -> None:
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
        changes = self._changes(result) if callable(self._changes) else self._changes
        if not changes.is_empty:
            self.context.announce(changes)
        super()._done(result)


def is_user_error(error: BaseException) -> bool:
    """Bad input or a problem with the database file: explained to the user. Anything else is a bug."""
    return isinstance(error, UserFacingError)
