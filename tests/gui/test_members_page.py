"""マスタ・設定 › 参加者実人数: one row per place active in the 年度 beside its 延べ参加者数; typed counts (full-width,
「20人」) are checked as they are typed and saved all rows or none; checked with independent SQL."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain.records import Gathering, Members, Place
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.screens.masters import MastersScreen
from kaigo_desktop.gui.screens.members_table_model import ATTENDANCE, MALE, NOTE, TOTAL
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import save_and_wait

CHIYODA = "131016"
TODAY = date(2025, 6, 30)


@pytest.fixture
def page(qtbot, db_path: Path, settings: UserSettings):
    with Database.open(db_path) as db:
        sakura = records.add(db, Place(CHIYODA, "さくら体操の会", start_date=date(2020, 4, 1)), today=TODAY)
        records.add(db, Place(CHIYODA, "ひまわりサロン", start_date=date(2020, 4, 1)), today=TODAY)
        for month in (4, 5, 6):
            records.add(db, Gathering(sakura.id, date(2024, month, 10), attendance_total=15), today=TODAY)
        records.add(db, Members(sakura.id, 2024, total=20), today=TODAY)
    settings.default_municipality = CHIYODA
    window = open_main_window(db_path, settings, today=TODAY)
    window.show()
    masters = window.show_screen(MastersScreen)
    masters.tabs.setCurrentWidget(masters.members)
    members = masters.members
    qtbot.waitUntil(lambda: members.loaded and members.model.rowCount() == 2, timeout=10_000)
    members.fiscal_year_combo.setCurrentIndex(members.fiscal_year_combo.findData(2024))
    qtbot.waitUntil(lambda: members._shown is not None and members._shown[0] == 2024, timeout=10_000)
    yield members
    for screen in window.screens:
        screen.discard_changes()
    window.close()
    window.deleteLater()


def row_of(page, name: str) -> int:
    return next(r for r in range(page.model.rowCount()) if page.cell_text(r, 0) == name)


def test_rows_show_the_places_attendance_and_stored_figures(page) -> None:
    sakura = row_of(page, "さくら体操の会")
    assert page.cell_text(sakura, ATTENDANCE) == "45" and page.cell_text(sakura, TOTAL) == "20"
    assert page.cell_text(row_of(page, "ひまわりサロン"), TOTAL) == ""


def test_typing_is_checked_live_and_saved_all_or_none(qtbot, page, db_path: Path) -> None:
    sakura, himawari = row_of(page, "さくら体操の会"), row_of(page, "ひまわりサロン")
    page.type_cell(sakura, TOTAL, "５０人")  # above the 延べ of 45: a warning, saved anyway
    assert "延べ参加者数（45人）を超えています" in page.cell_text(sakura, NOTE)
    page.type_cell(himawari, TOTAL, "10")
    page.type_cell(himawari, MALE, "12")  # more men than people: refused
    refused_note = page.cell_text(himawari, NOTE)
    assert "男性" in refused_note
    assert not save_and_wait(qtbot, page)
    stored = lambda: sqlite3.connect(db_path).execute(  # noqa: E731
        "SELECT p.name, m.total, m.male FROM members m JOIN places p ON p.id = m.place_id"
        " WHERE m.deleted_at IS NULL ORDER BY p.name").fetchall()
    assert stored() == [("さくら体操の会", 20, None)]  # nothing written
    page.type_cell(himawari, MALE, "4")
    assert "男性" not in page.cell_text(himawari, NOTE)  # only the 延べ warning (no gatherings yet) is left
    assert save_and_wait(qtbot, page)
    assert stored() == [("さくら体操の会", 50, None), ("ひまわりサロン", 10, 4)]


def test_stored_figures_are_checked_when_the_page_fills(qtbot, page) -> None:
    """A 実人数 saved earlier above the place's 延べ (gatherings deleted since, say) shows its note at once."""
    from kaigo_desktop.gui.operations import CollectionOp
    from kaigo_desktop.services.changes import Changes

    def store(db, _ctx):
        place_id = db.scalar("SELECT id FROM places WHERE name = 'ひまわりサロン'")
        records.add(db, Members(place_id, 2024, total=7), today=TODAY)

    stored = []
    CollectionOp(None, page.context, store, changes=Changes.of("members")).success(stored.append) \
        .run_in_background()
    qtbot.waitUntil(lambda: bool(stored), timeout=10_000)
    page.reload()  # as the screen does when shown again after a change elsewhere
    qtbot.waitUntil(lambda: page.cell_text(row_of(page, "ひまわりサロン"), TOTAL) == "7", timeout=10_000)
    assert "延べ参加者数（0人）を超えています" in page.cell_text(row_of(page, "ひまわりサロン"), NOTE)
    assert page.cell_text(row_of(page, "さくら体操の会"), NOTE) == ""


def test_typing_into_the_table_with_the_keyboard(qtbot, page) -> None:
    """The cell editor of the view (the one an IME types into) writes through the model: the row is checked."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    himawari = row_of(page, "ひまわりサロン")
    page.table.setFocus()
    page.table.setCurrentIndex(page.model.index(himawari, TOTAL))
    page.table.edit(page.model.index(himawari, TOTAL))
    editor = page.table.indexWidget(page.model.index(himawari, TOTAL))
    assert editor is not None
    QTest.keyClicks(editor, "12")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.cell_text(himawari, TOTAL) == "12", timeout=5_000)  # Qt commits it queued
    assert page.cell_text(himawari, TOTAL) == "12" and page.has_unsaved_changes()
    assert "延べ参加者数（0人）を超えています" in page.cell_text(himawari, NOTE)


def test_ten_thousand_places_fill_without_an_item_per_cell(qtbot, page) -> None:
    """Filling the model is one reset: 10,000 rows are there at once and a row's check is made when asked."""
    from kaigo_desktop.services.members_view import MembersRow

    rows = [MembersRow(f"id{i}", f"通いの場{i}", "131016", "", 3, 30, 40 if i == 9_999 else 20) for i in range(10_000)]
    page._fill(2024, "131016", rows)
    assert page.model.rowCount() == 10_000 and page.cell_text(9_999, TOTAL) == "40"
    assert "延べ参加者数（30人）を超えています" in page.cell_text(9_999, NOTE) and page.cell_text(0, NOTE) == ""
    assert not page.has_unsaved_changes()
    page.type_cell(5, TOTAL, " 20 ")  # typed over with what is stored: nothing to save
    assert not page.has_unsaved_changes()
    page.type_cell(5, TOTAL, "21")
    assert page.model.changed_rows() == [5]
    page.discard_changes()
