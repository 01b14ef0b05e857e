"""The 東京都 screens on a real metro database (three 区市町村 demo databases' signed submissions imported through
the services): the window shows 提出状況 / 評価シート / 設定 instead of the 区市町村's screens, the 62 rows mark
the missing 区市町村 in red and with 「✕ 未提出」, files are imported through the screen (and a tampered one is
refused whole), a target and an indicator typed in full-width digits are saved through the services (checked
with SQL), and 「PDFで保存」 writes a PDF that pypdf reads back."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.screens.metro_common import MISSING_COLOR, MISSING_MARK, SUBMITTED_MARK
from kaigo_desktop.gui.screens.metro_sheet import MetroSheetScreen
from kaigo_desktop.gui.screens.metro_status import COLUMNS, MetroStatusScreen
from kaigo_desktop.gui.screens.masters_common import choose_quietly
from kaigo_desktop.gui.screenshots import settle
from tests.gui.conftest import run_and_wait, show_sized, type_text
from tests.gui.metro_gui import FISCAL_YEAR, MetroFixture, build_metro_database

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> MetroFixture:
    return build_metro_database(tmp_path_factory.mktemp("metro"))


@pytest.fixture
def metro_fixture(built: MetroFixture, tmp_path: Path) -> MetroFixture:
    """A copy of the built metro database per test (the tests write to it)."""
    path = tmp_path / "metro.sqlite3"
    shutil.copyfile(built.path, path)
    return MetroFixture(path, built.codes, built.sources, built.submissions, built.trust_files)


def sql(path: Path, query: str, *params):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def closed(dialog) -> bool:
    """Saved: the dialog closed (and, deleted on close, may be gone already)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def status_screen(qtbot, context) -> MetroStatusScreen:
    screen = MetroStatusScreen(context)
    show_sized(qtbot, screen, 1100, 700)
    choose_quietly(screen.fiscal_year_combo, FISCAL_YEAR)
    screen.refresh()
    qtbot.waitUntil(lambda: screen.table.rowCount() == 62, timeout=10_000)
    return screen


def sheet_screen(qtbot, context) -> MetroSheetScreen:
    screen = MetroSheetScreen(context)
    show_sized(qtbot, screen, 1100, 700)
    choose_quietly(screen.fiscal_year_combo, FISCAL_YEAR)
    screen.refresh()
    qtbot.waitUntil(lambda: screen.sheet is not None and screen.sheet.fiscal_year == FISCAL_YEAR, timeout=10_000)
    return screen


def test_a_metro_database_opens_on_the_metro_screens(qtbot, metro_fixture: MetroFixture, settings) -> None:
    window = open_main_window(metro_fixture.path, settings)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.metro, timeout=10_000)
        titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
        assert titles == ["提出状況", "評価シート", "設定"]
        qtbot.waitUntil(lambda: isinstance(window.current_screen, MetroStatusScreen), timeout=10_000)
        assert not window.import_action.isVisible() and not window.new_action.isVisible()
        window.navigation.setCurrentRow(1)  # Ctrl+2 goes the same way (the View menu's actions)
        assert isinstance(window.current_screen, MetroSheetScreen)
        settle(window)
    finally:
        window.hide()
        window.window_did_close.emit()
        window.deleteLater()


def test_the_62_rows_mark_the_missing_municipalities_in_red_and_in_words(
        qtbot, metro_fixture: MetroFixture, start_context) -> None:
    screen = status_screen(qtbot, start_context(metro_fixture.path, user="東京都職員"))
    # Independent of the screen: the 区市町村 of the database, and the current submissions of the 年度.
    all_codes = [code for (code,) in sql(metro_fixture.path, "SELECT code FROM municipalities ORDER BY code")]
    submitted = {code for (code,) in sql(metro_fixture.path, "SELECT municipality_code FROM metro_submissions"
                                         " WHERE fiscal_year = ? AND replaced_at IS NULL", FISCAL_YEAR)}
    assert len(all_codes) == 62 and submitted == set(metro_fixture.codes)
    state, promoters = COLUMNS.index("提出"), COLUMNS.index("推進員")
    for row, code in enumerate(all_codes):
        assert screen.statuses[row].municipality_code == code
        mark = screen.table.item(row, state)
        if code in submitted:
            assert mark.text() == SUBMITTED_MARK
            assert mark.foreground().color() != MISSING_COLOR
            assert screen.table.item(row, promoters).text() != ""
        else:
            assert mark.text() == MISSING_MARK  # said in words, not by colour alone
            assert all(screen.table.item(row, column).foreground().color() == MISSING_COLOR
                       for column in range(len(COLUMNS)))
    assert screen.summary_label.text().endswith(f"提出 3／62　未提出 59")


