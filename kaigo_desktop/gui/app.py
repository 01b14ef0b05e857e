"""Start-up of the GUI: the application object (names, Japanese locale and translations, text size, the
exception hook), the database worker and the main window."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from kaigo_desktop import APP_NAME
from kaigo_desktop.gui.context import AppContext, UserSettings
from kaigo_desktop.gui.database_worker import DatabaseWorker
from kaigo_desktop.gui.main_window import MainWindow
from kaigo_desktop.storage.database import Database

DEMO_PLACES = 120
ORGANISATION = "KaigoDesktop"


def ensure_demo_database(db_path: Path) -> None:
    """The demo database is made on first use, whole or not at all."""
    if db_path.exists():
        return
    from kaigo_desktop.services.demo import create_demo

    Database.create_new(db_path, lambda db: create_demo(db, places=DEMO_PLACES, years=2, seed=1), user="デモ")


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    translator = QTranslator(app)
    if translator.load(QLocale(QLocale.Language.Japanese), "qtbase", "_",
                       QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    return app  # type: ignore[return-value]


def apply_text_scale(app: QApplication, percent: int) -> None:
    font = app.font()
    base = app.property("base_point_size") or font.pointSizeF()
    app.setProperty("base_point_size", base)
    font.setPointSizeF(base * percent / 100)
    app.setFont(font)


def open_main_window(db_path: Path, settings: UserSettings, today: date | None = None) -> MainWindow:
    worker = DatabaseWorker(db_path, user=settings.user_name)
    context = AppContext(worker, settings)
    worker.start()
    window = MainWindow(context, db_path, today=today)
    context.setParent(window)
    window.window_did_close.connect(worker.stop)
    settings.remember_database(str(db_path))
    return window


def run_gui(db_path: Path, *, demo: bool = False, user: str = "") -> int:
    app = create_application()
    settings = UserSettings()
    if user:
        settings.user_name = user
    apply_text_scale(app, settings.text_scale_percent)
    try:
        if demo:
            ensure_demo_database(db_path)
        elif not db_path.exists():
            QMessageBox.information(None, APP_NAME, f"データベースがありません: {db_path}\n"
                                    "デモ用データベースは `kaigo-desktop --demo` で開けます。")
            return 2
        Database.open(db_path, user=settings.user_name).close()  # version check and upgrade, up front
    except Exception as error:  # noqa: BLE001 - shown to the user, the app cannot go on without a database
        QMessageBox.critical(None, APP_NAME, str(error))
        return 2
    window = open_main_window(db_path, settings)
    window.show()
    return app.exec()
