"""What happens to an error nobody caught: it is written to a rotating log file in the data folder (a frozen
windowed build has no stderr) and shown in a dialog with a Japanese explanation and copyable details."""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QtMsgType, QUrl, qInstallMessageHandler
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop import APP_NAME, __version__, paths
from kaigo_desktop.storage import sqlite_errors
from kaigo_desktop.storage.errors import StorageError

LOG_FILE_NAME = "kaigo-desktop.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
logger = logging.getLogger("kaigo_desktop")


def default_log_path() -> Path:
    return paths.data_dir() / "logs" / LOG_FILE_NAME


def setup_logging(log_path: Path | None = None) -> Path:
    """Log to a rotating file (once per path); falls back to the temp folder if the data folder is not
    writable, since losing the log would lose the only trace of a crash."""
    log_path = log_path or default_log_path()
    for handler in logger.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and Path(handler.baseFilename) == log_path:
            return log_path
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                                       encoding="utf-8")
    except OSError:
        log_path = Path(tempfile.gettempdir()) / LOG_FILE_NAME
        handler = logging.handlers.RotatingFileHandler(log_path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                                       encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return log_path


def explain(error: BaseException) -> tuple[str, bool]:
    """(Japanese message, is it a bug). Problems of the environment get an action the user can take."""
    if isinstance(error, StorageError):
        return f"データベースの問題です。\n{error}", False
    problem = sqlite_errors.environment_error(error)  # busy, disk full, read-only, damaged: by result code
    if problem is not None:
        return problem.message, False
    if isinstance(error, PermissionError):
        return f"ファイルにアクセスできません（権限がありません）: {getattr(error, 'filename', '')}", False
    if isinstance(error, OSError) and getattr(error, "errno", None) == 28:
        return "ディスクの空き容量が足りません。", False
    return ("予期しないエラーが発生しました。保存済みのデータは失われていません。\n"
            "下の「詳細をコピー」で内容をコピーし、システムの担当者に伝えてください。"), True


class ErrorDialog(QDialog):
    """The message in plain Japanese, the details (traceback) selectable and copyable, the log's place."""

    def __init__(self, message: str, details: str, log_path: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} — エラー")
        self.message_label = QLabel(message)
        self.message_label.setWordWrap(True)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setObjectName("error_details")
        self.details.setMinimumSize(560, 180)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message_label)
        layout.addWidget(QLabel("詳細:"))
        layout.addWidget(self.details, 1)
        if log_path is not None:
            log_label = QLabel(f"記録したファイル: {log_path}")
            log_label.setWordWrap(True)
            log_label.setObjectName("error_log_path")
            layout.addWidget(log_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy_button = QPushButton("詳細をコピー(&C)")
        copy_button.clicked.connect(self.copy_details)
        buttons.addButton(copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        if log_path is not None:
            folder_button = QPushButton("ログのフォルダを開く")
            folder_button.clicked.connect(
                lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_path.parent))))
            buttons.addButton(folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self.message_label.text()}\n\n{self.details.toPlainText()}")


class ExceptionHook:
    """sys.excepthook: log every uncaught error; show it in a dialog when a GUI can take one (never two at
    once: an error inside the dialog is only logged)."""

    def __init__(self, log_path: Path, show_dialog: bool = True):
        self.log_path = log_path
        self.show_dialog = show_dialog
        self._showing = False
        self._reported: list[BaseException] = []

    def already_reported(self, error: BaseException) -> None:
        """The app told the user about this error itself: when it comes back (the database worker fails every
        queued job with the error that kept it from opening the file) it is not shown again."""
        self._reported.append(error)

    def __call__(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        if any(error is reported for reported in self._reported):
            return
        details = (f"{APP_NAME} {__version__} / Python {platform.python_version()} / {platform.platform()}\n"
                   + "".join(traceback.format_exception(kind, error, tb)))
        message, is_bug = explain(error)
        logger.log(logging.ERROR if is_bug else logging.WARNING, "uncaught %s\n%s", kind.__name__, details)
        for handler in logger.handlers:
            handler.flush()
        if self.show_dialog and not self._showing and QApplication.instance() is not None \
                and threading.current_thread() is threading.main_thread():
            self._showing = True
            dialog = ErrorDialog(message, details, self.log_path, QApplication.activeWindow())
            try:
                dialog.exec()
            finally:
                self._showing = False
                # Qt deletes it from the event loop: a dialog freed later by Python's garbage collector
                # (with the hook) has crashed PySide when the app listed its widgets.
                dialog.deleteLater()
        elif sys.stderr is not None and not self.show_dialog:
            print(f"エラー（{self.log_path} に記録しました）:\n{details}", file=sys.stderr)


def install_exception_hook(log_path: Path | None = None, *, show_dialog: bool = True) -> ExceptionHook:
    hook = ExceptionHook(setup_logging(log_path), show_dialog=show_dialog)
    sys.excepthook = hook
    # Errors on other threads are logged (a dialog can only be shown from the GUI thread).
    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    threading.excepthook = thread_hook
    return hook


_QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}


def route_qt_messages_to_log() -> None:
    """Qt's own warnings go to the log file too (a windowed build has no console to show them)."""
    def handler(kind: QtMsgType, context, message: str) -> None:
        logger.log(_QT_LEVELS.get(kind, logging.WARNING), "Qt: %s", message)
    qInstallMessageHandler(handler)