def tampered_copy(original: Path, out: Path) -> Path:
    """The same zip with one byte of its content member changed (the signature no longer matches)."""
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("content"):
                data = data.replace(b'"fiscal_year"', b'"fiscal_year" ', 1)
            target.writestr(info, data)
    return out


def test_submission_files_are_imported_through_the_screen_and_a_tampered_one_refuses_all(
        qtbot, tmp_path: Path, start_context, monkeypatch) -> None:
    fixture = build_metro_database(tmp_path / "fresh", import_files=False)
    screen = status_screen(qtbot, start_context(fixture.path, user="東京都職員"))
    shown: list[tuple[str, str]] = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda _p, title, text, *a, n=name, **k: shown.append((n, text)))

    bad = tampered_copy(fixture.submissions[1], tmp_path / "bad.kaigo-sub")
    screen.import_files([fixture.submissions[0], bad])
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    kind, text = shown.pop()
    assert kind == "warning" and "bad.kaigo-sub" in text and "どのファイルも取り込んでいません" in text
    assert sql(fixture.path, "SELECT COUNT(*) FROM metro_submissions") == [(0,)]

    screen.import_files(fixture.submissions)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    kind, text = shown.pop()
    assert kind == "information" and text.startswith("3件を取り込みました")
    # The list follows the import (announced as a change) without the user asking.
    qtbot.waitUntil(lambda: sum(s.submitted_at is not None for s in screen.statuses) == 3, timeout=10_000)
    assert sql(fixture.path, "SELECT COUNT(*) FROM metro_submissions") == [(3,)]


def test_a_target_typed_in_full_width_digits_is_saved_through_the_service(
        qtbot, metro_fixture: MetroFixture, start_context) -> None:
    screen = sheet_screen(qtbot, start_context(metro_fixture.path, user="東京都職員"))
    screen.items_table.selectRow(2)  # 事項3
    screen.edit_target()
    dialog = screen.open_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.target_edit.clear()
    type_text(dialog.target_edit, "６３")  # an IME left on: full-width digits
    dialog.ok_button.click()
    # Out of range: the service's refusal is shown in the dialog, which stays open; nothing written.
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert "62" in dialog.message.text() and dialog.isVisible()
    assert sql(metro_fixture.path, "SELECT COUNT(*) FROM metro_targets WHERE fiscal_year = ?", FISCAL_YEAR) == [(0,)]

    dialog.target_edit.clear()
    type_text(dialog.target_edit, "９")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=10_000)
    assert sql(metro_fixture.path, "SELECT target FROM metro_targets WHERE item = '3' AND fiscal_year = ?",
               FISCAL_YEAR) == [(9,)]
    # The sheet is read again and shows the 年度's own target.
    qtbot.waitUntil(lambda: screen.items_table.item(2, 1).text() == "9", timeout=10_000)


def test_an_indicator_is_saved_with_its_source_and_year(qtbot, metro_fixture: MetroFixture, start_context) -> None:
    screen = sheet_screen(qtbot, start_context(metro_fixture.path, user="東京都職員"))
    keys = list(screen.sheet.indicators)
    row = keys.index("healthy_life_expectancy")
    screen.indicators_table.selectRow(row)
    assert screen.indicator_button.isEnabled()
    screen.indicators_table.selectRow(keys.index("weekly_participation_rate"))
    assert not screen.indicator_button.isEnabled()  # computed from the submissions, not typed
    screen.indicators_table.selectRow(row)
    screen.edit_indicator()
    dialog = screen.open_dialog
    qtbot.waitUntil(dialog.isVisible)
    type_text(dialog.value_edit, "８０．５")
    dialog.ok_button.click()
    # A value without its source is refused by the service: said in the dialog.
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10_000)
    assert "出典" in dialog.message.text()
    type_text(dialog.source_edit, "東京都福祉局「65歳健康寿命」")
    dialog.year_spin.setValue(2023)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=10_000)
    assert sql(metro_fixture.path, "SELECT value, source, source_year FROM metro_indicators"
               " WHERE key = 'healthy_life_expectancy' AND fiscal_year = ?", FISCAL_YEAR) == \
        [(80.5, "東京都福祉局「65歳健康寿命」", 2023)]
    qtbot.waitUntil(lambda: screen.indicators_table.item(row, 1).text() == "80.5歳", timeout=10_000)


