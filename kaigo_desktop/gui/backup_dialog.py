"""The File menu's backups: make one now (busy dialog, then where it went), and pick one to restore from a
list showing when (和暦), why, size and what each holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop import APP_NAME
from kaigo_desktop.domain.fiscal import format_wareki
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import QueryOp
from kaigo_desktop.services.backups import COUNT_LABELS, BackupInfo, backup_folder, format_size, list_backups, make_backup


def make_backup_now(parent: QWidget, context: AppContext) -> QProgressDialog:
    """A verified backup on the database thread; a busy dialog meanwhile, then where it went or why not."""
    busy = QProgressDialog("バックアップを作成しています…", "", 0, 0, parent)
    busy.setWindowTitle(APP_NAME)
    busy.setCancelButton(None)  # SQLite's backup cannot be stopped halfway usefully; it is quick
    busy.setWindowModality(Qt.WindowModality.WindowModal)
    busy.setMinimumDuration(300)

    def done(info: BackupInfo) -> None:
        busy.close()
        context.status_did_change.emit(f"バックアップを作成しました: {info.path.name}")
        QMessageBox.information(parent, APP_NAME, f"バックアップを作成しました。\n{info.path}\n"
                                f"（{format_size(info.size)}、確認済み）")

    def failed(error: BaseException) -> None:
        busy.close()
        QMessageBox.warning(parent, APP_NAME, f"バックアップを作成できませんでした。データベースは変更していません。\n"
                            f"{error}")

    context.run(lambda db, _ctx: make_backup(db), on_done=done, on_error=failed)
    return busy


def backups_of_open_database(db, _job_ctx=None) -> tuple[Path, list[BackupInfo]]:
    """The backup folder of the open database and its backups, newest first (a job for the database thread)."""
    folder = backup_folder(db)
    return folder, list_backups(folder, db.path.stem)


def choose_backup_to_restore(parent: QWidget, context: AppContext, then: Callable[[Path], None]) -> None:
    """Read the backups on the database thread, list them, and `then(path)` once the user picked one and
    confirmed replacing (nothing when they closed the list)."""

    def show(found: tuple[Path, list[BackupInfo]]) -> None:
        dialog = RestoreDialog(*found, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen is not None:
            then(dialog.chosen.path)
        dialog.deleteLater()

    QueryOp(parent, context, backups_of_open_database).success(show).run_in_background()


def when_text(info: BackupInfo) -> str:
    return f"{format_wareki(info.created_at.date())} {info.created_at:%H:%M:%S}"


def counts_text(info: BackupInfo) -> str:
    if not info.readable:
        return "（読めません）"
    return "・".join(f"{COUNT_LABELS.get(key, key)} {value:,}件" for key, value in info.counts.items())


class RestoreDialog(QDialog):
    """Lists the backups; accepted with `chosen` set once the user picked one and confirmed replacing."""

    COLUMNS = ("日時", "種類", "大きさ", "件数", "ファイル")

    def __init__(self, folder: Path, backups: list[BackupInfo], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("バックアップから復元")
        self.backups = backups
        self.chosen: BackupInfo | None = None
        self.table = QTableWidget(len(backups), len(self.COLUMNS))
        self.table.setObjectName("backups")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, info in enumerate(backups):
            cells = (when_text(info), info.reason_label, format_size(info.size), counts_text(info), info.path.name)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(len(self.COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        if backups:
            self.table.selectRow(0)
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())
        intro = QLabel(f"保存先: {folder}\n" + ("復元するバックアップを選んでください。現在のファイルは復元の前に"
                                                "バックアップします。" if backups else "バックアップがありません。"))
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("復元(&R)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(bool(backups))
        buttons.accepted.connect(self.restore_selected)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 420)

    def restore_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        info = self.backups[rows[0].row()]
        if not info.readable:
            QMessageBox.warning(self, APP_NAME, "このバックアップは読めないため復元できません。")
            return
        answer = QMessageBox.question(
            self, APP_NAME,
            f"{when_text(info)} のバックアップ（{counts_text(info)}）の内容に戻します。\n"
            "今の内容は、復元の前に自動でバックアップしてから置き換えます。\n"
            "データベースをいったん閉じて、復元後に開き直します。よろしいですか？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.chosen = info
            self.accept()
