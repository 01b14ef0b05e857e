"""The 「信頼するパソコン」 dialog (File menu): this PC's own fingerprint and its trust file (「信頼ファイルを保存」),
the PCs whose bundles this database accepts, each removable, and adding one from its trust file."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QWidget,
)

from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.exchange_sizing import scaled_resize
from kaigo_desktop.gui.operations import CollectionOp, QueryOp
from kaigo_desktop.gui.widgets.dialog_parts import button_row, push_button, stacked
from kaigo_desktop.gui.widgets.record_list_table import (
    read_only_item,
    record_list_table,
)
from kaigo_desktop.services import bundle_signing
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.storage.errors import StorageError

TITLE = "信頼するパソコン"
TRUST_FILTER = "信頼ファイル (*.json);;すべてのファイル (*)"
COLUMNS = ("名前", "指紋", "データベース ID", "追加した日時")


class TrustDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(TITLE)
        self.pcs: list = []
        self._build()
        self.refresh()

    def _build(self) -> None:
        own = QGroupBox("このパソコン")
        self.own_label = QLabel()
        self.own_label.setObjectName("own_fingerprint")
        self.own_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.own_label.setWordWrap(True)
        self.save_button = push_button("信頼ファイルを保存…", self.save_trust_file)
        own_row = QHBoxLayout(own)
        own_row.addWidget(self.own_label, 1)
        own_row.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)

        explanation = QLabel("ここにあるパソコンから書き出されたファイルだけを取り込みます。相手の指紋は、電話などで"
                             "読み上げてもらって確かめてください。")
        explanation.setWordWrap(True)
        self.table = record_list_table(COLUMNS, stretch=())
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.add_button = push_button("信頼ファイルから追加…", self.add_from_trust_file)
        self.remove_button = push_button("信頼を取り消す", self.remove_selected)
        self.remove_button.setEnabled(False)
        close = push_button(words.CLOSE, self.accept)
        stacked(self, own, explanation, (self.table, 1),
               button_row((self.add_button, self.remove_button), (close,)))
        scaled_resize(self, 820, 420)

    # ---- showing -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read this PC's fingerprint and the trusted PCs on the database thread; shown when they arrive."""
        self.loading = True
        if not self.own_label.text():
            self.own_label.setText("読み込み中…")
        QueryOp(self, self.context, _load).success(lambda result: self._fill(*result)).run_in_background()

    def _fill(self, me, pcs: list) -> None:
        self.pcs = pcs
        self.loading = False
        self.own_label.setText(f"指紋: {me.fingerprint}\n名前: {me.name or '（未設定）'}\n"
                               f"データベース ID: {me.database_id}")
        self.table.setRowCount(len(self.pcs))
        for row, pc in enumerate(self.pcs):
            for column, text in enumerate((pc.name or "（名前なし）", pc.fingerprint, pc.database_id,
                                           _local_time(pc.added_at))):
                self.table.setItem(row, column, read_only_item(text))
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    # ---- actions -------------------------------------------------------------------------------

    def save_trust_file(self) -> None:
        path = file_dialogs.save_file(self, "信頼ファイルを保存", TRUST_FILTER, "kaigo_信頼ファイル.json")
        if not path:
            return

        def saved(_result) -> None:
            QMessageBox.information(self, TITLE, f"信頼ファイルを保存しました:\n{path}\n\n最初に渡す USB メモリなどで"
                                                 "相手のパソコンに渡し、「信頼ファイルから追加」で読み込んでもらってください。")

        # Writes a file (and this PC's key the first time), nothing a screen shows.
        CollectionOp(self, self.context, lambda db, _ctx: bundle_signing.save_trust_file(db, path),
                     changes=Changes()) \
            .disabling(self.save_button).success(saved).failure(self._refused).run_in_background()

    def _refused(self, error: BaseException) -> None:
        if not isinstance(error, (bundle_signing.TrustError, OSError)):
            raise error
        QMessageBox.warning(self, TITLE, str(error))

    def add_from_trust_file(self) -> None:
        path = file_dialogs.open_file(self, "信頼ファイルを選ぶ", TRUST_FILTER)
        if not path:
            return
        try:
            signer = bundle_signing.read_trust_file(path)
        except bundle_signing.TrustError as error:
            QMessageBox.warning(self, TITLE, str(error))
            return
        answer = QMessageBox.question(self, TITLE, f"このパソコンを信頼しますか？\n\n{signer.description()}",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._change(lambda db, _ctx: bundle_signing.trust(db, signer), signer.database_id)

    def remove_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        pc = self.pcs[rows[0].row()]
        answer = QMessageBox.question(
            self, TITLE, f"「{pc.name or pc.database_id}」（指紋 {pc.fingerprint}）の信頼を取り消しますか？\n"
            "取り消すと、このパソコンからのファイルは取り込めなくなります。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._change(lambda db, _ctx: bundle_signing.untrust(db, pc.database_id), pc.database_id)

    def _change(self, job, database_id: str) -> None:
        """Trust or untrust on the database thread, then read the list again (also after a refusal)."""

        def refused(error: BaseException) -> None:
            self._refused(error)
            self.refresh()

        CollectionOp(self, self.context, job, changes=Changes.of("trust", [database_id])) \
            .disabling(self.add_button, self.remove_button) \
            .success(lambda _result: self.refresh()).failure(refused).run_in_background()


def _local_time(stamp: str) -> str:
    """A stored UTC stamp as this PC's local time."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def _load(db, _job_ctx):
    return bundle_signing.own_signer(db), bundle_signing.trusted_pcs(db)


def open_trust_dialog(parent: QWidget | None, context: AppContext) -> None:
    try:
        dialog = TrustDialog(context, parent)
    except (StorageError, sqlite3.Error) as error:
        QMessageBox.warning(parent, TITLE, f"信頼するパソコンの一覧を開けませんでした。\n{error}")
        return
    dialog.exec()
    dialog.deleteLater()
