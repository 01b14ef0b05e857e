"""A read-only list of records in a dialog (conflicts, rows waiting, trusted PCs): whole rows selected, nothing
edited in place, no row numbers, and the named columns taking the spare width."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
)


def record_list_table(columns: Sequence[str], *, stretch: Sequence[int], name: str = "",
                      several: bool = False) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    if name:
        table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if several
                           else QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    for column in stretch:
        table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return table


def read_only_item(text: str, *, tooltip: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:  # a long text cut off by the column stays readable
        item.setToolTip(text)
    return item
