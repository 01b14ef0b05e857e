"""A horizontal bar chart painted with QPainter (no QtCharts): Japanese labels, values at the bar ends,
the axis starting at zero, sized from the font so it grows with the app's text size."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_COLOR = QColor("#3f7cc4")
GRID_COLOR = QColor("#d0d4da")
AXIS_COLOR = QColor("#505860")


def nice_axis_max(value: float, ticks: int = 4) -> tuple[float, float]:
    """(axis maximum, tick step): a round step (1, 2 or 5 × 10ⁿ) so that `ticks` steps cover value."""
    if value <= 0:
        return float(ticks), 1.0
    raw_step = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    if step < 1:
        step = 1.0  # counts: no fractional ticks
    return step * math.ceil(value / step), step


class HorizontalBarChart(QWidget):
    """set_data([(label, value), …]); bars top to bottom in the given order."""

    def __init__(self, title: str = "", value_format: Callable[[float], str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.value_format = value_format or (lambda v: f"{v:,.0f}")
        self._items: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(title)

    def set_data(self, items: Sequence[tuple[str, float]]) -> None:
        self._items = [(label, max(0.0, float(value))) for label, value in items]
        # Screen readers and tooltips get the figures as text, since the bars are only paint.
        summary = "、".join(f"{label} {self.value_format(value)}" for label, value in self._items)
        self.setAccessibleDescription(summary)
        self.setToolTip(summary)
        self.updateGeometry()
        self.update()

    def items(self) -> list[tuple[str, float]]:
        return list(self._items)

    # ---- geometry ------------------------------------------------------------------------------

    def _row_height(self) -> int:
        return int(self.fontMetrics().height() * 1.6)

    def _title_height(self) -> int:
        return int(self.fontMetrics().height() * 1.5) if self.title else 0

    def _axis_height(self) -> int:
        return int(self.fontMetrics().height() * 1.4)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        metrics = self.fontMetrics()
        rows = max(1, len(self._items))
        label_width = max((metrics.horizontalAdvance(label) for label, _ in self._items), default=80)
        height = self._title_height() + rows * self._row_height() + self._axis_height() + 8
        return QSize(label_width + metrics.horizontalAdvance("0") * 30, height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = self.sizeHint()
        return QSize(min(hint.width(), 240), hint.height())

    # ---- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        text_color = self.palette().color(self.foregroundRole())
        top = 0
        if self.title:
            title_font = self.font()
            title_font.setBold(True)
            painter.setFont(title_font)
            painter.setPen(text_color)
            painter.drawText(QRectF(0, 0, self.width(), self._title_height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
            painter.setFont(self.font())
            top = self._title_height()
        if not self._items:
            painter.setPen(text_color)
            painter.drawText(QRectF(0, top, self.width(), self._row_height()),
                             Qt.AlignmentFlag.AlignCenter, "データがありません")
            return

        gap = metrics.horizontalAdvance("　")
        label_width = max(metrics.horizontalAdvance(label) for label, _ in self._items)
        value_width = max(metrics.horizontalAdvance(self.value_format(v)) for _, v in self._items)
        plot_left = label_width + gap
        plot_width = max(10, self.width() - plot_left - value_width - gap - 4)
        row_height = self._row_height()
        plot_bottom = top + row_height * len(self._items)
        axis_max, step = nice_axis_max(max(v for _, v in self._items))

        # Grid and tick labels (zero first: the axis always starts at zero).
        painter.setPen(QPen(GRID_COLOR, 1))
        tick = 0.0
        while tick <= axis_max + step / 2:
            x = plot_left + plot_width * tick / axis_max
            painter.setPen(QPen(GRID_COLOR, 1))
            painter.drawLine(int(x), top, int(x), plot_bottom)
            painter.setPen(text_color)
            text = self.value_format(tick)
            text_width = metrics.horizontalAdvance(text)
            painter.drawText(QRectF(x - text_width / 2 - 2, plot_bottom, text_width + 4, self._axis_height()),
                             Qt.AlignmentFlag.AlignCenter, text)
            tick += step

        for index, (label, value) in enumerate(self._items):
            y = top + index * row_height
            painter.setPen(text_color)
            painter.drawText(QRectF(0, y, label_width, row_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            bar_length = plot_width * value / axis_max
            bar = QRectF(plot_left, y + row_height * 0.18, bar_length, row_height * 0.64)
            painter.fillRect(bar, BAR_COLOR)
            painter.drawText(QRectF(plot_left + bar_length + 4, y, value_width + gap, row_height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.value_format(value))

        painter.setPen(QPen(AXIS_COLOR, 1))
        painter.drawLine(int(plot_left), top, int(plot_left), plot_bottom)
        painter.drawLine(int(plot_left), plot_bottom, int(plot_left + plot_width), plot_bottom)
