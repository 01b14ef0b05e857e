"""Pictures for the screens and the common commands, so people find them by picture as well as by word.

Font Awesome 6 Free (solid) through qtawesome: glyphs drawn from a font that qtawesome ships (icons CC BY 4.0,
font SIL OFL 1.1, qtawesome MIT), so they stay sharp at every text size. The one table of which picture
stands for what is here; the main window asks for them by screen module and command name."""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QAbstractItemView, QToolBar, QWidget

# qtawesome goes through QtPy, which would take another Qt binding (PyQt5 …, or one named by a QT_API left in
# the user's environment) if it found one: icons of another binding cannot go on our widgets.
os.environ["QT_API"] = "pyside6"

# screen module (main_window.SCREENS) → (icon, colour). One colour per screen: told apart at a glance.
SCREEN_ICONS: dict[str, tuple[str, str]] = {
    "places": ("fa6s.people-roof", "#1b7f6b"),
    "gatherings": ("fa6s.calendar-check", "#2f6db3"),
    "promoters": ("fa6s.hand-holding-heart", "#c2542d"),
    "activities": ("fa6s.clipboard-list", "#8a5a14"),
    "participants": ("fa6s.person-walking", "#7a3f8f"),
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


def _icon(name: str, colour: str) -> QIcon:
    import qtawesome  # loads its fonts on the first icon: after the QApplication exists

    return qtawesome.icon(name, color=QColor(colour), color_active=QColor(colour),
                          color_selected=QColor(_SELECTED), color_disabled=QColor(_DISABLED))


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
