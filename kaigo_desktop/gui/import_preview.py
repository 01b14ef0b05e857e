"""The import dialog's preview: counts of a dry run, its row errors as a table (行, 列, 内容), and warnings."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.services.importing import KIND_LABELS, ImportResult


class ImportPreview(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary_label = QLabel("ファイルを選んで「確認」を押すと、取り込む内容をここに表示します（まだ何も書き込みません）。")
        self.summary_label.setWordWrap(True)
        self.errors_label = QLabel("エラー")
        self.errors_table = QTableWidget(0, 3)
        self.errors_table.setHorizontalHeaderLabels(["行", "列", "内容"])
        self.errors_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.errors_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.errors_table.verticalHeader().hide()
        self.errors_table.setWordWrap(True)
        header = self.errors_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.warnings_label = QLabel("注意")
        self.warnings_text = QPlainTextEdit()
        self.warnings_text.setReadOnly(True)
        self.warnings_text.setMaximumHeight(110)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.summary_label, self.errors_label, self.errors_table, self.warnings_label,
                       self.warnings_text):
            layout.addWidget(widget)
        self.clear()

    def clear(self, message: str | None = None) -> None:
        if message is not None:
            self.summary_label.setText(message)
        self.errors_table.setRowCount(0)
        self.warnings_text.clear()
        for widget in (self.errors_label, self.errors_table, self.warnings_label, self.warnings_text):
            widget.setVisible(False)

    def show_result(self, result: ImportResult) -> None:
        label = KIND_LABELS.get(result.kind, result.kind)
        if result.errors:
            head = (f"{label}: {result.rows:,}行を読みました。エラーが {len(result.errors):,}件あるため、"
                    "このままでは取り込めません。ファイルを直してから、もう一度「確認」を押してください。")
        elif result.dry_run:
            head = (f"{label}: {result.rows:,}行を読みました。取り込むと 追加 {result.added:,}件、"
                    f"更新 {result.updated:,}件 になります（まだ書き込んでいません）。")
        else:
            head = f"{label}: {result.rows:,}行を取り込みました（追加 {result.added:,}件、更新 {result.updated:,}件）。"
        self.summary_label.setText(head)
        self.errors_table.setRowCount(len(result.errors))
        for row, error in enumerate(result.errors):
            cells = (f"{error.line}" if error.line else "—", error.column or "—", error.message)
            for column, text in enumerate(cells):
                self.errors_table.setItem(row, column, QTableWidgetItem(text))
        self.errors_table.resizeRowsToContents()
        self.errors_label.setText(f"エラー（{len(result.errors):,}件）")
        self.warnings_text.setPlainText("\n".join(result.warnings))
        self.warnings_label.setText(f"注意（{len(result.warnings):,}件）")
        for widget in (self.errors_label, self.errors_table):
            widget.setVisible(bool(result.errors))
        for widget in (self.warnings_label, self.warnings_text):
            widget.setVisible(bool(result.warnings))
