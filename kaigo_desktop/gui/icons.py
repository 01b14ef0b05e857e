"""Pictures for the screens and the common commands, so people find them by picture as well as by word.

Font Awesome 6 Free (solid): glyphs drawn from the font qtawesome ships (icons CC BY 4.0, font SIL OFL 1.1,
qtawesome MIT), so they stay sharp at every text size. The one table of which picture stands for what is here;
the main window asks for them by screen module and command name.

The glyphs are drawn by a small icon engine of our own from qtawesome's font file and charmap, without
importing qtawesome: its import (QtPy, which loads QtOpenGL and walks every Qt enum) cost about a third of
the start-up before the main window's first paint (issue 17)."""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QToolBar, QWidget

# The font and its charmap (glyph name → code point) in qtawesome's fonts/ folder; "fa6s." names them.
_FONT_FILE = "fontawesome6-solid-webfont-6.7.2.ttf"
_CHARMAP_FILE = "fontawesome6-solid-webfont-charmap-6.7.2.json"
_PREFIX = "fa6s."
# As qtawesome draws it: a 16 px icon holds a 14 px glyph, room for the font's bearing.
_GLYPH_SCALE = 0.875

# screen module (main_window.SCREENS) → (icon, colour). One colour per screen: told apart at a glance.
SCREEN_ICONS: dict[str, tuple[str, str]] = {
    "places": ("fa6s.people-roof", "#1b7f6b"),
    "gatherings": ("fa6s.calendar-check", "#2f6db3"),
    "promoters": ("fa6s.hand-holding-heart", "#c2542d"),
    "activities": ("fa6s.clipboard-list", "#8a5a14"),
    "participant_pages": ("fa6s.person-walking", "#7a3f8f"),
    "reports": ("fa6s.file-lines", "#5a4fa3"),
    "dashboard": ("fa6s.chart-column", "#1f7a3a"),
    "submission_check": ("fa6s.list-check", "#a3324f"),
    "masters": ("fa6s.gear", "#555555"),
    "metro_status": ("fa6s.inbox", "#2f6db3"),
    "metro_sheet": ("fa6s.table-list", "#1f7a3a"),
    "metro_settings": ("fa6s.gear", "#555555"),
}

# command → icon, in the menus and the toolbar alike.
COMMAND_ICONS: dict[str, str] = {
    "new": "fa6s.plus",
    "save": "fa6s.floppy-disk",
    "print": "fa6s.print",
    "find": "fa6s.magnifying-glass",
    "delete": "fa6s.trash-can",
    "open": "fa6s.folder-open",
    "backup": "fa6s.box-archive",
    "import": "fa6s.file-import",
}

_COMMAND_COLOUR = "#2b3a4a"
_SELECTED = "#ffffff"  # on the selection's highlight
_DISABLED = "#9a9a9a"


def _fonts_folder() -> Path:
    """qtawesome's fonts/ folder, found without importing qtawesome (a frozen build carries it as data,
    build.spec)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "qtawesome" / "fonts"
    spec = importlib.util.find_spec("qtawesome")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("qtawesome のフォントが見つかりません")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts"


@cache
def _glyph_font() -> tuple[str, dict[str, int]]:
    """(font family, glyph name → code point), loaded once after the QApplication exists."""
    folder = _fonts_folder()
    font_id = QFontDatabase.addApplicationFont(str(folder / _FONT_FILE))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        raise FileNotFoundError(f"アイコンのフォントを読み込めません: {folder / _FONT_FILE}")
    charmap = json.loads((folder / _CHARMAP_FILE).read_text(encoding="utf-8"))
    return families[0], {name: int(code, 16) for name, code in charmap.items()}


class _GlyphIconEngine(QIconEngine):
    """One glyph of the icon font, in a colour for each mode (normal, active, selected, disabled)."""

    def __init__(self, char: str, colours: dict[QIcon.Mode, QColor]):
        super().__init__()
        self.char = char
        self.colours = colours

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, _state: QIcon.State) -> None:
        family, _charmap = _glyph_font()
        font = QFont(family)
        font.setStyleName("Solid")
        font.setPixelSize(max(1, round(_GLYPH_SCALE * rect.height())))
        painter.save()
        painter.setPen(self.colours.get(mode, self.colours[QIcon.Mode.Normal]))
        painter.setFont(font)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), self.char)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _GlyphIconEngine(self.char, dict(self.colours))


def _icon(name: str, colour: str) -> QIcon:
    _family, charmap = _glyph_font()
    char = chr(charmap[name.removeprefix(_PREFIX)])
    colours = {QIcon.Mode.Normal: QColor(colour), QIcon.Mode.Active: QColor(colour),
               QIcon.Mode.Selected: QColor(_SELECTED), QIcon.Mode.Disabled: QColor(_DISABLED)}
    return QIcon(_GlyphIconEngine(char, colours))


def screen_icon(module: str) -> QIcon:
    name, colour = SCREEN_ICONS[module]
    return _icon(name, colour)


def command_icon(command: str) -> QIcon:
    return _icon(COMMAND_ICONS[command], _COMMAND_COLOUR)


def icon_size_for(widget: QWidget) -> QSize:
    """Icons as tall as a line of the widget's text (plus a little), so they grow with the text size."""
    side = round(widget.fontMetrics().height() * 1.25)
    return QSize(side, side)


class CommandToolBar(QToolBar):
    """The common commands with picture and word; icons follow the text size (100–200 %) when it changes."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.setObjectName("commands")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIconSize(icon_size_for(self))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            self.setIconSize(icon_size_for(self))
        super().changeEvent(event)


class _IconSizeFollower(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            watched.setIconSize(icon_size_for(watched))
        return False


def follow_text_size(view: QAbstractItemView) -> None:
    """The view's icons as tall as its text, now and after every change of text size."""
    view.setIconSize(icon_size_for(view))
    view.installEventFilter(_IconSizeFollower(view))
