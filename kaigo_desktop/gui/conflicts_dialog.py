"""The 競合の解決 dialog: the records an exchange could not merge by itself, each shown as this PC's version
beside the imported one (differing fields highlighted); the person keeps one, after confirming."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.exchange_sizing import scaled_resize
from kaigo_desktop.gui.operations import CollectionOp, QueryOp
from kaigo_desktop.gui.widgets.dialog_parts import button_row, push_button, stacked
from kaigo_desktop.gui.widgets.record_list_table import (
    read_only_item,
    record_list_table,
)
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.exchange import (
    INVALID,
    ConflictError,
    pending_count,
    resolve_conflict,
)
from kaigo_desktop.services.exchange_labels import ConflictView, conflict_views

TITLE = "競合の解決"
LOCAL_HEADER = "このパソコンの版"
INCOMING_HEADER = "取り込んだ版"
DIFFERS_BACKGROUND = QColor("#fff0b3")  # a soft yellow: readable with black text, visible on any screen
BOOKKEEPING_FOREGROUND = QColor("#666666")
LIST_COLUMNS = ("種類", "記録", "理由", "見つかった日時")


class ComparisonTable(QTableWidget):
    """Rows are the fields (Japanese labels); columns this PC's version and the imported one."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels((LOCAL_HEADER, INCOMING_HEADER))
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)

    def show_conflict(self, view: ConflictView | None) -> None:
        rows = view.rows if view is not None else ()
        self.setRowCount(len(rows))
        bold = QFont(self.font())
        bold.setBold(True)
        for index, row in enumerate(rows):
            header = QTableWidgetItem(("● " if row.differs else "") + row.label)
            self.setVerticalHeaderItem(index, header)
            for column, text in enumerate((row.local, row.incoming)):
                item = read_only_item(text)
                if row.differs:
                    item.setBackground(QBrush(DIFFERS_BACKGROUND))
                    item.setFont(bold)
                elif row.bookkeeping:
                    item.setForeground(QBrush(BOOKKEEPING_FOREGROUND))
                self.setItem(index, column, item)
            if row.differs:
                header.setFont(bold)
            elif row.bookkeeping:
                header.setForeground(QBrush(BOOKKEEPING_FOREGROUND))
        self.resizeRowsToContents()

    def differing_labels(self) -> list[str]:
        return [self.verticalHeaderItem(i).text().removeprefix("● ") for i in range(self.rowCount())
                if self.verticalHeaderItem(i).text().startswith("● ")]


class ConflictsDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.views: list[ConflictView] = []
        self.setWindowTitle(TITLE)
        self._build()
        self.refresh()

    def _build(self) -> None:
        intro = QLabel("ほかのパソコンから取り込んだとき、自動では決められなかった記録です。一覧で選ぶと、"
                       "下に2つの版を並べて表示します（違う項目は黄色）。残す版を選んでください。")
        intro.setWordWrap(True)
        self.list_table = record_list_table(LIST_COLUMNS, stretch=(1,), name="conflicts")
        self.list_table.itemSelectionChanged.connect(self._selection_changed)
        self.explanation = QLabel()
        self.explanation.setObjectName("explanation")
        self.explanation.setWordWrap(True)
        self.comparison = ComparisonTable()
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.explanation)
        detail_layout.addWidget(self.comparison, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)

        self.keep_local_button = push_button(f"{LOCAL_HEADER}を残す", lambda: self.resolve_selected("local"))
        self.keep_incoming_button = push_button(f"{INCOMING_HEADER}を残す",
                                                lambda: self.resolve_selected("incoming"))
        self.close_button = push_button(words.CLOSE, self.accept)
        self.pending_button = push_button(
            "保留中の記録…", self.show_pending,
            tooltip="関係する記録がまだ届いていないため、取り込みを待っている記録の一覧（破棄もできます）")
        stacked(self, intro, (splitter, 1),
               button_row((self.keep_local_button, self.keep_incoming_button),
                          (self.pending_button, self.close_button)))
        scaled_resize(self, 980, 720)

    # ---- list ----------------------------------------------------------------------------------

    def refresh(self, keep_row: int = 0) -> None:
        """Read the open conflicts again (on the database thread) and select the one at keep_row (or the last)."""
        self.loading = True
        QueryOp(self, self.context, lambda db, _ctx: (conflict_views(db), pending_count(db))) \
            .success(lambda result: self._fill(*result, keep_row)).run_in_background()

    def _fill(self, views: list[ConflictView], waiting: int, keep_row: int) -> None:
        self.views = views
        self.loading = False
        self.pending_button.setText(f"保留中の記録（{waiting:,}件）…" if waiting else "保留中の記録…")
        self.list_table.blockSignals(True)
        self.list_table.setRowCount(len(self.views))
        for row, view in enumerate(self.views):
            for column, text in enumerate((view.kind, view.summary, view.reason, view.detected)):
                item = read_only_item(text)
                item.setToolTip(text)  # the 記録 column may be cut short on a narrow screen
                self.list_table.setItem(row, column, item)
        self.list_table.resizeColumnToContents(0)
        self.list_table.resizeColumnToContents(2)
        self.list_table.resizeColumnToContents(3)
        self.list_table.blockSignals(False)
        if self.views:
            self.list_table.selectRow(min(keep_row, len(self.views) - 1))
        self._selection_changed()

    @property
    def selected(self) -> ConflictView | None:
        rows = self.list_table.selectionModel().selectedRows()
        return self.views[rows[0].row()] if rows and rows[0].row() < len(self.views) else None

    def _selection_changed(self) -> None:
        view = self.selected
        self.comparison.show_conflict(view)
        for button in (self.keep_local_button, self.keep_incoming_button):
            button.setEnabled(view is not None)
        if view is None:
            self.explanation.setText("未解決の競合はありません。" if not self.views else "一覧から競合を選んでください。")
        else:
            self.explanation.setText(f"<b>{view.kind}「{view.summary}」</b>　{view.explanation}")

    def show_pending(self) -> None:
        from kaigo_desktop.gui.pending_dialog import open_pending_dialog

        open_pending_dialog(self, self.context)
        self.refresh(self.list_table.currentRow())

    # ---- resolving -----------------------------------------------------------------------------

    def resolve_selected(self, keep: str) -> None:
        view = self.selected
        if view is None:
            return
        if QMessageBox.question(self, TITLE, confirmation_text(view, keep),
                                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        row = self.list_table.currentRow()

        def resolved(_result) -> None:
            kept = LOCAL_HEADER if keep == "local" else INCOMING_HEADER
            self.context.status_did_change.emit(f"{view.kind}「{view.summary}」は{kept}を残しました。")
            for button in (self.keep_local_button, self.keep_incoming_button):
                button.setEnabled(False)  # until the list is read again: this conflict is gone
            self.refresh(row)

        def refused(error: BaseException) -> None:
            if not isinstance(error, ConflictError):
                raise error
            QMessageBox.warning(self, TITLE, f"解決できませんでした。何も変更していません。\n\n{error}")
            self.refresh(row)

        CollectionOp(self, self.context, lambda db, _ctx: resolve_conflict(db, view.id, keep=keep),
                     changes=Changes.of(view.table) | Changes.of("conflicts", [view.id])) \
            .disabling(self.keep_local_button, self.keep_incoming_button) \
            .success(resolved).failure(refused).run_in_background()


def confirmation_text(view: ConflictView, keep: str) -> str:
    name = f"{view.kind}「{view.summary}」"
    if view.reason_code == INVALID:
        if keep == "local":
            body = f"取り込んだ{name}は、このパソコンで入力した記録と同じ決まりに合わないため、取り込まずに破棄します。"
        else:
            body = f"取り込んだ{name}をもう一度書き込んでみます（決まりに合わないままなら書き込みません）。"
        return f"{body}\nよろしいですか？"
    if view.reason_code == "same_name":
        if keep == "local":
            body = f"{name}は、このパソコンの記録を残し、取り込んだ同じ名前の{view.kind}はごみ箱に入れます。"
        else:
            body = f"{name}は、取り込んだ記録を残し、このパソコンの同じ名前の{view.kind}はごみ箱へ移します。"
    elif keep == "local":
        body = f"{name}は、このパソコンの版を残します。取り込んだ版の変更は使いません。"
    else:
        body = f"{name}を、取り込んだ版に置き換えます。このパソコンで行った変更は残りません。"
    return (f"{body}\n次に相手へ書き出すと、相手のパソコンもこの内容になります。\nよろしいですか？")


def open_conflicts_dialog(parent: QWidget | None, context: AppContext) -> None:
    """The menu entry 「競合の解決…」."""
    dialog = ConflictsDialog(context, parent)
    dialog.exec()
    dialog.deleteLater()
