"""The 通いの場 screen driven offscreen on a real database: create a place by typing Japanese, inline
validation, delete with confirmation, the trash and restore, search-as-you-type, SQL sorting, the unsaved
changes guard, and the table model under qtmodeltester."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from kaigo_desktop.domain.records import Assignment, Center, Place, Promoter
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import AppContext, UserSettings
from kaigo_desktop.gui.screens.place_table_model import PlaceTableModel
from kaigo_desktop.gui.screens.places import PlacesScreen
from kaigo_desktop.services import places_view as pv
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait, save_and_wait, show_sized, type_text

CHIYODA, SHINJUKU = "131016", "131041"
Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def stored(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with Database.open(db_path) as db:
        return [tuple(row) for row in db.query(sql, params)]


@pytest.fixture
def seeded_path(db_path: Path) -> Path:
    with Database.open(db_path, user="準備") as db:
        kanda = records.add(db, Center(CHIYODA, "神田地域包括支援センター", "カンダ"))
        records.add(db, Center(SHINJUKU, "落合地域包括支援センター", "オチアイ"))
        sakura = records.add(db, Place(CHIYODA, "さくら体操の会", "サクラタイソウノカイ", center_id=kanda.id,
                                       address="千代田区神田1-1", programs=("motor",), start_date=date(2020, 4, 1)))
        records.add(db, Place(CHIYODA, "向日葵サロン", "ヒマワリサロン", address="千代田区神田2-2",
                              programs=("social",), status="休止中", start_date=date(2021, 4, 1)))
        records.add(db, Place(SHINJUKU, "落合いきいき百歳体操", "オチアイイキイキヒャクサイタイソウ",
                              address="新宿区上落合3-3", programs=("motor", "cognition"),
                              start_date=date(2019, 10, 1)))
        promoter = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2020, 4, 1), kana="ヤマダハナコ"))
        records.add(db, Assignment(promoter.id, sakura.id, date(2020, 4, 1), date(2023, 3, 31)))
    return db_path


@pytest.fixture
def settings(settings: UserSettings) -> UserSettings:
    settings.default_municipality = CHIYODA
    settings.default_center = "神田地域包括支援センター"
    return settings


@pytest.fixture
def context(seeded_path: Path, start_context) -> AppContext:
    return start_context(seeded_path, user="画面テスト")


@pytest.fixture
def screen(qtbot, context: AppContext) -> PlacesScreen:
    screen = show_sized(qtbot, PlacesScreen(context), 1200, 760)
    with qtbot.waitSignal(screen.list_did_refresh):
        screen.activate()
    return screen


def listed(screen: PlacesScreen) -> list[str]:
    return [screen.model.row_at(i).name for i in range(screen.model.rowCount())]


def select(qtbot, screen: PlacesScreen, name: str) -> None:
    row = listed(screen).index(name)
    with qtbot.waitSignal(screen.detail_did_load):
        screen.table.selectRow(row)
    assert screen.form.name_edit.text() == name


def test_a_place_created_through_the_form_is_listed_and_stored(qtbot, screen: PlacesScreen,
                                                                seeded_path: Path) -> None:
    assert screen.new_record()
    form = screen.form
    assert form.title_label.text() == "新しい通いの場"
    assert form.municipality_combo.currentText() == "千代田区"  # the user's defaults
    assert form.center_combo.currentText() == "神田地域包括支援センター"
    assert QApplication.focusWidget() is form.name_edit
    type_text(form.name_edit, "ひだまり健康体操クラブ")
    type_text(form.kana_edit, "ひだまりけんこうたいそうくらぶ")
    type_text(form.address_edit, "千代田区神田3-3")
    type_text(form.capacity_edit, "２５人")
    form.program_checks["motor"].setChecked(True)
    form.program_checks["oral"].setChecked(True)
    assert form.name_edit.text() == "ひだまり健康体操クラブ"  # Japanese typed arrives intact
    assert screen.has_unsaved_changes()
    with qtbot.waitSignal(screen.list_did_refresh):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "ひだまり健康体操クラブ" in listed(screen)
    assert screen.selected_row().name == "ひだまり健康体操クラブ"
    assert not screen.has_unsaved_changes() and form.place_id
    assert stored(seeded_path, "SELECT p.municipality_code, p.kana, capacity, programs, p.updated_by, c.name"
                               " FROM places p JOIN centers c ON c.id = p.center_id WHERE p.name = ?",
                  ("ひだまり健康体操クラブ",)) == [
        (CHIYODA, "ヒダマリケンコウタイソウクラブ", 25, 0b101, "画面テスト", "神田地域包括支援センター")]


def test_bad_entries_get_inline_japanese_messages_and_nothing_is_stored(qtbot, screen: PlacesScreen,
                                                                         seeded_path: Path) -> None:
    screen.new_record()
    form = screen.form
    form.start_edit.set_value(date(2024, 4, 1))
    form.end_edit.set_value(date(2024, 3, 1))
    assert form.end_edit.wareki_below.text().startswith("令和6年3月1日")
    assert not save_and_wait(qtbot, screen)
    assert form.errors.messages() == ["通いの場の名称を入力してください。",
                                      "終了日（令和6年3月1日）が開始日（令和6年4月1日）より前です。"]
    assert form.error_label.isVisible()
    assert form.name_edit.property("invalid") and form.end_edit.editor.property("invalid")
    assert QApplication.focusWidget() is form.name_edit  # the first field in error
    type_text(form.capacity_edit, "たくさん")
    type_text(form.name_edit, "けやき会")
    assert not save_and_wait(qtbot, screen)
    assert form.errors.messages() == ["定員は0以上の整数で入力してください: たくさん"]
    form.capacity_edit.clear()
    form.end_edit.set_value(None)
    assert save_and_wait(qtbot, screen)
    assert not form.error_label.isVisible()
    assert stored(seeded_path, "SELECT COUNT(*) FROM places") == [(4,)]


def test_an_unchosen_municipality_and_an_absurd_capacity_are_explained(qtbot, screen: PlacesScreen) -> None:
    screen.new_record()
    type_text(screen.form.name_edit, "けやき会")
    type_text(screen.form.capacity_edit, "99999999999999999999")
    assert not save_and_wait(qtbot, screen)
    assert screen.form.errors.messages() == ["定員は100,000以下で入力してください（20桁の数）。"]
    screen.form.capacity_edit.clear()
    screen.form.municipality_combo.set_value(None)
    assert screen.form.center_combo.value() is None  # the center belonged to the municipality
    assert not save_and_wait(qtbot, screen)
    assert screen.form.errors.messages() == ["区市町村を選んでください。"]
    assert screen.form.municipality_combo.property("invalid")


def test_a_duplicate_name_is_shown_on_the_name_field(qtbot, screen: PlacesScreen) -> None:
    screen.new_record()
    type_text(screen.form.name_edit, "さくら体操の会")
    assert not save_and_wait(qtbot, screen)
    assert screen.form.errors.messages() == ["同じ区市町村に「さくら体操の会」という通いの場が既にあります。"]


def test_delete_asks_naming_the_place_and_the_row_leaves_the_list(qtbot, screen: PlacesScreen, monkeypatch,
                                                                   seeded_path: Path) -> None:
    select(qtbot, screen, "さくら体操の会")
    asked: list[str] = []
    answers = iter([No, Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text, *_args: (asked.append(text),
                                                                                       next(answers))[1])
    assert not screen.delete_selected()
    assert "さくら体操の会" in listed(screen)
    with qtbot.waitSignal(screen.list_did_refresh):
        qtbot.mouseClick(screen.delete_button, Qt.MouseButton.LeftButton)
    assert "さくら体操の会" not in listed(screen)
    assert "「さくら体操の会」" in asked[0] and "ごみ箱" in asked[0] and "元に戻せます" in asked[0]
    assert stored(seeded_path, "SELECT deleted_at IS NOT NULL FROM places WHERE name = 'さくら体操の会'") == [(1,)]
    assert screen.form.is_read_only and not screen.form.name_edit.text()


def test_restore_from_the_trash_brings_the_place_back(qtbot, screen: PlacesScreen, context: AppContext) -> None:
    place_id = run_and_wait(qtbot, context, lambda db, _ctx: pv.find_places(db, pv.PlaceQuery(text="向日葵"))[0].id)
    run_and_wait(qtbot, context, lambda db, _ctx: pv.remove_place(db, place_id))
    with qtbot.waitSignal(screen.list_did_refresh):
        screen.filter_bar.trash_check.setChecked(True)
    assert listed(screen) == ["向日葵サロン"]
    assert screen.restore_button.isVisible() and not screen.delete_button.isVisible()
    select(qtbot, screen, "向日葵サロン")
    assert screen.form.is_read_only and "ごみ箱" in screen.form.banner.text()
    assert not save_and_wait(qtbot, screen)  # a place in the trash cannot be edited
    with qtbot.waitSignal(screen.list_did_refresh):
        qtbot.mouseClick(screen.restore_button, Qt.MouseButton.LeftButton)
    assert listed(screen) == []
    with qtbot.waitSignal(screen.list_did_refresh):
        screen.filter_bar.trash_check.setChecked(False)
    assert "向日葵サロン" in listed(screen)


def test_search_as_you_type_filters_after_a_pause(qtbot, screen: PlacesScreen, monkeypatch) -> None:
    assert len(listed(screen)) == 3
    queries: list[str] = []
    original = pv.find_places
    monkeypatch.setattr(pv, "find_places", lambda db, query: (queries.append(query.text), original(db, query))[1])
    with qtbot.waitSignal(screen.list_did_refresh, timeout=3000):
        type_text(screen.filter_bar.search_edit, "たいそう", pause_ms=40)  # hiragana finds katakana kana
    assert listed(screen) == ["落合いきいき百歳体操", "さくら体操の会"]
    assert queries == ["たいそう"]  # one query for four keystrokes 40 ms apart
    with qtbot.waitSignal(screen.list_did_refresh, timeout=3000):
        screen.filter_bar.search_edit.clear()
        type_text(screen.filter_bar.search_edit, "神田")  # address
    assert listed(screen) == ["さくら体操の会", "向日葵サロン"]


def test_text_committed_by_the_ime_searches_but_text_being_composed_does_not(qtbot, screen: PlacesScreen) -> None:
    edit = screen.filter_bar.search_edit
    edit.setFocus()
    QApplication.sendEvent(edit, QInputMethodEvent("ひまわり", []))
    qtbot.wait(screen.SEARCH_DELAY_MS * 2)
    assert len(listed(screen)) == 3 and edit.text() == ""
    committed = QInputMethodEvent("", [])
    committed.setCommitString("向日葵")
    with qtbot.waitSignal(screen.list_did_refresh):
        QApplication.sendEvent(edit, committed)
    assert listed(screen) == ["向日葵サロン"]


def test_filters_narrow_the_list(qtbot, screen: PlacesScreen) -> None:
    bar = screen.filter_bar
    with qtbot.waitSignal(screen.list_did_refresh):
        bar.municipality_combo.set_value(CHIYODA)
    assert listed(screen) == ["さくら体操の会", "向日葵サロン"]
    assert [bar.center_combo.itemText(i) for i in range(bar.center_combo.count())] == [
        "すべてのセンター", "神田地域包括支援センター"]
    with qtbot.waitSignal(screen.list_did_refresh):
        bar.status_combo.set_value("休止中")
    assert listed(screen) == ["向日葵サロン"]
    with qtbot.waitSignal(screen.list_did_refresh):
        bar.status_combo.set_value(None)
    with qtbot.waitSignal(screen.list_did_refresh):
        bar.program_combo.set_value("motor")
    assert listed(screen) == ["さくら体操の会"]
    assert screen.count_label.text() == "1件"


def test_clicking_a_header_sorts_in_sql(qtbot, screen: PlacesScreen) -> None:
    header = screen.table.horizontalHeader()
    name_column = screen.model.column_of("name")
    with qtbot.waitSignal(screen.list_did_refresh):
        header.setSortIndicator(name_column, Qt.SortOrder.AscendingOrder)
    assert listed(screen) == ["さくら体操の会", "向日葵サロン", "落合いきいき百歳体操"]
    with qtbot.waitSignal(screen.list_did_refresh):
        header.setSortIndicator(name_column, Qt.SortOrder.DescendingOrder)
    assert listed(screen) == ["落合いきいき百歳体操", "向日葵サロン", "さくら体操の会"]
    assert screen.query().order_by == "name" and screen.query().descending


def test_the_detail_shows_assigned_promoters_and_enter_moves_to_the_next_field(qtbot, screen: PlacesScreen) -> None:
    select(qtbot, screen, "さくら体操の会")
    form = screen.form
    assert form.promoters_table.rowCount() == 1
    assert form.promoters_table.item(0, 0).text() == "山田花子"
    assert form.promoters_table.item(0, 1).text() == "R2.4.1 ～ R5.3.31"
    form.name_edit.setFocus()
    QTest.keyClick(form.name_edit, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is form.kana_edit
    assert not screen.has_unsaved_changes()  # Enter alone changes nothing


def test_leaving_unsaved_edits_asks_and_cancel_keeps_them(qtbot, screen: PlacesScreen, monkeypatch) -> None:
    select(qtbot, screen, "さくら体操の会")
    type_text(screen.form.contact_edit, "代表 鈴木")
    assert screen.has_unsaved_changes()
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Cancel)
    screen.table.selectRow(listed(screen).index("向日葵サロン"))
    qtbot.wait(50)
    assert screen.form.name_edit.text() == "さくら体操の会" and screen.form.contact_edit.text() == "代表 鈴木"
    assert screen.selected_row().name == "さくら体操の会"
    assert not screen.new_record()
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Discard)
    with qtbot.waitSignal(screen.detail_did_load):
        screen.table.selectRow(listed(screen).index("向日葵サロン"))
    assert screen.form.name_edit.text() == "向日葵サロン" and not screen.has_unsaved_changes()


def test_the_table_model_passes_qtmodeltester(qtbot, qtmodeltester, context: AppContext) -> None:
    model = PlaceTableModel()
    rows = run_and_wait(qtbot, context, lambda db, _ctx: pv.find_places(db, pv.PlaceQuery()))
    model.set_rows(rows)
    qtmodeltester.check(model)
    model.set_rows(rows[:1], trash=True)
    qtmodeltester.check(model)
    assert model.headerData(model.columnCount() - 1, Qt.Orientation.Horizontal) == "削除日"


def test_screenshot_views_are_filled_with_a_place_of_the_database(qtbot, screen: PlacesScreen) -> None:
    views = dict(screen.screenshot_views())
    assert set(views) == {"PlacesScreen", "PlaceForm"}
    assert views["PlacesScreen"]() is screen
    qtbot.waitUntil(lambda: screen.form.name_edit.text() == "さくら体操の会")  # the place with a promoter
    assert screen.model.rowCount() == 3 and screen.selected_row().name == "さくら体操の会"
    form = views["PlaceForm"]()
    qtbot.waitUntil(lambda: form.name_edit.text() == "さくら体操の会")
    assert form.promoters_table.rowCount() == 1
    assert not form.grab().isNull()


def test_a_result_overtaken_by_a_newer_query_is_dropped(qtbot, screen: PlacesScreen, context: AppContext,
                                                        monkeypatch) -> None:
    release = threading.Event()
    context.run(lambda db, _ctx: release.wait(5))  # keeps the database thread busy meanwhile
    searched: list[str] = []
    original = pv.find_places
    monkeypatch.setattr(pv, "find_places", lambda db, query: (searched.append(query.text), original(db, query))[1])
    shown: list[list[str]] = []
    screen.list_did_refresh.connect(lambda: shown.append(listed(screen)))
    screen.filter_bar.search_edit.setText("さくら")
    screen.refresh()
    screen.filter_bar.search_edit.setText("落合")
    screen.refresh()
    release.set()
    qtbot.waitUntil(lambda: bool(shown))
    qtbot.wait(100)
    assert shown == [["落合いきいき百歳体操"]]
    assert searched == ["落合"]  # the older query, still waiting, was not even run


def test_menu_shortcuts_of_the_main_window_reach_the_screen(qtbot, seeded_path: Path, settings: UserSettings,
                                                            monkeypatch) -> None:
    window = open_main_window(seeded_path, settings, today=date(2025, 6, 1))
    qtbot.addWidget(window)
    window.show()
    screen = window.current_screen
    assert isinstance(screen, PlacesScreen)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert screen.form.title_label.text() == "新しい通いの場"
    type_text(screen.form.name_edit, "みどり茶話会")
    with qtbot.waitSignal(screen.list_did_refresh):
        QTest.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "みどり茶話会" in listed(screen)
    qtbot.waitUntil(lambda: "通いの場 4" in window.counts_label.text())
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: Yes)
    screen.table.setFocus()
    with qtbot.waitSignal(screen.list_did_refresh):
        QTest.keyClick(screen.table, Qt.Key.Key_Delete)
    assert "みどり茶話会" not in listed(screen)
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is screen.filter_bar.search_edit
    window.close()


@pytest.mark.parametrize("typed", ["しんじゅく", "シンジュク", "新宿", "131041", "13104", "１３１０４"])
def test_the_municipality_picker_takes_name_yomi_and_code(qtbot, screen: PlacesScreen, seeded_path: Path,
                                                          typed: str) -> None:
    assert screen.new_record()
    form = screen.form
    assert form.municipality_combo.value() == CHIYODA  # the user's default
    form.municipality_combo.lineEdit().clear()
    type_text(form.municipality_combo.lineEdit(), typed)
    assert form.municipality_combo.value() == SHINJUKU  # one rule with every picker (domain.text)
    assert form.center_combo.findText("神田地域包括支援センター") < 0  # Chiyoda's centers are no longer offered
    type_text(form.name_edit, "新宿ひろば")
    with qtbot.waitSignal(screen.list_did_refresh):
        assert save_and_wait(qtbot, screen)
    assert stored(seeded_path, "SELECT municipality_code FROM places WHERE name = '新宿ひろば'") == [(SHINJUKU,)]


def test_the_open_data_fields_are_typed_checked_and_stored(qtbot, screen: PlacesScreen, seeded_path: Path) -> None:
    """郵便番号, 緯度・経度 and 料金 (issue 16): read as typed by the domain's parsers, refused inline."""
    select(qtbot, screen, "さくら体操の会")
    form = screen.form
    type_text(form.postal_edit, "１０１００４７")
    type_text(form.latitude_edit, "34.5")  # inside Tokyo's islands' latitudes; the longitude is missing
    type_text(form.fee_edit, "1回100円")
    assert not save_and_wait(qtbot, screen)
    assert form.errors.messages() == ["緯度と経度は両方入力するか、両方とも空にしてください。"]
    type_text(form.longitude_edit, "135.5")
    assert not save_and_wait(qtbot, screen)
    assert form.errors.messages() == ["経度が東京都の範囲（136.0～154.0度、島しょ部を含む）の外です: 135.5"]
    assert stored(seeded_path, "SELECT postal_code, fee FROM places WHERE name = 'さくら体操の会'") == [("", "")]
    form.latitude_edit.clear()
    form.longitude_edit.clear()
    type_text(form.latitude_edit, "35.6918")
    type_text(form.longitude_edit, "139.7706")
    assert save_and_wait(qtbot, screen)
    assert stored(seeded_path, "SELECT postal_code, latitude, longitude, fee FROM places"
                               " WHERE name = 'さくら体操の会'") == [("101-0047", 35.6918, 139.7706, "1回100円")]
    assert form.postal_edit.text() == "101-0047" and not screen.has_unsaved_changes()
