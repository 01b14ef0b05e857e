"""The 提出前チェック screen on a real database: it lists the same findings as `validate` (run_checks), shows the
records of the selected finding, opens a place on its own screen by double-click, shows the completeness per
center and month, and checks again after a write."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain.records import Gathering, Members, Place, Population
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.operations import CollectionOp
from kaigo_desktop.gui.screens.places import PlacesScreen
from kaigo_desktop.gui.screens.submission_check import SubmissionCheckScreen
from kaigo_desktop.services import records
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.submission_checks import run_checks
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
TODAY = date(2025, 6, 30)


@pytest.fixture
def checked_db_path(db_path: Path) -> Path:
    """年度 2024: one place with a gathering every month but no 実人数, one with 実人数 above its 延べ; no population."""
    with Database.open(db_path, user="テスト") as db:
        missing = records.add(db, Place(CHIYODA, "すこやか体操", start_date=date(2020, 4, 1)), today=TODAY)
        above = records.add(db, Place(CHIYODA, "ふれあいサロン", start_date=date(2020, 4, 1)), today=TODAY)
        for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
            day = date(2024 if month >= 4 else 2025, month, 10)
            records.add(db, Gathering(missing.id, day, attendance_total=12), today=TODAY)
            if month in (4, 5):
                records.add(db, Gathering(above.id, day, attendance_total=3), today=TODAY)
        records.add(db, Members(above.id, 2024, total=9), today=TODAY)
    return db_path


@pytest.fixture
def screen(qtbot, checked_db_path: Path, settings: UserSettings):
    window = open_main_window(checked_db_path, settings, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    check = window.show_screen(SubmissionCheckScreen)
    qtbot.waitUntil(lambda: check.report is not None, timeout=10_000)
    yield check
    window.close()


def shown(screen: SubmissionCheckScreen) -> list[tuple[str, str]]:
    return [(screen.findings.item(r, 0).text(), screen.findings.item(r, 1).text())
            for r in range(screen.findings.rowCount())]


def test_the_screen_lists_what_validate_finds(screen: SubmissionCheckScreen, checked_db_path: Path) -> None:
    assert screen.fiscal_year_combo.currentData() == 2024  # the last complete 年度
    with Database.open(checked_db_path) as db:
        expected = run_checks(db, 2024, None, TODAY)
    assert shown(screen) == [(f.level_label, f.message) for f in expected.errors + expected.warnings]
    assert {"POPULATION_MISSING", "MEMBERS_MISSING", "MEMBERS_ABOVE_ATTENDANCE"} <= {f.code for f in expected.errors}
    assert screen.summary.text().startswith(f"エラー {len(expected.errors)}件")


def test_selecting_a_finding_lists_its_records_and_a_double_click_opens_the_place(qtbot, screen) -> None:
    row = next(r for r in range(screen.findings.rowCount()) if "実人数が未入力" in screen.findings.item(r, 1).text())
    screen.findings.selectRow(row)
    assert [screen.records.item(r, 1).text() for r in range(screen.records.rowCount())] == ["すこやか体操"]
    window = screen.window()
    screen.records.cellDoubleClicked.emit(0, 1)
    places = window.current_screen
    assert isinstance(places, PlacesScreen)
    qtbot.waitUntil(lambda: places.form.name_edit.text() == "すこやか体操", timeout=10_000)


def test_completeness_per_center_and_month(screen: SubmissionCheckScreen) -> None:
    screen.tabs.setCurrentIndex(1)
    table = screen.completeness
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[1] == "4月" and headers[-1] == "3月"
    total = [table.item(table.rowCount() - 1, c).text() for c in range(1, table.columnCount())]
    assert total[:3] == ["2/2", "2/2", "1/2"]  # ふれあいサロン held gatherings in April and May only


def test_a_write_elsewhere_checks_again(qtbot, screen: SubmissionCheckScreen, checked_db_path: Path) -> None:
    assert any(f.code == "POPULATION_MISSING" for f in screen.report.errors)
    CollectionOp(None, screen.context,
                 lambda db, _ctx: records.add(db, Population(CHIYODA, 2024, 12_000), today=TODAY),
                 changes=Changes.of("population")).run_in_background()
    qtbot.waitUntil(lambda: screen.report is not None
                    and not any(f.code == "POPULATION_MISSING" for f in screen.report.errors), timeout=10_000)


def test_a_warning_is_acknowledged_with_a_note_and_withdrawn(qtbot, screen: SubmissionCheckScreen,
                                                            checked_db_path: Path) -> None:
    warnings = screen.report.warnings
    assert warnings, "the fixture has 注意 (ふれあいサロン: no gathering in the reference month)"
    errors = len(screen.report.errors)
    screen.findings.selectRow(0)  # an エラー: it cannot be acknowledged
    assert not screen.acknowledge_button.isEnabled() and "確認済みにできません" in screen.acknowledged_label.text()
    screen.findings.selectRow(errors)
    assert screen.acknowledge_button.isEnabled() and not screen.withdraw_button.isEnabled()
    key = screen.selected_finding().key
    screen.acknowledge_selected(note="3月に開催予定を確認")
    qtbot.waitUntil(lambda: screen.report is not None and key in screen.report.acknowledged, timeout=10_000)
    # The same finding stays selected, reads 確認済み, and the note is shown.
    assert screen.selected_finding().key == key
    assert screen.findings.item(errors, 0).text() == "注意（確認済み）"
    assert "3月に開催予定を確認" in screen.acknowledged_label.text() and screen.withdraw_button.isEnabled()
    with Database.open(checked_db_path) as db:
        assert db.scalar("SELECT note FROM warning_acknowledgements WHERE finding_key = ?", (key,)) == "3月に開催予定を確認"
    screen.withdraw_selected()
    qtbot.waitUntil(lambda: screen.report is not None and key not in screen.report.acknowledged, timeout=10_000)
    assert screen.findings.item(errors, 0).text() == "注意"
