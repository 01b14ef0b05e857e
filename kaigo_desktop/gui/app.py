"""Start-up of the GUI: the application object (names, Japanese locale and translations, text size, the
exception hook), the first-run welcome, the database worker and the main window, and switching the main
window to another database file."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator, Slot
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from kaigo_desktop import APP_NAME, paths
from kaigo_desktop.gui.context import AppContext, UserSettings
from kaigo_desktop.gui.database_worker import DatabaseWorker
from kaigo_desktop.gui.error_dialog import ExceptionHook, install_exception_hook, logger, route_qt_messages_to_log
from kaigo_desktop.gui.main_window import MainWindow
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import StorageError

DEMO_PLACES = 120
ORGANISATION = "KaigoDesktop"
TRANSLATION_NAME = "kaigo_desktop"  # resources/translations/kaigo_desktop_ja.qm


def ensure_demo_database(db_path: Path) -> None:
    """The demo database is made on first use, whole or not at all."""
    if db_path.exists():
        return
    from kaigo_desktop.services.demo import create_demo

    Database.create_new(db_path, lambda db: create_demo(db, places=DEMO_PLACES, years=2, seed=1), user="デモ")


def prepare_database(db_path: Path, user: str = "") -> None:
    """Open once on the GUI thread: refuses a file that is damaged, too new or in use, and upgrades (after a
    backup) an older one. Used before replacing a working window, so a bad choice leaves it open. At start
    the worker does this instead, while the window is being built (the check reads the whole file)."""
    Database.open(db_path, user=user).close()


def _install_translations(app: QApplication) -> list[QTranslator]:
    japanese = QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)
    sources = [("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    try:
        sources.append((TRANSLATION_NAME, str(paths.resources_dir() / "translations")))
    except FileNotFoundError:
        pass  # a build without resources/: the Japanese source strings are shown as they are
    installed = []
    for name, folder in sources:
        translator = QTranslator(app)
        if translator.load(japanese, name, "_", folder):
            app.installTranslator(translator)
            installed.append(translator)
    return installed


def create_application(argv: list[str] | None = None, *, error_dialogs: bool = True) -> QApplication:
    """The one QApplication. error_dialogs=False (the screenshot command) logs errors without a dialog."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    if not app.property("translations_installed"):
        _install_translations(app)
        app.setProperty("translations_installed", True)
    install_exception_hook(show_dialog=error_dialogs)
    app.setProperty("interactive", error_dialogs)  # False: nobody can answer a message box (screenshots)
    return app  # type: ignore[return-value]


def apply_text_scale(app: QApplication, percent: int) -> None:
    """Every widget's text at percent (100–200) of the platform's size, at once."""
    font = app.font()
    base = app.property("base_point_size") or font.pointSizeF()
    app.setProperty("base_point_size", base)
    font.setPointSizeF(base * max(100, min(200, percent)) / 100)
    app.setFont(font)
    # Qt does not pass a new application font to widgets styled by a style sheet (error labels, invalid
    # fields …); setting their sheet again makes them take it.
    for widget in app.allWidgets():
        if widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


