"""The 参加者 screen (issue 19) on a real database built through the services: the frailty level shown while
answers are typed (against hand-scored cases), a saved check in the database, the history listing the checks,
and a 推進員 who sees no name anywhere on the screen (list, form, history, entry) with the print disabled."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTableView, QTableWidget

from kaigo_desktop.domain import checklist, roles
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.records import Center, Place, Promoter
from kaigo_desktop.gui.screens.participants import ParticipantsScreen
from kaigo_desktop.services import participants, records, users
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait, save_and_wait, show_sized

CHIYODA = "131016"
TODAY = date(2025, 3, 10)
SECRET_NAME = "秘密野花子"
SECRET_KANA = "ひみつのはなこ"


@pytest.fixture
def people_db(tmp_path: Path) -> dict:
    path = tmp_path / "people.sqlite3"
    db = Database.open(path, create=True, user="設定者")
    north = records.add(db, Center(CHIYODA, "北センター"))
    place = records.add(db, Place(CHIYODA, "北のさくら会", center_id=north.id, start_date=date(2023, 4, 1)))
    promoter = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    person = participants.add_participant(
        db, pr.Participant(north.id, "A-1", 1944, 5, "女性", name=SECRET_NAME, kana=SECRET_KANA), today=TODAY)
    records.add(db, pr.Attendance(person.id, place.id, date(2024, 4, 1)), today=TODAY)
    # Two complete checks: 2 risk answers (robust), then 9 (frail).
    safe = {f"q{n}": (1 if n in checklist.RISK_WHEN_NO else 0) for n in checklist.YES_NO_ITEMS}
    participants.add_check(db, pr.FrailtyCheck(person.id, date(2024, 5, 1), **{**safe, "q1": 0, "q2": 0},
                                               height_cm=150, weight_kg=50), today=TODAY)
    participants.add_check(db, pr.FrailtyCheck(person.id, date(2025, 2, 1), **{
        **safe, "q1": 0, "q2": 0, "q3": 0, "q4": 0, "q5": 0, "q9": 1, "q10": 1, "q11": 1, "q13": 1},
        height_cm=150, weight_kg=50), today=TODAY)
    users.add_user(db, "管理", roles.ADMIN)
    users.add_user(db, "北職員", roles.STAFF, center_id=north.id)
    users.add_user(db, "推進", roles.PROMOTER, promoter_id=promoter.id)
    db.close()
    return dict(path=path, person=person, place=place)


def open_screen(qtbot, start_context, people_db, user: str) -> ParticipantsScreen:
    context = start_context(people_db["path"], user=user)
    context.actor = run_and_wait(qtbot, context, lambda db, _job: users.login(db, user, ""))
    screen = ParticipantsScreen(context)
    screen.today = lambda: TODAY
    show_sized(qtbot, screen, 1280, 760)
    screen.activate()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    screen.table.selectRow(0)
    qtbot.waitUntil(lambda: screen.record is not None, timeout=10_000)
    return screen


def shown_text(screen: ParticipantsScreen) -> str:
    """Every text the screen shows: labels, fields, table cells and headers, button texts and tooltips."""
    texts = []
    for label in screen.findChildren(QLabel):
        texts.append(label.text())
    for edit in screen.findChildren(QLineEdit):
        texts += [edit.text(), edit.placeholderText()]
    for button in screen.findChildren(QAbstractButton):
        texts += [button.text(), button.toolTip()]
    for view in screen.findChildren(QTableView):
        model = view.model()
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                texts += [str(index.data() or ""), str(index.data(Qt.ItemDataRole.ToolTipRole) or "")]
    return "\n".join(texts)


def answer_keys(qtbot, screen: ParticipantsScreen, keys: str) -> None:
    """Type Y/N from item 1 on, as a user does: each key answers the focused item and moves to the next."""
    entry = screen.entry
    screen.tabs.setCurrentWidget(entry)
    entry.items[1].yes.setFocus()
    for key in keys:
        focused = entry.focusWidget()
        QTest.keyClick(focused, Qt.Key.Key_Y if key == "Y" else Qt.Key.Key_N)


# Hand-scored cases: (keys for items 1–11 (no 12), then 13–25 typed after height/weight, height, weight,
# expected level label, expected total).
# Items 1–8 and 16, 19 score on いいえ; all others on はい.
ALL_SAFE_1_11 = "YYYYYYYYNNN"  # 1–8 はい (0), 9–11 いいえ (0)
ALL_SAFE_13_25 = "NNNYNNYNNNNNN"  # 13–15 いいえ, 16 はい, 17–18 いいえ, 19 はい, 20–25 いいえ


def test_level_shown_updates_as_answers_are_typed(qtbot, start_context, people_db) -> None:
    screen = open_screen(qtbot, start_context, people_db, "北職員")
    entry = screen.entry
    answer_keys(qtbot, screen, ALL_SAFE_1_11)
    assert entry.height.hasFocus(), "after item 11 the keys go on to No.12's height"
    assert "判定不能" in entry.level_label.text()  # 14 items unanswered could still make it frail
    entry.height.setText("160")
    entry.weight.setText("47.4")  # BMI 18.52: not a risk (below 18.5 is)
    entry.items[13].yes.setFocus()
    for key in ALL_SAFE_13_25:
        QTest.keyClick(entry.focusWidget(), Qt.Key.Key_Y if key == "Y" else Qt.Key.Key_N)
    assert entry.save_button.hasFocus()
    assert entry.level_label.text() == "判定：ロバスト（健常）" and entry.total_label.text() == "該当数 0／25"
    assert entry.bmi_label.text() == "BMI 18.5"
    # 3 risks: still robust (pre-frail from 4).
    for number in (1, 2, 3):
        entry.items[number].set_answer(False)
    assert entry.level_label.text() == "判定：ロバスト（健常）" and entry.total_label.text() == "該当数 3／25"
    entry.items[9].set_answer(True)  # the 4th: pre-frail
    assert entry.level_label.text() == "判定：プレフレイル"
    assert entry.domain_labels["motor"].text().startswith("非該当")
    entry.items[10].set_answer(True)
    entry.items[6].set_answer(False)  # motor 3 of 5: 該当
    assert entry.domain_labels["motor"].text().startswith("該当")
    entry.items[21].set_answer(True)
    assert entry.level_label.text() == "判定：プレフレイル" and entry.total_label.text() == "該当数 7／25"
    entry.weight.setText("47.3")  # BMI 18.48: item 12 scores, the 8th risk — frail
    assert entry.level_label.text() == "判定：フレイル" and entry.total_label.text() == "該当数 8／25"
    assert entry.domain_labels["nutrition"].text().startswith("非該当")  # 1 of 2
    # Delete puts an item back to 未回答: with 1 blank, 7 or 8 — undecided.
    entry.items[21].yes.setFocus()
    QTest.keyClick(entry.items[21].yes, Qt.Key.Key_Delete)
    assert entry.items[21].answer() is None
    assert entry.level_label.text() == "判定：判定不能（未回答あり）"


def test_a_saved_check_is_in_the_database_and_in_the_history(qtbot, start_context, people_db) -> None:
    screen = open_screen(qtbot, start_context, people_db, "北職員")
    history: QTableWidget = screen.history.table
    assert history.rowCount() == 2
    assert [history.item(r, 2).text() for r in range(2)] == ["ロバスト（健常）", "フレイル"]
    assert [history.item(r, 3).text() for r in range(2)] == ["初回", "悪化"]
    entry = screen.entry
    answer_keys(qtbot, screen, ALL_SAFE_1_11)
    entry.height.setText("155")
    entry.weight.setText("52")
    entry.items[13].yes.setFocus()
    for key in ALL_SAFE_13_25:
        QTest.keyClick(entry.focusWidget(), Qt.Key.Key_Y if key == "Y" else Qt.Key.Key_N)
    entry.items[9].set_answer(True)  # one risk
    assert save_and_wait(qtbot, screen), entry.problem_label.text()
    qtbot.waitUntil(lambda: history.rowCount() == 3, timeout=10_000)
    assert history.item(2, 2).text() == "ロバスト（健常）" and history.item(2, 3).text() == "改善"
    assert screen.tabs.currentWidget() is screen.history
    with sqlite3.connect(people_db["path"]) as conn:
        row = conn.execute(
            "SELECT checked_on, q1, q9, q11, q13, q16, q19, q25, height_cm, weight_kg, entered_by"
            " FROM frailty_checks WHERE participant_id = ? AND deleted_at IS NULL ORDER BY checked_on DESC LIMIT 1",
            (people_db["person"].id,)).fetchone()
    assert row == (TODAY.isoformat(), 1, 1, 0, 0, 1, 1, 0, 155, 52, "北職員")


def test_a_promoter_sees_numbers_only_anywhere_on_the_screen(qtbot, start_context, people_db) -> None:
    screen = open_screen(qtbot, start_context, people_db, "推進")
    for tab in (screen.form, screen.entry, screen.history):
        screen.tabs.setCurrentWidget(tab)
        text = shown_text(screen)
        assert SECRET_NAME not in text and SECRET_KANA not in text
        assert "A-1" in text
    assert screen.model.row_at(0).summary.name is None
    assert not screen.history.print_button.isEnabled()
    assert "職員" in screen.history.print_button.toolTip()
    assert not screen.form.name.isEnabled() and not screen.form.save_button.isEnabled()
    assert not screen.entry.save_button.isEnabled() and not screen.new_button.isEnabled()
    assert screen.history.table.rowCount() == 2  # the checks themselves are not personal identities


def test_center_staff_see_the_name_and_may_print(qtbot, start_context, people_db, tmp_path) -> None:
    screen = open_screen(qtbot, start_context, people_db, "北職員")
    assert screen.model.row_at(0).summary.name == SECRET_NAME
    assert SECRET_NAME in shown_text(screen)
    assert screen.history.print_button.isEnabled()
    out = tmp_path / "本人用.pdf"
    screen.history.print_for_person(out=out)
    qtbot.waitUntil(out.exists, timeout=30_000)
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "A-1" in text and "フレイル" in text


def test_the_level_filter_and_a_new_participant(qtbot, start_context, people_db) -> None:
    screen = open_screen(qtbot, start_context, people_db, "北職員")
    assert screen.model.row_at(0).latest_level_label == "フレイル"
    screen.level_filter.setCurrentIndex(screen.level_filter.findData("robust"))
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=10_000)
    screen.level_filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    screen.new_record()
    form = screen.form
    form.birth_year.setValue(1950)
    form.birth_month.setValue(7)
    form.place.setCurrentIndex(form.place.findData(people_db["place"].id))
    form.start.set_value(date(2025, 1, 6))
    assert save_and_wait(qtbot, screen)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=10_000)
    with sqlite3.connect(people_db["path"]) as conn:
        number, place_id, start = conn.execute(
            "SELECT p.number, a.place_id, a.start_date FROM participants p JOIN participant_places a"
            " ON a.participant_id = p.id WHERE p.birth_year = 1950").fetchone()
    assert (number, place_id, start) == ("000001", people_db["place"].id, "2025-01-06")


def test_the_dashboard_shows_the_outcome_figures_suppressed(qtbot, start_context, people_db) -> None:
    from kaigo_desktop.gui.screens.dashboard import DashboardScreen

    db = Database.open(people_db["path"], user="設定者")
    users.login(db, "管理", "")
    safe = {f"q{n}": (1 if n in checklist.RISK_WHEN_NO else 0) for n in checklist.YES_NO_ITEMS}
    for number in range(2, 8):  # six more, checked twice in 令和6年度: robust, then pre-frail (4 risks)
        person = participants.add_participant(db, pr.Participant(people_db["place"].center_id, f"B-{number}", 1945,
                                                                 1, "男性"), today=TODAY)
        records.add(db, pr.Attendance(person.id, people_db["place"].id, date(2024, 4, 1)), today=TODAY)
        participants.add_check(db, pr.FrailtyCheck(person.id, date(2024, 6, 1), **safe), today=TODAY)
        participants.add_check(db, pr.FrailtyCheck(person.id, date(2025, 1, 10), **{
            **safe, "q1": 0, "q2": 0, "q3": 0, "q9": 1}), today=TODAY)
    db.close()
    context = start_context(people_db["path"], user="管理")
    context.actor = run_and_wait(qtbot, context, lambda db, _job: users.login(db, "管理", ""))
    dashboard = DashboardScreen(context)
    show_sized(qtbot, dashboard, 1280, 760)
    dashboard.activate()
    qtbot.waitUntil(lambda: dashboard.stats is not None and not dashboard.is_busy(), timeout=10_000)
    dashboard.select(2024)
    qtbot.waitUntil(lambda: dashboard.stats.fiscal_year == 2024 and not dashboard.is_busy(), timeout=10_000)
    with sqlite3.connect(people_db["path"]) as conn:
        checked = conn.execute(
            "SELECT count(DISTINCT f.participant_id) FROM frailty_checks f JOIN participant_places a"
            " ON a.participant_id = f.participant_id WHERE f.deleted_at IS NULL AND a.deleted_at IS NULL"
            " AND f.checked_on BETWEEN '2024-04-01' AND '2025-03-31' AND a.start_date <= '2025-03-31'"
            " AND (a.end_date IS NULL OR a.end_date >= '2024-04-01')").fetchone()[0]
    table = dashboard.outcome_table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert rows[0][0] == "全体" and rows[0][1] == str(checked) == "7"
    improved, same, worse = rows[0][-3:]
    assert worse == "7" and improved == same == "0"  # six robust → pre-frail, the first robust → frail
    numbers = [cell for row in rows for cell in row[1:] if cell.isdigit()]
    assert numbers and not any(1 <= int(cell) <= 4 for cell in numbers), rows
