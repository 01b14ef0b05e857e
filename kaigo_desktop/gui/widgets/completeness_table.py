"""The reporting rates of a 年度, as DHIS2 shows them: per center and month, places that reported (a gathering
that month) over places expected (active that month), short months in orange. The 提出前チェック screen and the
集計 dashboard show the same table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget

from kaigo_desktop.gui.widgets.record_list_table import (
    read_only_item,
    record_list_table,
)
from kaigo_desktop.services.submission_checks import Completeness

SHORT_COLOR = QColor("#e65100")
CENTER_HEADER = "地域包括支援センター"
TOOLTIP = "報告のあった通いの場（その月に開催記録のある通いの場）／その月に活動中の通いの場"


def completeness_table(name: str) -> QTableWidget:
    table = record_list_table((CENTER_HEADER,), stretch=(), name=name)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setToolTip(TOOLTIP)
    return table


def show_completeness(table: QTableWidget, completeness: Completeness) -> None:
    months = completeness.months
    table.setColumnCount(1 + len(months))
    table.setHorizontalHeaderLabels([CENTER_HEADER, *(f"{int(m[5:])}月" for m in months)])
    expected, reporting = completeness.totals()
    rows = [(c.center_name, c.expected, c.reporting) for c in completeness.centers]
    rows.append(("合計", expected, reporting))
    table.setRowCount(len(rows))
    for index, (name, wanted, came) in enumerate(rows):
        table.setItem(index, 0, read_only_item(name))
        for column, month in enumerate(months, start=1):
            cell = read_only_item(f"{came.get(month, 0)}/{wanted.get(month, 0)}" if wanted.get(month) else "—")
            cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if wanted.get(month) and came.get(month, 0) < wanted[month]:
                cell.setForeground(SHORT_COLOR)
            table.setItem(index, column, cell)
