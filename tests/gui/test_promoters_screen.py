"""The 推進員 screen on a real database, offscreen: adding through the form (Japanese typed), the cap warning
that warns but saves, assignments over time, validation, delete with confirmation and restore."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain.records import Assignment, Center, Place, Population, Promoter
from kaigo_desktop.gui.screens import base, promoter_form
from kaigo_desktop.gui.screens.promoters import PromotersScreen
from kaigo_desktop.gui.widgets import record_messages
from kaigo_desktop.gui.widgets.rows_table_model import RowsTableModel
from kaigo_desktop.services import database_defaults, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import open_records_screen, run_and_wait, save_and_wait, type_text

CHIYODA, MINATO = "131016", "131032"
TODAY = date(2024, 6, 1)


@pytest.fixture
def context(db_path: Path, start_context):
    return start_context(db_path, user="テスト担当")


@pytest.fixture
def open_screen(qtbot, context):
    return lambda: open_records_screen(qtbot, PromotersScreen, context, today=TODAY)


def seed(db_path: Path, *items) -> list:
    with Database.open(db_path, user="準備") as db:
        return [records.add(db, item, today=TODAY) for item in items]


def names(screen: PromotersScreen) -> list[str]:
    return [row.promoter.name for row in screen.model.rows]


def select(qtbot, screen: PromotersScreen, name: str) -> None:
    qtbot.waitUntil(lambda: name in names(screen))
    screen.table.selectRow(names(screen).index(name))
    qtbot.waitUntil(lambda: screen.form.loaded() is not None and screen.form.loaded().name == name)


def test_add_a_promoter_through_the_form_typing_japanese(qtbot, open_screen, db_path) -> None:
    screen = open_screen()
    assert screen.new_record()
    form = screen.form
    type_text(form.name, "山田花子")
    type_text(form.kana, "やまだはなこ")
    type_text(form.municipality.lineEdit(), "千代田区")
    form.qualification.setCurrentText("保健師")
    form.start_date.set_value(date(2024, 4, 1))
    type_text(form.contact, "03-1234-5678")
    assert form.has_unsaved_changes()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: names(screen) == ["山田花子"])
    [row] = screen.model.rows
    assert (row.promoter.kana, row.municipality_name, row.promoter.qualification) == ("ヤマダハナコ", "千代田区", "保健師")
    assert screen.model.data(screen.model.index(0, 4)) == "R6.4.1～在職中"
    assert not form.has_unsaved_changes() and form.banner_text() == ""
    with Database.open(db_path) as db:
        stored = records.get(db, Promoter, row.promoter.id)
    assert stored.name == "山田花子" and stored.meta.updated_by == "テスト担当"


def use_default_municipality(qtbot, context, code: str) -> None:
    """The database's default 区市町村, saved as the settings screen saves it."""
    saved = run_and_wait(qtbot, context, lambda db, _ctx: database_defaults.save(
        db, database_defaults.DatabaseDefaults(code)))
    context.set_defaults(saved)


def test_the_cap_warning_shows_but_the_second_promoter_is_saved(qtbot, open_screen, context, db_path,
                                                                monkeypatch) -> None:
    seed(db_path, Population(CHIYODA, 2024, 9_500),
         Promoter(CHIYODA, "佐藤一郎", "社会福祉士", date(2023, 4, 1), kana="サトウイチロウ"))
    warned: list[str] = []
    monkeypatch.setattr(promoter_form.QMessageBox, "warning",
                        lambda _parent, _title, text: warned.append(text) or QMessageBox.StandardButton.Ok)
    use_default_municipality(qtbot, context, CHIYODA)
    screen = open_screen()
    screen.new_record()
    form = screen.form
    assert form.municipality.value() == CHIYODA
    qtbot.waitUntil(lambda: "上限（1人）" in form.banner_text())  # visible before saving
    assert form.banner.isVisible()
    type_text(form.name, "山田花子")
    form.qualification.setCurrentText("保健師")
    assert save_and_wait(qtbot, form)

    assert len(warned) == 1 and "千代田区の令和6年度の推進員（2人）" in warned[0]
    assert "上限（1人）" in form.banner_text()  # still shown after the save
    qtbot.waitUntil(lambda: sorted(names(screen)) == sorted(["佐藤一郎", "山田花子"]))
    with Database.open(db_path) as db:
        assert db.scalar("SELECT COUNT(*) FROM promoters WHERE municipality_code = ?", (CHIYODA,)) == 2


def test_no_cap_warning_where_the_population_is_large(qtbot, open_screen, context, db_path) -> None:
    seed(db_path, Population(CHIYODA, 2024, 12_000),
         Promoter(CHIYODA, "佐藤一郎", "社会福祉士", date(2023, 4, 1), kana="サトウイチロウ"))
    use_default_municipality(qtbot, context, CHIYODA)
    screen = open_screen()
    screen.new_record()
    type_text(screen.form.name, "山田花子")
    screen.form.qualification.setCurrentText("保健師")
    assert save_and_wait(qtbot, screen.form)
    assert screen.form.banner_text() == ""


