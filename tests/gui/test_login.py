"""Logging in in the GUI (issue 13): the login dialog only when the database has users, a wrong password
refused in the dialog, the logged-in user in the status bar, and what they may not use disabled with why."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.records import Center, Place
from kaigo_desktop.gui.app import Session
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.main_window import SCREENS
from kaigo_desktop.services import records, users
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait

SHOTS = Path("/tmp/shots/users")
MASTERS = next(i for i, (title, _m, _n) in enumerate(SCREENS) if title == "マスタ・設定")


@pytest.fixture(autouse=True)
def no_bug_dialogs(bug_dialog_fails_test):
    """A refused write that reached the exception hook would fail the test."""


@pytest.fixture
def with_users(db_path: Path) -> Path:
    with Database.open(db_path, user="設定者") as db:
        center = records.add(db, Center("131016", "神田センター"))
        other = records.add(db, Center("131016", "麹町センター"))
        records.add(db, Place("131016", "神田のさくら会", center_id=center.id))
        records.add(db, Place("131016", "麹町のひまわり会", center_id=other.id))
        users.add_user(db, "田中", roles.ADMIN, password="kanri")
        users.add_user(db, "鈴木", roles.STAFF, center_id=center.id, password="suzuki")
    return db_path


def place_id(path: Path, name: str) -> str:
    with Database.open(path, readonly=True) as db:
        return db.scalar("SELECT id FROM places WHERE name = ?", (name,))


def open_window(qtbot, qapp, path: Path, settings: UserSettings):
    session = Session(qapp, settings)
    window = session.open(path)
    qtbot.addWidget(window)
    run_and_wait(qtbot, window.context, lambda db, _c: None)
    return window


def login_dialog(qtbot, window):
    qtbot.waitUntil(lambda: window.login_dialog is not None and window.login_dialog.isVisible(), timeout=10_000)
    return window.login_dialog


def log_in(qtbot, dialog, name: str, password: str) -> None:
    dialog.name_combo.setCurrentText(name)
    dialog.password_edit.setText(password)
    dialog.buttons.accepted.emit()


def test_a_database_without_users_opens_without_login(qtbot, qapp, db_path: Path, settings) -> None:
    window = open_window(qtbot, qapp, db_path, settings)
    run_and_wait(qtbot, window.context, lambda db, _c: None)
    assert window.login_dialog is None and not window.actor_label.isVisible()
    assert window.navigation.item(MASTERS).flags() & Qt.ItemFlag.ItemIsEnabled
    assert all(action.isEnabled() for action in window.exchange_actions)
    assert window.centralWidget().isEnabled()


def test_a_staff_user_logs_in_after_a_wrong_password_and_sees_masters_disabled(
        qtbot, qapp, with_users: Path, settings) -> None:
    window = open_window(qtbot, qapp, with_users, settings)
    dialog = login_dialog(qtbot, window)
    assert not window.centralWidget().isEnabled()  # nothing usable before the login
    assert [dialog.name_combo.itemText(i) for i in range(dialog.name_combo.count())] == ["田中", "鈴木"]
    assert not dialog.password_edit.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)  # IME off
    log_in(qtbot, dialog, "鈴木", "wrong")
    qtbot.waitUntil(lambda: dialog.error_label.text() != "")
    assert dialog.error_label.text() == users.LOGIN_REFUSED_MESSAGE and dialog.isVisible()
    assert dialog.password_edit.text() == ""
    assert run_and_wait(qtbot, window.context, lambda db, _c: db.actor) == roles.NOBODY
    log_in(qtbot, dialog, "鈴木", "suzuki")
    qtbot.waitUntil(lambda: window.login_dialog is None)
    assert window.centralWidget().isEnabled()
    assert window.actor_label.text() == "鈴木（センター職員）" and window.actor_label.isVisible()
    # マスタ・設定 opens, but only its 参加者実人数 (a center's own record) and 設定 (text size) tabs are usable.
    window.navigation.setCurrentRow(MASTERS)  # the View menu's Ctrl+8 does this
    masters = window.current_screen
    usable = {masters.tabs.tabText(i) for i in range(masters.tabs.count()) if masters.tabs.isTabEnabled(i)}
    assert usable == {masters.members.title, masters.settings_page.title}
    population = masters.pages.index(masters.population)
    assert "権限がありません" in masters.tabs.tabToolTip(population)
    assert masters.tabs.isTabEnabled(masters.tabs.currentIndex())
    assert all(not action.isEnabled() and action.toolTip() for action in window.exchange_actions)
    assert not window.restore_action.isEnabled() and window.import_action.isEnabled()
    actor = run_and_wait(qtbot, window.context, lambda db, _c: (db.actor, db.user))
    assert actor == (roles.Actor("鈴木", roles.STAFF, center_id=actor[0].center_id), "鈴木")
    assert window.switch_user_action.isVisible()


def test_an_administrator_has_everything_and_may_switch_user(qtbot, qapp, with_users: Path, settings) -> None:
    window = open_window(qtbot, qapp, with_users, settings)
    log_in(qtbot, login_dialog(qtbot, window), "田中", "kanri")
    qtbot.waitUntil(lambda: window.login_dialog is None)
    assert window.navigation.item(MASTERS).flags() & Qt.ItemFlag.ItemIsEnabled
    assert window.restore_action.isEnabled() and all(a.isEnabled() for a in window.exchange_actions)
    window.switch_user_action.trigger()
    dialog = login_dialog(qtbot, window)
    assert run_and_wait(qtbot, window.context, lambda db, _c: db.actor) == roles.NOBODY
    log_in(qtbot, dialog, "鈴木", "suzuki")
    qtbot.waitUntil(lambda: window.login_dialog is None)
    assert window.actor_label.text() == "鈴木（センター職員）"
    window.navigation.setCurrentRow(MASTERS)
    masters = window.current_screen
    assert not masters.tabs.isTabEnabled(masters.pages.index(masters.population))


def test_cancelling_the_login_closes_the_window(qtbot, qapp, with_users: Path, settings) -> None:
    window = open_window(qtbot, qapp, with_users, settings)
    login_dialog(qtbot, window).reject()
    qtbot.waitUntil(lambda: not window.isVisible())


@pytest.mark.parametrize("scale", [100, 200])
def test_login_dialog_screenshot(qtbot, qapp, with_users: Path, settings, scale: int) -> None:
    from kaigo_desktop.gui.app import apply_text_scale

    apply_text_scale(qapp, scale)
    try:
        window = open_window(qtbot, qapp, with_users, settings)
        dialog = login_dialog(qtbot, window)
        dialog.name_combo.setCurrentText("鈴木")
        log_in(qtbot, dialog, "鈴木", "wrong")
        qtbot.waitUntil(lambda: dialog.error_label.text() != "")
        dialog.adjustSize()
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(SHOTS / f"login_{scale}.png"))
        assert dialog.sizeHint().width() <= dialog.width() + 1
    finally:
        apply_text_scale(qapp, 100)


def test_another_centers_place_is_shown_read_only_with_the_reason(qtbot, qapp, with_users: Path, settings) -> None:
    from kaigo_desktop.gui.screens.places import PlacesScreen

    theirs, mine = place_id(with_users, "麹町のひまわり会"), place_id(with_users, "神田のさくら会")
    window = open_window(qtbot, qapp, with_users, settings)
    log_in(qtbot, login_dialog(qtbot, window), "鈴木", "suzuki")
    qtbot.waitUntil(lambda: window.login_dialog is None)
    screen = window.show_screen(PlacesScreen)
    screen.show_place(theirs)
    qtbot.waitUntil(lambda: screen.form.name_edit.text() == "麹町のひまわり会")
    assert screen.form.banner.isVisibleTo(screen.form) and "自分のセンター以外" in screen.form.banner.text()
    assert screen.form.is_read_only and not screen.form.name_edit.isEnabled()
    screen.show_place(mine)
    qtbot.waitUntil(lambda: screen.form.name_edit.text() == "神田のさくら会")
    assert not screen.form.banner.isVisibleTo(screen.form)
    assert not screen.form.is_read_only and screen.form.name_edit.isEnabled()


def open_users_page(qtbot, qapp, path: Path, settings, name: str, password: str):
    from kaigo_desktop.gui.screens.masters import MastersScreen

    window = open_window(qtbot, qapp, path, settings)
    log_in(qtbot, login_dialog(qtbot, window), name, password)
    qtbot.waitUntil(lambda: window.login_dialog is None)
    screen = window.show_screen(MastersScreen)
    page = screen.show_page(screen.users_page)
    qtbot.waitUntil(lambda: page.loaded)
    return window, page


def test_the_users_page_adds_changes_and_refuses_removing_the_last_admin(qtbot, qapp, with_users: Path,
                                                                         settings) -> None:
    window, page = open_users_page(qtbot, qapp, with_users, settings, "田中", "kanri")
    assert page.table.rowCount() == 2 and page.table.item(0, 3).text() == "あり"
    page.name_edit.setText("山本")
    page.role_combo.setCurrentIndex(roles.ROLES.index(roles.STAFF))
    page.password_edit.setText("yama")
    page.repeat_edit.setText("yamb")
    page.add_button.click()
    assert "一致しません" in page.message.text()
    page.repeat_edit.setText("yama")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 3)
    assert "追加しました" in page.message.text()
    assert sorted(page.table.item(r, 0).text() for r in range(3)) == sorted(["山本", "田中", "鈴木"])
    page.table.selectRow(next(r for r in range(3) if page.table.item(r, 0).text() == "田中"))
    page.remove_button.click()
    qtbot.waitUntil(lambda: "最後の区市町村管理者" in page.message.text())
    listed = run_and_wait(qtbot, window.context, lambda db, _c: {u.name: u.role for u in users.list_users(db)})
    assert listed == {"山本": roles.STAFF, "田中": roles.ADMIN, "鈴木": roles.STAFF}


@pytest.mark.parametrize("scale", [100, 200])
def test_users_page_screenshot(qtbot, qapp, with_users: Path, settings, scale: int) -> None:
    from kaigo_desktop.gui.app import apply_text_scale

    apply_text_scale(qapp, scale)
    try:
        window, page = open_users_page(qtbot, qapp, with_users, settings, "田中", "kanri")
        window.resize(1280, 800)
        window.show()
        page.table.selectRow(1)
        qtbot.wait(50)
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / f"users_page_{scale}.png"))
    finally:
        apply_text_scale(qapp, 100)
