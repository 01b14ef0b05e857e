"""よみ search in every picker, by the one rule of domain.text (search_key / matches_search): 「さとう」 finds
佐藤 in 活動記録's promoter picker and filter as 「さくら」 finds places; the welcome dialog's 区市町村 picker takes
the name, its よみ (「としま」) and the code (「131164」, 5-digit 「13116」, full-width), and its red error goes once
the choice is valid. Real database files and widgets."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from kaigo_desktop.domain.text import matches_search, search_key
from kaigo_desktop.gui.welcome import WelcomeDialog
from kaigo_desktop.gui.app import ensure_demo_database
from tests.gui.conftest import save_and_wait, type_text
from tests.gui.test_activities_screen import people, screen  # noqa: F401 - fixtures

TOSHIMA = "131164"


@pytest.mark.parametrize("typed", ["さとう", "サトウ", "ｻﾄｳ", "佐藤", "さとう いち", "イチロウ", "佐藤一", "港"])
def test_one_rule_folds_kana_width_and_spaces(typed) -> None:
    assert matches_search(typed, search_key("佐藤 一郎（港区）", "サトウイチロウ"))


def test_the_rule_finds_nothing_for_other_names_or_blank() -> None:
    key = search_key("佐藤 一郎（港区）", "サトウイチロウ")
    assert not matches_search("やまだ", key) and not matches_search("", key) and not matches_search("  ", key)


def test_yomi_finds_the_promoter_in_the_activity_form(qtbot, screen, db_path, people) -> None:
    assert screen.new_record()
    form = screen.form
    form.promoter.lineEdit().clear()
    type_text(form.promoter.lineEdit(), "さとう")
    completer = form.promoter.completer()
    assert completer.completionCount() == 1
    assert completer.currentIndex().data() == "佐藤一郎（港区）"  # what the popup offers
    assert form.promoter.value() == people["sato"].id  # the one promoter it finds is chosen
    completer.popup().hide()  # not picked from the list: Enter leaves the field, which shows whom it found
    QTest.keyClick(form.promoter.lineEdit(), Qt.Key.Key_Return)
    assert form.promoter.currentText() == "佐藤一郎（港区）"
    assert form.place.labels() == ["（なし）", "港いきいき広場"]
    type_text(form.place.lineEdit(), "みなと")  # the place picker of the same form, by its よみ too
    assert form.place.value() == people["minato"].id
    form.done_on.set_value(date(2024, 5, 20))
    type_text(form.summary, "よみで選んだ")
    assert save_and_wait(qtbot, screen)
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute("SELECT promoter_id, place_id FROM activities WHERE summary = 'よみで選んだ'").fetchone()
    finally:
        conn.close()
    assert row == (people["sato"].id, people["minato"].id)


def test_text_finding_several_promoters_or_none_chooses_none(qtbot, screen) -> None:
    assert screen.new_record()
    form = screen.form
    for typed in ("区", "たなか"):  # 千代田区 and 港区: two found; nobody is たなか
        form.promoter.lineEdit().clear()
        type_text(form.promoter.lineEdit(), typed)
        assert form.promoter.value() is None and form.promoter.has_unknown_text()
    form.promoter.lineEdit().clear()
    type_text(form.promoter.lineEdit(), "ﾔﾏﾀﾞ")  # half-width katakana as some IMEs type it
    assert form.promoter.currentText() == "ﾔﾏﾀﾞ" and form.promoter.value() is not None


def test_yomi_filters_the_activity_list(qtbot, screen) -> None:
    screen.promoter_filter.lineEdit().clear()
    type_text(screen.promoter_filter.lineEdit(), "やまだ")
    qtbot.waitUntil(lambda: [row.activity.summary for row in screen.model.rows] == ["体操の見守り"])


def welcome(qtbot, tmp_path: Path) -> WelcomeDialog:
    dialog = WelcomeDialog(tmp_path / "new" / "kaigo.sqlite3", tmp_path / "demo.sqlite3", ensure_demo_database,
                           user="初回の担当")
    qtbot.addWidget(dialog)
    return dialog


@pytest.mark.parametrize("typed", ["131164", "13116", "１３１１６４", "としまく", "トシマク", "豊島", "豊島区"])
def test_welcome_takes_the_code_the_name_and_its_yomi(qtbot, tmp_path: Path, typed) -> None:
    dialog = welcome(qtbot, tmp_path)
    type_text(dialog.municipality_combo.lineEdit(), typed)
    assert dialog.selected_municipality() == TOSHIMA
    dialog.start_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.defaults[0] == TOSHIMA


def test_welcome_offers_both_toshima_and_the_one_picked_is_taken(qtbot, tmp_path: Path) -> None:
    dialog = welcome(qtbot, tmp_path)
    dialog.show()
    type_text(dialog.municipality_combo.lineEdit(), "としま")  # 豊島区 (トシマク) and 利島村 (トシマムラ)
    completer = dialog.municipality_combo.completer()
    qtbot.waitUntil(completer.popup().isVisible)
    offered = [completer.completionModel().index(row, 0).data() for row in range(completer.completionCount())]
    assert offered == ["豊島区", "利島村"]
    completer.popup().setCurrentIndex(completer.completionModel().index(0, 0))
    QTest.keyClick(completer.popup(), Qt.Key.Key_Return)
    assert dialog.selected_municipality() == TOSHIMA and dialog.municipality_combo.currentText() == "豊島区"


def test_welcome_error_goes_once_the_choice_is_valid(qtbot, tmp_path: Path) -> None:
    dialog = welcome(qtbot, tmp_path)
    dialog.show()
    type_text(dialog.municipality_combo.lineEdit(), "としま")  # 豊島区 and 利島村: not one
    dialog.start_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.error_label.isVisible()
    assert "「としま」に当てはまる区市町村が1つに決まりません（豊島区、利島村）" in dialog.error_label.text()
    assert not (tmp_path / "new" / "kaigo.sqlite3").exists()
    type_text(dialog.municipality_combo.lineEdit(), "く")  # としまく
    assert dialog.selected_municipality() == TOSHIMA
    assert not dialog.error_label.isVisible()  # no red left beside a valid choice
    dialog.municipality_combo.lineEdit().clear()
    dialog.start_button.click()
    assert dialog.error_label.isVisible()
    dialog.municipality_combo.set_value(TOSHIMA)  # picked from the list
    assert not dialog.error_label.isVisible()


def _municipalities(db_path: Path):
    from kaigo_desktop.domain.records import Municipality
    from kaigo_desktop.storage.database import Database

    with Database.open(db_path) as db:
        return [Municipality(r["code"], r["name"], r["kana"], r["kind"])
                for r in db.query("SELECT code, name, kana, kind FROM municipalities ORDER BY code")]


@pytest.mark.parametrize("typed, chosen", [
    ("131164", "豊島区"), ("13116", "豊島区"), ("１３１１６４", "豊島区"), ("ちよだ", "千代田区"), ("チヨダク", "千代田区"),
    ("新宿", "新宿区"), ("としま", "すべての区市町村"), ("存在しない", "すべての区市町村"),
])
def test_every_municipality_chooser_takes_name_yomi_and_code(qtbot, db_path: Path, typed: str,
                                                              chosen: str) -> None:
    """The choosers of filters and reports (fill_municipalities, the place filter, the report form, the bundle
    export) take what the welcome dialog takes; an ambiguous or unknown text leaves the choice as it was."""
    from PySide6.QtWidgets import QComboBox

    from kaigo_desktop.gui.screens.masters_common import fill_municipalities

    combo = QComboBox()
    qtbot.addWidget(combo)
    fill_municipalities(combo, _municipalities(db_path), None, none_label="すべての区市町村")
    combo.show()
    combo.lineEdit().setText(typed)
    combo.lineEdit().editingFinished.emit()
    assert combo.currentText() == chosen and combo.lineEdit().text() == chosen


def test_the_place_filter_takes_a_typed_code(qtbot, db_path: Path) -> None:
    from kaigo_desktop.gui.screens.place_filter_bar import PlaceFilterBar
    from kaigo_desktop.services import places_view as pv
    from kaigo_desktop.storage.database import Database

    with Database.open(db_path) as db:
        choices = pv.place_choices(db)
    bar = PlaceFilterBar()
    qtbot.addWidget(bar)
    bar.set_choices(choices)
    bar.show()
    with qtbot.waitSignal(bar.filters_did_change):
        bar.municipality_combo.lineEdit().setText("131016")
        bar.municipality_combo.lineEdit().editingFinished.emit()
    assert bar.municipality_code() == "131016"
