"""The GUI's save dialogs after they return: a report, an export or a bundle aimed at the open database, its
backups or another SQLite file is refused with a dialog and every byte stays; a file the dialog confirmed is
replaced, one whose name the app completed (報告 → 報告.pdf) is not."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.exchange_export_dialog import ExportDialog
from kaigo_desktop.gui.screens.reports import ReportsScreen
from kaigo_desktop.services import exchange, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait

TODAY = date(2024, 6, 1)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def filled(db_path: Path, tmp_path: Path) -> Path:
    """One place, and a verified backup in the backups folder beside the database."""
    from kaigo_desktop.services.backups import make_backup

    with Database.open(db_path, user="テスト") as db:
        records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2020, 4, 1)))
        make_backup(db)
    return db_path


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: shown.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    return shown


@pytest.fixture
def reports(qtbot, filled: Path, settings: UserSettings) -> ReportsScreen:
    window = open_main_window(filled, settings, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    screen = window.show_screen(ReportsScreen)
    qtbot.waitUntil(lambda: screen.form.fiscal_year_combo.count() > 0 and screen.create_button.isEnabled(),
                    timeout=10_000)
    yield screen
    window.close()


def save_as(qtbot, screen: ReportsScreen, monkeypatch, kind: str, chosen: Path) -> None:
    screen.form.kind_combo.setCurrentIndex(screen.form.kind_combo.findData(kind))
    screen.form.empty_check.setChecked(True)  # the fixture records no 年度: the point here is the file
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(chosen), ""))
    screen.create_button.click()
    qtbot.waitUntil(lambda: screen._job is None, timeout=30_000)


def test_reports_screen_refuses_the_database_its_backups_and_sqlite_files(qtbot, reports, filled, tmp_path,
                                                                           monkeypatch, warnings) -> None:
    backup = next((filled.parent / "backups").iterdir())
    link = tmp_path / "報告書.pdf"
    link.symlink_to(filled)  # the open database under a report's name
    other = tmp_path / "集計.xlsx"
    shutil.copyfile(backup, other)  # a SQLite file with a spreadsheet's name
    cases = [("submission", link, "データベース"), ("submission", backup.parent / "報告書.pdf", "バックアップフォルダ"),
             ("xlsx", other, "SQLite"), ("csv", backup.parent / "表.csv", "バックアップフォルダ")]
    kept = {path: digest(path) for path in (filled, backup, other)}
    for kind, chosen, word in cases:
        save_as(qtbot, reports, monkeypatch, kind, chosen)
        assert warnings and word in warnings[-1], (kind, chosen, warnings)
        assert reports.last_result is None
    assert len(warnings) == len(cases)
    assert {path: digest(path) for path in kept} == kept
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name]


def test_reports_screen_replaces_only_the_file_the_dialog_confirmed(qtbot, reports, tmp_path, monkeypatch,
                                                                    warnings) -> None:
    confirmed = tmp_path / "先月.pdf"
    confirmed.write_bytes(b"old report")
    save_as(qtbot, reports, monkeypatch, "submission", confirmed)  # the dialog asked about this very file
    assert warnings == [] and confirmed.read_bytes().startswith(b"%PDF")

    completed = tmp_path / "報告.pdf"  # the user typed 報告; the app adds .pdf: nobody confirmed 報告.pdf
    completed.write_bytes(b"keep me")
    reports.last_result = None
    save_as(qtbot, reports, monkeypatch, "submission", tmp_path / "報告")
    assert warnings and "既にある" in warnings[-1] and "別の名前" in warnings[-1]
    assert completed.read_bytes() == b"keep me" and reports.last_result is None


def test_bundle_export_dialog_refuses_the_database(qtbot, filled, monkeypatch, warnings, start_context,
                                                   folders) -> None:
    context = start_context(filled, user="画面テスト")
    dialog = ExportDialog(context, folders=folders, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)
    dialog.destination_combo.setCurrentText("区役所")
    backup = next((filled.parent / "backups").iterdir())
    kept = {path: digest(path) for path in (filled, backup)}
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    for chosen, word in ((filled, "データベース"), (backup, "バックアップフォルダ")):
        dialog.path_edit.setText(str(chosen))
        count = len(warnings)
        dialog.export_button.click()
        qtbot.waitUntil(lambda: len(warnings) > count, timeout=10_000)
        assert "書き出せませんでした" in warnings[-1] and word in warnings[-1]
        assert dialog.last_summary is None
    assert {path: digest(path) for path in kept} == kept
    assert run_and_wait(qtbot, context, lambda db, _c: exchange.destinations(db)) == []  # nothing remembered
