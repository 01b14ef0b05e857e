"""Sizes for the exchange dialogs that follow the text size (100–200 %) and never clip wrapped Japanese text."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

BASE_LINE_HEIGHT = 17  # pixels of one line of text at 100 % on the reference machine


def scaled_resize(widget: QWidget, width: int, height: int) -> None:
    """Resize to (width, height) as measured at 100 % text, grown with the font, kept on the screen."""
    factor = max(1.0, widget.fontMetrics().height() / BASE_LINE_HEIGHT)
    width, height = round(width * factor), round(height * factor)
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        width, height = min(width, available.width()), min(height, available.height())
    widget.resize(width, height)


def fit_wrapped_height(widget: QWidget) -> None:
    """Top-level windows ignore height-for-width: make the window tall enough for its word-wrapped labels at
    its current width (call from showEvent)."""
    layout = widget.layout()
    if layout is None or not layout.hasHeightForWidth():
        return
    needed = layout.totalMinimumHeightForWidth(widget.width())
    widget.setMinimumHeight(needed)
    if widget.height() < needed:
        widget.resize(widget.width(), needed)
