"""The dashboard's outcome figures (issue 19): per 通いの場 and 全体, the participants checked with the 基本チェック
リスト, their level at the first and latest check and the change — the report's rows (reports/outcome_tables.py),
small counts hidden by the same 秘匿処理."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from kaigo_desktop.domain import checklist
from kaigo_desktop.reports.outcome_tables import OutcomeRow, cell_text

_LEVELS = {checklist.ROBUST: "ロバスト", checklist.PRE_FRAIL: "プレフレイル", checklist.FRAIL: "フレイル"}
_CHANGES = ("improved", "same", "worse")
HEADERS = ["通いの場", "実施者", *(f"初回\n{v}" for v in _LEVELS.values()), *(f"最新\n{v}" for v in _LEVELS.values()),
           "2回以上\n実施", *(checklist.CHANGE_LABELS[k] for k in _CHANGES)]


def outcome_cells(row: OutcomeRow) -> list[str]:
    return [row.place_name, cell_text(row.checked), *(cell_text(row.first_levels[k]) for k in _LEVELS),
            *(cell_text(row.latest_levels[k]) for k in _LEVELS), cell_text(row.compared),
            *(cell_text(row.changes[k]) for k in _CHANGES)]


class OutcomeFigures(QTableWidget):
    def __init__(self, parent=None):
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("dashboard_outcomes")
        self.setHorizontalHeaderLabels(HEADERS)
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def show_rows(self, rows: list[OutcomeRow]) -> None:
        """全体 first, then the places (the report puts 全体 last, as a total)."""
        ordered = rows[-1:] + rows[:-1] if rows else []
        self.setRowCount(0)
        for row in ordered:
            at = self.rowCount()
            self.insertRow(at)
            for column, text in enumerate(outcome_cells(row)):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                else:
                    item.setToolTip(text)
                self.setItem(at, column, item)
        self.resizeRowsToContents()
        rows_height = sum(self.rowHeight(r) for r in range(self.rowCount()))
        scrollbar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(self.horizontalHeader().height() + rows_height + scrollbar + 2 * self.frameWidth())
