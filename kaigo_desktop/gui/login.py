"""Logging in to a database that has users (issue 13), and what the window lets the logged-in user do.

The login runs on the database thread (services/users.login sets the worker's Database.actor), so every
write the screens make afterwards is checked against that user in the services. The window shows who is
logged in in the status bar, offers ログアウト/利用者の切り替え, and disables what the user may not use, with
the reason (roles.refusal_message, the services' own words) as the tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop import APP_NAME
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.services import users



class LoginDialog(QDialog):
    """User name (a combo of the database's users) and password; OK logs in on the database thread. A wrong
    password or name is said in the dialog (one message for both), the password emptied for another try."""

    def __init__(self, context: AppContext, names: list[str], parent: QWidget | None = None, *,
                 preferred: str = ""):
        super().__init__(parent)
        self.context = context
        self.actor: roles.Actor | None = None
        self.setWindowTitle(f"{APP_NAME} — ログイン")
        self.setObjectName("login_dialog")
        intro = QLabel("このデータベースは利用者ごとに権限が決まっています。利用者名とパスワードを入力してください。")
        intro.setWordWrap(True)
        self.name_combo = QComboBox()
        self.name_combo.setObjectName("login_name")
        self.name_combo.addItems(names)
        if preferred in names:
            self.name_combo.setCurrentText(preferred)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("login_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        # IME off: a password is typed as is, never composed in かな
        self.password_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.password_edit.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
                                               | Qt.InputMethodHint.ImhNoPredictiveText)
        self.password_edit.setPlaceholderText("パスワードがない利用者は空のまま")
        self.error_label = QLabel("")
        self.error_label.setObjectName("login_error")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("利用者名", self.name_combo)
        form.addRow("パスワード", self.password_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("ログイン")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        self.buttons.accepted.connect(self.log_in)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addLayout(form)
        column.addWidget(self.error_label)
        column.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 30)
        self.password_edit.setFocus()

    def log_in(self) -> None:
        name, password = self.name_combo.currentText(), self.password_edit.text()
        self.buttons.setEnabled(False)
        self.error_label.setText("")
        self.context.run(lambda db, _job: users.login(db, name, password), on_done=self._logged_in,
                         on_error=self._refused)

    def _logged_in(self, actor: roles.Actor) -> None:
        self.actor = actor
        self.buttons.setEnabled(True)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if not isinstance(error, UserFacingError):
            raise error  # a bug: the exception hook shows it
        self.error_label.setText(str(error))
        self.password_edit.clear()
        self.password_edit.setFocus()


may_use = roles.may_use


def action_rights(window) -> list[tuple[QAction, str]]:
    """The window's menu commands and the action each needs."""
    return [(window.restore_action, roles.RESTORE),
            *((action, roles.EXCHANGE) for action in window.exchange_actions),
            *((action, roles.ADMINISTER) for action in window.merge_actions),
            (window.import_action, roles.WRITE_CENTER_RECORDS if window.context.actor.role == roles.STAFF
             else roles.WRITE_OWN_ACTIVITIES if window.context.actor.role == roles.PROMOTER else roles.ADMINISTER)]


def apply_rights(window) -> None:
    """Disable, with the reason as tooltip, what the logged-in user may not use: the menu commands above and
    the マスタ・設定 screen for anyone but an administrator; show who is logged in in the status bar."""
    actor = window.context.actor
    for action, needed in action_rights(window):
        allowed, reason = may_use(actor, needed)
        if not window.context.read_only:  # a read-only window has already disabled them, with its reason
            action.setEnabled(allowed)
            action.setToolTip(reason)
            action.setStatusTip(reason)
    # マスタ・設定 opens for everyone: its tabs are allowed one by one (MastersScreen.apply_rights).
    for screen in window.built_screens():
        if hasattr(screen, "apply_rights"):
            screen.apply_rights(actor)
    window.actor_label.setText(users.describe(actor) if window.context.has_users else "")
    window.actor_label.setVisible(window.context.has_users)
    window.switch_user_action.setVisible(window.context.has_users)


def start(window) -> None:
    """On a new window: find out on the database thread whether the database has users; if so, ask for a
    login before the window can be used (closing it when the user cancels)."""
    def known(has_users: bool) -> None:
        window.context.has_users = has_users
        if has_users:
            ask(window)
        else:
            apply_rights(window)

    window.context.run(lambda db, _job: users.has_users(db), on_done=known,
                       on_error=lambda _error: None)  # a file that did not open is explained elsewhere


def ask(window) -> None:
    """The login dialog over the window (the window itself unusable meanwhile); cancel closes the window."""
    window.centralWidget().setEnabled(False)
    window.menuBar().setEnabled(False)

    def with_names(names: list[str]) -> None:
        dialog = LoginDialog(window.context, names, window, preferred=window.context.settings.user_name)
        window.login_dialog = dialog
        dialog.finished.connect(lambda _result: answered(dialog))
        dialog.open()

    def answered(dialog: LoginDialog) -> None:
        window.login_dialog = None
        if dialog.actor is None:
            window.close()
            return
        window.context.actor = dialog.actor
        window.context.settings.user_name = dialog.actor.name
        window.centralWidget().setEnabled(True)
        window.menuBar().setEnabled(True)
        apply_rights(window)
        window.context.status_did_change.emit(f"{users.describe(dialog.actor)}としてログインしました")

    window.context.run(lambda db, _job: [u.name for u in users.list_users(db)], on_done=with_names)


def switch_user(window) -> None:
    """ログアウト/利用者の切り替え: unsaved edits first (the user may stay), then logged out on the database
    thread and asked for a login again."""
    def logged_out(_result: object) -> None:
        window.context.actor = roles.NOBODY
        apply_rights(window)
        ask(window)

    def go() -> None:
        window.context.run(lambda db, _job: users.logout(db), on_done=logged_out)

    if window.leave_then(go):
        go()
