"""A list column whose long text wraps: its rows are as tall as the lines the text takes at the width the
column really paints in. Qt's own size hint measures the wrap without the cell's text margins, so a message one
character longer than a line got a row one line short (seen at 200 % text)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView

TALL = 1_000_000


class WrappedTextDelegate(QStyledItemDelegate):
    def __init__(self, view: QTableView):
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802 - Qt's name
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        style = self.view.style()
        h_margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.view) + 1
        v_margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameVMargin, None, self.view) + 1
        width = self.view.columnWidth(index.column())
        text_width = max(1, width - 2 * h_margin - 2)  # and the grid line
        lines = item.fontMetrics.boundingRect(QRect(0, 0, text_width, TALL),
                                              int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), item.text)
        return QSize(width, lines.height() + 2 * v_margin + 2)
