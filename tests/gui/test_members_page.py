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
from kaigo_desktop.gui.screens.masters_members import ATTENDANCE, MALE, NOTE, TOTAL
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
    qtbot.waitUntil(lambda: members.loaded and members.table.rowCount() == 2, timeout=10_000)
    members.fiscal_year_combo.setCurrentIndex(members.fiscal_year_combo.findData(2024))
    qtbot.waitUntil(lambda: members._shown is not None and members._shown[0] == 2024, timeout=10_000)
    yield members
    for screen in window.screens:
        screen.discard_changes()
    window.close()
    window.deleteLater()


def row_of(page, name: str) -> int:
    return next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == name)


def test_rows_show_the_places_attendance_and_stored_figures(page) -> None:
    sakura = row_of(page, "さくら体操の会")
    assert page.table.item(sakura, ATTENDANCE).text() == "45" and page.table.item(sakura, TOTAL).text() == "20"
    assert page.table.item(row_of(page, "ひまわりサロン"), TOTAL).text() == ""


def test_typing_is_checked_live_and_saved_all_or_none(qtbot, page, db_path: Path) -> None:
    sakura, himawari = row_of(page, "さくら体操の会"), row_of(page, "ひまわりサロン")
    page.table.item(sakura, TOTAL).setText("５０人")  # above the 延べ of 45: a warning, saved anyway
    assert "延べ参加者数（45人）を超えています" in page.table.item(sakura, NOTE).text()
    page.table.item(himawari, TOTAL).setText("10")
    page.table.item(himawari, MALE).setText("12")  # more men than people: refused
    refused_note = page.table.item(himawari, NOTE).text()
    assert "男性" in refused_note
    assert not save_and_wait(qtbot, page)
    stored = lambda: sqlite3.connect(db_path).execute(  # noqa: E731
        "SELECT p.name, m.total, m.male FROM members m JOIN places p ON p.id = m.place_id"
        " WHERE m.deleted_at IS NULL ORDER BY p.name").fetchall()
    assert stored() == [("さくら体操の会", 20, None)]  # nothing written
    page.table.item(himawari, MALE).setText("4")
    assert "男性" not in page.table.item(himawari, NOTE).text()  # only the 延べ warning (no gatherings yet) is left
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
    qtbot.waitUntil(lambda: page.table.item(row_of(page, "ひまわりサロン"), TOTAL).text() == "7", timeout=10_000)
    assert "延べ参加者数（0人）を超えています" in page.table.item(row_of(page, "ひまわりサロン"), NOTE).text()
    assert page.table.item(row_of(page, "さくら体操の会"), NOTE).text() == ""
