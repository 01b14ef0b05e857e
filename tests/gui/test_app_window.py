"""The main window opens offscreen on a database: every screen is reachable and the status bar counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database


@pytest.fixture
def window(qtbot, db_path: Path, settings: UserSettings):
    with Database.open(db_path) as db:
        records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2020, 4, 1)))
    window = open_main_window(db_path, settings, today=date(2024, 6, 1))
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def test_every_screen_is_in_the_navigation(window) -> None:
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == ["通いの場", "開催記録", "推進員", "活動記録", "参加者", "報告書", "集計", "提出前チェック", "マスタ・設定"]
    for row in range(len(titles)):
        window.navigation.setCurrentRow(row)
        assert window.current_screen.title == titles[row]


def test_status_bar_shows_file_fiscal_year_and_counts(qtbot, window, db_path: Path) -> None:
    assert window.file_label.text() == str(db_path)
    assert window.fiscal_year_label.text() == "令和6年度"
    qtbot.waitUntil(lambda: "通いの場 1" in window.counts_label.text())


def test_the_database_is_remembered_as_recent(window, settings: UserSettings, db_path: Path) -> None:
    assert settings.recent_databases[0] == str(db_path)


def test_the_file_menu_offers_the_exchange_between_pcs(window) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    texts = [action.text() for action in file_menu.actions()]
    for wanted in ("データの書き出し（ほかのパソコンへ）(&W)…", "データの取り込み（ほかのパソコンから）(&L)…",
                   "データの取り込み（CSV・Excel）(&I)…"):
        assert wanted in texts
    assert any(text.startswith("競合の解決") for text in texts)
    assert all(action.isEnabled() for action in window.exchange_actions)
