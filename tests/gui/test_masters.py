"""The マスタ・設定 screen on a real database: population and expenses saved all or nothing (checked with
independent SQL), centers added, renamed, deleted after confirmation and restored, and the settings (user
name stamped as updated_by at once, text size applied to the whole app)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from kaigo_desktop.domain.records import Center
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.screens.masters import MastersScreen
from kaigo_desktop.gui.screens.masters_common import CHANGED_BACKGROUND
from kaigo_desktop.gui.screens.masters_population import POP65, POP75, REFERENCE
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import save_and_wait, type_text

CHIYODA, HACHIOJI = "131016", "132012"
TODAY = date(2024, 6, 1)


@pytest.fixture
def settings(settings: UserSettings) -> UserSettings:
    settings.user_name = "最初の担当"
    return settings


@pytest.fixture
def window(qtbot, db_path: Path, settings: UserSettings):
    with Database.open(db_path) as db:
        records.add(db, Center(CHIYODA, "神田地域包括支援センター"))
    window = open_main_window(db_path, settings, today=TODAY)
    window.show()  # not qtbot.addWidget: its close() would come before the edits are discarded, and ask
    yield window
    for screen in window.screens:
        screen.discard_changes()
    window.close()
    window.deleteLater()


@pytest.fixture
def masters(qtbot, window) -> MastersScreen:
    screen = window.show_screen(MastersScreen)
    qtbot.waitUntil(lambda: all(page.loaded for page in screen.pages), timeout=10_000)
    qtbot.waitUntil(lambda: screen.population.table.rowCount() == 62 and bool(screen.centers.rows), timeout=10_000)
    return screen


def query(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def population_row(masters: MastersScreen, code: str) -> int:
    return next(i for i, row in enumerate(masters.population.rows) if row.municipality_code == code)


# ---- 65歳以上人口 -------------------------------------------------------------------------------------

def test_population_typed_into_the_table_is_saved(qtbot, masters: MastersScreen, db_path: Path) -> None:
    page = masters.show_page(masters.population)
    assert page.selected_fiscal_year() == 2024
    row = population_row(masters, HACHIOJI)
    table = page.table
    table.setCurrentCell(row, POP65)
    table.editItem(table.item(row, POP65))
    editor = table.viewport().findChild(QLineEdit)
    assert editor is not None, "the cell opened an editor"
    qtbot.keyClicks(editor, "158,204")  # still in the cell when saving: what was typed must not be lost
    table.item(row, POP75).setText("８１０００")  # full-width digits, as the IME may leave them
    table.item(row, REFERENCE).setText("R6.1.1")
    assert masters.has_unsaved_changes()
    assert save_and_wait(qtbot, masters)
    assert query(db_path, "SELECT population_65_plus, population_75_plus, reference_date, updated_by"
                          " FROM population WHERE municipality_code = ? AND fiscal_year = 2024"
                          " AND deleted_at IS NULL", (HACHIOJI,)) == [(158204, 81000, "2024-01-01", "最初の担当")]
    qtbot.waitUntil(lambda: page.table.item(population_row(masters, HACHIOJI), 4).text() == "最初の担当")
    assert not masters.has_unsaved_changes()
    assert page.table.item(population_row(masters, HACHIOJI), REFERENCE).text() == "令和6年1月1日"
    assert page.save_button.isEnabled() and page.discard_button.isEnabled()  # given back once the save is done


def test_population_reference_date_typed_without_era_is_reiwa(qtbot, masters: MastersScreen, db_path: Path) -> None:
    page = masters.show_page(masters.population)  # as in every date field (issue 15): 6.1.1 = 令和6年1月1日
    row = population_row(masters, HACHIOJI)
    page.table.item(row, POP65).setText("1000")
    page.table.item(row, REFERENCE).setText("６．１．１")
    assert save_and_wait(qtbot, masters)
    assert query(db_path, "SELECT reference_date FROM population WHERE municipality_code = ?",
                 (HACHIOJI,)) == [("2024-01-01",)]


def test_population_rows_are_refused_together(qtbot, masters: MastersScreen, db_path: Path) -> None:
    page = masters.show_page(masters.population)
    page.table.item(population_row(masters, CHIYODA), POP65).setText("50000")
    page.table.item(population_row(masters, HACHIOJI), POP65).setText("1000")
    page.table.item(population_row(masters, HACHIOJI), POP75).setText("2000")  # more 75+ than 65+
    assert not save_and_wait(qtbot, page)
    assert "八王子市" in page.message.text() and "75歳以上人口" in page.message.text()
    assert query(db_path, "SELECT COUNT(*) FROM population") == [(0,)]
    page.table.item(population_row(masters, HACHIOJI), POP65).setText("たくさん")
    assert not save_and_wait(qtbot, page)
    assert "65歳以上人口は0以上の整数" in page.message.text()


def test_clearing_a_population_puts_it_in_the_trash(qtbot, masters: MastersScreen, db_path: Path) -> None:
    page = masters.show_page(masters.population)
    row = population_row(masters, CHIYODA)
    page.table.item(row, POP65).setText("60000")
    assert save_and_wait(qtbot, page)
    qtbot.waitUntil(lambda: page.table.item(population_row(masters, CHIYODA), POP65).text() == "60,000")
    page.table.item(population_row(masters, CHIYODA), POP65).setText("")
    assert save_and_wait(qtbot, page)
    assert query(db_path, "SELECT population_65_plus, deleted_at IS NOT NULL FROM population") == [(60000, 1)]


def test_leaving_with_unsaved_population_asks_and_discards(masters: MastersScreen, monkeypatch) -> None:
    page = masters.show_page(masters.population)
    page.table.item(population_row(masters, CHIYODA), POP65).setText("123")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kw: asked.append(args[2]) or QMessageBox.StandardButton.Discard)
    left = []
    masters.confirm_leave(left.append)
    assert left == [True]
    assert asked and "保存していない変更" in asked[0]
    assert page.table.item(population_row(masters, CHIYODA), POP65).text() == ""
    assert not masters.has_unsaved_changes()


# ---- 経費 ----------------------------------------------------------------------------------------------

def test_expenses_are_saved_and_equipment_is_not_eligible(qtbot, masters: MastersScreen, db_path: Path) -> None:
    page = masters.show_page(masters.expenses)
    page.select(CHIYODA, 2024)
    qtbot.waitUntil(lambda: page._shown == (CHIYODA, 2024) and page.table.rowCount() == 12)
    categories = [page.table.item(r, 0).text() for r in range(12)]
    equipment = categories.index("備品購入費")
    assert page.table.item(equipment, 2).text() == "対象外"
    page.table.item(categories.index("報酬"), 1).setText("4,000,000")
    page.table.item(equipment, 1).setText("300000")
    assert save_and_wait(qtbot, page)
    assert sorted(query(db_path, "SELECT category, amount FROM expenses WHERE municipality_code = ?"
                                 " AND fiscal_year = 2024 AND deleted_at IS NULL", (CHIYODA,))) == [
        ("備品購入費", 300000), ("報酬", 4000000)]
    qtbot.waitUntil(lambda: "4,000,000円" in page.totals_label.text())
    assert "補助対象経費の合計: 4,000,000円" in page.totals_label.text()
    assert "補助対象外（備品購入費）: 300,000円" in page.totals_label.text()


def test_an_edited_expense_is_highlighted_until_put_back(qtbot, masters: MastersScreen) -> None:
    page = masters.show_page(masters.expenses)
    page.select(CHIYODA, 2024)
    qtbot.waitUntil(lambda: page._shown == (CHIYODA, 2024) and page.table.rowCount() == 12)
    cell = page.table.item(0, 1)
    before = cell.text()
    cell.setText("12000")
    assert cell.background().color().name() == CHANGED_BACKGROUND
    assert page.has_unsaved_changes()
    cell.setText(before)  # typed back to what it was: no longer an edit
    assert cell.background().style() == Qt.BrushStyle.NoBrush and not page.has_unsaved_changes()
    cell.setText("12000")
    page.discard_changes()
    assert cell.text() == before and cell.background().style() == Qt.BrushStyle.NoBrush
    assert not page.has_unsaved_changes()


# ---- 地域包括支援センター -----------------------------------------------------------------------------

def test_a_center_is_added_renamed_deleted_and_restored(qtbot, masters: MastersScreen, db_path: Path,
                                                        monkeypatch) -> None:
    page = masters.show_page(masters.centers)
    assert masters.new_record()
    page.municipality_edit.setCurrentIndex(page.municipality_edit.findData(HACHIOJI))
    type_text(page.name_edit, "元本郷地域包括支援センター")
    assert page.name_edit.text() == "元本郷地域包括支援センター"
    assert save_and_wait(qtbot, masters)
    rows = query(db_path, "SELECT id, municipality_code, updated_by FROM centers WHERE name = ?",
                 ("元本郷地域包括支援センター",))
    assert [(r[1], r[2]) for r in rows] == [(HACHIOJI, "最初の担当")]
    center_id = rows[0][0]

    qtbot.waitUntil(lambda: page.selected_row() is not None and page.selected_row().center.id == center_id)
    page.name_edit.setText("元本郷・中野地域包括支援センター")
    assert save_and_wait(qtbot, masters)
    assert query(db_path, "SELECT name FROM centers WHERE id = ?", (center_id,)) == [
        ("元本郷・中野地域包括支援センター",)]

    qtbot.waitUntil(lambda: page.selected_row() is not None and page.selected_row().center.id == center_id)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: answers.pop(0))
    assert not masters.delete_selected()  # the user said no
    assert query(db_path, "SELECT deleted_at FROM centers WHERE id = ?", (center_id,)) == [(None,)]
    assert masters.delete_selected()
    qtbot.waitUntil(lambda: query(db_path, "SELECT deleted_at IS NOT NULL FROM centers WHERE id = ?",
                                  (center_id,)) == [(1,)])

    page.trash_check.setChecked(True)
    qtbot.waitUntil(lambda: any(r.center.id == center_id for r in page.rows))
    page.table.selectRow(next(i for i, r in enumerate(page.rows) if r.center.id == center_id))
    assert page.restore_selected()
    qtbot.waitUntil(lambda: query(db_path, "SELECT deleted_at FROM centers WHERE id = ?", (center_id,)) == [(None,)])


def test_a_duplicate_center_name_is_explained_at_the_field(qtbot, masters: MastersScreen, db_path: Path) -> None:
    page = masters.show_page(masters.centers)
    masters.new_record()
    page.municipality_edit.setCurrentIndex(page.municipality_edit.findData(CHIYODA))
    type_text(page.name_edit, "神田地域包括支援センター")
    assert not save_and_wait(qtbot, masters)
    assert any("同じ名前" in m for m in page.form_errors.messages())
    assert query(db_path, "SELECT COUNT(*) FROM centers") == [(1,)]


# ---- 設定 ----------------------------------------------------------------------------------------------

def test_a_new_user_name_is_stamped_on_the_next_write(qtbot, masters: MastersScreen, db_path: Path,
                                                     settings: UserSettings) -> None:
    page = masters.show_page(masters.settings_page)
    page.user_edit.clear()
    type_text(page.user_edit, "鈴木 次郎")
    assert masters.has_unsaved_changes()
    assert save_and_wait(qtbot, masters)
    assert settings.user_name == "鈴木 次郎"
    population = masters.show_page(masters.population)
    population.table.item(population_row(masters, CHIYODA), POP65).setText("61000")
    assert save_and_wait(qtbot, population)
    assert query(db_path, "SELECT updated_by FROM population") == [("鈴木 次郎",)]


def test_default_municipality_and_center_are_saved(qtbot, masters: MastersScreen,
                                                   settings: UserSettings, db_path: Path) -> None:
    page = masters.show_page(masters.settings_page)
    page.municipality_combo.setCurrentIndex(page.municipality_combo.findData(CHIYODA))
    center_id = query(db_path, "SELECT id FROM centers")[0][0]
    page.center_combo.setCurrentIndex(page.center_combo.findData(center_id))
    assert save_and_wait(qtbot, page)
    # The database's defaults are kept in the database (read back with independent SQL), not per person.
    assert dict(query(db_path, "SELECT key, value FROM settings WHERE key LIKE 'default_%'")) == {
        "default_municipality": CHIYODA, "default_center": center_id}
    assert (settings.default_municipality, settings.default_center) == ("", "")
    assert not page.has_unsaved_changes()


@pytest.fixture
def restore_text_scale(qapp):
    yield
    from kaigo_desktop.gui.app import apply_text_scale

    apply_text_scale(qapp, 100)


def test_text_size_applies_to_the_whole_app_at_once(qtbot, masters: MastersScreen, settings: UserSettings,
                                                    restore_text_scale) -> None:
    app = QApplication.instance()
    base = app.font().pointSizeF()
    label_before = masters.population.message.font().pointSizeF()
    page = masters.show_page(masters.settings_page)
    page.text_scale.setValue(150)
    assert save_and_wait(qtbot, masters)
    assert settings.text_scale_percent == 150
    assert app.font().pointSizeF() == pytest.approx(base * 1.5)
    # Qt hands the new font to every widget from the event loop, i.e. at once for the user.
    qtbot.waitUntil(lambda: masters.window().navigation.font().pointSizeF() == pytest.approx(base * 1.5))
    assert masters.population.message.font().pointSizeF() == pytest.approx(label_before * 1.5)


def test_another_database_can_be_chosen_from_the_settings(masters: MastersScreen, tmp_path: Path,
                                                          monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    chosen = tmp_path / "別の.sqlite3"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kw: (str(chosen), ""))
    requested: list[Path] = []
    masters.window().database_open_requested.connect(requested.append)
    page = masters.show_page(masters.settings_page)
    assert page.database_label.text() == str(masters.window().db_path)
    page.open_other_button.click()
    assert requested == [chosen]


def test_backup_settings_are_saved_and_bad_values_explained(qtbot, masters, db_path: Path, tmp_path: Path,
                                                             monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    page = masters.show_page(masters.backup_page)
    qtbot.waitUntil(lambda: page.loaded)
    assert page.spins["interval_minutes"].value() == 30 and not page.has_unsaved_changes()
    usb = tmp_path / "USBメモリ"
    usb.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: str(usb))
    page._choose_folder()
    page.spins["interval_minutes"].setValue(15)
    assert page.has_unsaved_changes()
    assert save_and_wait(qtbot, page)
    stored = dict(query(db_path, "SELECT key, value FROM settings WHERE key LIKE 'backup%'"))
    assert str(usb) in stored.values() and "15" in stored.values()
    page.folder_edit.setText("相対パス")
    assert not save_and_wait(qtbot, page)
    assert "ドライブ名" in page.message.text()
    assert str(usb) in dict(query(db_path, "SELECT key, value FROM settings WHERE key LIKE 'backup%'")).values()
