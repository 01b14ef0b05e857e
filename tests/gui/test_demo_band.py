"""A demo database's window says so in a band across the top (readable at 100 % and 200 % text); a real
database's window has none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui.app import apply_text_scale, ensure_demo_database, open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.services import records
from kaigo_desktop.services.demo_mark import DEMO_BAND_TEXT
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait

SHOTS = Path("/tmp/shots/demo-lock")


@pytest.fixture(autouse=True)
def no_bug_dialogs(bug_dialog_fails_test):
    pass


def opened(qtbot, path: Path, settings: UserSettings):
    window = open_main_window(path, settings, today=date(2024, 6, 1))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    run_and_wait(qtbot, window.context, lambda _db, _c: None)  # every job queued so far (the mark is read) is done
    qtbot.wait(50)
    return window


def test_the_demo_database_shows_the_band_at_every_text_size(qtbot, qapp, tmp_path: Path,
                                                              settings: UserSettings) -> None:
    path = tmp_path / "demo.sqlite3"
    ensure_demo_database(path)  # as `kaigo-desktop --demo` and the welcome dialog make it
    window = opened(qtbot, path, settings)
    band = window.demo_band
    try:
        for percent in (100, 200):
            apply_text_scale(qapp, percent)
            qtbot.wait(100)
            assert band.isVisible() and band.text() == DEMO_BAND_TEXT
            assert band.geometry().top() < window.navigation.mapTo(window.centralWidget(), window.navigation.rect()
                                                                   .topLeft()).y()  # above the screens
            needed = band.fontMetrics().horizontalAdvance(DEMO_BAND_TEXT)
            assert needed <= band.contentsRect().width()  # not cut off
            assert band.height() >= band.heightForWidth(band.width())
            SHOTS.mkdir(parents=True, exist_ok=True)
            assert window.grab().save(str(SHOTS / f"demo_band_{percent}.png"))
    finally:
        apply_text_scale(qapp, 100)
        window.close()


def test_a_real_database_has_no_band(qtbot, qapp, db_path: Path, settings: UserSettings) -> None:
    with Database.open(db_path) as db:
        records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2024, 4, 1)))
    window = opened(qtbot, db_path, settings)
    assert not window.demo_band.isVisible()
    window.close()
