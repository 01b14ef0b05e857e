"""Parts side by side while the width allows, one above the other when it does not (200 % text on a 1366 px
laptop): the window then never has to be wider than the widest part, and nothing scrolls sideways."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLayout, QSplitter, QWidget


def _minimum(part: QWidget | QLayout) -> QSize:
    if isinstance(part, QLayout):
        return part.minimumSize()
    if part.isHidden():
        return QSize(0, 0)
    return part.minimumSize().expandedTo(part.minimumSizeHint())


class SideBySideRow(QWidget):
    """A row of parts (layouts or widgets) that becomes a column when narrower than their minimums."""

    def __init__(self, *parts: QWidget | QLayout, parent: QWidget | None = None):
        super().__init__(parent)
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._parts = parts
        for part in parts:
            if isinstance(part, QLayout):
                self._box.addLayout(part)
            else:
                self._box.addWidget(part)

    @property
    def stacked(self) -> bool:
        return self._box.direction() == QBoxLayout.Direction.TopToBottom

    def _side_by_side_width(self) -> int:
        return sum(_minimum(part).width() for part in self._parts) + self._box.spacing() * (len(self._parts) - 1)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = max((_minimum(part).width() for part in self._parts), default=0)
        return QSize(width, self._box.minimumSize().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        stack = event.size().width() < self._side_by_side_width()
        if stack != self.stacked:
            self._box.setDirection(QBoxLayout.Direction.TopToBottom if stack else QBoxLayout.Direction.LeftToRight)
            self.updateGeometry()  # the height wanted has changed
        super().resizeEvent(event)


class SideBySideSplitter(QSplitter):
    """A list beside its form; the form goes under the list when the screen is too narrow for both."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._across_sizes: list[int] = []

    def _parts(self) -> list[QWidget]:
        return [self.widget(i) for i in range(self.count()) if not self.widget(i).isHidden()]

    def _side_by_side_width(self) -> int:
        parts = self._parts()
        return sum(_minimum(part).width() for part in parts) + self.handleWidth() * max(0, len(parts) - 1)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        parts = self._parts()
        width = max((_minimum(part).width() for part in parts), default=0)
        heights = [_minimum(part).height() for part in parts]
        if self.orientation() == Qt.Orientation.Vertical:
            height = sum(heights) + self.handleWidth() * max(0, len(parts) - 1)
        else:
            height = max(heights, default=0)
        return QSize(width, height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        if not self._choose_orientation(event.size().width(), event):
            super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        # A part's minimum may grow after the last resize (a longer button text, a form filled in): decide again.
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            self._choose_orientation(self.width(), None)
        return super().event(event)

    def _choose_orientation(self, width: int, event: QResizeEvent | None) -> bool:
        """Across when `width` holds every part's minimum, else one above the other; True if it turned."""
        wanted = Qt.Orientation.Vertical if width < self._side_by_side_width() else Qt.Orientation.Horizontal
        if wanted == self.orientation():
            return False
        across = wanted == Qt.Orientation.Horizontal
        if not across:
            self._across_sizes = self.sizes()  # the widths chosen side by side, given back later
        self.setOrientation(wanted)
        self.updateGeometry()
        if event is not None:
            super().resizeEvent(event)
        if across and self._across_sizes:
            self.setSizes(self._across_sizes)
        elif not across:
            total = sum(self.sizes())
            self.setSizes([total // self.count()] * self.count())  # an even share: each shows a few rows
        return True
