"""The 参加者 screen's trash and attendance periods (issue 19), on the real database of test_participants_screen:
削除 asks first, naming the participant and what stays attached, then the participant leaves the list and is in
the trash, and 元に戻す brings them back; a 推進員 cannot; an open period ended from the form is in the database;
the history lists the 質問票 answers as words."""

from __future__ import annotations

import sqlite3
from datetime import date

from PySide6.QtWidgets import QMessageBox

from tests.gui.test_participants_screen import SECRET_NAME, TODAY, open_screen, people_db  # noqa: F401 - fixture


def _deleted_at(people_db) -> str | None:  # noqa: F811 - the fixture's value
    with sqlite3.connect(people_db["path"]) as conn:
        return conn.execute("SELECT deleted_at FROM participants WHERE id = ?",
                            (people_db["person"].id,)).fetchone()[0]


def test_delete_asks_then_the_trash_holds_the_participant_until_restored(qtbot, start_context, people_db,  # noqa: F811
                                                                        monkeypatch) -> None:
    screen = open_screen(qtbot, start_context, people_db, "北職員")
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: (asked.append(text), answer[0])[1])
    assert screen.delete_button.isEnabled() and not screen.restore_button.isVisible()
    assert not screen.delete_selected()  # いいえ: nothing happens
    assert _deleted_at(people_db) is None
    question = asked[0]
    assert f"参加者「A-1　{SECRET_NAME}」をごみ箱へ移しますか？" in question
    assert "基本チェックリスト 2回" in question and "通いの場の参加期間 1件" in question and "一緒に戻ります" in question

    answer[0] = QMessageBox.StandardButton.Yes
    assert screen.delete_selected()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=10_000)
    assert _deleted_at(people_db) is not None
    assert screen.record is None and screen.history.table.rowCount() == 0

    screen.show_deleted.setChecked(True)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    assert screen.count_label.text().startswith("ごみ箱：1人")
    assert screen.restore_button.isVisible() and not screen.delete_button.isVisible()
    assert not screen.tabs.isEnabled()
    screen.table.selectRow(0)
    assert screen.restore_button.isEnabled()
    assert screen.restore_selected()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=10_000)
    assert _deleted_at(people_db) is None
    screen.show_deleted.setChecked(False)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    screen.table.selectRow(0)
    qtbot.waitUntil(lambda: screen.record is not None, timeout=10_000)
    assert screen.history.table.rowCount() == 2  # the checks came back with them


def test_a_promoter_cannot_move_a_participant_to_the_trash(qtbot, start_context, people_db) -> None:  # noqa: F811
    screen = open_screen(qtbot, start_context, people_db, "推進")
    assert not screen.delete_button.isEnabled()
    assert not screen.delete_selected()
    assert _deleted_at(people_db) is None
    assert not screen.form.end_button.isEnabled()


def test_an_open_period_is_ended_from_the_form(qtbot, start_context, people_db) -> None:  # noqa: F811
    screen = open_screen(qtbot, start_context, people_db, "北職員")
    form = screen.form
    screen.tabs.setCurrentWidget(form)
    assert form.ending.count() == 1 and form.ending.currentText().startswith("北のさくら会")
    assert form.end_button.isEnabled()

    def end_date() -> str | None:
        with sqlite3.connect(people_db["path"]) as conn:
            return conn.execute("SELECT end_date FROM participant_places WHERE participant_id = ?",
                                (people_db["person"].id,)).fetchone()[0]

    form.ending_date.set_value(date(2024, 3, 31))  # before its start (2024-04-01): the domain's rule refuses
    form.end_button.click()
    qtbot.waitUntil(lambda: "参加開始日" in form.problem_label.text(), timeout=10_000)
    assert "より前です" in form.problem_label.text()
    assert end_date() is None
    form.ending_date.set_value(date(2025, 2, 28))
    form.end_button.click()
    qtbot.waitUntil(lambda: end_date() == "2025-02-28", timeout=10_000)
    qtbot.waitUntil(lambda: "参加中" not in form.periods_label.text(), timeout=10_000)
    assert form.ending.currentData() is None and not form.end_button.isEnabled()  # no open period left
    assert TODAY > date(2025, 2, 28)


def test_the_history_shows_the_questionnaire_answers_as_words(qtbot, start_context, people_db) -> None:  # noqa: F811
    from kaigo_desktop.domain import participants as pr
    from kaigo_desktop.services import participants, users
    from kaigo_desktop.storage.database import Database

    db = Database.open(people_db["path"], user="設定者")
    users.login(db, "北職員", "")
    participants.add_questionnaire(db, pr.Questionnaire(people_db["person"].id, date(2024, 5, 1), a1=2, a12=3),
                                   today=TODAY)
    participants.add_questionnaire(db, pr.Questionnaire(people_db["person"].id, date(2025, 2, 1), a1=4),
                                   today=TODAY)
    db.close()
    screen = open_screen(qtbot, start_context, people_db, "推進")  # answers are not identities: shown to a 推進員 too
    table = screen.history.questionnaires.table
    assert table.isVisibleTo(screen.history) and table.rowCount() == 15 and table.columnCount() == 3
    assert [table.horizontalHeaderItem(c).text() for c in range(3)] == ["質問", "R6.5.1", "R7.2.1"]
    assert table.item(0, 0).text() == "1 健康状態" and "健康状態はいかがですか" in table.item(0, 0).toolTip()
    assert [table.item(0, c).text() for c in (1, 2)] == ["まあよい", "あまりよくない"]
    assert [table.item(11, c).text() for c in (1, 2)] == ["やめた", "未回答"]
    assert "後期高齢者の質問票（2回）" in screen.history.questionnaires.caption.text()
