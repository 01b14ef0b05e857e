"""Message boxes of the record screens: confirming a deletion (to the trash), explaining a failed write."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.operations import is_user_error


def confirm_delete(parent: QWidget, what: str, *, detail: str = "") -> bool:
    """「{what}をごみ箱へ移しますか？」 with 「いいえ」 as the default; `what` names the record, `detail` (a paragraph
    after the question) what goes with it."""
    answer = QMessageBox.question(
        parent, words.MOVE_TO_TRASH, words.trash_question(what) + (f"\n\n{detail}" if detail else ""),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def show_write_error(parent: QWidget, title: str, error: BaseException) -> None:
    if not is_user_error(error):
        raise error
    QMessageBox.warning(parent, title, str(error))
