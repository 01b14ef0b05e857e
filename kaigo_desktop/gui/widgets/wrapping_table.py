"""A short read-only table whose long texts wrap (a 評価シート's 事項 titles and sources at 200 % text): the
wrapped columns share the spare width, the others fit their contents, and the table is as tall as its rows so
it needs no scroll bar of its own."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget

from kaigo_desktop.gui.widgets.record_list_table import record_list_table
from kaigo_desktop.gui.widgets.wrapped_text_delegate import WrappedTextDelegate


def fit_table_height(table: QTableWidget) -> None:
    """A short table (3 rows) shows all its rows, their wrapped lines too, without a scroll bar of its own."""
    table.resizeRowsToContents()
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(row) for row in range(table.rowCount()))
    table.setFixedHeight(height + 2)


def wrapping_table(columns: tuple[str, ...], name: str, *, wrapped: tuple[int, ...]) -> QTableWidget:
    """A read-only table whose `wrapped` columns share the spare width and wrap their text (a 事項's title at
    200 % text); the others fit their contents. Its rows follow the width it is given."""
    table = record_list_table(columns, stretch=wrapped, name=name)
    header = table.horizontalHeader()
    for column in range(len(columns)):
        if column not in wrapped:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    for column in wrapped:
        table.setItemDelegateForColumn(column, WrappedTextDelegate(table))
    table.setWordWrap(True)
    table.setTextElideMode(Qt.TextElideMode.ElideNone)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setTabKeyNavigation(False)  # Tab goes on to the buttons
    header.sectionResized.connect(lambda *_: fit_table_height(table))
    return table
