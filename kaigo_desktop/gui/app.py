"""Start-up of the GUI. For now a first window showing the database and the current 年度's headline
figures; the full set of screens is the GUI issue's work."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kaigo_desktop import APP_NAME, __version__


def _ensure_demo(db_path: Path) -> None:
    from kaigo_desktop.services.demo import create_demo
    from kaigo_desktop.storage.database import Database

    Database.create_new(db_path, lambda db: create_demo(db, places=120, years=2, seed=1), user="デモ")


def run_gui(db_path: Path, *, demo: bool = False, user: str = "") -> int:
    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox

    from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year
    from kaigo_desktop.services.stats import fiscal_year_stats
    from kaigo_desktop.services.stats_text import format_stats
    from kaigo_desktop.storage.database import Database
    from kaigo_desktop.storage.errors import StorageError

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("KaigoDesktop")
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))

    window = QMainWindow()
    window.setWindowTitle(f"{APP_NAME} {__version__} — 通いの場・推進員の記録")
    try:
        if demo and not db_path.exists():
            _ensure_demo(db_path)
        with Database.open(db_path, create=False, user=user) as db:
            fiscal_year = fiscal_year_of(date.today())
            text = format_stats(fiscal_year_stats(db, fiscal_year))
        window.statusBar().showMessage(f"{db_path}　{format_fiscal_year(fiscal_year)}")
    except StorageError as error:
        QMessageBox.critical(None, APP_NAME, str(error))
        return 2
    label = QLabel(text)
    label.setMargin(24)
    window.setCentralWidget(label)
    window.resize(900, 520)
    window.show()
    return app.exec()
