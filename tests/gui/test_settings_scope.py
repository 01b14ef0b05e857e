"""Settings that belong to a database stay with it, those of the person with the person (issue 15): two
databases keep their own default 区市町村 and センター, the demo never takes the real database's, looking at
マスタ・設定 in the demo raises no 「保存していない変更」 on quit, the defaults an earlier version kept per person
are handed over only to a database they fit, and the first-start name becomes 更新者."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from kaigo_desktop.domain.records import Center
from kaigo_desktop.gui import app as gui_app
from kaigo_desktop.gui.app import ensure_demo_database, open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.screens.masters import MastersScreen
from kaigo_desktop.gui.screens.places import PlacesScreen
from kaigo_desktop.gui.user_name_dialog import UserNameDialog
from kaigo_desktop.services import masters_view, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import save_and_wait

CHIYODA, HACHIOJI = "131016", "132012"


def stored_defaults(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT key, value FROM settings WHERE key LIKE 'default_%'").fetchall())
    finally:
        conn.close()


@pytest.fixture
def no_question(monkeypatch):
    """Any 「保存していない変更があります」 question fails the test."""
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: asked.append(text)
                        or QMessageBox.StandardButton.Cancel)
    return asked


def open_window(qtbot, path: Path, settings: UserSettings):
    """The window on `path`, once the database's defaults have been read (the first job of its thread)."""
    window = open_main_window(path, settings)
    read: list = []
    window.context.defaults_did_change.connect(read.append)  # queued: cannot have come before this line
    window.show()
    qtbot.waitUntil(lambda: read != [], timeout=10_000)
    return window


def settings_page(qtbot, window):
    masters = window.show_screen(MastersScreen)
    page = masters.show_page(masters.settings_page)
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    return page


def close(qtbot, window) -> None:
    assert window.close()  # the database thread is stopped (and the file closed) before this returns
    window.deleteLater()


def test_two_databases_keep_their_own_defaults(qtbot, tmp_path: Path, settings: UserSettings, no_question) -> None:
    chiyoda, hachioji = tmp_path / "chiyoda.sqlite3", tmp_path / "hachioji.sqlite3"
    _, kanda = masters_view.create_database(chiyoda, CHIYODA, "神田地域包括支援センター", user="甲")
    _, motohongo = masters_view.create_database(hachioji, HACHIOJI, "元本郷地域包括支援センター", user="乙")

    window = open_window(qtbot, chiyoda, settings)
    page = settings_page(qtbot, window)
    assert (page.municipality_combo.currentData(), page.center_combo.currentData()) == (CHIYODA, kanda)
    page.center_combo.setCurrentIndex(0)  # 「指定なし」: saved into this database only
    assert save_and_wait(qtbot, page)
    close(qtbot, window)
    assert stored_defaults(chiyoda) == {"default_municipality": CHIYODA}

    window = open_window(qtbot, hachioji, settings)  # the same person, the other database
    places = window.show_screen(PlacesScreen)
    qtbot.waitUntil(lambda: places._choices is not None, timeout=10_000)
    places.new_record()
    assert places.form.municipality_combo.currentData() == HACHIOJI
    page = settings_page(qtbot, window)
    assert (page.municipality_combo.currentData(), page.center_combo.currentData()) == (HACHIOJI, motohongo)
    assert not page.has_unsaved_changes()
    close(qtbot, window)
    assert stored_defaults(hachioji) == {"default_municipality": HACHIOJI, "default_center": motohongo}
    assert no_question == []


def test_the_demo_keeps_none_of_the_real_defaults_and_quits_without_a_question(
        qtbot, tmp_path: Path, settings: UserSettings, no_question) -> None:
    demo = tmp_path / "demo.sqlite3"
    ensure_demo_database(demo)
    conn = sqlite3.connect(demo)
    demo_municipality = conn.execute("SELECT municipality_code FROM centers LIMIT 1").fetchone()[0]
    conn.close()
    # What an earlier version kept per person, for the real database: a 区市町村 the demo has records of too,
    # and a center id the demo does not have.
    settings.default_municipality, settings.default_center = demo_municipality, "0192e0a0-real-center"

    window = open_window(qtbot, demo, settings)
    page = settings_page(qtbot, window)
    assert page.municipality_combo.currentData() is None and page.center_combo.currentData() is None
    assert not page.has_unsaved_changes()
    close(qtbot, window)
    assert no_question == []
    assert stored_defaults(demo) == {}


def test_personal_defaults_of_an_earlier_version_go_to_the_database_they_fit(
        qtbot, db_path: Path, tmp_path: Path, settings: UserSettings) -> None:
    with Database.open(db_path) as db:
        kanda = records.add(db, Center(CHIYODA, "神田地域包括支援センター"))
    other = tmp_path / "other.sqlite3"
    with Database.open(other, create=True) as db:
        records.add(db, Center(HACHIOJI, "元本郷地域包括支援センター"))
    settings.default_municipality, settings.default_center = CHIYODA, "神田地域包括支援センター"

    for path in (other, db_path):  # the other 区市町村's database first: it must not take them
        close(qtbot, open_window(qtbot, path, settings))
    assert stored_defaults(other) == {}
    assert stored_defaults(db_path) == {"default_municipality": CHIYODA, "default_center": kanda.id}


def test_first_start_asks_the_name_and_the_records_carry_it(qtbot, db_path: Path, settings: UserSettings,
                                                            monkeypatch) -> None:
    def answer(dialog: UserNameDialog) -> int:
        dialog.accept()  # empty: refused, said in the dialog
        assert dialog.result() != QDialog.DialogCode.Accepted
        assert "記録者名を入力してください" in dialog.error_label.text()
        dialog.name_edit.setText("佐藤　一郎")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(UserNameDialog, "exec", answer)
    assert settings.user_name == ""
    gui_app.ask_name_at_first_start(settings, demo=False)
    assert settings.user_name == "佐藤 一郎"

    window = open_window(qtbot, db_path, settings)
    masters = window.show_screen(MastersScreen)
    centers = masters.show_page(masters.centers)
    qtbot.waitUntil(lambda: centers.loaded, timeout=10_000)
    centers.new_record()
    centers.name_edit.setText("池袋地域包括支援センター")
    assert save_and_wait(qtbot, centers)
    close(qtbot, window)
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("SELECT updated_by FROM centers").fetchall() == [("佐藤 一郎",)]
    finally:
        conn.close()


def test_the_demo_does_not_ask_the_name(settings: UserSettings, monkeypatch) -> None:
    monkeypatch.setattr(UserNameDialog, "exec", lambda _d: pytest.fail("asked in the demo"))
    gui_app.ask_name_at_first_start(settings, demo=True)
    assert settings.user_name == ""
