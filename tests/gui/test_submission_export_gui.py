"""The 区市町村 side of the metropolitan view on a real demo database: 報告書 › 東京都への提出ファイル writes the
signed file where the save dialog said (extension completed), read back with the format's own reader, with the
「ロックされていません」 warning for a 年度 not locked; マスタ・設定 › 短期集中予防サービス saves the declaration
typed in full-width digits (checked with SQL) and refuses what is not a number, saving nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.gui.screens.masters_common import choose_quietly
from kaigo_desktop.gui.screens.masters_short_term import ShortTermServicePage
from kaigo_desktop.gui.screens.reports import ReportsScreen
from kaigo_desktop.services import submission_format
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.services.submissions import NOT_LOCKED_WARNING
from kaigo_desktop.storage import master_queries
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import save_and_wait, show_sized, type_text

pytestmark = pytest.mark.slow

FISCAL_YEAR = 2024


@pytest.fixture
def demo_path(tmp_path: Path) -> tuple[Path, str]:
    """A demo database whose records end with 令和6年度, and the first 区市町村 it holds."""
    path = tmp_path / "demo.sqlite3"
    Database.create_new(path, lambda db: create_demo(db, places=6, years=1, seed=3, today=date(2025, 3, 31)),
                        user="区市町村職員")
    with Database.open(path, user="区市町村職員") as db:
        code = master_queries.municipalities_in_use(db)[0]
    return path, code


def test_the_submission_file_is_written_where_the_dialog_said_and_reads_back(
        qtbot, demo_path, start_context, tmp_path: Path, monkeypatch) -> None:
    path, code = demo_path
    screen = ReportsScreen(start_context(path, user="区市町村職員"))
    show_sized(qtbot, screen, 1100, 760)
    screen.activate()
    box = screen.submission_box
    qtbot.waitUntil(box.export_button.isEnabled, timeout=10_000)
    choose_quietly(box.fiscal_year_combo, FISCAL_YEAR)
    choose_quietly(box.municipality_combo, code)
    asked: list[Path] = []

    def save_file(_parent, _title, _filter, start):
        asked.append(Path(start))
        return tmp_path / "提出"  # typed without the extension

    monkeypatch.setattr(file_dialogs, "save_file", save_file)
    box.export_button.click()
    qtbot.waitUntil(lambda: box.last_result is not None, timeout=20_000)
    out = tmp_path / "提出.kaigo-sub"
    assert asked[0].name.endswith(".kaigo-sub") and box.municipality_combo.currentText() in asked[0].name
    assert box.last_result.path == out and out.exists()
    unpacked = submission_format.read_file(out)
    assert (unpacked.header.municipality_code, unpacked.header.fiscal_year) == (code, FISCAL_YEAR)
    assert not unpacked.header.locked
    assert str(out) in box.result_label.text()
    assert box.warning_label.isVisible() and NOT_LOCKED_WARNING in box.warning_label.text()


def declaration_rows(path: Path, code: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT offered, users FROM short_term_service_declarations"
                            " WHERE fiscal_year = ? AND municipality_code = ?", (FISCAL_YEAR, code)).fetchall()
    finally:
        conn.close()


def short_term_page(qtbot, start_context, path: Path, code: str) -> tuple[QWidget, ShortTermServicePage]:
    """The page showing 令和6年度 of `code`, inside a window that carries the app's "today" as the main window
    does (both returned: the caller holds the window, which owns the page)."""
    window = QWidget()
    window.today = date(2025, 5, 1)
    page = ShortTermServicePage(start_context(path, user="区市町村職員"), window)
    QVBoxLayout(window).addWidget(page)
    show_sized(qtbot, window, 1000, 600)
    page.load()
    qtbot.waitUntil(lambda: page._shown is not None, timeout=10_000)
    choose_quietly(page.fiscal_year_combo, FISCAL_YEAR)
    choose_quietly(page.municipality_combo, code)
    page.reload()
    qtbot.waitUntil(lambda: page._shown == (code, FISCAL_YEAR), timeout=10_000)
    return window, page


def test_the_short_term_service_declaration_is_saved_and_bad_input_refused(
        qtbot, demo_path, start_context) -> None:
    path, code = demo_path
    _window, page = short_term_page(qtbot, start_context, path, code)
    assert not page.users_edit.isEnabled()  # users are asked only where the service ran

    page.offered_button.click()
    assert page.users_edit.isEnabled()
    type_text(page.users_edit, "たくさん")
    assert not save_and_wait(qtbot, page)
    assert "利用者数" in page.message.text() and declaration_rows(path, code) == []

    page.users_edit.clear()
    type_text(page.users_edit, "１２人")  # full-width, with its unit: read like every count
    assert save_and_wait(qtbot, page)
    assert declaration_rows(path, code) == [(1, 12)]
    assert not page.has_unsaved_changes()


def test_a_year_with_case_records_shows_their_figures_in_place_of_the_declaration(
        qtbot, demo_path, start_context) -> None:
    """Issue 19: where the 年度 has 短期集中予防サービス case records, the page says what they give (users counted
    by the test's own SQL: participants whose service period overlaps the 年度) and that the declaration is not
    used; the demo's 令和6年度 has such cases."""
    path, code = demo_path
    conn = sqlite3.connect(path)
    try:
        users = conn.execute(
            "SELECT COUNT(DISTINCT s.participant_id) FROM short_term_cases s"
            " JOIN participants pa ON pa.id = s.participant_id JOIN centers ce ON ce.id = pa.center_id"
            " WHERE s.deleted_at IS NULL AND ce.municipality_code = ? AND s.service_start_on <= '2025-03-31'"
            " AND COALESCE(s.service_end_on, s.service_start_on) >= '2024-04-01'", (code,)).fetchone()[0]
    finally:
        conn.close()
    assert users > 0
    _window, page = short_term_page(qtbot, start_context, path, code)
    assert page.records_label.isVisible()
    assert f"利用者 {users}人" in page.records_label.text() and "使われません" in page.records_label.text()
