"""Runs one exchange job (export, dry run, import) on the database thread behind a progress dialog whose
「中止」 raises inside the service's transaction, so a cancelled job writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QProgressDialog, QWidget

from kaigo_desktop.gui.cancellable_progress import cancellable_progress, close_progress
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.services.cancelling import Cancelled, Progress, progress_that_stops


def run_with_progress(parent: QWidget, context: AppContext, title: str, label: str,
                      work: Callable[[Any, Progress], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[BaseException], None]) -> QProgressDialog:
    """`work(db, progress)` runs on the database thread; on_done/on_error come back on the GUI thread after
    the progress dialog is closed. Returns the dialog (its cancel() is what 「中止」 does)."""
    dialog = cancellable_progress(parent, title, label)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def job(db: Any, job_ctx: Any) -> Any:
        if job_ctx.is_cancelled():
            raise Cancelled()
        return work(db, progress_that_stops(job_ctx.progress, job_ctx.is_cancelled))

    def show_progress(done: int, total: int) -> None:
        if not dialog.wasCanceled():
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, max(total, 1)))

    def done(result: Any) -> None:
        close_progress(dialog)
        on_done(result)

    def failed(error: BaseException) -> None:
        close_progress(dialog)
        on_error(error)

    handle = context.run(job, on_done=done, on_error=failed, on_progress=show_progress)
    # A lambda, not handle.cancel: PySide holds a bound method of a plain object weakly, and nothing else
    # keeps the handle alive.
    dialog.canceled.connect(lambda: handle.cancel())
    dialog.canceled.connect(lambda: dialog.setLabelText("中止しています…"))
    return dialog
