"""Every screen in the navigation and every toolbar command has a picture that is really drawn (qtawesome's
font loaded, not an empty icon), the screens' pictures differ, and they grow with the text size."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QApplication

from kaigo_desktop.gui.app import apply_text_scale, open_main_window
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.main_window import SCREENS
from kaigo_desktop.storage.database import Database


@pytest.fixture
def window(qtbot, db_path: Path, settings: UserSettings):
    Database.open(db_path).close()
    window = open_main_window(db_path, settings, today=date(2026, 6, 1))
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def _drawn(icon: QIcon, side: int = 32) -> QImage:
    """The icon at side×side; asserts it is not empty and has ink (a glyph, not a blank square)."""
    assert not icon.isNull()
    image = icon.pixmap(side, side).toImage()
    assert not image.isNull()
    inked = sum(1 for x in range(image.width()) for y in range(image.height()) if image.pixelColor(x, y).alpha() > 0)
    assert inked >= side * side // 20, f"only {inked} pixels drawn"
    return image


def test_every_screen_in_the_navigation_and_the_view_menu_has_its_own_picture(window) -> None:
    assert window.navigation.count() == len(SCREENS)
    # Shapes, not only colours, differ (the alpha channel alone).
    pictures = [_drawn(window.navigation.item(row).icon()).convertToFormat(QImage.Format.Format_Alpha8)
                for row in range(window.navigation.count())]
    for first in range(len(pictures)):
        for second in range(first + 1, len(pictures)):
            assert pictures[first] != pictures[second], (SCREENS[first][0], SCREENS[second][0])
    view_menu = window.menuBar().actions()[2].menu()
    screen_actions = [action for action in view_menu.actions() if not action.isSeparator()]
    assert [action.text() for action in screen_actions] == [title for title, _m, _n in SCREENS]
    for action in screen_actions:
        _drawn(action.icon())


def test_every_toolbar_command_has_a_picture_and_a_word(window) -> None:
    actions = window.toolbar.actions()
    # one verb for removing a record, as on the screens' buttons (「ごみ箱へ移す」, issue 15)
    assert [action.iconText() for action in actions] == ["新規", "保存", "ごみ箱へ移す", "検索", "印刷"]
    assert window.delete_action.text() == "ごみ箱へ移す(&D)"
    for action in actions:
        _drawn(action.icon())
    assert window.toolbar.isVisible()


def test_pictures_grow_with_the_text_size_and_shrink_back(qapp: QApplication, qtbot, window) -> None:
    small_bar, small_nav = window.toolbar.iconSize(), window.navigation.iconSize()
    line = window.navigation.fontMetrics().height()
    assert small_nav.height() >= line and small_bar.height() >= line  # as tall as the words beside them
    try:
        apply_text_scale(qapp, 200)  # the widgets hear of it through posted events
        qtbot.waitUntil(lambda: window.toolbar.iconSize().height() >= small_bar.height() * 1.7)
        qtbot.waitUntil(lambda: window.navigation.iconSize().height() >= small_nav.height() * 1.7)
    finally:
        apply_text_scale(qapp, 100)
    qtbot.waitUntil(lambda: window.toolbar.iconSize() == small_bar)
    qtbot.waitUntil(lambda: window.navigation.iconSize() == small_nav)
