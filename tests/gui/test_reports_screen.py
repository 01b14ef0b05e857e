"""The 報告書 screen on a small real database: report 1 saved where the user chose holds the place count that
independent SQL finds up to the end of the month before the window's (pinned) today, the pickers follow the report kind, cancel leaves no file, and 開く / Ctrl+P hand the
file to the system viewer."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QPushButton

from kaigo_desktop.domain.records import Gathering, Place, Promoter
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.screens.reports import ReportsScreen
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database

CHIYODA, HACHIOJI = "131016", "132012"
TODAY = date(2024, 6, 1)  # the window's today: 令和6年度 is in progress, counted to 31 May
COUNTED_UNTIL = "令和6年5月31日現在（年度途中）"


@pytest.fixture
def filled_db_path(db_path: Path) -> Path:
    """FY2024: three active places in 千代田区 (one opened mid-year), one closed before; one in 八王子市."""
    with Database.open(db_path, user="テスト") as db:
        sakura = records.add(db, Place(CHIYODA, "さくら体操の会", programs=("motor", "social"),
                                       start_date=date(2020, 4, 1), frequency_declared="週1回以上"))
        kobo = records.add(db, Place(CHIYODA, "こぼれび茶話会", programs=("social",), start_date=date(2023, 4, 1)))
        records.add(db, Place(CHIYODA, "秋からの会", programs=("oral",), start_date=date(2024, 10, 1)))
        records.add(db, Place(CHIYODA, "閉じた会", programs=("motor",), start_date=date(2019, 4, 1),
                              end_date=date(2023, 3, 31)))
        records.add(db, Place(HACHIOJI, "はちおうじ元気体操", programs=("motor",), start_date=date(2021, 4, 1)))
        for place, held_on, attendance in ((sakura, date(2024, 4, 10), 11), (sakura, date(2024, 5, 8), 13),
                                           (kobo, date(2024, 5, 9), 9)):
            records.add(db, Gathering(place.id, held_on, attendance), today=TODAY)
        records.add(db, Promoter(CHIYODA, "山田 花子", "保健師", date(2023, 4, 1)))
    return db_path


def sql_active_places(db_path: Path, start: str, end: str, municipality: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT COUNT(*) FROM places WHERE deleted_at IS NULL AND (start_date IS NULL OR start_date <= ?)"
            " AND (end_date IS NULL OR end_date >= ?) AND municipality_code = ?",
            (end, start, municipality)).fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def window(qtbot, filled_db_path: Path, settings: UserSettings):
    window = open_main_window(filled_db_path, settings, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()) or True)
    return urls


def open_reports(qtbot, window) -> ReportsScreen:
    screen = window.show_screen(ReportsScreen)
    qtbot.waitUntil(lambda: screen.form.fiscal_year_combo.count() > 0 and screen.create_button.isEnabled(),
                    timeout=10_000)
    return screen


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def cells(path: Path) -> list[str]:
    return [line.strip() for page in PdfReader(str(path)).pages for line in page.extract_text().splitlines()
            if line.strip()]


def test_report_one_saved_to_the_chosen_file_holds_the_place_count(qtbot, window, tmp_path, monkeypatch, opened):
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "submission")
    choose(screen.form.fiscal_year_combo, 2024)
    choose(screen.form.municipality_combo, CHIYODA)
    out = tmp_path / "保存先" / "報告書1.pdf"
    out.parent.mkdir()
    asked: list[str] = []

    def save_dialog(_parent, _caption, default, _filter, *_options):
        asked.append(default)
        return str(out), ""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)

    screen.create_button.click()
    qtbot.waitUntil(lambda: screen.last_result is not None, timeout=30_000)

    assert Path(asked[0]).name == "実施状況報告書_令和6年度_千代田区.pdf"
    assert out.read_bytes()[:5] == b"%PDF-"
    items = cells(out)
    # Counted to the window's today, not the clock's: 秋からの会 (from October) is not active yet.
    expected = sql_active_places(window_db(window), "2024-04-01", "2024-05-31", CHIYODA)
    assert expected == 2 and sql_active_places(window_db(window), "2024-04-01", "2025-03-31", CHIYODA) == 3
    assert items[items.index("活動中の通いの場（注2）") + 1] == str(expected)
    assert items[items.index("集計時点") + 1] == COUNTED_UNTIL
    assert [p.name for p in out.parent.iterdir()] == ["報告書1.pdf"]  # no temporary file left beside it
    assert "保存しました" in screen.result_label.text() and screen.result_box.isVisible()
    assert screen.warning_label.isVisible() == bool(screen.last_result.warnings)

    screen.open_button.click()
    assert opened == [str(out)]


def window_db(window) -> Path:
    return Path(window.db_path)


def test_pickers_follow_the_report_kind(qtbot, window):
    screen = open_reports(qtbot, window)
    form = screen.form
    expected = {  # kind → (promoter, place, month, blank, suppress enabled)
        "submission": (False, False, False, False, True),
        "promoters": (False, False, False, False, True),
        "activity": (True, False, True, False, False),
        "places": (False, False, False, False, False),
        "attendance-sheet": (False, True, True, True, False),
        "xlsx": (False, False, False, False, True),
        "csv": (False, False, False, False, True),
    }
    for kind, flags in expected.items():
        choose(form.kind_combo, kind)
        seen = (form.promoter_combo.isEnabled(), form.place_combo.isEnabled(), form.month_combo.isEnabled(),
                form.blank_check.isEnabled(), form.suppress_check.isEnabled())
        assert seen == flags, kind
        assert form.suppress_check.isChecked() == flags[4], kind  # on by default where it applies
    choose(form.kind_combo, "activity")
    assert form.options().month == (2024, 6)  # the month chosen for the sheet stays chosen
    assert form.month_combo.itemText(0) == "年度全体"
    form.month_combo.setCurrentIndex(0)
    assert form.options().month is None
    choose(form.fiscal_year_combo, 2023)
    assert form.options().month is None and form.month_combo.count() == 13
    choose(form.municipality_combo, HACHIOJI)  # no promoters there
    assert form.promoter_combo.count() == 0
    assert form.problems() and "推進員" in form.problems()[0]


def test_cancel_leaves_no_file(qtbot, window, tmp_path, monkeypatch):
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "submission")
    out = tmp_path / "中止" / "報告書1.pdf"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(out), ""))
    release = threading.Event()
    screen.context.run(lambda _db, _ctx: release.wait(10))  # hold the database thread so cancel comes first

    screen.create_button.click()
    qtbot.waitUntil(lambda: screen._progress is not None and screen._progress.isVisible(), timeout=5_000)
    screen._progress.findChild(QPushButton).click()  # 中止
    release.set()
    qtbot.waitUntil(lambda: screen._job is None, timeout=30_000)

    assert list(out.parent.iterdir()) == []
    assert screen.last_result is None
    assert "中止" in screen.problem_label.text()
    assert screen.create_button.isEnabled()


def test_ctrl_p_prints_every_page_through_the_printer_dialog(qtbot, window, tmp_path, monkeypatch):
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QDialog

    from kaigo_desktop.gui import pdf_pages

    printed = tmp_path / "printer.pdf"

    class PrintToPdf:  # the user picks "print to file" in the printer dialog and presses OK
        def __init__(self, printer, parent=None):
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(printed))

        def setWindowTitle(self, title):  # noqa: N802 - Qt's name
            pass

        def exec(self):
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(pdf_pages, "QPrintDialog", PrintToPdf)
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "places")
    assert screen.print_current()
    qtbot.waitUntil(lambda: screen.last_result is not None, timeout=30_000)
    assert Path(screen.last_result.path).name.startswith("通いの場一覧_令和6年度")
    assert len(PdfReader(printed).pages) == screen.last_result.pages
    assert "印刷しました" in screen.result_label.text()


def test_preview_shows_the_pages_of_the_saved_report(qtbot, window, tmp_path, monkeypatch):
    from kaigo_desktop.gui import pdf_pages

    out = tmp_path / "一覧.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(out), ""))
    shown = []
    monkeypatch.setattr(pdf_pages.PdfPreviewDialog, "exec", lambda dialog: shown.append(dialog) or 0)
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "places")
    screen.create_button.click()
    qtbot.waitUntil(lambda: screen.last_result is not None, timeout=30_000)
    screen.preview_button.click()
    assert len(shown) == 1 and len(shown[0].page_labels) == screen.last_result.pages
    assert not shown[0].page_labels[0].pixmap().isNull()


def test_csv_export_is_saved_with_its_extension(qtbot, window, tmp_path, monkeypatch):
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "csv")
    assert not screen.print_button.isEnabled()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(tmp_path / "表"), ""))
    screen.create_button.click()
    qtbot.waitUntil(lambda: screen.last_result is not None, timeout=30_000)
    assert (tmp_path / "表.csv").stat().st_size > 0
    assert "秘匿処理 あり" in screen.result_label.text()


def test_font_not_embedded_warning_is_shown(qtbot, window, tmp_path, monkeypatch):
    from kaigo_desktop.reports import fonts

    monkeypatch.setattr(fonts, "candidate_fonts", lambda *_args, **_kwargs: [])  # a PC with no Japanese font
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "places")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(tmp_path / "一覧.pdf"), ""))
    screen.create_button.click()
    qtbot.waitUntil(lambda: screen.last_result is not None, timeout=30_000)
    assert screen.warning_label.isVisible()
    assert "HeiseiKakuGo" in screen.warning_label.text() and "埋め込めません" in screen.warning_label.text()


def test_an_empty_scope_is_refused_with_a_dialog_unless_asked_for(qtbot, window, tmp_path, monkeypatch, messages):
    """Issue 14: 八王子市 recorded nothing in 2024 (a place registered, no gathering): no report of zeros is
    written, the dialog says why and how to make one anyway."""
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "submission")
    choose(screen.form.fiscal_year_combo, 2024)
    choose(screen.form.municipality_combo, HACHIOJI)
    assert screen.form.empty_check.isEnabled() and not screen.form.empty_check.isChecked()
    (tmp_path / "保存先").mkdir()
    out = tmp_path / "保存先" / "空.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(out), ""))
    screen.create_button.click()
    qtbot.waitUntil(lambda: messages != [], timeout=30_000)
    assert "この年度の記録" in messages[0] and "記録がなくても作成する" in messages[0]
    assert list(out.parent.iterdir()) == []  # no report, no temporary file
    screen.form.empty_check.setChecked(True)
    screen.create_button.click()
    qtbot.waitUntil(lambda: screen.last_result is not None, timeout=30_000)
    assert out.read_bytes()[:5] == b"%PDF-"
    choose(screen.form.kind_combo, "activity")
    assert not screen.form.empty_check.isEnabled()


def test_an_activity_report_of_the_windows_month_is_refused_with_a_dialog(qtbot, window, tmp_path, monkeypatch,
                                                                          messages):
    """Issue 14: on the window's today (1 June 2024) June has not ended: report 3 of it is refused, nothing
    written; May, which has ended, is made."""
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "activity")
    choose(screen.form.fiscal_year_combo, 2024)
    screen.form.month_combo.setCurrentIndex(screen.form.month_combo.findText("令和6年6月（2024年6月）"))
    (tmp_path / "保存先").mkdir()
    out = tmp_path / "保存先" / "活動.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(out), ""))
    screen.create_button.click()
    qtbot.waitUntil(lambda: messages != [], timeout=30_000)
    assert "2024年6月はまだ終わっていない" in messages[0]
    assert list(out.parent.iterdir()) == []  # no report, no temporary file
    screen.form.month_combo.setCurrentIndex(screen.form.month_combo.findText("令和6年5月（2024年5月）"))
    screen.create_button.click()
    qtbot.waitUntil(lambda: screen.last_result is not None, timeout=30_000)
    assert out.read_bytes()[:5] == b"%PDF-"
