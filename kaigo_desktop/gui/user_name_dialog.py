"""The first-start question for the person's name (更新者), asked once when it is not known yet, so the
records entered from then on say who entered them."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kaigo_desktop import APP_NAME
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.recorder import recorder_name

NAME_QUESTION = (f"記録を入力する人の名前（{words.RECORDER}）を入力してください。保存した記録に"
                 f"「{words.UPDATED_BY}」として残ります。あとから「マスタ・設定」の「設定」で変えられます。")
NAME_LABEL = f"{words.RECORDER}(&A):"


def name_edit(object_name: str) -> QLineEdit:
    """The name field of the first-start question and the welcome dialog."""
    edit = QLineEdit()
    edit.setObjectName(object_name)
    edit.setPlaceholderText("例: 山田 花子")
    edit.setMaxLength(60)  # recorder_name says what is too long; this only stops a runaway paste
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("あ") * 16)
    return edit


class UserNameDialog(QDialog):
    """After exec() == Accepted, `name` is the checked name."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — {words.RECORDER}")
        self.name = ""
        question = QLabel(NAME_QUESTION)
        question.setWordWrap(True)
        self.name_edit = name_edit("first_start_user_name")
        self.error_label = QLabel("")
        self.error_label.setObjectName("first_start_error")
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(f"{words.SAVE}して開始(&S)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.addButton("あとで", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(NAME_LABEL, self.name_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.name_edit.textEdited.connect(lambda _text: self.error_label.hide())

    def accept(self) -> None:
        try:
            self.name = recorder_name(self.name_edit.text())
        except UserFacingError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            self.name_edit.setFocus()
            return
        super().accept()


def ask_user_name(parent: QWidget | None = None) -> str:
    """The name the person gave, "" when they chose 「あとで」 (asked again at the next start)."""
    dialog = UserNameDialog(parent)
    return dialog.name if dialog.exec() == QDialog.DialogCode.Accepted else ""
