"""The バックアップ tab of マスタ・設定: where backups go (a USB drive is common), how often timed backups run,
and how many copies thinning keeps."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.gui.operations import CollectionOp, Then, finish, is_user_error
from kaigo_desktop.gui.screens.masters_common import MasterPage
from kaigo_desktop.gui.widgets.dialog_parts import path_row, push_button
from kaigo_desktop.services import backup_settings
from kaigo_desktop.services.backup_settings import BackupSettings
from kaigo_desktop.services.changes import Changes

_COUNTS = (  # (field, label, minimum, maximum)
    ("interval_minutes", "自動バックアップの間隔（分、0で停止）", 0, backup_settings.MAX_INTERVAL_MINUTES),
    ("keep_recent", "残す最新のバックアップ", 1, backup_settings.MAX_KEEP),
    ("daily", "さらに1日1つずつ残す日数", 0, backup_settings.MAX_KEEP),
    ("weekly", "さらに1週1つずつ残す週数", 0, backup_settings.MAX_KEEP),
    ("monthly", "さらに1か月1つずつ残す月数", 0, backup_settings.MAX_KEEP),
)


class BackupSettingsPage(MasterPage):
    title = "バックアップ"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.stored = BackupSettings()
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("（データベースと同じフォルダの backups）")
        self.choose_button = push_button("選ぶ…", self._choose_folder)
        form = QFormLayout()
        form.addRow("保存先フォルダ", path_row(self.folder_edit, self.choose_button))
        self.spins: dict[str, QSpinBox] = {}
        for field, label, minimum, maximum in _COUNTS:
            spin = QSpinBox()
            spin.setRange(minimum, maximum)
            self.spins[field] = spin
            form.addRow(label, spin)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton("設定を保存")
        self.save_button.clicked.connect(lambda: self.save())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        explanation = QLabel("終了時と作業中の一定間隔で、変更があればバックアップを作ります。"
                             "古いコピーは上の数を残して整理します。USB メモリも保存先に選べます。")
        explanation.setWordWrap(True)  # one line is wider than a laptop at 200 % text
        layout.addWidget(explanation)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def load(self) -> None:
        self.context.run(lambda db, _ctx: backup_settings.load(db), on_done=self._show)

    def _show(self, settings: BackupSettings) -> None:
        self.stored = settings
        self.loaded = True
        self.folder_edit.setText(str(settings.folder) if settings.folder else "")
        for field, spin in self.spins.items():
            spin.setValue(getattr(settings, field))

    def form_values(self) -> BackupSettings:
        folder = self.folder_edit.text().strip()
        return dataclasses.replace(self.stored, folder=Path(folder) if folder else None,
                                   **{field: spin.value() for field, spin in self.spins.items()})

    def has_unsaved_changes(self) -> bool:
        return self.loaded and self.form_values() != self.stored

    def discard_changes(self) -> None:
        self._show(self.stored)

    def write_widgets(self) -> list[QWidget]:
        return [self.folder_edit, self.choose_button, *self.spins.values(), self.save_button]

    def save(self, then: Then | None = None) -> None:
        settings = self.form_values()

        def saved(_result) -> None:
            self.stored = settings
            self.message.setStyleSheet("")
            self.message.setText("バックアップの設定を保存しました。")
            finish(then, True)

        def refused(error: BaseException) -> None:
            finish(then, False)
            if not (isinstance(error, ValueError) or is_user_error(error)):
                raise error
            self.message.setStyleSheet("color: #c62828;")
            self.message.setText(str(error))

        CollectionOp(self, self.context, lambda db, _ctx: backup_settings.save(db, settings),
                     changes=Changes.of("settings")) \
            .disabling(self.save_button, self.choose_button) \
            .success(saved).failure(refused).run_in_background()

    def _choose_folder(self) -> None:
        folder = file_dialogs.choose_folder(self, "バックアップの保存先", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(str(folder))