class _OpenFailureWatcher(QObject):
    """Receives the worker's "could not open" on the GUI thread. Connected before the worker starts: it may
    fail while the window is still being built."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.window: MainWindow | None = None
        self.error: BaseException | None = None

    @Slot(object)
    def failed(self, error: BaseException) -> None:
        self.error = error
        if self.window is not None:
            _close_on_open_failure(self.window, error)


def open_main_window(db_path: Path, settings: UserSettings, today: date | None = None) -> MainWindow:
    worker = DatabaseWorker(db_path, user=settings.user_name)
    context = AppContext(worker, settings)
    watcher = _OpenFailureWatcher(context)
    worker.database_did_fail_to_open.connect(watcher.failed)
    worker.start()
    window = MainWindow(context, db_path, today=today)
    context.setParent(window)
    window.window_did_close.connect(worker.stop)
    watcher.window = window
    if watcher.error is not None:  # it failed, and was told, before the window existed
        QTimer.singleShot(0, lambda: _close_on_open_failure(window, watcher.error))
    context.run(lambda db, _ctx: list(getattr(db, "warnings", [])),
                on_done=lambda warnings: _show_open_warnings(window, warnings), on_error=lambda _e: None)
    settings.remember_database(str(db_path))
    return window


def _close_on_open_failure(window: MainWindow, error: BaseException) -> None:
    """The worker could not open the file (damaged, too new, in use …): say so once and close the window.
    The screens' queued jobs fail with the same error; the exception hook does not repeat it."""
    logger.warning("database could not be opened: %s: %s", window.db_path, error)
    if isinstance(sys.excepthook, ExceptionHook):
        sys.excepthook.already_reported(error)
    window.hide()
    if QApplication.instance().property("interactive") is not False:
        QMessageBox.critical(None, APP_NAME, f"データベースを開けません。\n{error}")
    window.close()


def _show_open_warnings(window: MainWindow, warnings: list[str]) -> None:
    """What opening the file found worth knowing (a cloud or network folder …), without blocking the work."""
    if warnings and QApplication.instance().property("interactive") is not False:
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, "\n\n".join(warnings), parent=window)
        box.setModal(False)
        box.show()


class Session(QObject):
    """Owns the main window; replaces it by one on another database when the user opens a different file."""

    def __init__(self, app: QApplication, settings: UserSettings, today: date | None = None):
        super().__init__()
        self.app = app
        self.settings = settings
        self.today = today
        self.window: MainWindow | None = None

    def open(self, db_path: Path) -> MainWindow:
        window = open_main_window(db_path, self.settings, today=self.today)
        window.database_open_requested.connect(self.switch_to)
        window.show()
        self.window = window
        return window

    def switch_to(self, db_path: Path) -> bool:
        """Close the current window (it asks about unsaved changes) and open one on db_path."""
        db_path = Path(db_path)
        old = self.window
        if old is not None and db_path.resolve() == old.db_path.resolve():
            return False
        try:
            prepare_database(db_path, self.settings.user_name)
        except StorageError as error:
            QMessageBox.warning(old, APP_NAME, f"このデータベースは開けません。\n{error}")
            return False
        quit_on_close = self.app.quitOnLastWindowClosed()
        self.app.setQuitOnLastWindowClosed(False)  # the old window closes before the new one shows
        try:
            if old is not None and not old.close():
                return False
            self.open(db_path)
            if old is not None:
                old.deleteLater()
            return True
        finally:
            self.app.setQuitOnLastWindowClosed(quit_on_close)


def choose_database_at_start(new_database_path: Path, settings: UserSettings) -> Path | None:
    """The welcome dialog; None when the user chose to quit."""
    from kaigo_desktop.gui.welcome import WelcomeDialog

    dialog = WelcomeDialog(new_database_path, paths.demo_database_path(), ensure_demo_database,
                           user=settings.user_name)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen_path is None:
        return None
    if dialog.defaults is not None:
        settings.default_municipality, settings.default_center = dialog.defaults
    return dialog.chosen_path


def run_gui(db_path: Path, *, demo: bool = False, user: str = "") -> int:
    app = create_application()
    route_qt_messages_to_log()
    settings = UserSettings()
    if user:
        settings.user_name = user
    apply_text_scale(app, settings.text_scale_percent)
    try:
        if demo:
            ensure_demo_database(db_path)
        elif not db_path.exists():
            chosen = choose_database_at_start(db_path, settings)
            if chosen is None:
                return 0
            db_path = chosen
    except (StorageError, OSError) as error:
        QMessageBox.critical(None, APP_NAME, f"データベースを用意できません。\n{error}")
        return 2
    session = Session(app, settings)
    session.open(db_path)  # the worker opens and checks the file while the window is built and painted
    return app.exec()
