"""The lock in the GUI: the approval panel of the 提出前チェック screen (センター確認, 承認してロック enabled only when
ready, ロック解除 asking for a reason), and the forms of a locked 年度 — the gathering form, the month grid and the
参加者実人数 page — shown with the reason and not editable; a save refused by the lock shows the message; all
editable again after unlocking."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.screens.gatherings import GRID_TAB, GatheringsScreen
from kaigo_desktop.gui.screens.masters import MastersScreen
from kaigo_desktop.gui.screens.submission_check import SubmissionCheckScreen
from kaigo_desktop.services import approval, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait, save_and_wait
from tests.period_data import CHIYODA, FY, TODAY, locked, ready_for_approval

LOCKED = "令和6年度は提出済み（令和"


@pytest.fixture
def window(qtbot, db_path: Path, settings: UserSettings):
    settings.default_municipality = CHIYODA
    opened = []

    def open_on(prepare):
        with Database.open(db_path, user="テスト") as db:
            ids = prepare(db)
        main = open_main_window(db_path, settings, today=TODAY)
        qtbot.addWidget(main)
        main.resize(1280, 800)
        main.show()
        opened.append(main)
        return main, ids

    yield open_on
    for main in opened:
        for screen in main.screens:
            screen.discard_changes()
        main.close()


def _check_screen(qtbot, main) -> SubmissionCheckScreen:
    check = main.show_screen(SubmissionCheckScreen)
    qtbot.waitUntil(lambda: check.report is not None and check.approval.view is not None, timeout=10_000)
    return check


def test_the_panel_confirms_locks_and_unlocks_with_a_reason(qtbot, window, messages) -> None:
    main, ids = window(ready_for_approval)
    check = _check_screen(qtbot, main)
    panel = check.approval
    assert panel.status.text() == "<b>令和6年度 千代田区：入力中（センター確認 0/1）</b>"
    assert not panel.lock_button.isEnabled() and not panel.unlock_button.isEnabled()
    assert "センター確認がまだのセンター: 神田地域包括支援センター" in panel.why.text()
    assert panel.confirm_button.isEnabled() and panel.confirm_button.text() == "センター確認"
    panel.confirm_button.click()
    qtbot.waitUntil(lambda: panel.view is not None and panel.lock_button.isEnabled(), timeout=10_000)
    assert panel.center_combo.currentText() == "神田地域包括支援センター（確認済み）"
    panel.lock_button.click()
    qtbot.waitUntil(lambda: "提出済み" in panel.status.text(), timeout=10_000)
    assert panel.unlock_button.isEnabled() and not panel.lock_button.isEnabled()
    assert not panel.confirm_button.isEnabled() and "先にロックを解除" in panel.why.text()
    panel.unlock("   ")  # no reason: refused, still locked
    qtbot.waitUntil(lambda: messages != [], timeout=10_000)
    assert "理由を入力" in messages[-1]
    assert run_and_wait(qtbot, main.context, lambda db, _c: approval.period_status(db, FY, CHIYODA).locked)
    panel.unlock("都の指摘で訂正")
    qtbot.waitUntil(lambda: "入力中" in panel.status.text(), timeout=10_000)
    assert run_and_wait(qtbot, main.context, lambda db, _c: db.scalar(
        "SELECT reason FROM period_events WHERE action = 'unlock'")) == "都の指摘で訂正"


def test_a_locked_gathering_is_shown_not_editable_and_a_new_one_is_refused(qtbot, window) -> None:
    main, ids = window(locked)
    screen = main.show_screen(GatheringsScreen)
    form = screen.form
    gathering = run_and_wait(qtbot, main.context, lambda db, _c: records.get(db, Gathering, ids.gathering))
    qtbot.waitUntil(lambda: len(form.place.choices()) == 2, timeout=10_000)
    form.load(gathering)
    qtbot.waitUntil(lambda: form.is_locked, timeout=10_000)
    assert form.lock_label.isVisible() and form.lock_label.text().startswith(LOCKED)
    assert not form.save_button.isEnabled() and not form.counts["attendance_total"].isEnabled()
    assert form.clear_button.isEnabled()  # a new gathering may still be entered
    # a new gathering dated in the locked 年度: the database refuses it, the form says why
    form.new_entry(form.place.place(), date(2024, 5, 11))
    assert not form.lock_label.isVisible() and form.save_button.isEnabled()
    form.counts["attendance_total"].setText("5")
    assert save_and_wait(qtbot, form) is False
    assert "令和6年度は提出済み（ロック中）のため変更できません。" in form.error_label.text()
    # unlocked: the same gathering can be corrected
    run_and_wait(qtbot, main.context, lambda db, _c: approval.unlock(db, FY, CHIYODA, "訂正"))
    form.load(gathering)
    qtbot.waitUntil(lambda: form.save_button.isEnabled() and not form.lock_label.isVisible(), timeout=10_000)
    form.counts["attendance_total"].setText("13")
    assert save_and_wait(qtbot, form) is True


def test_the_month_grid_of_a_locked_month_is_read_only(qtbot, window) -> None:
    main, ids = window(locked)
    screen = main.show_screen(GatheringsScreen)
    screen.tabs.setCurrentIndex(GRID_TAB)
    grid = screen.grid
    qtbot.waitUntil(lambda: len(grid.place.choices()) == 2, timeout=10_000)
    grid.open_sheet(ids.place, 2024, 5)
    qtbot.waitUntil(lambda: grid.sheet is not None and grid.sheet.month == 5, timeout=10_000)
    assert grid.lock_label.isVisible() and grid.lock_label.text().startswith(LOCKED)
    assert not grid.save_button.isEnabled() and not grid.add_row_button.isEnabled()
    assert grid.table.editTriggers() == grid.table.EditTrigger.NoEditTriggers
    shown = [grid.table.item(0, column).text() for column in range(9)]
    QApplication.clipboard().setText("1\t99\r\n")
    grid.table.setFocus()
    grid.table.setCurrentCell(0, 1)
    QTest.keyClick(grid.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # neither paste
    QTest.keyClick(grid.table, Qt.Key.Key_Delete)  # nor clear (nor the window's ゴミ箱 Delete)
    assert [grid.table.item(0, column).text() for column in range(9)] == shown and not grid.has_unsaved_changes()
    grid.open_sheet(ids.place, 2025, 4)  # 年度 2025 is open
    qtbot.waitUntil(lambda: grid.sheet is not None and grid.sheet.year == 2025, timeout=10_000)
    assert not grid.lock_label.isVisible() and grid.save_button.isEnabled()


def test_the_members_page_of_a_locked_year_is_read_only(qtbot, window) -> None:
    main, ids = window(locked)
    masters = main.show_screen(MastersScreen)
    masters.tabs.setCurrentWidget(masters.members)
    page = masters.members
    qtbot.waitUntil(lambda: page.loaded and page._shown is not None, timeout=10_000)
    page.fiscal_year_combo.setCurrentIndex(page.fiscal_year_combo.findData(FY))
    qtbot.waitUntil(lambda: page._shown is not None and page._shown[0] == FY and bool(page._locked), timeout=10_000)
    assert page.lock_label.isVisible() and page.lock_label.text().startswith(LOCKED)
    assert not page.save_button.isEnabled()
    from PySide6.QtCore import Qt

    from kaigo_desktop.gui.screens.members_table_model import TOTAL

    assert not page.model.flags(page.model.index(0, TOTAL)) & Qt.ItemFlag.ItemIsEditable
    page.type_cell(0, TOTAL, "99")  # typed anyway (a paste): not taken
    assert page.cell_text(0, TOTAL) != "99" and not page.has_unsaved_changes()
    run_and_wait(qtbot, main.context, lambda db, _c: approval.unlock(db, FY, CHIYODA, "訂正"))
    page.reload()
    qtbot.waitUntil(lambda: page._locked is None, timeout=10_000)
    assert page.save_button.isEnabled() and not page.lock_label.isVisible()
    assert page.model.flags(page.model.index(0, TOTAL)) & Qt.ItemFlag.ItemIsEditable


def test_an_activity_of_a_locked_year_is_shown_not_editable(qtbot, window) -> None:
    """The 推進員活動記録 form says why an activity of a locked 年度 cannot be changed (its activities are counted in
    the reports) and enables it again after unlocking."""
    from kaigo_desktop.domain.records import Activity
    from kaigo_desktop.gui.screens.activities import ActivitiesScreen

    main, ids = window(locked)
    screen = main.show_screen(ActivitiesScreen)
    form = screen.form
    activity = run_and_wait(qtbot, main.context, lambda db, _c: records.get(db, Activity, ids.activity))
    form.set_record(activity)
    qtbot.waitUntil(lambda: form.is_locked, timeout=10_000)
    assert form.lock_label.isVisible() and form.lock_label.text().startswith(LOCKED)
    assert not form.save_button.isEnabled() and not form.minutes.isEnabled()
    run_and_wait(qtbot, main.context, lambda db, _c: approval.unlock(db, FY, CHIYODA, "訂正"))
    form.set_record(activity)
    assert not form.lock_label.isVisible() and form.minutes.isEnabled()
    qtbot.wait(200)  # the check of the lock has come back: still open
    assert not form.is_locked and form.minutes.isEnabled()


def test_a_place_of_a_locked_year_has_its_figure_fields_frozen_and_its_name_open(qtbot, window) -> None:
    """A place active in a locked 年度: the fields the lock guards (区市町村, 開始日, 状態 …) are disabled with the
    reason shown, its name and address can still be corrected and saved; unlocked, all are open again."""
    from kaigo_desktop.domain.period_lock import PLACE_FIELDS_FROZEN_BY_LOCK
    from kaigo_desktop.domain.records import Place
    from kaigo_desktop.gui.screens.places import PlacesScreen

    main, ids = window(locked)
    form = main.show_screen(PlacesScreen).form
    place = run_and_wait(qtbot, main.context, lambda db, _c: records.get(db, Place, ids.place))
    form.load(place)
    qtbot.waitUntil(lambda: form.lock_label.isVisible(), timeout=10_000)
    assert form.lock_label.text().startswith("令和6年度は提出済み（令和")
    assert "この通いの場の集計に関わる項目（灰色の欄）は変更できません" in form.lock_label.text()
    frozen = form.frozen_by_lock()
    assert set(frozen) == set(PLACE_FIELDS_FROZEN_BY_LOCK)
    assert not any(widget.isEnabled() for widget in frozen.values())
    assert form.name_edit.isEnabled() and form.address_edit.isEnabled() and form.save_button.isEnabled()
    form.set_editable(True)  # enabling the form again does not reopen them
    assert not form.status_combo.isEnabled() and not form.start_edit.isEnabled()
    form.address_edit.setText("千代田区神田1-1")
    assert save_and_wait(qtbot, form) is True
    assert run_and_wait(qtbot, main.context, lambda db, _c: records.get(db, Place, ids.place).address) \
        == "千代田区神田1-1"
    qtbot.waitUntil(lambda: form.lock_label.isVisible(), timeout=10_000)  # reloaded after the save: still frozen
    assert not form.municipality_combo.isEnabled()
    run_and_wait(qtbot, main.context, lambda db, _c: approval.unlock(db, FY, CHIYODA, "訂正"))
    form.load(run_and_wait(qtbot, main.context, lambda db, _c: records.get(db, Place, ids.place)))
    assert all(widget.isEnabled() for widget in frozen.values()) and not form.lock_label.isVisible()
    qtbot.wait(200)  # the check of the lock has come back: still open
    assert all(widget.isEnabled() for widget in frozen.values())


def test_a_promoter_of_a_locked_year_has_period_and_qualification_frozen(qtbot, window) -> None:
    from kaigo_desktop.domain.period_lock import PROMOTER_FIELDS_FROZEN_BY_LOCK
    from kaigo_desktop.domain.records import Promoter
    from kaigo_desktop.gui.screens.promoters import PromotersScreen

    main, ids = window(locked)
    form = main.show_screen(PromotersScreen).form
    promoter = run_and_wait(qtbot, main.context, lambda db, _c: records.get(db, Promoter, ids.promoter))
    form.set_record(promoter)
    qtbot.waitUntil(lambda: form.lock_label.isVisible(), timeout=10_000)
    assert "この推進員の集計に関わる項目（灰色の欄）は変更できません" in form.lock_label.text()
    frozen = form.frozen_by_lock()
    assert set(frozen) == set(PROMOTER_FIELDS_FROZEN_BY_LOCK)
    assert not any(widget.isEnabled() for widget in frozen.values())
    assert form.contact.isEnabled() and form.save_button.isEnabled()
    form.set_editable(True)
    assert not form.qualification.isEnabled() and not form.end_date.isEnabled()
    form.set_record(None)  # nothing shown: the next promoter starts open
    run_and_wait(qtbot, main.context, lambda db, _c: approval.unlock(db, FY, CHIYODA, "訂正"))
    form.set_record(promoter)
    qtbot.wait(200)
    assert all(widget.isEnabled() for widget in frozen.values()) and not form.lock_label.isVisible()
