"""マスタ・設定 › 利用者: the administrator adds users (role, center or promoter, password), changes a role or
a password, and removes users. Every change runs through services/users.py, which checks the rights and the
rules (the first user an administrator, the last administrator kept) and says what it refused."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import roles
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, is_user_error
from kaigo_desktop.gui.screens.masters_common import MasterPage, MessageLine
from kaigo_desktop.services import users
from kaigo_desktop.services.changes import Changes

HEADERS = ("利用者名", "役割", "センター・推進員", "パスワード")


def password_field(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)  # IME off: typed as is
    edit.setPlaceholderText(placeholder)
    return edit


class UsersPage(MasterPage):
    title = "利用者"

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.data: users.UserPageData | None = None
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("users_table")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._selected)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("user_name")
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("user_role")
        for role in roles.ROLES:
            self.role_combo.addItem(roles.ROLE_LABELS[role], role)
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        self.center_combo = QComboBox()
        self.center_combo.setObjectName("user_center")
        self.promoter_combo = QComboBox()
        self.promoter_combo.setObjectName("user_promoter")
        self.password_edit = password_field("空ならパスワードなし")
        self.password_edit.setObjectName("user_password")
        self.repeat_edit = password_field("確認のためもう一度")
        self.repeat_edit.setObjectName("user_password_repeat")
        form = QFormLayout()
        form.addRow("利用者名", self.name_edit)
        form.addRow("役割", self.role_combo)
        form.addRow("センター（センター職員）", self.center_combo)
        form.addRow("推進員（推進員）", self.promoter_combo)
        form.addRow("パスワード", self.password_edit)
        form.addRow("パスワード（確認）", self.repeat_edit)
        self.add_button = QPushButton("追加")
        self.role_button = QPushButton("役割を変更")
        self.password_button = QPushButton("パスワードを設定")
        self.remove_button = QPushButton("削除")
        self.add_button.clicked.connect(self.add_user)
        self.role_button.clicked.connect(self.change_role)
        self.password_button.clicked.connect(self.set_password)
        self.remove_button.clicked.connect(self.remove_user)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.password_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = MessageLine()
        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.message)
        self._role_changed()
        self._selected()

    # ---- reading -------------------------------------------------------------------------------

    def load(self) -> None:
        QueryOp(self, self.context, lambda db, _job: users.page_data(db)).success(self._show).run_in_background()

    def _show(self, data: users.UserPageData) -> None:
        self.data = data
        self.loaded = True
        names = dict(data.centers) | dict(data.promoters)
        self.table.setRowCount(len(data.users))
        for row, user in enumerate(data.users):
            tied = names.get(user.center_id or user.promoter_id or "", "")
            for column, text in enumerate((user.name, user.role_label, tied, "あり" if user.has_password else "なし")):
                self.table.setItem(row, column, QTableWidgetItem(text))
        for combo, choices in ((self.center_combo, data.centers), (self.promoter_combo, data.promoters)):
            combo.clear()
            for choice_id, label in choices:
                combo.addItem(label, choice_id)
        self._selected()

    def selected_user(self) -> users.User | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.data is None:
            return None
        return self.data.users[rows[0].row()]

    def _selected(self) -> None:
        user = self.selected_user()
        for button in (self.role_button, self.password_button, self.remove_button):
            button.setEnabled(user is not None and not self.context.read_only)
        if user is not None:
            self.name_edit.setText(user.name)
            self.role_combo.setCurrentIndex(roles.ROLES.index(user.role))
            for combo, value in ((self.center_combo, user.center_id), (self.promoter_combo, user.promoter_id)):
                if value is not None:
                    combo.setCurrentIndex(max(0, combo.findData(value)))

    def _role_changed(self) -> None:
        role = self.role_combo.currentData()
        self.center_combo.setEnabled(role == roles.STAFF)
        self.promoter_combo.setEnabled(role == roles.PROMOTER)

    # ---- writing -------------------------------------------------------------------------------

    def _tie(self) -> dict[str, str | None]:
        role = self.role_combo.currentData()
        return {"center_id": self.center_combo.currentData() if role == roles.STAFF else None,
                "promoter_id": self.promoter_combo.currentData() if role == roles.PROMOTER else None}

    def _password(self) -> str | None:
        if self.password_edit.text() != self.repeat_edit.text():
            self.message.error("2回のパスワードが一致しません。")
            return None
        return self.password_edit.text()

    def _write(self, op, done: str) -> None:
        def succeeded(_result) -> None:
            self.password_edit.clear()
            self.repeat_edit.clear()
            self.message.done(done)
            self.load()

        def failed(error: BaseException) -> None:
            if not is_user_error(error):
                raise error
            self.message.error(str(error))

        CollectionOp(self, self.context, lambda db, _job: op(db), changes=Changes.of("users")) \
            .success(succeeded).failure(failed).disabling(*self.write_widgets()).run_in_background()

    def add_user(self) -> None:
        password = self._password()
        if password is None:
            return
        name, role, tie = self.name_edit.text(), self.role_combo.currentData(), self._tie()
        self._write(lambda db: users.add_user(db, name, role, password=password, **tie),
                    f"利用者を追加しました: {name.strip()}")

    def change_role(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        role, tie = self.role_combo.currentData(), self._tie()
        self._write(lambda db: users.change_role(db, user.name, role, **tie),
                    f"{user.name} の役割を{roles.ROLE_LABELS[role]}にしました。")

    def set_password(self) -> None:
        user, password = self.selected_user(), self._password()
        if user is None or password is None:
            return
        self._write(lambda db: users.set_password(db, user.name, password),
                    f"{user.name} のパスワードを{'設定しました' if password else 'なしにしました'}。")

    def remove_user(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        self._write(lambda db: users.remove_user(db, user.name), f"利用者を削除しました: {user.name}")

    def write_widgets(self) -> list[QWidget]:
        return [self.add_button, self.role_button, self.password_button, self.remove_button]
