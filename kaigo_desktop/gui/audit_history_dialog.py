"""変更履歴: who changed a record, when, on which PC, and each field before → after (services/audit_view.py),
read on the database thread; opened from the 変更履歴 button of the record forms."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.exchange_sizing import scaled_resize
from kaigo_desktop.gui.operations import QueryOp
from kaigo_desktop.gui.widgets.dialog_parts import button_row, push_button
from kaigo_desktop.services.audit_view import NOTHING_YET, HistoryRow, record_history

TITLE = "変更履歴"
COLUMNS = ("日時", "記録者", "パソコン", "操作", "内容")
LOADING = "読み込んでいます…"


class AuditHistoryDialog(QDialog):
    def __init__(self, context: AppContext, record_id: str, record_label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("audit_history")
        self.setWindowTitle(f"{TITLE} — {record_label}" if record_label else TITLE)
        self.context = context
        self.record_id = record_id
        self.heading = QLabel(f"「{record_label}」の{TITLE}（新しい順）" if record_label else TITLE)
        self.status = QLabel(LOADING)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.close_button = push_button(words.CLOSE, self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(button_row(right=(self.close_button,)))
        scaled_resize(self, 860, 480)
        self.rows: list[HistoryRow] | None = None
        QueryOp(self, context, lambda db, _ctx: record_history(db, record_id)) \
            .success(self.show_rows).failure(self._failed).run_in_background()

    def show_rows(self, rows: list[HistoryRow]) -> None:
        self.rows = rows
        self.status.setText(f"{len(rows):,}件" if rows else NOTHING_YET)
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            content = "\n".join([*row.changes, *([row.detail] if row.detail else [])])
            for column, text in enumerate((row.when, row.who, row.pc, row.action, content)):
                self.table.setItem(index, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()

    def _failed(self, error: BaseException) -> None:
        self.rows = []
        self.status.setText(f"変更履歴を読み込めませんでした: {error}")
