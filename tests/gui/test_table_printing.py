"""Ctrl+P prints the current screen's list: the rows as listed, with the title, to a real PDF printer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.widgets import table_printing
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database


class _PdfPrintDialog:
    """Stands in for the printer dialog: the user picks 'print to PDF' at `target` and presses OK."""

    target: Path

    def __init__(self, printer: QPrinter, parent=None):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.target))

    def setWindowTitle(self, title: str) -> None:  # noqa: N802 - Qt's name
        pass

    def exec(self) -> int:
        return QDialog.DialogCode.Accepted


@pytest.fixture
def window(qtbot, db_path: Path, settings: UserSettings):
    with Database.open(db_path) as db:
        for name in ("さくら体操の会", "ひまわりサロン"):
            records.add(db, Place("131016", name, start_date=date(2020, 4, 1)))
    window = open_main_window(db_path, settings)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def test_ctrl_p_prints_the_listed_places(qtbot, window, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "printed.pdf"
    _PdfPrintDialog.target = target
    monkeypatch.setattr(table_printing, "QPrintDialog", _PdfPrintDialog)
    screen = window.current_screen
    qtbot.waitUntil(lambda: screen.table.model().rowCount() == 2)
    assert screen.print_current()
    text = "".join("".join(page.extract_text() for page in PdfReader(target).pages).split())
    assert "さくら体操の会" in text and "ひまわりサロン" in text and "2件" in text and "千代" in text
