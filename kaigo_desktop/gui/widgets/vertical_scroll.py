"""A form that scrolls up and down, never sideways: its width follows the scroll area's, and the scroll
area asks for the form's minimum width (so nothing is cut at the right) but for little height (so a tall
form at 200 % text still fits a 768 px screen and scrolls to 「保存」)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QStyle, QWidget

LOW_HEIGHT = 120  # pixels the scroll area insists on: a few rows of the form


class VerticalScrollArea(QScrollArea):
    def __init__(self, widget: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # The form sits in the viewport, so its new minimum (the text size changed, a row was shown) would
        # not reach the layout holding this scroll area: pass it on.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def _extra_width(self) -> int:
        """The vertical scroll bar and the frame, beside the form."""
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        return bar + 2 * self.frameWidth()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        inner = self.widget().minimumSizeHint() if self.widget() is not None else QSize()
        return QSize(inner.width() + self._extra_width(), min(LOW_HEIGHT, inner.height()))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        inner = self.widget().sizeHint() if self.widget() is not None else QSize()
        return QSize(inner.width() + self._extra_width(), inner.height())
