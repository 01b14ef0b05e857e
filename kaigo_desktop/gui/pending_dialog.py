"""The 保留中の記録 dialog: rows from other PCs held back until the record they refer to arrives (their place or
promoter, in a bundle not imported here yet); they come in by themselves when it does. A person may drop those
that will never come in, after confirming."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QWidget

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
from kaigo_desktop.services.exchange import ConflictError, drop_pending, pending_count
from kaigo_desktop.services.exchange_labels import PendingView, pending_views

TITLE = "保留中の記録"
LIST_COLUMNS = ("種類", "記録", "待っている記録", "届いた日時")
SHOWN = 1_000  # a list, not a report: more than this are counted, not shown
INTRO = ("ほかのパソコンから届いたものの、関係する記録（通いの場・推進員など）がまだ届いていないため、取り込みを"
         "待っている記録です。その記録が届くと自動で取り込みます。届く見込みのないものは破棄できます（破棄した記録は、"
         "送り主が「すべて」を書き出したファイルを取り込むと、また届きます）。")


def _read(db, _job_ctx) -> tuple[list[PendingView], int]:
    return pending_views(db, SHOWN), pending_count(db)


class PendingDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.views: list[PendingView] = []
        self.total = 0
        self.setWindowTitle(TITLE)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.list_table = record_list_table(LIST_COLUMNS, stretch=(1, 2), name="pending", several=True)
        self.list_table.itemSelectionChanged.connect(self._selection_changed)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.drop_selected_button = push_button("選んだ記録を破棄", self.drop_selected)
        self.drop_all_button = push_button("すべて破棄", self.drop_all)
        self.close_button = push_button(words.CLOSE, self.accept)
        stacked(self, intro, (self.list_table, 1), self.count_label,
               button_row((self.drop_selected_button, self.drop_all_button), (self.close_button,)))
        scaled_resize(self, 900, 520)
        self.refresh()

    def refresh(self) -> None:
        """Read the waiting rows on the database thread; the list fills when they arrive."""
        self.loading = True
        QueryOp(self, self.context, _read).success(lambda result: self._fill(*result)).run_in_background()

    def _fill(self, views, total: int) -> None:
        self.views, self.total = views, total
        self.loading = False
        self.list_table.setRowCount(len(self.views))
        for row, view in enumerate(self.views):
            for column, text in enumerate((view.kind, view.summary, view.waiting_for, view.since)):
                self.list_table.setItem(row, column, read_only_item(text, tooltip=True))
        self.list_table.resizeColumnToContents(0)
        self.list_table.resizeColumnToContents(3)
        more = f"（うち最初の {len(self.views):,}件を表示）" if self.total > len(self.views) else ""
        self.count_label.setText(f"保留中の記録: {self.total:,}件{more}" if self.total else "保留中の記録はありません。")
        self.drop_all_button.setEnabled(self.total > 0)
        self._selection_changed()

    def selected_ids(self) -> list[int]:
        return [self.views[index.row()].id for index in self.list_table.selectionModel().selectedRows()]

    def _selection_changed(self) -> None:
        self.drop_selected_button.setEnabled(bool(self.selected_ids()))

    def drop_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._drop(ids, len(ids))

    def drop_all(self) -> None:
        if self.total:
            self._drop(None, self.total)

    def _drop(self, ids: list[int] | None, count: int) -> None:
        question = (f"保留中の記録 {count:,}件を破棄します。元に戻せません（送り主が「すべて」を書き出したファイルを"
                    "取り込むと、また届きます）。\nよろしいですか？")
        if QMessageBox.question(self, TITLE, question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return

        def dropped(count: int) -> None:
            self.context.status_did_change.emit(f"保留中の記録を {count:,}件破棄しました。")
            for button in (self.drop_selected_button, self.drop_all_button):
                button.setEnabled(False)  # until the list is read again
            self.refresh()

        def refused(error: BaseException) -> None:
            if not isinstance(error, ConflictError):
                raise error
            QMessageBox.warning(self, TITLE, f"破棄できませんでした。何も変更していません。\n\n{error}")
            self.refresh()

        CollectionOp(self, self.context, lambda db, _ctx: drop_pending(db, ids),
                     changes=Changes.of("pending", [str(i) for i in ids or ()])) \
            .disabling(self.drop_selected_button, self.drop_all_button) \
            .success(dropped).failure(refused).run_in_background()


def open_pending_dialog(parent: QWidget | None, context: AppContext) -> None:
    dialog = PendingDialog(context, parent)
    dialog.exec()
    dialog.deleteLater()
