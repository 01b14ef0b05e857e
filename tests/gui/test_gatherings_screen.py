"""The 開催記録 screen on a real database: a gathering logged through the form is listed, bad counts are
explained beside the fields, Enter is safe during IME conversion, the month grid saves all rows or none, and
the list deletes to the trash and restores, sorted and filtered as an independent query says."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from kaigo_desktop.domain.records import Gathering, Place, Promoter
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.screens import gathering_list, gathering_table_model
from kaigo_desktop.gui.screens.gatherings import GRID_TAB, GatheringsScreen
from kaigo_desktop.services import gatherings_view, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait, save_and_wait, show_sized

NO_KEYS = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def data(db_path: Path) -> dict:
    """Three places in two 区市町村, a promoter, and a few earlier gatherings."""
    with Database.open(db_path, user="準備") as db:
        sakura = records.add(db, Place("131016", "さくら体操の会", "サクラタイソウノカイ", start_date=date(2020, 4, 1),
                                       programs=("motor",)))
        aoba = records.add(db, Place("131016", "青葉茶話会", "アオバサワカイ", start_date=date(2020, 4, 1),
                                     programs=("social",)))
        himawari = records.add(db, Place("132012", "ひまわりサロン", "ヒマワリサロン", start_date=date(2020, 4, 1)))
        promoter = records.add(db, Promoter("131016", "佐藤花子", "保健師", date(2022, 4, 1), kana="サトウハナコ"))
        records.add_many(db, [
            Gathering(sakura.id, date(2024, 4, 17), 14, "10:00", "11:30", ("motor",)),
            Gathering(sakura.id, date(2024, 4, 24), 15, "10:00", "11:30", ("motor", "oral"),
                      professionals=("歯科衛生士",), promoter_id=promoter.id),
            Gathering(sakura.id, date(2024, 5, 1), 16, "10:00", "11:30", ("motor", "oral"),
                      professionals=("歯科衛生士",), promoter_id=promoter.id),
            Gathering(aoba.id, date(2024, 5, 2), 9), Gathering(himawari.id, date(2024, 5, 3), 12),
        ])
    return {"sakura": sakura, "aoba": aoba, "himawari": himawari, "promoter": promoter}


@pytest.fixture
def context(db_path: Path, start_context, data: dict) -> AppContext:
    return start_context(db_path, user="入力担当")


def settle(qtbot, context: AppContext) -> None:
    """Until every job submitted so far has finished and its results are shown."""
    for _ in range(3):
        run_and_wait(qtbot, context, lambda _db, _ctx: None)
        qtbot.wait(5)


@pytest.fixture
def screen(qtbot, context: AppContext) -> GatheringsScreen:
    screen = show_sized(qtbot, GatheringsScreen(context), 1200, 800)
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.activate()
    qtbot.waitUntil(lambda: len(screen.form.place.choices()) == 3 and screen.list.model.rowCount() == 5)
    yield screen
    screen.discard_changes()


def stored(db_path: Path) -> list[Gathering]:
    with Database.open(db_path) as db:
        return [records.get(db, Gathering, row[0]) for row in db.query(
            "SELECT id FROM gatherings WHERE deleted_at IS NULL ORDER BY held_on, rowid")]


def type_keys(widget: QWidget, text: str) -> None:
    """Key by key, as typed with the IME off (full-width digits included)."""
    for ch in text:
        QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, NO_KEYS)


def commit_ime(widget: QWidget, text: str) -> None:
    """Japanese as the IME delivers it: a conversion shown, then committed."""
    QApplication.sendEvent(widget, QInputMethodEvent(text, []))
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()  # as between two keystrokes: the commit's own Enter window passes


def press(widget: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = NO_KEYS) -> None:
    QTest.keyClick(widget, key, modifiers)


def pick_place(qtbot, screen: GatheringsScreen, reading: str) -> None:
    """Type part of the reading in hiragana and choose the one completion offered."""
    picker = screen.form.place
    picker.setFocus()
    picker.clear()
    commit_ime(picker, reading)
    completer = picker.completer_
    qtbot.waitUntil(lambda: completer.popup().isVisible())
    assert completer.completionCount() == 1
    completer.popup().setCurrentIndex(completer.completionModel().index(0, 0))
    press(completer.popup(), Qt.Key.Key_Return)


# ---------------------------------------------------------------- the form

def test_a_gathering_logged_through_the_form_is_listed(qtbot, screen, context, db_path, data) -> None:
    form = screen.form
    pick_place(qtbot, screen, "さくら")
    assert form.place.place().id == data["sakura"].id
    settle(qtbot, context)
    # 「前回と同じ」 came in by itself: programs, time, 専門職 and promoter of May 1st.
    assert [box.isChecked() for box in form.programs.values()] == [True, False, True, False, False]
    assert (form.start_time.text(), form.end_time.text()) == ("10:00", "11:30")
    assert form.promoter.currentText() == "佐藤花子"
    form.held_on.set_value(date(2024, 5, 8))
    type_keys(form.counts["attendance_total"], "２０")  # full-width digits from the IME become 20
    type_keys(form.counts["male"], "4")
    type_keys(form.counts["female"], "16")
    type_keys(form.counts["age_75_plus"], "20")
    form.notes.setFocus()
    commit_ime(form.notes, "雨天のため室内で実施")
    assert form.totals.property("mismatch") is False
    press(form.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.hint.text().startswith("保存しました"))  # the save runs in the background

    saved = stored(db_path)[-1]
    assert (saved.held_on, saved.attendance_total, saved.male, saved.female, saved.age_75_plus) == (
        date(2024, 5, 8), 20, 4, 16, 20)
    assert saved.notes == "雨天のため室内で実施"
    assert saved.programs == ("motor", "oral") and saved.professionals == ("歯科衛生士",)
    assert saved.promoter_id == data["promoter"].id and saved.meta.updated_by == "入力担当"
    # Ready for the next sheet line: same place, a week later (the place meets weekly), counts cleared.
    assert form.place.place().id == data["sakura"].id
    assert form.held_on.value() == date(2024, 5, 15)
    assert form.counts["attendance_total"].text() == "" and form.notes.text() == ""
    assert form.programs["oral"].isChecked()
    assert not form.has_unsaved_changes()
    # … and it is in the list.
    qtbot.waitUntil(lambda: screen.list.model.rowCount() == 6)
    model = screen.list.model
    qtbot.waitUntil(lambda: all(model.is_loaded(row) for row in range(6)))
    notes = [model.index(row, 14).data() for row in range(6)]
    assert "雨天のため室内で実施" in notes


def test_picking_another_place_replaces_the_copied_parts_but_not_the_typed_ones(qtbot, screen, context) -> None:
    form = screen.form
    pick_place(qtbot, screen, "さくら")
    settle(qtbot, context)
    assert form.programs["oral"].isChecked() and form.start_time.text() == "10:00"
    pick_place(qtbot, screen, "あおば")  # its last gathering had no programs or times
    settle(qtbot, context)
    assert not any(box.isChecked() for box in form.programs.values()) and form.start_time.text() == ""
    assert form.promoter.currentData() is None
    form.programs["social"].setChecked(True)  # typed by the user …
    pick_place(qtbot, screen, "さくら")
    settle(qtbot, context)
    assert [code for code, box in form.programs.items() if box.isChecked()] == ["social"]  # … kept
    form.same_button.click()  # unless asked for
    settle(qtbot, context)
    assert [code for code, box in form.programs.items() if box.isChecked()] == ["motor", "oral"]
    assert form.promoter.currentText() == "佐藤花子"


def test_bad_counts_are_explained_beside_the_fields_and_nothing_is_saved(qtbot, screen, context, db_path) -> None:
    form = screen.form
    pick_place(qtbot, screen, "ひまわり")
    form.held_on.set_value(date(2024, 5, 10))
    type_keys(form.counts["attendance_total"], "10")
    type_keys(form.counts["male"], "6")
    type_keys(form.counts["female"], "6")
    assert form.totals.property("mismatch") is True  # highlighted before saving
    assert "男女計 12人" in form.totals.text()
    assert save_and_wait(qtbot, form) is False
    assert "男性と女性の合計（12人）が参加者数（10人）を超えています。" in form.errors.messages()
    assert form.counts["attendance_total"].property("invalid") is True
    assert len(stored(db_path)) == 5
    assert form.has_unsaved_changes()


def test_a_missing_total_and_an_unreadable_time_are_reported(qtbot, screen, db_path) -> None:
    form = screen.form
    pick_place(qtbot, screen, "あおば")
    form.start_time.setText("朝")
    assert save_and_wait(qtbot, form) is False
    assert form.errors.messages() == ["開始時刻は 10:00 のように入力してください。"]
    form.start_time.setText("９：３０")
    assert save_and_wait(qtbot, form) is False
    assert form.errors.messages() == ["参加者数を入力してください。"]
    assert len(stored(db_path)) == 5


def test_enter_while_the_ime_is_converting_neither_saves_nor_moves(qtbot, screen, db_path) -> None:
    form = screen.form
    pick_place(qtbot, screen, "さくら")
    type_keys(form.counts["attendance_total"], "12")
    form.notes.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.notes)
    QApplication.sendEvent(form.notes, QInputMethodEvent("うてん", []))  # converting, not committed
    press(form.notes, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is form.notes
    assert len(stored(db_path)) == 5
    commit_ime(form.notes, "雨天")
    assert form.notes.text() == "雨天"


def test_enter_walks_the_fields_and_saves_on_the_save_button(qtbot, screen, db_path) -> None:
    form = screen.form
    pick_place(qtbot, screen, "ひまわり")
    form.held_on.set_value(date(2024, 5, 17))
    total = form.counts["attendance_total"]
    total.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is total)
    type_keys(total, "8")
    press(total, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is form.counts["new_participants"]
    press(form.notes, Qt.Key.Key_Return)  # from the last field …
    assert QApplication.focusWidget() is form.save_button
    press(form.save_button, Qt.Key.Key_Return)  # … Enter once more saves
    qtbot.waitUntil(lambda: form.hint.text().startswith("保存しました"))
    assert [(g.held_on, g.attendance_total) for g in stored(db_path)][-1] == (date(2024, 5, 17), 8)


def test_a_listed_gathering_opens_in_the_form_and_is_corrected(qtbot, screen, context, db_path) -> None:
    model = screen.list.model
    qtbot.waitUntil(lambda: model.is_loaded(0))
    first = model.row_at(0)  # the newest first: ひまわりサロン on May 3rd
    view = screen.list.view
    view.setFocus()
    view.setCurrentIndex(model.index(0, 0))
    press(view, Qt.Key.Key_Return)  # Enter (or a double-click) on a row opens it
    form = screen.form
    qtbot.waitUntil(lambda: form.editing_id() == first.id)  # read in the background
    assert form.editing_id() == first.id and form.place.place().name == "ひまわりサロン"
    assert not form.has_unsaved_changes()
    form.counts["attendance_total"].setText("13")
    assert form.has_unsaved_changes()
    assert save_and_wait(qtbot, screen) is True
    corrected = next(g for g in stored(db_path) if g.id == first.id)
    assert corrected.attendance_total == 13 and corrected.meta.updated_by == "入力担当"
    qtbot.waitUntil(lambda: model.is_loaded(0) and model.row_at(0).attendance_total == 13)


def test_unsaved_input_is_noticed_and_can_be_discarded(qtbot, screen) -> None:
    form = screen.form
    pick_place(qtbot, screen, "あおば")
    assert not screen.has_unsaved_changes()  # a place chosen is not yet input worth keeping
    type_keys(form.counts["attendance_total"], "7")
    assert screen.has_unsaved_changes()
    screen.discard_changes()
    assert not screen.has_unsaved_changes() and form.counts["attendance_total"].text() == ""


# ---------------------------------------------------------------- the month grid

def open_grid(qtbot, screen: GatheringsScreen, context, place: Place, year: int, month: int):
    screen.tabs.setCurrentIndex(GRID_TAB)
    grid = screen.grid
    grid.open_sheet(place.id, year, month)
    qtbot.waitUntil(lambda: grid.sheet is not None and grid.sheet.month == month and grid.sheet.place_id == place.id)
    return grid


def fill_row(grid, row: int, day: str, *counts: str, notes: str = "") -> None:
    for column, text in enumerate((day, *counts)):
        grid.table.item(row, column).setText(text)
    if notes:
        grid.table.item(row, 8).setText(notes)


def test_month_grid_saves_several_rows_at_once(qtbot, screen, context, db_path, data) -> None:
    grid = open_grid(qtbot, screen, context, data["sakura"], 2024, 5)
    assert grid.table.item(0, 0).text() == "1" and grid.table.verticalHeaderItem(0).text() == "保存済"
    # Suggested days: the place met on Wednesdays before May; the 1st is already there.
    assert [grid.table.item(row, 0).text() for row in range(1, 5)] == ["8", "15", "22", "29"]
    # The first new row typed as on paper: a digit starts editing, Enter moves to the next cell.
    grid.table.setFocus()
    grid.table.setCurrentCell(1, 1)
    type_keys(grid.table, "1")
    editor = grid.delegate.open_editor
    assert editor is not None
    type_keys(editor, "８")
    press(editor, Qt.Key.Key_Return)
    assert grid.table.currentColumn() == 2
    type_keys(grid.delegate.open_editor, "3")
    press(grid.delegate.open_editor, Qt.Key.Key_Return)
    fill_row(grid, 2, "15", "17", "2", "15", notes="体力測定")
    fill_row(grid, 3, "22", "14")
    assert grid.table.item(len(grid._rows), 1).text() == "65"  # totals row: 16 + 18 + 17 + 14, live
    assert grid.has_unsaved_changes()
    assert save_and_wait(qtbot, grid) is True
    saved = [g for g in stored(db_path) if g.place_id == data["sakura"].id and g.held_on.month == 5]
    assert [(g.held_on.day, g.attendance_total, g.male) for g in saved] == [(1, 16, None), (8, 18, 3),
                                                                             (15, 17, 2), (22, 14, None)]
    assert saved[2].notes == "体力測定" and saved[1].programs == ("motor", "oral")  # 前回と同じ
    qtbot.waitUntil(lambda: grid.table.verticalHeaderItem(3).text() == "保存済")
    assert not grid.has_unsaved_changes()


def test_month_grid_with_one_bad_row_saves_none(qtbot, screen, context, db_path, data) -> None:
    grid = open_grid(qtbot, screen, context, data["himawari"], 2024, 5)
    fill_row(grid, 1, "10", "12")
    fill_row(grid, 2, "17", "10", "6", "6")  # 男性+女性 > 参加者数
    fill_row(grid, 3, "24", "11")
    before = stored(db_path)
    assert save_and_wait(qtbot, grid) is False
    assert stored(db_path) == before
    assert grid.table.verticalHeaderItem(2).text() == "エラー"
    assert grid.table.verticalHeaderItem(1).text() == "追加"
    assert "17（金）：男性と女性の合計（12人）が参加者数（10人）を超えています。" in grid.message.text()
    fill_row(grid, 2, "17", "12", "6", "6")
    assert save_and_wait(qtbot, grid) is True
    assert len(stored(db_path)) == len(before) + 3


def test_month_grid_enter_during_ime_conversion_stays_in_the_cell(qtbot, screen, context, data) -> None:
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 5)
    grid.table.setFocus()
    grid.table.setCurrentCell(1, 8)  # 備考
    grid.table.editItem(grid.table.item(1, 8))
    editor = grid.delegate.open_editor
    QApplication.sendEvent(editor, QInputMethodEvent("たいりょく", []))
    press(editor, Qt.Key.Key_Return)
    assert grid.delegate.open_editor is editor and grid.table.currentColumn() == 8
    commit_ime(editor, "体力測定")
    press(editor, Qt.Key.Key_Return)  # now Enter takes the text and moves on
    assert grid.table.item(1, 8).text() == "体力測定" and grid.table.currentRow() == 2


def test_the_month_grid_opens_on_the_place_and_month_of_the_form(qtbot, screen, data) -> None:
    pick_place(qtbot, screen, "ひまわり")
    screen.form.held_on.set_value(date(2024, 5, 20))
    screen.tabs.setCurrentIndex(GRID_TAB)
    grid = screen.grid
    qtbot.waitUntil(lambda: grid.sheet is not None)
    assert (grid.sheet.place_id, grid.sheet.year, grid.sheet.month) == (data["himawari"].id, 2024, 5)
    assert grid.table.item(0, 1).text() == "12"  # its gathering of May 3rd


def test_month_grid_refuses_a_day_twice(qtbot, screen, context, db_path, data) -> None:
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 5)
    fill_row(grid, 1, "2", "8")  # the 2nd is already stored in row 0
    assert save_and_wait(qtbot, grid) is False
    assert "2日の行が2つ以上あります。" in grid.message.text()
    assert len(stored(db_path)) == 5


def test_month_grid_asks_before_typed_rows_are_lost(qtbot, screen, context, db_path, data, monkeypatch) -> None:
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 5)
    fill_row(grid, 1, "9", "8")
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: answers.pop(0))
    grid.next_button.click()  # answered No: stay on May with the typed row
    assert grid.year_month() == (2024, 5) and grid.sheet.month == 5 and grid.has_unsaved_changes()
    grid.next_button.click()  # answered Yes: June, the row is dropped
    qtbot.waitUntil(lambda: grid.sheet.month == 6)
    assert not grid.has_unsaved_changes() and not answers
    assert len(stored(db_path)) == 5


# ---------------------------------------------------------------- the list

PLACE_ORDER = "p.kana, p.name, p.id, g.held_on, g.attendance_total, g.professionals, g.rowid"


def independent_order(db_path: Path, sql_where: str = "", order: str = "g.held_on DESC, g.rowid DESC") -> list[int]:
    with Database.open(db_path) as db:
        return [row[0] for row in db.query(
            "SELECT g.rowid FROM gatherings g JOIN places p ON p.id = g.place_id WHERE g.deleted_at IS NULL"
            f" {sql_where} ORDER BY {order}")]


def shown_keys(screen: GatheringsScreen) -> list[int]:
    model = screen.list.model
    return [model.key_at(row) for row in range(model.rowCount())]


def test_sorting_and_filtering_follow_an_independent_query(qtbot, screen, context, db_path) -> None:
    assert shown_keys(screen) == independent_order(db_path)
    model = screen.list.model
    screen.list.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # 参加者数
    expected = independent_order(db_path, order="g.attendance_total, g.rowid")
    qtbot.waitUntil(lambda: shown_keys(screen) == expected)
    screen.list.view.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # 通いの場 (by reading)
    expected = independent_order(db_path, order=PLACE_ORDER)
    qtbot.waitUntil(lambda: shown_keys(screen) == expected)
    combo = screen.list.municipality
    combo.setCurrentIndex(combo.findData("131016"))
    expected = independent_order(db_path, "AND p.municipality_code = '131016'", PLACE_ORDER)
    qtbot.waitUntil(lambda: shown_keys(screen) == expected)
    assert len(expected) == 4
    screen.list.date_from.set_value(date(2024, 5, 1))
    expected = independent_order(db_path, "AND p.municipality_code = '131016' AND g.held_on >= '2024-05-01'",
                                 PLACE_ORDER)
    qtbot.waitUntil(lambda: shown_keys(screen) == expected)
    assert len(expected) == 2 and model.rowCount() == 2


def test_a_new_order_shows_its_first_rows_and_count_before_all_keys_come(qtbot, screen, db_path,
                                                                          monkeypatch) -> None:
    monkeypatch.setattr(gathering_table_model, "PAGE_SIZE", 2)  # pages of 2 rows; the first page comes first
    monkeypatch.setattr(gathering_list, "FIRST_ROWS", 2)
    all_keys_may_come = threading.Event()
    list_keys = gatherings_view.list_keys

    def held_list_keys(db, query, *, limit=None):
        if limit is None:  # the whole key list waits (on the database thread) until the test has looked
            all_keys_may_come.wait(10)
        return list_keys(db, query, limit=limit)

    monkeypatch.setattr(gatherings_view, "list_keys", held_list_keys)
    panel, model = screen.list, screen.list.model
    panel.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # 参加者数
    expected = independent_order(db_path, order="g.attendance_total, g.rowid")
    qtbot.waitUntil(lambda: model.rowCount() == 5 and not model.is_complete())
    assert [model.key_at(row) for row in range(5)] == [*expected[:2], None, *expected[3:]]  # first and last
    assert model.is_loaded(0) and model.row_at(0).attendance_total == 9  # came with the count
    assert model.is_loaded(4)  # the end too
    assert model.index(2, 0).data() == gathering_table_model.PLACEHOLDER  # its key is still coming
    assert panel.count_label.text() == "5件"
    panel.view.selectAll()
    assert not panel.delete_button.isEnabled() and panel.selected_keys() == [] and not panel.delete_selected()
    all_keys_may_come.set()
    qtbot.waitUntil(model.is_complete)
    assert shown_keys(screen) == expected
    assert panel.delete_button.isEnabled() and panel.selected_keys() == expected
    header = panel.view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (3, Qt.SortOrder.AscendingOrder)


def test_a_column_sql_cannot_sort_by_keeps_the_order_and_its_arrow(qtbot, screen, db_path) -> None:
    header = screen.list.view.horizontalHeader()
    screen.list.view.sortByColumn(4, Qt.SortOrder.AscendingOrder)  # 男性
    qtbot.waitUntil(lambda: header.sortIndicatorSection() == 0)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert shown_keys(screen) == independent_order(db_path)


def test_delete_asks_then_moves_to_the_trash_and_restore_brings_back(qtbot, screen, context, db_path,
                                                                    monkeypatch) -> None:
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    questions = []

    def answer(*args, **kwargs):
        questions.append(args[2])
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    view = screen.list.view
    view.selectRow(0)
    view.selectionModel().select(screen.list.model.index(1, 0),
                                 view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows)
    keys = screen.list.selected_keys()
    assert len(keys) == 2
    assert screen.delete_selected() is False  # answered No
    assert len(stored(db_path)) == 5
    assert screen.delete_selected() is True
    assert "2件" in questions[-1]
    qtbot.waitUntil(lambda: len(stored(db_path)) == 3)  # the delete runs on the database thread
    qtbot.waitUntil(lambda: screen.list.model.rowCount() == 3)
    screen.list.trash.setChecked(True)
    qtbot.waitUntil(lambda: sorted(shown_keys(screen)) == sorted(keys))
    assert screen.list.restore_button.isVisible() and not screen.list.delete_button.isVisible()
    view.selectAll()
    assert screen.list.restore_selected() is True
    qtbot.waitUntil(lambda: screen.list.model.rowCount() == 0)
    assert len(stored(db_path)) == 5
