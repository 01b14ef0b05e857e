"""The application shell: the exception hook (log file and dialog), the welcome dialog that creates the first
database, Japanese standard buttons, and reopening the main window on another database."""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from kaigo_desktop.gui import error_dialog
from kaigo_desktop.gui.app import (
    Session,
    apply_text_scale,
    choose_database_at_start,
    create_application,
    ensure_demo_database,
)
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.error_dialog import ErrorDialog, explain, install_exception_hook
from kaigo_desktop.gui.welcome import WelcomeDialog
from kaigo_desktop.storage.errors import NewerSchemaError
from tests.gui.conftest import type_text

HACHIOJI = "132012"


@pytest.fixture
def restore_hooks(monkeypatch):
    """Every test that installs our hook gets Python's (and pytest-qt's) hooks back afterwards."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    handlers = list(error_dialog.logger.handlers)
    yield
    for handler in error_dialog.logger.handlers[:]:
        if handler not in handlers:
            handler.close()
            error_dialog.logger.removeHandler(handler)


# ---- the exception hook ---------------------------------------------------------------------------

def raise_and_capture(error: BaseException):
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001 - the test hands it to the hook
        return type(caught), caught, caught.__traceback__


def test_an_uncaught_error_is_logged_and_shown(qtbot, tmp_path: Path, monkeypatch, restore_hooks) -> None:
    shown: list[ErrorDialog] = []
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: shown.append(self) or 0)
    log_path = tmp_path / "logs" / "kaigo-desktop.log"
    hook = install_exception_hook(log_path)
    assert sys.excepthook is hook

    sys.excepthook(*raise_and_capture(ZeroDivisionError("わざと起こした例外")))

    text = log_path.read_text(encoding="utf-8")
    assert "ZeroDivisionError: わざと起こした例外" in text and "Traceback" in text
    assert len(shown) == 1
    dialog = shown[0]
    assert "予期しないエラー" in dialog.message_label.text()
    assert "ZeroDivisionError: わざと起こした例外" in dialog.details.toPlainText()
    assert dialog.details.isReadOnly()
    dialog.copy_details()
    assert "わざと起こした例外" in qtbot_clipboard_text()


def qtbot_clipboard_text() -> str:
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.clipboard().text()


def test_an_error_in_a_job_callback_reaches_the_hook(qtbot, db_path: Path, tmp_path: Path, monkeypatch,
                                                     restore_hooks) -> None:
    """The worker re-raises a failed job that has no on_error on the GUI thread: it must be logged."""
    from kaigo_desktop.gui.database_worker import DatabaseWorker

    shown: list[ErrorDialog] = []
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: shown.append(self) or 0)
    log_path = tmp_path / "logs" / "kaigo-desktop.log"
    install_exception_hook(log_path)
    worker = DatabaseWorker(db_path)
    worker.start()
    try:
        def broken(_db, _ctx):
            raise KeyError("存在しないキー")
        worker.submit(broken)
        qtbot.waitUntil(lambda: bool(shown), timeout=5_000)
    finally:
        worker.stop()
    assert "KeyError" in log_path.read_text(encoding="utf-8")


def _real_sqlite_error(path: Path, *, busy: bool) -> sqlite3.Error:
    """A database another connection is writing (busy), or one with no room for another page (full)."""
    holder = sqlite3.connect(path, isolation_level=None)
    conn = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    try:
        holder.execute("CREATE TABLE IF NOT EXISTS t (x TEXT)")
        if busy:
            holder.execute("BEGIN IMMEDIATE")
        else:
            conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        with pytest.raises(sqlite3.OperationalError) as caught:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 100)
        return caught.value
    finally:
        conn.close()
        holder.close()


def test_environment_errors_get_a_message_with_an_action_not_a_bug_report(tmp_path: Path) -> None:
    message, is_bug = explain(_real_sqlite_error(tmp_path / "busy.sqlite3", busy=True))
    assert not is_bug and "使用中" in message
    message, is_bug = explain(_real_sqlite_error(tmp_path / "full.sqlite3", busy=False))
    assert not is_bug and "空き容量" in message
    # the wording alone decides nothing: an error that merely says "locked" is a bug to report
    assert explain(sqlite3.OperationalError("database is locked"))[1]
    message, is_bug = explain(NewerSchemaError("新しい版で作成されています"))
    assert not is_bug and "新しい版" in message
    assert explain(ValueError("x"))[1]


def test_errors_on_other_threads_are_logged_without_a_dialog(tmp_path: Path, monkeypatch, restore_hooks) -> None:
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: pytest.fail("no dialog off the GUI thread"))
    log_path = tmp_path / "logs" / "kaigo-desktop.log"
    install_exception_hook(log_path)

    def fail() -> None:
        raise RuntimeError("別スレッドの例外")
    thread = threading.Thread(target=fail)
    thread.start()
    thread.join()
    for handler in logging.getLogger("kaigo_desktop").handlers:
        handler.flush()
    assert "別スレッドの例外" in log_path.read_text(encoding="utf-8")


# ---- start-up ------------------------------------------------------------------------------------

@pytest.fixture
def restore_interactive(qapp):
    yield
    qapp.setProperty("interactive", None)


def test_application_is_japanese_with_translated_standard_buttons(qapp, restore_hooks, restore_interactive,
                                                                 monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KAIGO_DESKTOP_DATA", str(tmp_path))
    app = create_application([], error_dialogs=False)
    assert app is qapp
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text().startswith("キャンセル")
    assert (tmp_path / "logs").is_dir()


def test_text_scale_is_clamped_to_100_to_200_percent(qapp) -> None:
    base = qapp.property("base_point_size") or qapp.font().pointSizeF()
    try:
        apply_text_scale(qapp, 300)
        assert qapp.font().pointSizeF() == pytest.approx(base * 2)
        apply_text_scale(qapp, 50)
        assert qapp.font().pointSizeF() == pytest.approx(base)
    finally:
        apply_text_scale(qapp, 100)


# ---- the welcome dialog --------------------------------------------------------------------------

def welcome(qtbot, tmp_path: Path) -> WelcomeDialog:
    dialog = WelcomeDialog(tmp_path / "new" / "kaigo.sqlite3", tmp_path / "demo.sqlite3", ensure_demo_database,
                           user="初回の担当")
    qtbot.addWidget(dialog)
    return dialog


def test_welcome_creates_a_database_for_the_chosen_municipality(qtbot, tmp_path: Path) -> None:
    dialog = welcome(qtbot, tmp_path)
    assert dialog.municipality_combo.count() == 62
    editor = dialog.municipality_combo.lineEdit()
    editor.clear()
    type_text(editor, "八王子市")
    assert dialog.selected_municipality() == HACHIOJI
    type_text(dialog.center_edit, "元本郷地域包括支援センター")
    dialog.start_button.click()

    assert dialog.result() == QDialog.DialogCode.Accepted
    path = tmp_path / "new" / "kaigo.sqlite3"
    assert dialog.chosen_path == path and path.exists()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT value FROM settings WHERE key = 'default_municipality'").fetchone() == (HACHIOJI,)
        center = conn.execute("SELECT id, municipality_code, name, updated_by FROM centers").fetchall()
    finally:
        conn.close()
    assert [(c[1], c[2], c[3]) for c in center] == [(HACHIOJI, "元本郷地域包括支援センター", "初回の担当")]
    assert dialog.defaults == (HACHIOJI, center[0][0])


def test_welcome_asks_for_a_municipality_before_creating(qtbot, tmp_path: Path) -> None:
    dialog = welcome(qtbot, tmp_path)
    dialog.start_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "区市町村を一覧から選んでください" in dialog.error_label.text()
    assert not (tmp_path / "new" / "kaigo.sqlite3").exists()


def test_welcome_opens_the_demo_database(qtbot, tmp_path: Path) -> None:
    dialog = welcome(qtbot, tmp_path)
    dialog.demo_choice.setChecked(True)
    assert not dialog.new_form.isEnabled()
    dialog.start_button.click()
    assert dialog.chosen_path == tmp_path / "demo.sqlite3"
    conn = sqlite3.connect(dialog.chosen_path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM places WHERE deleted_at IS NULL").fetchone()[0] > 0
    finally:
        conn.close()


def test_first_run_asks_the_name_and_keeps_the_defaults_in_the_database(tmp_path: Path, settings: UserSettings,
                                                                        monkeypatch) -> None:
    def choose_hachioji(dialog: WelcomeDialog) -> int:
        dialog.name_edit.setText("　山田　花子 ")
        dialog.select_municipality(HACHIOJI)
        dialog.center_edit.setText("元本郷地域包括支援センター")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(WelcomeDialog, "exec", choose_hachioji)
    monkeypatch.setenv("KAIGO_DESKTOP_DATA", str(tmp_path / "data"))
    path = choose_database_at_start(tmp_path / "data" / "kaigo.sqlite3", settings)
    assert path == tmp_path / "data" / "kaigo.sqlite3" and path.exists()
    # The name is the person's (QSettings) and is already the 更新者 of the first center; the defaults are the
    # database's own.
    assert settings.user_name == "山田 花子"
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT updated_by FROM centers").fetchall() == [("山田 花子",)]
        assert conn.execute("SELECT value FROM settings WHERE key = 'default_municipality'").fetchone() == (HACHIOJI,)
    finally:
        conn.close()
    assert (settings.default_municipality, settings.default_center) == ("", "")


def test_welcome_wants_a_name_for_a_new_database_not_for_the_demo(qtbot, tmp_path: Path) -> None:
    dialog = WelcomeDialog(tmp_path / "new" / "kaigo.sqlite3", tmp_path / "demo.sqlite3", ensure_demo_database)
    qtbot.addWidget(dialog)
    dialog.select_municipality(HACHIOJI)
    dialog.start_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "記録者名を入力してください" in dialog.error_label.text()
    assert not (tmp_path / "new" / "kaigo.sqlite3").exists()
    dialog.demo_choice.setChecked(True)
    dialog.start_button.click()
    assert dialog.chosen_path == tmp_path / "demo.sqlite3" and dialog.user_name == ""


def test_quitting_the_welcome_opens_nothing(tmp_path: Path, settings: UserSettings, monkeypatch) -> None:
    monkeypatch.setattr(WelcomeDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    assert choose_database_at_start(tmp_path / "kaigo.sqlite3", settings) is None
    assert not (tmp_path / "kaigo.sqlite3").exists()


# ---- another database ----------------------------------------------------------------------------

def test_the_main_window_is_reopened_on_another_database(qtbot, qapp, db_path: Path, tmp_path: Path,
                                                         settings: UserSettings) -> None:
    other = tmp_path / "other.sqlite3"
    other.write_bytes(db_path.read_bytes())
    session = Session(qapp, settings, today=date(2024, 6, 1))
    first = session.open(db_path)
    assert session.switch_to(other)
    second = session.window
    qtbot.addWidget(second)
    assert second is not first and second.db_path == other and second.isVisible()
    assert not first.isVisible()
    assert settings.recent_databases[:2] == [str(other), str(db_path)]
    second._fill_recent_menu()
    entries = {a.text(): a.isEnabled() for a in second.recent_menu.actions()}
    assert entries[str(db_path)] and not entries[str(other)]  # the open one is not offered again


def test_a_file_that_is_not_a_database_is_refused_and_the_window_stays(qtbot, qapp, db_path: Path,
                                                                       tmp_path: Path, settings: UserSettings,
                                                                       monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kw: warnings.append(args[2]))
    text_file = tmp_path / "memo.sqlite3"
    text_file.write_text("これはデータベースではありません", encoding="utf-8")
    session = Session(qapp, settings)
    first = session.open(db_path)
    qtbot.addWidget(first)
    assert not session.switch_to(text_file)
    assert session.window is first and first.isVisible()
    assert warnings and "開けません" in warnings[0]


def test_a_damaged_file_is_reported_once_and_the_window_closes(qtbot, qapp, tmp_path: Path, settings: UserSettings,
                                                              monkeypatch, restore_hooks) -> None:
    """At start the worker opens the file while the window paints; if it cannot, one message, no bug dialogs
    for the screens' queued jobs, and the window goes."""
    from PySide6.QtWidgets import QMessageBox

    from kaigo_desktop.gui.app import open_main_window

    messages: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args, **kw: messages.append(args[2]))
    monkeypatch.setattr(ErrorDialog, "exec", lambda self: pytest.fail(f"bug dialog: {self.details.toPlainText()}"))
    install_exception_hook(tmp_path / "logs" / "kaigo-desktop.log")
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100 + b"garbage" * 500)
    window = open_main_window(damaged, settings, today=date(2024, 6, 1))
    window.show()
    qtbot.waitUntil(lambda: not window.isVisible() and bool(messages), timeout=10_000)
    qtbot.wait(200)  # the queued jobs' failures arrive after the message
    assert len(messages) == 1 and "開けません" in messages[0]
    assert "could not be opened" in (tmp_path / "logs" / "kaigo-desktop.log").read_text(encoding="utf-8")
