"""参加者 › 短期集中予防サービス (issue 19) on a real database built through the services: a case entered through the
form (from a participant's tab) is in the database (the test's own SQL) with the period warning shown and the
save allowed; a date-order error shows the domain's Japanese message and saves nothing; the list's 改善 column
against hand-made checks; a 推進員 sees numbers only and gets the form read-only; 削除 after a confirmation."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.domain.records import Center, Place, Promoter
from kaigo_desktop.gui.screens.participants import ParticipantsScreen
from kaigo_desktop.gui.screens.short_term_case_form import CaseDialog
from kaigo_desktop.gui.screens.short_term_case_list import NAME_HEADER
from kaigo_desktop.gui.screens.short_term_cases import ShortTermCasesScreen
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import participants, records, short_term_cases, users
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait, show_sized
from tests.gui.test_participants_screen import shown_text

CHIYODA = "131016"
TODAY = date(2025, 3, 10)  # in 2024年度
SECRET_NAME = "秘密野花子"
DECISION = f"{SECRET_NAME}さんは北のさくら会へ"
RISK_WHEN_NO = (1, 2, 3, 4, 5, 6, 7, 8, 16, 19)


def answers(risky: int) -> dict:
    """Every item answered, the first `risky` of items 1–8 at risk: 0–3 robust, 4–7 pre-frail, 8 frail."""
    safe = {f"q{n}": (1 if n in RISK_WHEN_NO else 0) for n in range(1, 26) if n != 12}
    return {**safe, **{f"q{n}": 0 for n in range(1, risky + 1)}, "height_cm": 150, "weight_kg": 50}


@pytest.fixture
def cases_db(tmp_path: Path) -> dict:
    """Three participants with a case each, their levels made by hand: A-1 frail → robust (改善), A-2 robust →
    frail (維持・悪化), A-3 never re-assessed (未評価); A-4 has a check and no case yet."""
    path = tmp_path / "cases.sqlite3"
    db = Database.open(path, create=True, user="設定者")
    north = records.add(db, Center(CHIYODA, "北センター"))
    place = records.add(db, Place(CHIYODA, "北のさくら会", center_id=north.id, start_date=date(2023, 4, 1)))
    promoter = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    people = {}
    for number, name, first, final in (("A-1", SECRET_NAME, 8, 1), ("A-2", "", 1, 8), ("A-3", "", 8, None),
                                       ("A-4", "", 5, None)):
        person = participants.add_participant(
            db, pr.Participant(north.id, number, 1944, 5, "女性", name=name, kana="ひみつのはなこ" if name else ""),
            today=TODAY)
        people[number] = person
        initial = participants.add_check(db, pr.FrailtyCheck(person.id, date(2024, 6, 1), **answers(first)),
                                         today=TODAY)
        again = (participants.add_check(db, pr.FrailtyCheck(person.id, date(2024, 9, 20), **answers(final)),
                                        today=TODAY) if final is not None else None)
        if number == "A-4":
            continue
        short_term_cases.add_case(db, stc.ShortTermCase(
            person.id, date(2024, 5, 20), "地域包括支援センター", assessed_on=date(2024, 6, 1), initial_check_id=initial.id,
            service_start_on=date(2024, 6, 10), service_end_on=date(2024, 9, 10), sessions=12,
            reassessed_on=again.checked_on if again else None, final_check_id=again.id if again else None,
            meeting_on=date(2024, 9, 25) if again else None, meeting_decision=DECISION if name else "",
            outcome=stc.TO_PLACE if again else "", outcome_place_id=place.id if again else None), today=TODAY)
    users.add_user(db, "管理", roles.ADMIN)
    users.add_user(db, "北職員", roles.STAFF, center_id=north.id)
    users.add_user(db, "推進", roles.PROMOTER, promoter_id=promoter.id)
    db.close()
    return dict(path=path, people=people, place=place)


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def logged_in(qtbot, start_context, cases_db, user: str):
    context = start_context(cases_db["path"], user=user)
    context.actor = run_and_wait(qtbot, context, lambda db, _job: users.login(db, user, ""))
    return context


def open_list(qtbot, start_context, cases_db, user: str) -> ShortTermCasesScreen:
    screen = ShortTermCasesScreen(logged_in(qtbot, start_context, cases_db, user))
    screen.today = lambda: TODAY
    show_sized(qtbot, screen, 1280, 760)
    screen.activate()
    qtbot.waitUntil(lambda: screen.rows_loaded and screen.fiscal_year_filter.currentData() == 2024, timeout=10_000)
    return screen


def column_texts(screen: ShortTermCasesScreen, header: str) -> dict[str, str]:
    """Participant number → the cell of the column `header`."""
    model = screen.table.case_model
    column = next(i for i, c in enumerate(model.columns) if c.header == header)
    return {model.index(row, 0).data(): model.index(row, column).data() for row in range(model.rowCount())}


def type_date(edit: WarekiDateEdit, text: str) -> None:
    if edit.none_box is not None:
        edit.none_box.setChecked(False)
    edit.editor.clear()
    QTest.keyClicks(edit.editor, text)


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_the_improved_column_follows_the_hand_made_checks(qtbot, start_context, cases_db) -> None:
    screen = open_list(qtbot, start_context, cases_db, "管理")
    assert column_texts(screen, "改善") == {"A-1": "改善", "A-2": "維持・悪化", "A-3": "未評価"}
    assert column_texts(screen, "結果") == {"A-1": "通いの場へ（北のさくら会）", "A-2": "通いの場へ（北のさくら会）",
                                          "A-3": "未定"}
    assert column_texts(screen, NAME_HEADER)["A-1"] == SECRET_NAME
    assert screen.count_label.text() == "3件（3人）"
    screen.fiscal_year_filter.setCurrentIndex(screen.fiscal_year_filter.findData(2023))
    qtbot.waitUntil(lambda: screen.table.case_model.rowCount() == 0, timeout=10_000)


def test_a_case_entered_through_the_form_is_in_the_database(qtbot, start_context, cases_db) -> None:
    """From A-4's 短期集中予防サービス tab as the center's staff: 新規, every part typed, a short period warned about
    and saved all the same."""
    context = logged_in(qtbot, start_context, cases_db, "北職員")
    screen = ParticipantsScreen(context)
    screen.today = lambda: TODAY
    show_sized(qtbot, screen, 1280, 760)
    screen.activate()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 4, timeout=10_000)
    screen.table.selectRow(screen.model.find_row(lambda r: r.summary.number == "A-4"))
    qtbot.waitUntil(lambda: screen.record is not None and screen.cases.record is not None, timeout=10_000)
    screen.tabs.setCurrentWidget(screen.cases)
    assert screen.cases.new_button.isEnabled()
    screen.cases.new_button.click()
    dialog = screen.cases.dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    form = dialog.form
    assert not form.is_read_only and form.initial_check.count() == 2  # （なし） and A-4's one check
    type_date(form.referred_on, "2024/05/25")
    choose(form.referral_source, "医療機関")
    type_date(form.assessed_on, "R6.6.1")
    form.initial_check.setCurrentIndex(1)
    form.initial_grip_kg.setText("18.5")
    form.initial_tug_s.setText("１２.３")  # full-width digits, as an IME gives them
    type_date(form.service_start_on, "2024/06/10")
    type_date(form.service_end_on, "2024/07/01")
    form.sessions.setText("8回")
    assert form.warning_label.isVisible() and "サービス期間が21日です" in form.warning_label.text()
    choose(form.outcome, stc.TO_PLACE)
    assert form.outcome_place.isEnabled()
    choose(form.outcome_place, cases_db["place"].id)
    form.save_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    person = cases_db["people"]["A-4"]
    check_id = rows(cases_db["path"], "SELECT id FROM frailty_checks WHERE participant_id = ?", (person.id,))[0][0]
    assert rows(cases_db["path"],
                "SELECT referred_on, referral_source, assessed_on, initial_check_id, initial_grip_kg, initial_tug_s,"
                " initial_walk_5m_s, service_start_on, service_end_on, sessions, reassessed_on, outcome,"
                " outcome_place_id, meeting_decision FROM short_term_cases WHERE participant_id = ?"
                " AND deleted_at IS NULL", (person.id,)) == [
        ("2024-05-25", "医療機関", "2024-06-01", check_id, 18.5, 12.3, None, "2024-06-10", "2024-07-01", 8, None,
         stc.TO_PLACE, cases_db["place"].id, "")]
    qtbot.waitUntil(lambda: screen.cases.table.case_model.rowCount() == 1, timeout=10_000)
    assert screen.cases.table.case_model.index(0, 0).data() == "R6.5.25"


def test_a_date_order_error_is_shown_in_japanese_and_saves_nothing(qtbot, start_context, cases_db) -> None:
    context = logged_in(qtbot, start_context, cases_db, "管理")
    dialog = CaseDialog(context, cases_db["people"]["A-4"].id, today=lambda: TODAY)
    show_sized(qtbot, dialog, 900, 700)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    form = dialog.form
    type_date(form.referred_on, "2024/05/25")
    type_date(form.service_start_on, "2024/06/10")
    type_date(form.service_end_on, "2024/09/10")
    type_date(form.reassessed_on, "2024/09/01")  # before the service ended
    form.initial_grip_kg.setText("95")  # above the domain's bound
    form.save_button.click()
    assert form.errors.messages() == ["初回アセスメント: 握力は1〜80kgの範囲で入力してください: 95"]
    form.initial_grip_kg.setText("")
    form.save_button.click()
    qtbot.waitUntil(lambda: "再アセスメント日がサービス終了日より前です。" in form.errors.messages(), timeout=10_000)
    assert form.reassessed_on.editor.property("invalid")  # marked next to the field
    assert dialog.isVisible()
    assert rows(cases_db["path"], "SELECT count(*) FROM short_term_cases WHERE participant_id = ?",
                (cases_db["people"]["A-4"].id,)) == [(0,)]
    form.discard_changes()  # closing the dialog would otherwise ask about the edits


def test_a_promoter_sees_numbers_only_and_the_form_read_only(qtbot, start_context, cases_db) -> None:
    screen = open_list(qtbot, start_context, cases_db, "推進")
    assert screen.table.case_model.rowCount() == 3
    text = shown_text(screen)
    assert SECRET_NAME not in text and "ひみつ" not in text and "A-1" in text
    name_column = next(i for i, c in enumerate(screen.table.case_model.columns) if c.header == NAME_HEADER)
    assert screen.table.isColumnHidden(name_column)
    screen.table.selectRow(screen.table.case_model.find_row(lambda v: v.number == "A-1"))
    assert screen.open_button.isEnabled() and not screen.delete_button.isEnabled()
    dialog = screen.open_chosen()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    form = dialog.form
    assert form.is_read_only and not form.save_button.isEnabled() and not dialog.delete_button.isEnabled()
    assert form.meeting_decision.text() == participants.HIDDEN and dialog.read_only_note.isVisible()
    assert SECRET_NAME not in shown_text(dialog)
    outcome: list[bool] = []
    form.save(then=outcome.append)
    assert outcome == [False]
    dialog.close()


def test_delete_asks_first_and_moves_the_case_to_the_trash(qtbot, start_context, cases_db, monkeypatch) -> None:
    screen = open_list(qtbot, start_context, cases_db, "管理")
    screen.table.selectRow(screen.table.case_model.find_row(lambda v: v.number == "A-3"))
    asked: list[str] = []

    def answer(_parent, _title, text, *_args):
        asked.append(text)
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert screen.delete_selected()  # 「いいえ」: nothing happens
    assert screen.delete_selected()
    qtbot.waitUntil(lambda: screen.table.case_model.rowCount() == 2, timeout=10_000)
    assert len(asked) == 2 and "A-3" in asked[0]
    assert rows(cases_db["path"], "SELECT p.number FROM short_term_cases k JOIN participants p"
                                  " ON p.id = k.participant_id WHERE k.deleted_at IS NOT NULL") == [("A-3",)]


def test_a_read_only_database_says_why_the_cases_are_not_shown(qtbot, start_context, cases_db,
                                                               bug_dialog_fails_test) -> None:
    """Every view of a case is audited; a database open read-only cannot record that: the page and the form
    say so (no bug dialog), and nothing is written."""
    context = start_context(cases_db["path"], readonly=True)
    screen = ShortTermCasesScreen(context)
    screen.today = lambda: TODAY
    screen.set_read_only(True)
    show_sized(qtbot, screen, 1280, 760)
    screen.activate()
    qtbot.waitUntil(lambda: "読み込めませんでした" in screen.count_label.text(), timeout=10_000)
    assert "読み取り専用" in screen.count_label.text() and screen.table.case_model.rowCount() == 0
    dialog = CaseDialog(context, cases_db["people"]["A-1"].id, today=lambda: TODAY)
    show_sized(qtbot, dialog, 900, 700)
    qtbot.waitUntil(lambda: "記録を開けませんでした" in dialog.read_only_note.text(), timeout=10_000)
    assert not dialog.loaded and not dialog.form.save_button.isEnabled()


def test_a_stored_case_is_edited_and_closing_with_edits_asks_first(qtbot, start_context, cases_db,
                                                                   monkeypatch) -> None:
    screen = open_list(qtbot, start_context, cases_db, "管理")
    screen.table.selectRow(screen.table.case_model.find_row(lambda v: v.number == "A-3"))
    dialog = screen.open_chosen()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    form = dialog.form
    assert form.meeting_decision.isEnabled() and dialog.delete_button.isEnabled()
    assert [form.outcome_place.itemText(i) for i in range(form.outcome_place.count())][1:] == ["北のさくら会"]
    type_date(form.reassessed_on, "2024/09/20")
    choose(form.outcome, "自立")
    assert not form.outcome_place.isEnabled()  # asked for only with 通いの場へ
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *_a: asked.append(text) or QMessageBox.StandardButton.Cancel)
    dialog.reject()  # Esc or 閉じる with edits: the user stays
    assert asked and dialog.isVisible()
    form.save_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    person = cases_db["people"]["A-3"]
    assert rows(cases_db["path"], "SELECT reassessed_on, outcome, outcome_place_id, sessions FROM short_term_cases"
                                  " WHERE participant_id = ?", (person.id,)) == [("2024-09-20", "自立", None, 12)]
    qtbot.waitUntil(lambda: column_texts(screen, "結果").get("A-3") == "自立", timeout=10_000)


def test_a_promoter_adds_no_case_from_a_participants_tab(qtbot, start_context, cases_db) -> None:
    screen = ParticipantsScreen(logged_in(qtbot, start_context, cases_db, "推進"))
    screen.today = lambda: TODAY
    show_sized(qtbot, screen, 1280, 760)
    screen.activate()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 4, timeout=10_000)
    screen.table.selectRow(screen.model.find_row(lambda r: r.summary.number == "A-1"))
    qtbot.waitUntil(lambda: screen.cases.table.case_model.rowCount() == 1, timeout=10_000)
    cases = screen.cases
    assert not cases.new_button.isEnabled() and cases.open_case(None) is None
    cases.table.selectRow(0)
    assert cases.open_button.isEnabled() and not cases.delete_button.isEnabled()
    assert SECRET_NAME not in shown_text(cases) and "A-1" in cases.summary_label.text()
