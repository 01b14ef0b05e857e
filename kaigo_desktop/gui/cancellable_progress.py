"""The progress dialog of a long job on the database thread whose 「中止」 cancels it (import, report, exchange):
made and taken down one way."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget


def cancellable_progress(parent: QWidget | None, title: str, label: str) -> QProgressDialog:
    """Window-modal, busy (no maximum yet), shown only when the job takes longer than 0.3 s."""
    dialog = QProgressDialog(label, "中止", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    return dialog


def close_progress(dialog: QProgressDialog) -> None:
    """The job has ended: 「中止」 no longer reaches it; the dialog goes away."""
    dialog.canceled.disconnect()
    dialog.close()
    dialog.deleteLater()
