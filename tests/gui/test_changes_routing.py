"""What one screen or dialog changes reaches the others through the announced `Changes` (no screen is told
by hand), and a write button is disabled while its operation runs (no double submit) — on a real database
file, with the real main window."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain.records import Center, Gathering, Place
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.merge_dialog import MergeDialog
from kaigo_desktop.gui.screens.masters import MastersScreen
from kaigo_desktop.gui.screens.places import PlacesScreen
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import save_and_wait

CHIYODA = "131016"
TODAY = date(2024, 6, 1)


@pytest.fixture
def window(qtbot, db_path: Path, settings):
    with Database.open(db_path, user="準備") as db:
        records.add(db, Center(CHIYODA, "神田地域包括支援センター"))
        keep = records.add(db, Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)))
        dup = records.add(db, Place(CHIYODA, "サクラ体操クラブ", start_date=date(2021, 4, 1)))
        records.add(db, Gathering(dup.id, date(2024, 5, 10), attendance_total=12))
        records.add(db, Gathering(keep.id, date(2024, 5, 11), attendance_total=9))
    window = open_main_window(db_path, settings, today=TODAY)
    window.show()
    yield window
    for screen in window.screens:
        screen.discard_changes()
    window.close()
    window.deleteLater()


def place_names(screen: PlacesScreen) -> list[str]:
    model = screen.model
    return sorted(model.data(model.index(row, 0)) for row in range(model.rowCount()))


def center_labels(screen: PlacesScreen) -> list[str]:
    combo = screen.filter_bar.center_combo
    return [combo.itemText(i) for i in range(combo.count())]


def type_new_center(qtbot, window, name: str):
    """On the masters screen: a new 千代田区 center typed in, not saved yet. Returns (masters, its page)."""
    masters = window.show_screen(MastersScreen)
    qtbot.waitUntil(lambda: all(page.loaded for page in masters.pages), timeout=10_000)
    page = masters.show_page(masters.centers)
    assert masters.new_record()
    page.municipality_edit.setCurrentIndex(page.municipality_edit.findData(CHIYODA))
    page.name_edit.setText(name)
    return masters, page

def test_a_center_saved_in_masters_is_offered_by_the_places_filter(qtbot, window) -> None:
    places = window.show_screen(PlacesScreen)
    bar = places.filter_bar
    qtbot.waitUntil(lambda: bar.municipality_combo.findData(CHIYODA) >= 0, timeout=10_000)
    bar.municipality_combo.setCurrentIndex(bar.municipality_combo.findData(CHIYODA))
    qtbot.waitUntil(lambda: "神田地域包括支援センター" in center_labels(places), timeout=10_000)
    assert "麹町地域包括支援センター" not in center_labels(places)

    masters, _ = type_new_center(qtbot, window, "麹町地域包括支援センター")
    assert save_and_wait(qtbot, masters)

    window.show_screen(PlacesScreen)
    qtbot.waitUntil(lambda: "麹町地域包括支援センター" in center_labels(places), timeout=10_000)


def test_a_merge_refreshes_the_places_list_and_the_counts(qtbot, window, monkeypatch) -> None:
    places = window.show_screen(PlacesScreen)
    qtbot.waitUntil(lambda: place_names(places) == ["さくら体操クラブ", "サクラ体操クラブ"], timeout=10_000)
    qtbot.waitUntil(lambda: "通いの場 2" in window.counts_label.text(), timeout=10_000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    dialog = MergeDialog(window.context, "places", window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled() and dialog.survivor_picker.record_id() is not None,
                    timeout=10_000)
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog.merge_button.isEnabled(), timeout=10_000)
    dialog.merge_button.click()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=10_000)
    # Nobody told the places screen or the status bar: the merge's Changes reached them.
    qtbot.waitUntil(lambda: place_names(places) == ["さくら体操クラブ"], timeout=10_000)
    qtbot.waitUntil(lambda: "通いの場 1" in window.counts_label.text(), timeout=10_000)


def test_a_write_button_is_disabled_while_its_operation_runs(qtbot, window) -> None:
    masters, page = type_new_center(qtbot, window, "番町地域包括支援センター")
    # Hold the database thread so the save waits in the queue, as a slow disk would make it.
    release, started = threading.Event(), threading.Event()
    window.context.run(lambda _db, _ctx: (started.set(), release.wait(10)))
    qtbot.waitUntil(started.is_set, timeout=10_000)
    try:
        page.save_button.click()
        assert not page.save_button.isEnabled() and not page.new_button.isEnabled()
        page.save_button.click()  # a second click on a disabled button does nothing
    finally:
        release.set()
    qtbot.waitUntil(lambda: "保存しました" in page.message.text(), timeout=10_000)
    assert page.save_button.isEnabled() and page.new_button.isEnabled()
    with Database.open(window.db_path) as db:
        assert db.scalar("SELECT COUNT(*) FROM centers WHERE name = '番町地域包括支援センター'") == 1
