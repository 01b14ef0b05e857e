"""What the exchange dialog tests share: PCs (database copies with their own ids) that trust each other, a
filled database and its bundle, a context per PC, remembered folders, and driving the import dialog. Its
fixtures are offered to every GUI test by tests/gui/conftest.py."""

from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox

from kaigo_desktop.domain import records as r
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.exchange_folders import ExchangeFolders
from kaigo_desktop.gui.exchange_import_dialog import ExchangeImportDialog
from kaigo_desktop.services import exchange, records
from kaigo_desktop.storage.database import Database
from tests.exchange.test_exchange import trust_each_other

TODAY = date(2025, 4, 1)


def new_pc(template: Path, tmp_path: Path, name: str) -> Path:
    """A copy of the migrated template with its own database id: a second PC that can exchange."""
    path = tmp_path / f"{name}.sqlite3"
    shutil.copyfile(template, path)
    with Database.open(path, user=name) as db:
        with db.write():
            db.conn.execute("UPDATE db_meta SET value = ? WHERE key = 'database_id'", (str(uuid.uuid4()),))
        db.database_id = db.meta("database_id")
    return path


def fill(path: Path) -> tuple[r.Place, r.Gathering]:
    """One place with two gatherings."""
    with Database.open(path, user="センターA") as db:
        place = records.add(db, r.Place(municipality_code="131016", name="ひまわり会"))
        first = records.add(db, r.Gathering(place.id, date(2024, 5, 1), 12, notes="体操"))
        records.add(db, r.Gathering(place.id, date(2024, 5, 8), 9))
    return place, first


def bundle(path: Path, out: Path, passphrase: str | None = None) -> Path:
    with Database.open(path, user="センターA") as db:
        exchange.export_bundle(db, out, destination="区役所", passphrase=passphrase)
    return out


def filled_bundle(path: Path, out: Path, passphrase: str | None = None) -> Path:
    """The bundle of a PC just filled with one place and two gatherings."""
    fill(path)
    return bundle(path, out, passphrase)


def stored(path: Path, sql: str) -> list[tuple]:
    with Database.open(path) as db:
        return [tuple(row) for row in db.query(sql)]


@pytest.fixture
def pcs(db_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(center A, municipality B): two empty databases with different ids, trusting each other."""
    a, b = new_pc(db_path, tmp_path, "center_a"), new_pc(db_path, tmp_path, "town_b")
    with Database.open(a) as first, Database.open(b) as second:
        trust_each_other(first, second)
    return a, b


@pytest.fixture
def open_context(start_context):
    return lambda path: start_context(path, user="画面テスト")


@pytest.fixture
def folders(tmp_path: Path) -> ExchangeFolders:
    return ExchangeFolders(QSettings(str(tmp_path / "folders.ini"), QSettings.Format.IniFormat))


def answer_questions(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return answer
    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def import_dialog(qtbot, context: AppContext, folders: ExchangeFolders) -> ExchangeImportDialog:
    dialog = ExchangeImportDialog(context, folders=folders)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose(qtbot, dialog: ExchangeImportDialog, monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dialog.browse_button.click()
    qtbot.waitUntil(lambda: dialog.progress_dialog is None, timeout=10_000)
