"""Where the shipped folders (db/, resources/) and the user's data folder are."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

_PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped_dir(name: str) -> Path:
    # A wheel (and a frozen build) carries the folder inside the package; a source
    # checkout keeps it at the top level beside the package.
    candidates = [_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"同梱フォルダ {name}/ が見つかりません: {', '.join(map(str, candidates))}")


def db_dir() -> Path:
    """Numbered migrations and reference data."""
    return _shipped_dir("db")


def resources_dir() -> Path:
    return _shipped_dir("resources")


def data_dir() -> Path:
    """The user's data folder; KAIGO_DESKTOP_DATA overrides it (portable use, tests)."""
    override = os.environ.get("KAIGO_DESKTOP_DATA")
    path = Path(override) if override else Path(user_data_dir("KaigoDesktop", appauthor=False))
    return path


def default_database_path() -> Path:
    return data_dir() / "kaigo.sqlite3"


def demo_database_path() -> Path:
    return data_dir() / "demo.sqlite3"
