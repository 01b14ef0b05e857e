"""Dates are typed whole, in 和暦 or not, by the import's parser: after a save Tab (like Enter) leaves 開催日
for the next field, and typing into the date replaces it whole — 「10」 is refused, never a silent 2026/10/19;
a date the user changed is shown in the form's title and highlighted before the save. Real database files."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QTableView

from kaigo_desktop.domain.records import Activity, Gathering
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import save_and_wait, type_text
from tests.gui.test_activities_screen import people, screen as activities_screen  # noqa: F401 - fixtures
from tests.gui.test_gatherings_screen import (  # noqa: F401 - fixtures
    context, data, pick_place, press, screen, settle, stored, type_keys,
)


def focus_by_keyboard(qtbot, widget) -> None:
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus)
    QApplication.processEvents()  # the whole date is selected once focus has arrived


def saved_gathering_form(qtbot, screen, context):
    form = screen.form
    pick_place(qtbot, screen, "さくら")
    settle(qtbot, context)
    form.held_on.set_value(date(2024, 5, 8))
    type_keys(form.counts["attendance_total"], "20")
    press(form.counts["attendance_total"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.hint.text().startswith("保存しました"))
    assert form.held_on.value() == date(2024, 5, 15)  # the place's next date, made ready
    return form


def test_after_a_save_tab_and_enter_leave_the_date_for_the_same_next_field(qtbot, screen, context) -> None:
    form = saved_gathering_form(qtbot, screen, context)
    qtbot.waitUntil(form.held_on.editor.hasFocus)
    press(form.held_on.editor, Qt.Key.Key_Tab)
    assert form.counts["attendance_total"].hasFocus()  # not the date's month or day part
    focus_by_keyboard(qtbot, form.held_on.editor)
    press(form.held_on.editor, Qt.Key.Key_Return)
    assert form.counts["attendance_total"].hasFocus()
    assert form.held_on.value() == date(2024, 5, 15)


def test_typing_into_the_date_after_a_save_replaces_it_whole(qtbot, screen, context, db_path) -> None:
    form = saved_gathering_form(qtbot, screen, context)
    before = len(stored(db_path))
    focus_by_keyboard(qtbot, form.held_on.editor)
    assert form.held_on.editor.selectedText() == "2024/05/15"  # the whole date, ready to be replaced
    type_keys(form.held_on.editor, "10")
    assert form.held_on.editor.text() == "10"
    assert form.held_on.value() == date(2024, 5, 15)  # not 2024/10/15 nor any other half-typed date
    assert "日付として読めません" in form.held_on.wareki.text()
    type_keys(form.counts["attendance_total"], "12")
    assert not save_and_wait(qtbot, form)
    assert "日付として読めません: 10" in form.errors.messages()
    assert form.held_on.editor.property("invalid")
    assert len(stored(db_path)) == before  # nothing written

    assert form.held_on.editor.hasFocus() and form.held_on.editor.selectedText() == "10"  # ready to retype
    type_keys(form.held_on.editor, "R6.5.22")
    assert form.held_on.value() == date(2024, 5, 22)
    # Changed by the user since the form prepared it: seen in the title and beside the date before saving.
    assert "令和6年5月22日（水）" in form.mode_label.text()
    assert form.held_on.is_changed_by_user() and "（変更）" in form.held_on.wareki.text()
    assert form.held_on.editor.palette().color(QPalette.ColorRole.Base).name() == "#fff3c4"  # highlighted
    assert save_and_wait(qtbot, form)
    assert stored(db_path)[-1].held_on == date(2024, 5, 22)


@pytest.mark.parametrize("typed", ["R6.5.8", "r6.5.8", "令和6年5月8日", "6.5.8", "6/5/8", "2024/5/8", "2024-05-08",
                                   "２０２４／５／８", "Ｒ６．５．８", "令和６年５月８日"])
def test_wareki_and_western_dates_typed_into_the_gathering_form(qtbot, screen, context, db_path, typed) -> None:
    form = screen.form
    pick_place(qtbot, screen, "さくら")
    settle(qtbot, context)
    focus_by_keyboard(qtbot, form.held_on.editor)
    type_text(form.held_on.editor, typed)
    press(form.held_on.editor, Qt.Key.Key_Return)  # on to the next field: the date is shown in one form
    assert form.held_on.editor.text() == "2024/05/08"
    assert form.held_on.wareki.text().startswith("令和6年5月8日")
    type_keys(form.counts["attendance_total"], "11")
    assert save_and_wait(qtbot, form)
    assert [g.attendance_total for g in stored(db_path) if g.held_on == date(2024, 5, 8)] == [11]


@pytest.mark.parametrize("typed", ["10", "R6.2.30", "令和0年1月1日", "H31.5.1", "1900/1/1", "2024/13/1", ""])
def test_text_that_is_no_date_is_refused_with_the_reason(qtbot, typed) -> None:
    edit = WarekiDateEdit()
    qtbot.addWidget(edit)
    edit.set_value(date(2024, 5, 8))
    edit.editor.setText("")
    type_text(edit.editor, typed)
    if not typed:
        edit.editor.textEdited.emit("")
    assert edit.problem() and edit.value() == date(2024, 5, 8)
    assert edit.wareki.text().startswith("⚠")


def test_wareki_typed_into_the_activity_form(qtbot, activities_screen, db_path, people) -> None:
    screen = activities_screen
    assert screen.new_record()
    form = screen.form
    type_text(form.promoter.lineEdit(), "山田花子（千代田区）")
    focus_by_keyboard(qtbot, form.done_on.editor)
    type_text(form.done_on.editor, "令和6年5月28日")
    assert form.done_on.value() == date(2024, 5, 28)
    type_text(form.summary, "和暦で入力")
    assert save_and_wait(qtbot, screen)
    with Database.open(db_path) as db:
        done_on = db.scalar("SELECT done_on FROM activities WHERE summary = '和暦で入力'")
    assert done_on == "2024-05-28"

    assert screen.new_record()
    type_text(form.promoter.lineEdit(), "山田花子（千代田区）")
    focus_by_keyboard(qtbot, form.done_on.editor)
    type_text(form.done_on.editor, "6.5.29")  # the current era (令和) when none is typed
    assert form.done_on.value() == date(2024, 5, 29)


def test_the_calendar_opens_from_the_keyboard_and_enter_picks_the_day(qtbot, screen, context) -> None:
    form = screen.form
    pick_place(qtbot, screen, "さくら")
    settle(qtbot, context)
    form.held_on.set_value(date(2024, 5, 8))
    focus_by_keyboard(qtbot, form.held_on.editor)
    press(form.held_on.editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = form.held_on.calendar
    qtbot.waitUntil(lambda: calendar is not None and calendar.isVisible())
    view = calendar.findChild(QTableView)
    press(view, Qt.Key.Key_Right)  # the 9th
    press(view, Qt.Key.Key_Return)  # picks it (the form's Enter-moves-focus leaves the calendar alone)
    assert not calendar.isVisible()
    assert form.held_on.value() == date(2024, 5, 9) and form.held_on.editor.text() == "2024/05/09"
    assert form.held_on.is_changed_by_user()
