"""Where exchange files go and come from, remembered per destination in QSettings (a USB stick for the
区役所, a shared folder for a center …), and the file name a bundle gets by default."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

BUNDLE_SUFFIX = ".kaigo"
BUNDLE_FILTER = "Kaigo Desktop やりとり用ファイル (*.kaigo);;すべてのファイル (*)"
_FOLDERS_KEY = "exchange/folders"  # JSON {destination: folder}: one value, whatever the names contain
_IMPORT_FOLDER_KEY = "exchange/import_folder"
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\s]+')  # what Windows refuses in a file name, and spaces


def bundle_file_name(destination: str, day: date) -> str:
    """kaigo_区役所_20250401.kaigo"""
    name = _NOT_IN_FILE_NAMES.sub("_", destination.strip()).strip("._") or "送り先"
    return f"kaigo_{name}_{day:%Y%m%d}{BUNDLE_SUFFIX}"


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


class ExchangeFolders:
    def __init__(self, settings: QSettings | None = None):
        self._settings = settings if settings is not None else QSettings()

    def _all(self) -> dict[str, str]:
        try:
            value = json.loads(str(self._settings.value(_FOLDERS_KEY, "{}")))
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def folder_for(self, destination: str) -> str:
        """The folder last used for this destination, else the last used for any, else 書類 (Documents)."""
        folders = self._all()
        return folders.get(destination.strip()) or folders.get("") or _documents()

    def remember(self, destination: str, folder: Path | str) -> None:
        folders = self._all()
        folders[destination.strip()] = str(folder)
        folders[""] = str(folder)  # the latest of all, for a destination used for the first time
        self._settings.setValue(_FOLDERS_KEY, json.dumps(folders, ensure_ascii=False))

    def default_path(self, destination: str, day: date) -> Path:
        return Path(self.folder_for(destination)) / bundle_file_name(destination, day)

    @property
    def import_folder(self) -> str:
        return str(self._settings.value(_IMPORT_FOLDER_KEY, "") or self._all().get("") or _documents())

    @import_folder.setter
    def import_folder(self, folder: Path | str) -> None:
        self._settings.setValue(_IMPORT_FOLDER_KEY, str(folder))
