"""A database opened read-only (another PC has it open for writing): every menu command and button that
writes is disabled and says why, the status bar says it too, and nothing the user can do writes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QPushButton, QWidget

from kaigo_desktop.gui import open_problems
from kaigo_desktop.gui.app import Session
from kaigo_desktop.gui.context import READ_ONLY_IN_USE, UserSettings
from kaigo_desktop.gui.main_window import SCREENS
from kaigo_desktop.gui.screens.base import ReadOnlyHold
from kaigo_desktop.gui.screens.places import PlacesScreen
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.services.overview import record_counts
from kaigo_desktop.storage import lock
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait, save_and_wait

SCREENSHOT = Path("/tmp/read_only_window.png")
TODAY = date(2024, 6, 1)
OTHER_PC = {"user": "高橋", "login": "takahashi", "host": "JIMUSHO-PC2", "pid": 1,
            "since": "2024-06-01T09:00:00+09:00", "started": None}


@pytest.fixture(autouse=True)
def no_bug_dialogs(bug_dialog_fails_test):
    """A write that got through would fail with an error: that fails the test instead of showing a dialog."""


@pytest.fixture
def demo_path(tmp_path: Path) -> Path:
    path = tmp_path / "kaigo.sqlite3"
    Database.create_new(path, lambda db: create_demo(db, places=30, years=1, seed=1, today=TODAY), user="デモ")
    return path


def open_window(qtbot, qapp, path: Path, settings: UserSettings, monkeypatch, *, in_use: bool):
    """The window as the app opens it; `in_use`: another PC holds the lock and the user picks 読み取り専用."""
    if in_use:
        lock.lock_path(path).write_text(json.dumps(OTHER_PC, ensure_ascii=False), encoding="utf-8")
        monkeypatch.setattr(open_problems, "choose", lambda *_args: open_problems.OPEN_READ_ONLY)
    session = Session(qapp, settings, today=TODAY)
    first = session.open(path)
    if in_use:
        qtbot.waitUntil(lambda: session.window is not first, timeout=10_000)
    window = session.window
    qtbot.addWidget(window)
    run_and_wait(qtbot, window.context, lambda db, _c: None)  # opened
    return window


def state_of(qtbot, window) -> tuple[dict[str, int], str | None]:
    return run_and_wait(qtbot, window.context, lambda db, _c: (record_counts(db), db.meta("change_seq")))


def test_a_read_only_window_disables_every_write_and_says_why(qtbot, qapp, demo_path: Path,
                                                              settings: UserSettings, monkeypatch) -> None:
    window = open_window(qtbot, qapp, demo_path, settings, monkeypatch, in_use=True)
    assert window.context.read_only and "【読み取り専用】" in window.windowTitle()
    assert window.read_only_label.isVisible() and window.read_only_label.text() == READ_ONLY_IN_USE
    assert [action.text() for action in window.write_actions if action.isEnabled()] == []
    assert all(action.toolTip() == READ_ONLY_IN_USE for action in window.write_actions)
    assert window.backup_action.isEnabled()  # a backup only reads the database

    places: PlacesScreen = window.current_screen
    qtbot.waitUntil(lambda: places.model.rowCount() > 0, timeout=10_000)
    with qtbot.waitSignal(places.detail_did_load, timeout=10_000):
        places.table.selectRow(0)
    assert places.selected_row() is not None  # a row chosen: 削除 would be enabled …
    assert not places.delete_button.isEnabled() and not places.new_button.isEnabled()  # … but stays off
    assert not places.form.save_button.isEnabled() and not places.form.name_edit.isEnabled()
    assert places.form.name_edit.text()  # the place is shown, to be read
    assert places.delete_button.toolTip() == READ_ONLY_IN_USE
    window.statusBar().showMessage("")  # only the permanent reason in the picture
    window.resize(1280, 760)
    window.grab().save(str(SCREENSHOT))

    for index, (title, _module, _name) in enumerate(SCREENS):
        window.navigation.setCurrentRow(index)
        widgets = window.current_screen.write_widgets()
        if title in ("報告書", "集計", "提出前チェック"):  # nothing on them writes to the database
            assert widgets == [] and window.save_action.isEnabled() == (title == "報告書")
            continue
        assert widgets, title
        assert not window.save_action.isEnabled(), title
        for widget in widgets:
            if isinstance(widget, QAbstractItemView):
                assert widget.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers, title
            else:
                assert not widget.isEnabled() and widget.toolTip() == READ_ONLY_IN_USE, (title, widget)
    masters = window.current_screen
    assert masters.settings_page.save_button.isEnabled()  # the user's own settings are not in the database


def test_nothing_can_be_written_from_a_read_only_window(qtbot, qapp, demo_path: Path, settings: UserSettings,
                                                        monkeypatch) -> None:
    window = open_window(qtbot, qapp, demo_path, settings, monkeypatch, in_use=True)
    before = state_of(qtbot, window)
    asked: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.question",
                        lambda *args, **kw: asked.append(args[2]) or pytest.fail("asked to confirm a write"))
    for index in range(len(SCREENS)):
        window.navigation.setCurrentRow(index)
        screen = window.current_screen
        assert not screen.new_record() and not screen.delete_selected()
        if not screen.saves_to_database:
            continue  # 報告書: Ctrl+S saves a report file (a file dialog), rightly still on
        screen.save()
        for keys in ("Ctrl+N", "Ctrl+S", "Delete"):
            QTest.keySequence(window, keys)
        for widget in screen.write_widgets():  # a click on a disabled button does nothing
            if isinstance(widget, QPushButton):
                QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    gatherings = window.screen_at(1)
    assert not save_and_wait(qtbot, gatherings.grid) and not save_and_wait(qtbot, gatherings.form)
    promoters = window.screen_at(2)
    assert not save_and_wait(qtbot, promoters.form) and not promoters.assignments.add_assignment()
    assert not save_and_wait(qtbot, window.screen_at(3).form)
    assert not save_and_wait(qtbot, window.screen_at(0).form)
    assert asked == []
    assert state_of(qtbot, window) == before
    told: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *args, **kw: told.append(args[2]))
    window.backup_action.trigger()  # a backup only reads the database: still offered
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert "バックアップを作成しました" in told[0]
    assert state_of(qtbot, window) == before
    window.close()
    assert json.loads(lock.lock_path(demo_path).read_text(encoding="utf-8"))["host"] == "JIMUSHO-PC2"


def test_a_writable_window_leaves_its_commands_on(qtbot, qapp, demo_path: Path, settings: UserSettings,
                                                 monkeypatch) -> None:
    window = open_window(qtbot, qapp, demo_path, settings, monkeypatch, in_use=False)
    assert not window.context.read_only and "読み取り専用" not in window.windowTitle()
    assert all(action.isEnabled() for action in window.write_actions)
    places: PlacesScreen = window.current_screen
    assert places.new_button.isEnabled() and not places.read_only
    window.close()


def test_the_hold_undoes_a_screen_enabling_a_held_button_and_gives_it_back(qtbot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    button = QPushButton("削除", owner)
    button.setToolTip("Delete")
    hold = ReadOnlyHold(owner)
    hold.hold([button], READ_ONLY_IN_USE)
    assert not button.isEnabled() and button.toolTip() == READ_ONLY_IN_USE
    button.setEnabled(True)  # the screen's own logic: a row was chosen
    assert not button.isEnabled()
    hold.release()
    assert button.isEnabled() and button.toolTip() == "Delete"