def test_enter_moves_to_the_next_field(qtbot, open_screen) -> None:
    screen = open_screen()
    screen.new_record()
    screen.activateWindow()
    form = screen.form
    form.name.setFocus()
    qtbot.waitUntil(form.name.hasFocus)
    QTest.keyClick(form.name, Qt.Key.Key_Return)
    assert form.kana.hasFocus()
    QTest.keyClick(form.kana, Qt.Key.Key_Return)
    assert form.municipality.hasFocus() or form.municipality.lineEdit().hasFocus()


def test_validation_messages_show_inline_and_nothing_is_saved(qtbot, open_screen, db_path) -> None:
    screen = open_screen()
    screen.new_record()
    form = screen.form
    assert not save_and_wait(qtbot, form)
    assert "区市町村を選んでください。" in form.errors.messages()
    type_text(form.municipality.lineEdit(), "千代田区")
    form.start_date.set_value(date(2024, 4, 1))
    form.end_date.set_value(date(2024, 3, 1))
    assert not save_and_wait(qtbot, form)
    assert form.errors.messages() == [
        "推進員の氏名を入力してください。", "職種を入力してください。", "配置終了日（令和6年3月1日）が配置開始日（令和6年4月1日）より前です。"]
    assert form.name.property("invalid") and form.end_date.editor.property("invalid")
    with Database.open(db_path) as db:
        assert db.scalar("SELECT COUNT(*) FROM promoters") == 0


def test_search_and_municipality_filter(qtbot, open_screen, db_path) -> None:
    seed(db_path, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ"),
         Promoter(MINATO, "佐藤一郎", "社会福祉士", date(2023, 4, 1), kana="サトウイチロウ"))
    screen = open_screen()
    qtbot.waitUntil(lambda: names(screen) == ["佐藤一郎", "山田花子"])
    type_text(screen.search, "やまだ")
    qtbot.waitUntil(lambda: names(screen) == ["山田花子"])
    screen.search.clear()
    qtbot.waitUntil(lambda: len(names(screen)) == 2)
    screen.municipality_filter.setCurrentIndex(screen.municipality_filter.findText("港区"))
    qtbot.waitUntil(lambda: names(screen) == ["佐藤一郎"])
    screen.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    assert screen.order_by == "kana" and screen.descending


def test_assignments_over_time_add_end_and_list(qtbot, open_screen, db_path) -> None:
    promoter, sakura, himawari, _minato = seed(
        db_path, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ"),
        Place(CHIYODA, "さくら体操の会", kana="サクラタイソウノカイ"), Place(CHIYODA, "ひまわりサロン", kana="ヒマワリサロン"),
        Place(MINATO, "港いきいき広場", kana="ミナトイキイキヒロバ"))
    screen = open_screen()
    select(qtbot, screen, "山田花子")
    panel = screen.assignments
    assert panel.place.labels() == ["さくら体操の会", "ひまわりサロン"]  # the promoter's municipality only

    type_text(panel.place.lineEdit(), "さくら体操の会")
    panel.start_date.set_value(date(2023, 4, 1))
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert screen.tabs.tabText(1) == "担当通いの場（1）"

    panel.table.selectRow(0)
    panel.end_date.set_value(date(2023, 3, 1))  # before the start: refused with a message
    assert panel.end_selected()  # started; refused on the database thread
    qtbot.waitUntil(lambda: "担当終了日（令和5年3月1日）が担当開始日（令和5年4月1日）より前です。"
                    in panel.errors.messages())
    panel.end_date.set_value(date(2024, 3, 31))
    assert panel.end_selected()
    type_text(panel.place.lineEdit(), "ひまわりサロン")
    panel.start_date.set_value(date(2024, 4, 1))
    assert panel.add_assignment()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    shown = [[panel.model.data(panel.model.index(r, c)) for c in range(4)] for r in range(2)]
    assert shown == [["ひまわりサロン", "令和6年4月1日", "—", "担当中"],
                     ["さくら体操の会", "令和5年4月1日", "令和6年3月31日", "終了"]]
    qtbot.waitUntil(lambda: screen.model.rows and screen.model.rows[0].place_count == 1)
    with Database.open(db_path) as db:
        assert db.scalar("SELECT COUNT(*) FROM assignments WHERE promoter_id = ? AND deleted_at IS NULL",
                         (promoter.id,)) == 2


def test_removing_an_assignment_asks_first(qtbot, open_screen, db_path, monkeypatch) -> None:
    promoter, place = seed(db_path, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ"),
                           Place(CHIYODA, "さくら体操の会"))
    seed(db_path, Assignment(promoter.id, place.id, date(2023, 4, 1)))
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(record_messages.QMessageBox, "question", lambda *args: answers.pop(0))
    screen = open_screen()
    select(qtbot, screen, "山田花子")
    panel = screen.assignments
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.table.selectRow(0)
    assert not panel.remove_selected() and panel.model.rowCount() == 1
    assert panel.remove_selected()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    panel.show_deleted.setChecked(True)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)


