"""The first window opens offscreen on a database and shows the 年度's figures in Japanese."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui.app import build_main_window
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database


def test_main_window_shows_the_current_fiscal_year_figures(qtbot, db_path: Path) -> None:
    with Database.open(db_path) as db:
        records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2020, 4, 1)))
    window = build_main_window(db_path, today=date(2024, 6, 1))
    qtbot.addWidget(window)
    window.show()
    text = window.centralWidget().text()
    assert "令和6年度" in text
    assert "通いの場（活動中）: 1か所" in text
    assert "運動機能向上 1" in text
    assert str(db_path) in window.statusBar().currentMessage()
