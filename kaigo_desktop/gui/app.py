"""Start-up of the GUI: the application object (names, Japanese locale and translations, text size, the
exception hook), the first-run welcome, the database worker and the main window, and switching the main
window to another database file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator, Slot
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from kaigo_desktop import APP_NAME, paths
from kaigo_desktop.gui.app_icon import application_icon
from kaigo_desktop.gui.context import AppContext, UserSettings
from kaigo_desktop.gui.database_worker import DatabaseWorker
from kaigo_desktop.gui.file_dialogs import install_missing_words
from kaigo_desktop.gui.error_dialog import ExceptionHook, install_exception_hook, logger, route_qt_messages_to_log
from kaigo_desktop.gui.main_window import MainWindow
from kaigo_desktop.gui.text_sized_style import set_indicator_scale
from kaigo_desktop.services.backups import automatic_backup
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import StorageError

if TYPE_CHECKING:
    from kaigo_desktop.gui import open_problems

DEMO_PLACES = 120
ORGANISATION = "KaigoDesktop"
# How often the window asks whether a timed backup is due; the interval itself is a database setting.
TIMED_BACKUP_CHECK_MS = 60_000
START_DATABASE_LATEST_MS = 2_000


def ensure_demo_database(db_path: Path) -> None:
    """The demo database is made on first use, whole or not at all."""
    if db_path.exists():
        return
    from kaigo_desktop.services.demo import create_demo

    Database.create_new(db_path, lambda db: create_demo(db, places=DEMO_PLACES, years=2, seed=1), user="デモ")


def prepare_database(db_path: Path, user: str = "", readonly: bool = False) -> None:
    """Open once on the GUI thread: refuses a file that is damaged, too new or in use, and upgrades (after a
    backup) an older one. Used before replacing a working window, so a bad choice leaves it open. At start
    the worker does this instead, while the window is being built (the check reads the whole file)."""
    Database.open(db_path, user=user, readonly=readonly).close()


def _install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own Japanese for standard buttons and dialogs: the copy in resources/translations (so a frozen
    build has it wherever PyInstaller puts Qt), else the one beside Qt. Our own strings are written in
    Japanese, so there is nothing else to load."""
    japanese = QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)
    folders = []
    try:
        folders.append(str(paths.resources_dir() / "translations"))
    except FileNotFoundError:
        pass  # a build without resources/
    folders.append(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for folder in folders:
        translator = QTranslator(app)
        if translator.load(japanese, "qtbase", "_", folder):
            app.installTranslator(translator)
            return [translator]
    return []


def create_application(argv: list[str] | None = None, *, error_dialogs: bool = True) -> QApplication:
    """The one QApplication. error_dialogs=False (the screenshot command) logs errors without a dialog."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setWindowIcon(application_icon())
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    if not app.property("translations_installed"):
        _install_translations(app)
        install_missing_words(app)
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
    set_indicator_scale(app, percent)  # before the font: the widgets measure again once, with both
    app.setFont(font)
    # Qt does not pass a new application font to widgets styled by a style sheet (error labels, invalid
    # fields …); setting their sheet again makes them take it.
    for widget in app.allWidgets():
        if widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


class _OpenFailureWatcher(QObject):
    """Receives the worker's "could not open" on the GUI thread. Connected before the worker starts: it may
    fail while the window is still being built."""

    def __init__(self, parent: QObject, on_failure):
        super().__init__(parent)
        self.window: MainWindow | None = None
        self.error: BaseException | None = None
        self.on_failure = on_failure

    @Slot(object)
    def failed(self, error: BaseException) -> None:
        self.error = error
        if self.window is not None:
            self.on_failure(self.window, error)


OpenFailureHandler = Callable[[MainWindow, BaseException], None]


def open_main_window(db_path: Path, settings: UserSettings, today: date | None = None, *, readonly: bool = False,
                     read_only_reason: str = "", on_open_failure: OpenFailureHandler | None = None,
                     start_worker: bool = True) -> MainWindow:
    """The window on db_path; the worker opens the file meanwhile. When it cannot, `on_open_failure` (default:
    say why and close the window) is called with the hidden window and the error. A read-only window (the
    writes disabled, `read_only_reason` said in the status bar) makes no automatic backups."""
    on_open_failure = on_open_failure or _close_on_open_failure
    worker = DatabaseWorker(db_path, user=settings.user_name, readonly=readonly)
    context = AppContext(worker, settings)
    if read_only_reason:
        context.read_only_reason = read_only_reason
    watcher = _OpenFailureWatcher(context, on_open_failure)
    worker.database_did_fail_to_open.connect(watcher.failed)
    if start_worker:
        worker.start()
    window = MainWindow(context, db_path, today=today)  # shows itself read-only when the context is
    context.setParent(window)
    timer = QTimer(window)
    timer.setInterval(TIMED_BACKUP_CHECK_MS)
    timer.timeout.connect(lambda: _automatic_backup(context, "timed"))
    if not readonly:
        timer.start()
    window.timed_backup_timer = timer
    released = False

    def release_database(close_backup: bool = True, wait: bool = True) -> None:
        """Stop using the database, once: the timer, a backup of what changed (close_backup), the worker
        (wait=False only asks it to finish its queued jobs and close the file; the restore waits for
        that on its own thread)."""
        nonlocal released
        if released:
            return
        released = True
        timer.stop()
        if close_backup and not readonly:  # a backup of what changed, before the connection closes
            _automatic_backup(context, "close")
        worker.stop(timeout=30.0 if wait else 0.0)
    window.release_database = release_database
    window.window_did_close.connect(lambda: release_database())
    watcher.window = window
    if watcher.error is not None:  # it failed, and was told, before the window existed
        QTimer.singleShot(0, lambda: on_open_failure(window, watcher.error))
    context.run(lambda db, _ctx: list(getattr(db, "warnings", [])),
                on_done=lambda warnings: _warn_about_location(window, warnings),
                on_error=lambda _e: None)
    settings.remember_database(str(db_path))
    return window


def _warn_about_location(window: MainWindow, warnings: list) -> None:
    # The open problems' dialogs (restore, unlock …) are imported when needed, not before the first paint.
    if warnings:
        from kaigo_desktop.gui import open_problems

        open_problems.warn_about_location(window, warnings)


def _automatic_backup(context: AppContext, reason: str) -> None:
    """A backup when due (timed) or when something changed (close), thinned afterwards. A failure never
    stops the work: it is logged and shown in the status bar."""
    def done(info) -> None:
        if info is not None:
            logger.info("automatic backup (%s): %s", reason, info.path)
            context.status_did_change.emit(f"自動バックアップを作成しました: {info.path.name}")

    def failed(error: BaseException) -> None:
        logger.warning("automatic backup (%s) failed: %s", reason, error)
        context.status_did_change.emit(f"自動バックアップを作成できませんでした: {error}")

    context.run(lambda db, _ctx: automatic_backup(db, reason), on_done=done, on_error=failed)


class _StartAtFirstPaint(QObject):
    """Starts the window's database thread when the window first paints (or after START_DATABASE_LATEST_MS,
    for a window started minimised). Started before, its open (a quick check of the whole file) and its queued
    jobs took the GUI thread's core and GIL before the first paint: about 0.1 s on the 1.1M-gathering file
    (issue 17). Every job still waits for the open and its check, so nothing touches an unchecked file."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.worker = window.context.worker
        window.installEventFilter(self)
        QTimer.singleShot(START_DATABASE_LATEST_MS, self, self.start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self.start()
        return False

    @Slot()
    def start(self) -> None:
        self.worker.start()  # once; never after the window let go of the database


def _start_database_after_first_paint(window: MainWindow) -> None:
    _StartAtFirstPaint(window)


def _report_open_failure(window: MainWindow, error: BaseException) -> None:
    logger.warning("database could not be opened: %s: %s", window.db_path, error)
    if isinstance(sys.excepthook, ExceptionHook):
        sys.excepthook.already_reported(error)  # the screens' queued jobs fail with the same error
    window.hide()


def _close_on_open_failure(window: MainWindow, error: BaseException) -> None:
    """The worker could not open the file (damaged, too new, in use …): say so once and close the window."""
    _report_open_failure(window, error)
    if QApplication.instance().property("interactive") is not False:
        QMessageBox.critical(None, APP_NAME, f"データベースを開けません。\n{error}")
    window.close()


class Session(QObject):
    """Owns the main window; replaces it by one on another database when the user opens a different file."""

    def __init__(self, app: QApplication, settings: UserSettings, today: date | None = None):
        super().__init__()
        self.app = app
        self.settings = settings
        self.today = today
        self.window: MainWindow | None = None

    def open(self, db_path: Path, readonly: bool = False, read_only_reason: str = "") -> MainWindow:
        window = open_main_window(db_path, self.settings, today=self.today, readonly=readonly,
                                  read_only_reason=read_only_reason, on_open_failure=self._open_failed,
                                  start_worker=False)
        window.database_open_requested.connect(self.switch_to)
        window.restore_requested.connect(self.restore)
        window.unlock_requested.connect(lambda: self.unlock(window))
        _start_database_after_first_paint(window)
        window.show()
        self.window = window
        return window

    def _open_failed(self, window: MainWindow, error: BaseException) -> None:
        """Explain, offer a restore or a read-only open, and reopen as the user chose; else close."""
        from kaigo_desktop.gui import open_problems

        _report_open_failure(window, error)
        decision = open_problems.resolve(None, window.db_path, error)
        if decision is None:
            window.close()
            return
        self._replace(window, lambda: self.open(decision.path, decision.readonly, decision.reason))
        if decision.restored_from is not None and self.window is not None:
            self.window.context.status_did_change.emit(f"{decision.restored_from.name} から復元しました")
        _say_unlocked(self.window, decision)

    def _replace(self, old: MainWindow | None, open_new) -> bool:
        """Close `old` (False when the user keeps it) and open the new window without the app quitting."""
        quit_on_close = self.app.quitOnLastWindowClosed()
        self.app.setQuitOnLastWindowClosed(False)  # the old window closes before the new one shows
        try:
            if old is not None and not (old.leave_then(lambda: self._replace(old, open_new)) and old.close()):
                return False  # the user stays, or saves first: this runs again once saved
            open_new()
            if old is not None:
                old.deleteLater()
            return True
        finally:
            self.app.setQuitOnLastWindowClosed(quit_on_close)

    def restore(self, backup_path: Path) -> bool:
        """Close the database, put the backup in its place (the current file is kept as a backup first) and
        open a window on the restored file; after a failure or a cancel the file is as it was and is opened
        again. The window stays up behind a progress dialog meanwhile. True when restored."""
        old = self.window
        if old is None or not old.leave_then(lambda: self.restore(backup_path)):
            return False  # the user stays, or saves first: the restore runs once saved
        db_path = old.db_path
        # The database thread owns the connection and a restore needs the file closed. So the restore runs
        # on a thread of its own that only touches files (gui/restore_progress.py): it first waits — there,
        # not on the GUI thread — for the database thread to finish its queued jobs and close the file.
        # No close backup: the restore itself first keeps a verified copy of the current file.
        old.release_database(close_backup=False, wait=False)
        from kaigo_desktop.gui.restore_progress import run_restore

        outcome = run_restore(old, db_path, Path(backup_path), before=old.context.worker.stop,
                              user=old.context.settings.user_name)
        self._replace(old, lambda: self.open(db_path))
        window = self.window
        if outcome.cancelled:
            window.context.status_did_change.emit("復元を取り消しました。データベースは元のままです。")
            return False
        if outcome.error is not None:
            if not isinstance(outcome.error, (StorageError, OSError)):
                raise outcome.error  # a bug: the exception hook shows and logs it
            logger.warning("restore from %s failed: %s", backup_path, outcome.error)
            QMessageBox.warning(window, APP_NAME, f"復元できませんでした。データベースは変更していません。\n"
                                f"{outcome.error}")
            return False
        kept = outcome.result.kept_copy
        QMessageBox.information(window, APP_NAME, f"{Path(backup_path).name} から復元しました。"
                                + (f"\n復元前の内容は {kept} に残してあります。" if kept else ""))
        return True

    def unlock(self, window: MainWindow) -> bool:
        """A window read-only because another PC held the file: break that PC's lock once the user confirms
        (shown who and since when), then reopen the file for writing. True when reopened."""
        from kaigo_desktop.gui import open_problems
        from kaigo_desktop.services import unlocking

        path = window.db_path
        state = unlocking.current_lock(path)
        if state is None:  # the other PC has closed it meanwhile: nothing to break
            decision = open_problems.OpenDecision(path)
        elif not unlocking.can_break(state):
            open_problems.choose(window, QMessageBox.Icon.Information, unlocking.still_running(state), ["OK"])
            return False
        else:
            decision = open_problems.break_lock(window, path, state)
            if decision is None:
                return False
        if not self._replace(window, lambda: self.open(path)):
            return False
        _say_unlocked(self.window, decision)
        return True

    def switch_to(self, db_path: Path) -> bool:
        """Close the current window (it asks about unsaved changes) and open one on db_path."""
        db_path = Path(db_path)
        old = self.window
        if old is not None and db_path.resolve() == old.db_path.resolve():
            return False
        readonly, reason = False, ""
        try:
            prepare_database(db_path, self.settings.user_name)
        except StorageError as error:
            from kaigo_desktop.gui import open_problems

            decision = open_problems.resolve(old, db_path, error)
            if decision is None:
                return False
            readonly, reason = decision.readonly, decision.reason
            if not self._replace(old, lambda: self.open(db_path, readonly, reason)):
                return False
            _say_unlocked(self.window, decision)
            return True
        return self._replace(old, lambda: self.open(db_path, readonly, reason))


def _say_unlocked(window: MainWindow | None, decision: open_problems.OpenDecision) -> None:
    if decision.unlocked and window is not None:
        window.context.status_did_change.emit(f"ロックを解除して編集用に開きました（{decision.unlocked}）")


def choose_database_at_start(new_database_path: Path, settings: UserSettings) -> Path | None:
    """The welcome dialog; None when the user chose to quit. The name given there is the person's (QSettings);
    the defaults chosen for a new database are kept in that database."""
    from kaigo_desktop.gui.welcome import WelcomeDialog

    dialog = WelcomeDialog(new_database_path, paths.demo_database_path(), ensure_demo_database,
                           user=settings.user_name)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen_path is None:
        return None
    if dialog.user_name:
        settings.user_name = dialog.user_name
    return dialog.chosen_path


def ask_name_at_first_start(settings: UserSettings, *, demo: bool) -> None:
    """Records saved before a name is known have no 更新者: when it is not known (an earlier version, or the
    welcome dialog was not shown), ask once before the window opens; put off, it is asked at the next start.
    The demo is tried without."""
    if demo or settings.user_name:
        return
    from kaigo_desktop.gui.user_name_dialog import ask_user_name

    settings.user_name = ask_user_name()


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
        ask_name_at_first_start(settings, demo=demo)
    except (StorageError, OSError) as error:
        QMessageBox.critical(None, APP_NAME, f"データベースを用意できません。\n{error}")
        return 2
    session = Session(app, settings)
    session.open(db_path)  # the worker opens and checks the file while the window is built and painted
    return app.exec()
