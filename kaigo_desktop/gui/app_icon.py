"""The application icon (resources/icons, made from kaigo-desktop.svg by scripts/make_resources.py)."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from kaigo_desktop import paths

_SIZED_PNG = re.compile(r"kaigo-desktop-(\d+)\.png")


def application_icon() -> QIcon:
    """Every rendered size, so Qt picks a sharp one for the title bar and task bar at any scale (empty when
    resources/ is missing: the platform's default icon is shown)."""
    icon = QIcon()
    try:
        folder = paths.resources_dir() / "icons"
    except FileNotFoundError:
        return icon
    for path in sorted(folder.glob("kaigo-desktop-*.png")):
        match = _SIZED_PNG.fullmatch(path.name)
        if match:
            size = int(match.group(1))
            icon.addFile(str(path), QSize(size, size))
    return icon
