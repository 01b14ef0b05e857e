"""Every file and folder dialog of the app, through one place: it starts in the user's Documents folder
(QStandardPaths; never the program's folder, which a relative or empty start would mean), and on Linux uses
Qt's own dialog, which speaks Japanese with qtbase_ja (the desktop's native one follows the desktop's
language). Windows keeps its native Explorer dialog (Japanese on a Japanese Windows)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths, QTranslator
from PySide6.QtWidgets import QFileDialog, QWidget


def documents_folder() -> Path:
    """The user's Documents folder (ドキュメント); the home folder when the system names none that exists."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if location and Path(location).is_dir():
        return Path(location)
    return Path.home()


def start_path(start: str | Path | None = None) -> str:
    """Where a dialog opens: `start` when it is an absolute path whose folder exists (the folder last used,
    the database's folder, a suggested file there), a bare file name put into Documents, else Documents."""
    if not start:
        return str(documents_folder())
    path = Path(start)
    if not path.is_absolute():
        return str(documents_folder() / path.name)
    folder = path if path.is_dir() else path.parent
    return str(path) if folder.is_dir() else str(documents_folder() / path.name)


def dialog_options() -> QFileDialog.Option:
    if sys.platform in ("win32", "darwin"):
        return QFileDialog.Option(0)
    return QFileDialog.Option.DontUseNativeDialog


def open_file(parent: QWidget | None, title: str, name_filter: str, start: str | Path | None = None) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, start_path(start), name_filter, "", dialog_options())
    return Path(path) if path else None


def save_file(parent: QWidget | None, title: str, name_filter: str, start: str | Path | None = None) -> Path | None:
    """The file chosen to write (the dialog has asked before replacing an existing one)."""
    path, _ = QFileDialog.getSaveFileName(parent, title, start_path(start), name_filter, "", dialog_options())
    return Path(path) if path else None


def choose_folder(parent: QWidget | None, title: str, start: str | Path | None = None) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, title, start_path(start),
                                              QFileDialog.Option.ShowDirsOnly | dialog_options())
    return Path(folder) if folder else None


class MissingDialogWords(QTranslator):
    """The two labels of Qt's file dialog that qtbase_ja leaves in English."""

    WORDS = {("QFileDialog", "&Look in:"): "場所(&L):", ("QFileDialog", "Files of &type:"): "ファイルの種類(&T):"}

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: ARG002 - Qt's signature
        return self.WORDS.get((context, source_text))  # None: not ours, the next translator is asked

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


def install_missing_words(app: QCoreApplication) -> QTranslator:
    translator = MissingDialogWords(app)
    app.installTranslator(translator)
    return translator


def open_files(parent: QWidget | None, title: str, name_filter: str, start: str | Path | None = None) -> list[Path]:
    """The files chosen (several at once); [] when cancelled."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, start_path(start), name_filter, "", dialog_options())
    return [Path(path) for path in paths]
