"""The first-run dialog shown when there is no database yet: the person's name (更新者), then create a new
database for a 区市町村 (and its first 地域包括支援センター), open the demo database, or open an existing file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.gui import file_dialogs
from kaigo_desktop import APP_NAME
from kaigo_desktop.gui.widgets.elided_label import ElidedLabel
from kaigo_desktop.gui.widgets.type_ahead_combo import TypeAheadCombo
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.recorder import recorder_name
from kaigo_desktop.gui.user_name_dialog import NAME_LABEL, NAME_QUESTION, name_edit
from kaigo_desktop.services import masters_view
from kaigo_desktop.storage.errors import StorageError

DATABASE_FILTER = "Kaigo Desktop データベース (*.sqlite3 *.sqlite *.db);;すべてのファイル (*)"


class WelcomeDialog(QDialog):
    """After exec() == Accepted: `chosen_path` is the database to open, `user_name` the person's name (""
    when not given: only the demo may be opened without one); for a new database `defaults` holds the
    (区市町村 code, center id) it was set up for (kept in that database)."""

    def __init__(self, new_database_path: Path, demo_path: Path, prepare_demo: Callable[[Path], None],
                 user: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} へようこそ")
        self.new_database_path = new_database_path
        self.demo_path = demo_path
        self._prepare_demo = prepare_demo
        self.chosen_path: Path | None = None
        self.defaults: tuple[str, str] | None = None
        self.user_name = user

        name_question = QLabel(NAME_QUESTION)
        name_question.setWordWrap(True)
        self.name_edit = name_edit("welcome_user_name")
        self.name_edit.setText(user)
        name_form = QFormLayout()
        name_form.addRow(NAME_LABEL, self.name_edit)
        intro = QLabel("データベースがまだありません。はじめ方を選んでください。")
        intro.setWordWrap(True)
        self.new_choice = QRadioButton("新しいデータベースを作る（実際の記録を入力する）(&N)")
        self.demo_choice = QRadioButton("デモ用データベースを開く（架空のデータで操作を試す）(&D)")
        self.choices = QButtonGroup(self)
        self.choices.addButton(self.new_choice)
        self.choices.addButton(self.demo_choice)
        self.new_choice.setChecked(True)

        # Typing part of the name (八王子), its よみ (としま) or the code (131164 or 13116) finds it.
        self.municipality_combo = TypeAheadCombo(placeholder="名前・よみ・コードを入力するか一覧から選択")
        self.municipality_combo.setObjectName("welcome_municipality")
        self.municipality_combo.set_choices((m.code, m.name, m.kana, m.code)
                                            for m in masters_view.tokyo_municipalities())
        self.municipality_combo.value_did_change.connect(self._municipality_changed)
        self.center_edit = QLineEdit()
        self.center_edit.setObjectName("welcome_center")
        self.center_edit.setPlaceholderText("例: 本町地域包括支援センター（あとから追加もできます）")
        # A path has no place to wrap: its middle gives way to 「…」 when narrow (the whole path in the tool tip).
        self.path_label = ElidedLabel(str(new_database_path))
        self.path_label.setObjectName("welcome_path")
        # its whole length must not set the dialog's width (at 200 % it made the dialog wider than the screen)
        self.path_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        change_path = QPushButton("変更…")
        change_path.clicked.connect(self._choose_new_path)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_label, 1)
        path_row.addWidget(change_path)
        self.new_form = QWidget()
        form = QFormLayout(self.new_form)
        form.setContentsMargins(24, 0, 0, 0)
        form.addRow("区市町村(&M):", self.municipality_combo)
        form.addRow("地域包括支援センター（任意）(&C):", self.center_edit)
        form.addRow("保存場所:", path_row)

        self.error_label = QLabel("")
        self.error_label.setObjectName("welcome_error")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()

        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton("開始(&S)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setDefault(True)
        open_button = buttons.addButton("既存のファイルを開く(&O)…", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton("終了", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        open_button.clicked.connect(self._open_existing)

        layout = QVBoxLayout(self)
        layout.addWidget(name_question)
        layout.addLayout(name_form)
        layout.addWidget(intro)
        layout.addWidget(self.new_choice)
        layout.addWidget(self.new_form)
        layout.addWidget(self.demo_choice)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.new_choice.toggled.connect(self.new_form.setEnabled)
        # As tall as its contents need (the name question made it taller; at 200 % a fixed height cut the path).
        # As wide as about 46 characters of its text (room for a path), never wider than the screen.
        available = QGuiApplication.primaryScreen().availableGeometry().width() - 40
        width = min(available, max(620, self.fontMetrics().horizontalAdvance("あ") * 46))
        self.resize(width, self.heightForWidth(width) if self.hasHeightForWidth() else self.sizeHint().height())

    # ---- choices -------------------------------------------------------------------------------

    def selected_municipality(self) -> str | None:
        """The code of the 区市町村 the box names (typed or picked), None if it names none or several."""
        return self.municipality_combo.value()

    def select_municipality(self, code: str) -> None:
        self.municipality_combo.set_value(code)

    def _municipality_changed(self) -> None:
        if self.selected_municipality() is not None and self.error_label.isVisible():
            self.error_label.hide()  # the problem it named is solved: no red left beside a valid choice

    def _choose_new_path(self) -> None:
        path = file_dialogs.save_file(self, "新しいデータベースの保存場所", DATABASE_FILTER, self.new_database_path)
        if path:
            self.new_database_path = path
            self.path_label.setText(str(path))

    def _open_existing(self) -> None:
        if not self._checked_name(required=True):
            return
        path = file_dialogs.open_file(self, "データベースを開く", DATABASE_FILTER)
        if path:
            self.chosen_path = path
            super().accept()

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _checked_name(self, *, required: bool) -> bool:
        """The name typed, checked by the one rule; a new database is not made without it (its records would
        have no 更新者), the demo may be tried without."""
        text = self.name_edit.text()
        if not text.strip() and not required:
            return True
        try:
            self.user_name = recorder_name(text)
        except UserFacingError as error:
            self._fail(str(error))
            self.name_edit.setFocus()
            return False
        return True

    def accept(self) -> None:
        if not self._checked_name(required=not self.demo_choice.isChecked()):
            return
        if self.demo_choice.isChecked():
            try:
                self._busy(lambda: self._prepare_demo(self.demo_path))
            except (StorageError, OSError) as error:
                self._fail(f"デモ用データベースを用意できませんでした: {error}")
                return
            self.chosen_path = self.demo_path
            super().accept()
            return
        code = self.selected_municipality()
        if code is None:
            typed = self.municipality_combo.currentText().strip()
            found = self.municipality_combo.found_labels()
            listed = f"（{'、'.join(found[:5])}{' ほか' if len(found) > 5 else ''}）" if found else ""
            self._fail(f"「{typed}」に当てはまる区市町村が1つに決まりません{listed}。一覧から選んでください。" if typed
                       else "区市町村を一覧から選んでください（名前・よみ・コードでも探せます）。")
            self.municipality_combo.setFocus()
            return
        if self.new_database_path.exists():
            self._fail(f"ファイルが既にあります: {self.new_database_path}\n"
                       "「既存のファイルを開く」で開くか、保存場所を変更してください。")
            return
        try:
            self.defaults = self._busy(lambda: masters_view.create_database(
                self.new_database_path, code, self.center_edit.text(), user=self.user_name))
        except (StorageError, OSError) as error:
            self._fail(f"データベースを作成できませんでした: {error}")
            return
        self.chosen_path = self.new_database_path
        super().accept()

    @staticmethod
    def _busy(action: Callable[[], object]) -> object:
        # Creating a database takes well under a second (the demo about half a second): a wait cursor is enough.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return action()
        finally:
            QGuiApplication.restoreOverrideCursor()
