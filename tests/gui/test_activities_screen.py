"""The 活動記録 screen on a real database, offscreen: logging an activity changes the totals, filters by
promoter, 年度 and kind, validation messages, delete with confirmation and restore."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain.records import Activity, Place, Promoter
from kaigo_desktop.gui.screens.activities import ActivitiesScreen
from kaigo_desktop.gui.screens.activity_form import parse_minutes
from kaigo_desktop.gui.widgets import record_messages
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import open_records_screen, save_and_wait, type_text

CHIYODA, MINATO = "131016", "131032"
TODAY = date(2024, 6, 1)


@pytest.fixture
def people(db_path: Path) -> dict:
    with Database.open(db_path, user="準備") as db:
        add = lambda record: records.add(db, record, today=TODAY)  # noqa: E731
        made = {
            "yamada": add(Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ")),
            "sato": add(Promoter(MINATO, "佐藤一郎", "社会福祉士", date(2023, 4, 1), kana="サトウイチロウ")),
            "sakura": add(Place(CHIYODA, "さくら体操の会", kana="サクラタイソウノカイ")),
            "minato": add(Place(MINATO, "港いきいき広場", kana="ミナトイキイキヒロバ")),
        }
        add(Activity(made["yamada"].id, date(2024, 4, 10), "通いの場の継続支援", made["sakura"].id, 60, "体操の見守り"))
        add(Activity(made["sato"].id, date(2024, 5, 10), "研修・会議への参加", None, 120, "推進員研修"))
        add(Activity(made["yamada"].id, date(2024, 3, 10), "その他", None, 30, "前年度の記録"))
    return made


@pytest.fixture
def screen(qtbot, db_path: Path, start_context, people):
    context = start_context(db_path, user="テスト担当")
    screen = open_records_screen(qtbot, ActivitiesScreen, context, today=TODAY)
    qtbot.waitUntil(lambda: screen.count_label.text().startswith("2件"))
    return screen


def summaries(screen: ActivitiesScreen) -> list[str]:
    return [row.activity.summary for row in screen.model.rows]


def test_the_current_year_is_listed_newest_first_with_totals(screen) -> None:
    assert screen.year_filter.currentText() == "令和6年度"
    assert summaries(screen) == ["推進員研修", "体操の見守り"]
    assert screen.count_label.text() == "2件　合計時間 3時間（180分）"
    assert screen.model.data(screen.model.index(1, 0)) == "令和6年4月10日"
    assert screen.model.data(screen.model.index(1, 3)) == "さくら体操の会"


def test_log_an_activity_and_see_the_totals_change(qtbot, screen, db_path, people) -> None:
    assert screen.new_record()
    form = screen.form
    type_text(form.promoter.lineEdit(), "山田花子（千代田区）")
    assert form.promoter.value() == people["yamada"].id
    assert form.place.labels() == ["（なし）", "さくら体操の会"]  # the promoter's municipality only
    form.done_on.set_value(date(2024, 5, 28))
    form.kind.setCurrentText("住民・団体からの相談対応")
    type_text(form.place.lineEdit(), "さくら体操の会")
    type_text(form.minutes, "９０")  # full-width digits from the IME
    type_text(form.summary, "会場の相談に対応")
    assert save_and_wait(qtbot, screen)  # Ctrl+S

    qtbot.waitUntil(lambda: screen.count_label.text() == "3件　合計時間 4時間30分（270分）")
    assert summaries(screen) == ["会場の相談に対応", "推進員研修", "体操の見守り"]  # newest first
    with Database.open(db_path) as db:
        row = db.conn.execute("SELECT * FROM activities WHERE summary = '会場の相談に対応'").fetchone()
    assert (row["minutes"], row["place_id"], row["updated_by"]) == (90, people["sakura"].id, "テスト担当")


def test_filters_by_promoter_year_and_kind(qtbot, screen, people) -> None:
    screen.promoter_filter.lineEdit().clear()  # 「すべての推進員」 replaced by typing
    type_text(screen.promoter_filter.lineEdit(), "山田花子（千代田区）")
    qtbot.waitUntil(lambda: summaries(screen) == ["体操の見守り"])
    screen.year_filter.setCurrentIndex(screen.year_filter.findText("すべての年度"))
    qtbot.waitUntil(lambda: summaries(screen) == ["体操の見守り", "前年度の記録"])
    assert screen.count_label.text() == "2件　合計時間 1時間30分（90分）"
    screen.kind_filter.setCurrentText("その他")
    qtbot.waitUntil(lambda: summaries(screen) == ["前年度の記録"])
    screen.promoter_filter.set_value(None)
    screen.kind_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: len(summaries(screen)) == 3)
    screen.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.AscendingOrder)  # minutes, in SQL
    qtbot.waitUntil(lambda: summaries(screen) == ["前年度の記録", "体操の見守り", "推進員研修"])


def test_validation_future_date_bad_minutes_and_place_of_another_municipality(qtbot, screen, db_path) -> None:
    screen.new_record()
    form = screen.form
    assert not save_and_wait(qtbot, form)
    assert form.errors.messages() == ["推進員を入力してください。"]
    type_text(form.promoter.lineEdit(), "佐藤一郎（港区）")
    form.done_on.set_value(TODAY + timedelta(days=1))
    type_text(form.minutes, "1時間")
    assert not save_and_wait(qtbot, form)
    assert form.errors.messages() == ["時間（分）は0以上の整数で入力してください: 1時間"]
    form.minutes.clear()
    assert not save_and_wait(qtbot, form)
    assert form.errors.messages() == ["活動日が未来の日付です。"]
    assert form.done_on.editor.property("invalid")
    type_text(form.place.lineEdit(), "さくら体操の会")  # a 千代田区 place: not offered to a 港区 promoter
    form.done_on.set_value(date(2023, 3, 1))
    assert not save_and_wait(qtbot, form)
    assert any("さくら体操の会" in m for m in form.errors.messages())
    form.place.set_value(None)
    assert not save_and_wait(qtbot, form)
    assert form.errors.messages() == ["活動日（令和5年3月1日）が推進員の配置期間（令和5年4月1日～）の外です。"]
    with Database.open(db_path) as db:
        assert db.scalar("SELECT COUNT(*) FROM activities") == 3


def test_delete_asks_and_restore_brings_back(qtbot, screen, monkeypatch) -> None:
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(record_messages.QMessageBox, "question", lambda *args: answers.pop(0))
    screen.table.selectRow(summaries(screen).index("体操の見守り"))
    assert screen.form.summary.toPlainText() == "体操の見守り"
    assert not screen.delete_selected()
    assert len(summaries(screen)) == 2
    assert screen.delete_selected()
    qtbot.waitUntil(lambda: summaries(screen) == ["推進員研修"])
    assert screen.count_label.text() == "1件　合計時間 2時間（120分）"
    screen.show_deleted.setChecked(True)
    qtbot.waitUntil(lambda: summaries(screen) == ["体操の見守り"])
    screen.table.selectRow(0)
    assert screen.restore_selected()
    qtbot.waitUntil(lambda: summaries(screen) == [])
    screen.show_deleted.setChecked(False)
    qtbot.waitUntil(lambda: summaries(screen) == ["推進員研修", "体操の見守り"])


def test_edit_an_activity_and_guard_unsaved_changes(qtbot, screen) -> None:
    screen.table.selectRow(summaries(screen).index("体操の見守り"))
    form = screen.form
    form.minutes.clear()
    type_text(form.minutes, "75")
    assert screen.has_unsaved_changes()
    assert save_and_wait(qtbot, screen)
    qtbot.waitUntil(lambda: screen.count_label.text() == "2件　合計時間 3時間15分（195分）")
    assert not screen.has_unsaved_changes()


def test_model_passes_the_model_tester(qtmodeltester, screen) -> None:
    qtmodeltester.check(screen.model)


def test_parse_minutes() -> None:
    assert [parse_minutes(t) for t in ("", " ９０ ", "45分")] == [None, 90, 45]
    with pytest.raises(ValueError):
        parse_minutes("-5")