def test_the_sheet_table_shows_the_counts_and_pdf_is_written(
        qtbot, metro_fixture: MetroFixture, start_context, tmp_path: Path, monkeypatch) -> None:
    context = start_context(metro_fixture.path, user="東京都職員")
    screen = sheet_screen(qtbot, context)
    sheet = screen.sheet
    for row, number in enumerate(("1", "2", "3")):
        for column, year in enumerate(sheet.years, start=2):
            assert screen.items_table.item(row, column).text() == str(sheet.items[year][number].actual)
    # 事項3 from the one declaration with users in the source databases: counted once, by name.
    declared = metro_fixture.codes[0]
    assert sheet.items[FISCAL_YEAR]["3"].municipalities == [declared]
    assert sheet.municipality_names[declared] in screen.counted_label.text()
    assert screen.chart_box.chart.items()  # the weekly participation rate across the 区市町村 that submitted

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Close)
    out = tmp_path / "評価シート.pdf"
    screen.save_pdf(FISCAL_YEAR, out, replace=False)
    qtbot.waitUntil(lambda: screen.last_pdf == out, timeout=30_000)
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "評価シート" in text and sheet.municipality_names[declared] in text


def test_a_counting_rule_is_saved_and_the_sheet_counts_again(qtbot, metro_fixture: MetroFixture, start_context) -> None:
    screen = sheet_screen(qtbot, start_context(metro_fixture.path, user="東京都職員"))
    assert screen.items_table.item(2, 4).text() == "1"  # 事項3: the one 区市町村 that declared users (4)
    screen.items_table.selectRow(2)
    screen.edit_rule()
    qtbot.waitUntil(lambda: getattr(screen, "open_dialog", None) is not None and screen.open_dialog.isVisible(),
                    timeout=10_000)
    dialog = screen.open_dialog
    assert dialog.minimum_edit.text() == "1"
    dialog.minimum_edit.clear()
    type_text(dialog.minimum_edit, "５人")  # more users than it declared: no longer counted
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=10_000)
    assert sql(metro_fixture.path, "SELECT minimum FROM metro_item_rules WHERE item = '3'") == [(5,)]
    qtbot.waitUntil(lambda: screen.items_table.item(2, 4).text() == "0", timeout=10_000)
    assert "5人以上" in screen.definitions_label.text()


def test_a_municipalitys_key_is_trusted_through_the_dialog(qtbot, built: MetroFixture, tmp_path: Path,
                                                           start_context) -> None:
    from kaigo_desktop.gui.metro_trust_dialog import MetroTrustDialog
    from kaigo_desktop.services import metro
    from kaigo_desktop.storage.database import Database

    path = tmp_path / "new-metro.sqlite3"
    Database.create_new(path, metro.init_metro, user="東京都職員")
    screen = status_screen(qtbot, start_context(path, user="東京都職員"))
    key = COLUMNS.index("鍵")
    assert {screen.table.item(row, key).text() for row in range(62)} == {"未登録"}
    code, trust_file = built.codes[1], built.trust_files[1]
    dialog = MetroTrustDialog(screen.context, [(s.municipality_code, s.municipality_name) for s in screen.statuses],
                              screen)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.read_file(trust_file)
    run_and_wait(qtbot, screen.context, lambda _db, _job: None)  # the 区市町村 the file's name says, if any
    dialog.municipality_combo.setCurrentIndex(dialog.municipality_combo.findData(code))
    assert "指紋:" in dialog.signer_label.text()
    assert not dialog.trust_button.isEnabled()  # not before the fingerprint was checked with the 区市町村
    dialog.confirmed_box.setChecked(True)
    dialog.trust_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    assert sql(path, "SELECT municipality_code FROM metro_trusted_keys") == [(code,)]
    row = next(i for i, s in enumerate(screen.statuses) if s.municipality_code == code)
    qtbot.waitUntil(lambda: screen.table.item(row, key).text() == "信頼済", timeout=10_000)
