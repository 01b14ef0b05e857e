"""Start-up of the GUI. For now a first window showing the database and the current 年度's headline
figures; the full set of screens is the GUI issue's work."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox

from kaigo_desktop import APP_NAME, __version__
from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year
from kaigo_desktop.services.stats import fiscal_year_stats
from kaigo_desktop.services.stats_text import format_stats
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import StorageError

DEMO_PLACES = 120


def ensure_demo_database(db_path: Path) -> None:
    """The demo database is made on first use, whole or not at all."""
    if db_path.exists():
        return
    from kaigo_desktop.services.demo import create_demo

    Database.create_new(db_path, lambda db: create_demo(db, places=DEMO_PLACES, years=2, seed=1), user="デモ")


def build_main_window(db_path: Path, *, user: str = "", today: date | None = None) -> QMainWindow:
    fiscal_year = fiscal_year_of(today or date.today())
    with Database.open(db_path, user=user) as db:
        text = format_stats(fiscal_year_stats(db, fiscal_year))
    window = QMainWindow()
    window.setWindowTitle(f"{APP_NAME} {__version__} — 通いの場・推進員の記録")
    window.statusBar().showMessage(f"{db_path}　{format_fiscal_year(fiscal_year)}")
    label = QLabel(text)
    label.setObjectName("summary")
    label.setMargin(24)
    window.setCentralWidget(label)
    window.resize(900, 520)
    return window


def run_gui(db_path: Path, *, demo: bool = False, user: str = "") -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("KaigoDesktop")
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    try:
        if demo:
            ensure_demo_database(db_path)
        window = build_main_window(db_path, user=user)
    except StorageError as error:
        QMessageBox.critical(None, APP_NAME, str(error))
        return 2
    window.show()
    return app.exec()