def test_delete_asks_and_restore_brings_back(qtbot, open_screen, db_path, monkeypatch) -> None:
    seed(db_path, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ"))
    asked: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(record_messages.QMessageBox, "question",
                        lambda _parent, _title, text, *_rest: asked.append(text) or answers.pop(0))
    screen = open_screen()
    select(qtbot, screen, "山田花子")
    assert not screen.delete_selected()
    assert names(screen) == ["山田花子"] and "推進員「山田花子」をごみ箱へ移しますか？" in asked[0]
    assert screen.delete_selected()
    qtbot.waitUntil(lambda: names(screen) == [])
    assert screen.form.loaded() is None

    screen.show_deleted.setChecked(True)
    qtbot.waitUntil(lambda: names(screen) == ["山田花子"])
    screen.table.selectRow(0)
    assert not screen.form.name.isEnabled()  # a deleted promoter is shown, not edited
    qtbot.mouseClick(screen.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: names(screen) == [])
    screen.show_deleted.setChecked(False)
    qtbot.waitUntil(lambda: names(screen) == ["山田花子"])


def test_unsaved_edits_are_guarded(qtbot, open_screen, db_path, monkeypatch) -> None:
    seed(db_path, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ"),
         Promoter(CHIYODA, "佐藤一郎", "社会福祉士", date(2023, 4, 1), kana="サトウイチロウ"))
    monkeypatch.setattr(base.QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Cancel)
    screen = open_screen()
    select(qtbot, screen, "山田花子")
    type_text(screen.form.notes, "メモ")
    assert screen.has_unsaved_changes()
    screen.table.selectRow(names(screen).index("佐藤一郎"))  # Cancel: stay on the edited record
    assert screen.form.loaded().name == "山田花子" and screen.has_unsaved_changes()
    assert not screen.new_record()
    screen.discard_changes()
    assert not screen.has_unsaved_changes() and screen.form.notes.toPlainText() == ""


def test_models_pass_the_model_tester(qtbot, qtmodeltester, open_screen, db_path) -> None:
    promoter, place = seed(db_path, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ"),
                           Place(CHIYODA, "さくら体操の会"))
    seed(db_path, Assignment(promoter.id, place.id, date(2023, 4, 1)))
    screen = open_screen()
    select(qtbot, screen, "山田花子")
    qtbot.waitUntil(lambda: screen.assignments.model.rowCount() == 1)
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.assignments.model)
    qtmodeltester.check(RowsTableModel(screen.model.columns))


def test_screenshot_views_fill_the_forms(qtbot, open_screen, db_path) -> None:
    seed(db_path, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ"))
    screen = open_screen()
    views = dict(screen.screenshot_views())
    assert set(views) == {"PromotersScreen", "PromoterForm", "PromoterAssignments"}
    assert views["PromoterForm"]() is screen.form
    qtbot.waitUntil(lambda: screen.form.name.text() == "山田花子")  # read in the background


def test_a_new_promoter_starts_on_the_only_center_and_no_qualification(qtbot, open_screen, context,
                                                                        db_path) -> None:
    """Issue 15: not 「（なし）」 when the 区市町村 has one center (a promoter saved without one was the usual
    slip), the database's default center where there are several, and no 職種 chosen for the user."""
    [kanda, shiba, mita] = seed(db_path, Center(CHIYODA, "神田地域包括支援センター"),
                                Center(MINATO, "芝地域包括支援センター"), Center(MINATO, "三田地域包括支援センター"))
    use_default_municipality(qtbot, context, CHIYODA)
    screen = open_screen()
    screen.new_record()
    form = screen.form
    assert (form.municipality.value(), form.center.value()) == (CHIYODA, kanda.id)
    assert form.qualification.currentIndex() == -1 and form.qualification.currentText() == ""
    form.set_reference(screen.reference)  # the lists reloaded (another screen changed a center …)
    assert form.qualification.currentIndex() == -1
    type_text(form.name, "山田花子")
    assert not save_and_wait(qtbot, form)  # a 職種 must be chosen
    assert "職種を入力してください。" in form.errors.messages()
    form.qualification.setCurrentText("保健師")
    assert save_and_wait(qtbot, form)
    with Database.open(db_path) as db:
        assert db.scalar("SELECT center_id FROM promoters WHERE name = '山田花子'") == kanda.id

    # Several centers: the one the database names as its default; none named → 「（なし）」.
    saved = run_and_wait(qtbot, context, lambda db, _ctx: database_defaults.save(
        db, database_defaults.DatabaseDefaults(MINATO, mita.id)))
    context.set_defaults(saved)
    screen.new_record()
    assert (form.municipality.value(), form.center.value()) == (MINATO, mita.id)
    context.set_defaults(database_defaults.DatabaseDefaults(MINATO))
    screen.new_record()
    assert (form.municipality.value(), form.center.value()) == (MINATO, None)
