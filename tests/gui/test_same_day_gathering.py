"""A second gathering for the same place and day is asked about (「同じ日の記録がすでにあります」): 「既存の記録を
開く」 shows the stored one and writes nothing, 「キャンセル」 writes nothing, 「このまま保存」 saves it (two sessions a
day). The question is a service query; the dialog is the real QMessageBox, answered by clicking its button."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kaigo_desktop.gui.screens.same_day_question import CANCEL_LABEL, OPEN_LABEL, SAVE_LABEL, TITLE
from kaigo_desktop.services import gatherings_view
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import save_and_wait
from tests.gui.test_gatherings_screen import (  # noqa: F401 - fixtures
    context, data, pick_place, screen, settle, stored, type_keys,
)


def answer(label: str, asked: list[str]) -> None:
    """Click `label` in the question once it is shown (it runs its own loop, as for the user)."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        asked.append(f"{box.windowTitle()}|{box.text()}")
        next(b for b in box.buttons() if b.text() == label).click()
    QTimer.singleShot(20, click)


def fill_may_first(qtbot, screen, context, attendance: str = "30"):
    form = screen.form
    pick_place(qtbot, screen, "さくら")
    settle(qtbot, context)
    form.held_on.set_value(date(2024, 5, 1))  # さくら already has a gathering that day (16 people)
    type_keys(form.counts["attendance_total"], attendance)
    return form


def test_open_existing_shows_the_stored_one_and_writes_nothing(qtbot, screen, context, db_path, data) -> None:
    before = stored(db_path)
    form = fill_may_first(qtbot, screen, context)
    asked: list[str] = []
    answer(OPEN_LABEL, asked)
    assert not save_and_wait(qtbot, form)
    assert len(asked) == 1
    assert asked[0].startswith(f"{TITLE}|さくら体操の会の令和6年5月1日（水）の記録がすでにあります（参加者16人 10:00～11:30）")
    assert stored(db_path) == before
    assert form.editing_id() and form.counts["attendance_total"].text() == "16"  # the stored one, open
    assert "同じ日の記録を開きました" in form.hint.text()


def test_cancel_keeps_the_typing_and_writes_nothing(qtbot, screen, context, db_path) -> None:
    before = stored(db_path)
    form = fill_may_first(qtbot, screen, context)
    asked: list[str] = []
    answer(CANCEL_LABEL, asked)
    assert not save_and_wait(qtbot, form)
    assert len(asked) == 1 and stored(db_path) == before
    assert form.counts["attendance_total"].text() == "30" and not form.editing_id()
    assert any("同じ日の記録がすでにある" in m for m in form.errors.messages())


def test_save_anyway_stores_a_second_session(qtbot, screen, context, db_path, data) -> None:
    form = fill_may_first(qtbot, screen, context, "8")
    asked: list[str] = []
    answer(SAVE_LABEL, asked)
    assert save_and_wait(qtbot, form)
    assert len(asked) == 1
    may_first = [g.attendance_total for g in stored(db_path)
                 if g.place_id == data["sakura"].id and g.held_on == date(2024, 5, 1)]
    assert sorted(may_first) == [8, 16]


def test_another_day_or_a_correction_in_place_is_not_asked(qtbot, screen, context, db_path, data) -> None:
    form = fill_may_first(qtbot, screen, context)
    form.held_on.set_value(date(2024, 5, 2))  # さくら has none that day (青葉 has)
    assert save_and_wait(qtbot, form)
    with Database.open(db_path) as db:
        assert [g.attendance_total for g in gatherings_view.same_day_gatherings(
            db, data["sakura"].id, date(2024, 5, 2))] == [30]
        mine = gatherings_view.same_day_gatherings(db, data["sakura"].id, date(2024, 5, 2))[0]
        assert gatherings_view.same_day_gatherings(db, data["sakura"].id, date(2024, 5, 2),
                                                   exclude_id=mine.id) == []
    screen.edit_gathering(mine.id)
    qtbot.waitUntil(lambda: form.editing_id() == mine.id)
    form.counts["attendance_total"].setText("31")
    assert save_and_wait(qtbot, form)  # no question: nothing else on that day
    assert [g.attendance_total for g in stored(db_path) if g.id == mine.id] == [31]
    asked: list[str] = []
    answer(CANCEL_LABEL, asked)
    form.held_on.set_value(date(2024, 5, 1))  # a correction moving it onto a day that has one: asked
    assert not save_and_wait(qtbot, form)
    assert len(asked) == 1 and [g.held_on for g in stored(db_path) if g.id == mine.id] == [date(2024, 5, 2)]
