"""マスタ・設定 › 地域包括支援センター: the list per 区市町村, a form to add or rename one, delete to the trash
(after confirmation) and restore from it."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.records import Center
from kaigo_desktop.domain.validation import FieldError, ValidationFailed
from kaigo_desktop.gui.operations import CollectionOp, Then, finish, is_user_error
from kaigo_desktop.gui.screens.masters_common import MasterPage, MessageLine, confirm_discard, fill_municipalities
from kaigo_desktop.gui.widgets.form_errors import FormErrors
from kaigo_desktop.services import masters_view, overview, records
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.masters_view import CenterRow
from kaigo_desktop.storage.errors import ConstraintError

COLUMNS = ("名称", "区市町村", "住所", "電話", "通いの場")
ALL = "全区市町村"


class CentersPage(MasterPage):
    title = "地域包括支援センター"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.rows: list[CenterRow] = []
        self.current: Center | None = None  # the record in the form as loaded (None: a new one)
        self._municipalities: list = []
        self._default_municipality = ""

        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("centers_municipality_filter")
        self.trash_check = QCheckBox(f"{words.SHOW_TRASH}(&T)")
        filters = QHBoxLayout()
        caption = QLabel("区市町村(&M)")
        caption.setBuddy(self.filter_combo)
        for widget in (caption, self.filter_combo, self.trash_check):
            filters.addWidget(widget)
        filters.addStretch(1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("centers_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.municipality_edit = QComboBox()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("center_name")
        self.kana_edit = QLineEdit()
        self.address_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.notes_edit = QLineEdit()
        self.errors_label = QLabel()
        form_box = QGroupBox("センターの情報")
        form = QFormLayout(form_box)
        form.addRow("区市町村", self.municipality_edit)
        form.addRow(words.required("名称"), self.name_edit)
        form.addRow("フリガナ", self.kana_edit)
        form.addRow("住所", self.address_edit)
        form.addRow("電話", self.phone_edit)
        form.addRow("備考", self.notes_edit)
        form.addRow(self.errors_label)
        self.form_errors = FormErrors(self.errors_label, {
            "municipality_code": self.municipality_edit, "name": self.name_edit, "kana": self.kana_edit,
            "address": self.address_edit, "phone": self.phone_edit, "notes": self.notes_edit})
        self.new_button = QPushButton(f"{words.NEW}(&N)")
        self.save_button = QPushButton(f"{words.SAVE}(&S)")
        self.save_button.setObjectName("center_save")
        self.delete_button = QPushButton(f"{words.DELETE}(&D)…")
        self.restore_button = QPushButton(f"{words.RESTORE}(&R)")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.delete_button, self.restore_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        self.message = MessageLine()

        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addLayout(filters)
        left.addWidget(self.table, 1)
        body.addLayout(left, 3)
        right = QVBoxLayout()
        right.addWidget(form_box)
        right.addWidget(self.message)
        right.addStretch(1)
        body.addLayout(right, 2)
        QVBoxLayout(self).addLayout(body)

        self.filter_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.trash_check.toggled.connect(lambda _on: self.reload())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.new_button.clicked.connect(self.new_record)
        self.save_button.clicked.connect(lambda: self.save())
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self._update_buttons()

    # ---- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        self.context.run(lambda db, _ctx: (overview.municipalities(db), masters_view.likely_municipality(db)),
                         on_done=lambda result: self._choices_loaded(*result))

    def _choices_loaded(self, municipalities, default: str) -> None:
        self._municipalities = municipalities
        self._default_municipality = default
        # The list shows every 区市町村 (a Tokyo-wide office keeps several); a new center starts on the default.
        fill_municipalities(self.filter_combo, municipalities, self.context.defaults.municipality,
                            none_label=ALL)
        fill_municipalities(self.municipality_edit, municipalities, default)
        self.loaded = True
        self.reload()
        self._show_center(None)

    def reload(self, select_id: str | None = None) -> None:
        code, deleted = self.filter_combo.currentData(), self.trash_check.isChecked()
        if not self.loaded:
            return
        self.context.run(lambda db, _ctx: masters_view.center_table(db, code, deleted=deleted),
                         on_done=lambda rows: self._fill(rows, select_id))

    def _fill(self, rows: list[CenterRow], select_id: str | None) -> None:
        self.rows = rows
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            c = row.center
            for column, text in enumerate((c.name, row.municipality_name, c.address, c.phone,
                                           f"{row.places:,}か所")):
                item = QTableWidgetItem(text)
                if column == len(COLUMNS) - 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(index, column, item)
            if c.id == select_id:
                self.table.selectRow(index)
        self.table.blockSignals(False)
        self._update_buttons()

    def selected_row(self) -> CenterRow | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.rows[indexes[0].row()] if indexes else None

    def _selection_changed(self) -> None:
        row = self.selected_row()
        if row is not None and self.current is not None and row.center.id == self.current.id:
            return
        if self.has_unsaved_changes() and not confirm_discard(self, "センター"):
            self.table.blockSignals(True)
            self.table.clearSelection()
            self.table.blockSignals(False)
            return
        self._show_center(row.center if row else None)

    # ---- the form ------------------------------------------------------------------------------

    def _show_center(self, center: Center | None) -> None:
        self.current = center
        self.form_errors.clear()
        self.message.clear_message()
        code = center.municipality_code if center else (self.filter_combo.currentData()
                                                        or self._default_municipality)
        self.municipality_edit.setCurrentIndex(max(0, self.municipality_edit.findData(code)))
        self.municipality_edit.setEnabled(center is None)  # a center does not move to another 区市町村
        for edit, value in ((self.name_edit, center.name if center else ""),
                            (self.kana_edit, center.kana if center else ""),
                            (self.address_edit, center.address if center else ""),
                            (self.phone_edit, center.phone if center else ""),
                            (self.notes_edit, center.notes if center else "")):
            edit.setText(value)
        self._update_buttons()

    def form_center(self) -> Center:
        base = self.current or Center(self.municipality_edit.currentData() or "", "")
        return dataclasses.replace(base, municipality_code=self.municipality_edit.currentData() or "",
                                   name=self.name_edit.text().strip(), kana=self.kana_edit.text().strip(),
                                   address=self.address_edit.text().strip(), phone=self.phone_edit.text().strip(),
                                   notes=self.notes_edit.text().strip())

    def has_unsaved_changes(self) -> bool:
        if self.current is None:
            return any(edit.text().strip() for edit in (self.name_edit, self.kana_edit, self.address_edit,
                                                        self.phone_edit, self.notes_edit))
        return self.form_center() != self.current

    def discard_changes(self) -> None:
        self._show_center(self.current)

    def _update_buttons(self) -> None:
        in_trash = self.trash_check.isChecked()
        self.restore_button.setVisible(in_trash)
        self.delete_button.setVisible(not in_trash)
        self.save_button.setEnabled(not in_trash)
        self.delete_button.setEnabled(self.selected_row() is not None)
        self.restore_button.setEnabled(self.selected_row() is not None)

    # ---- actions -------------------------------------------------------------------------------

    def write_widgets(self) -> list[QWidget]:
        return [self.new_button, self.save_button, self.delete_button, self.restore_button, self.municipality_edit,
                self.name_edit, self.kana_edit, self.address_edit, self.phone_edit, self.notes_edit]

    def new_record(self) -> bool:
        if self.has_unsaved_changes() and not confirm_discard(self, "センター"):
            return False
        if self.trash_check.isChecked():
            self.trash_check.setChecked(False)
        self.table.clearSelection()
        self._show_center(None)
        self.name_edit.setFocus()
        return True

    def save(self, then: Then | None = None) -> None:
        if self.trash_check.isChecked():
            finish(then, False)
            return
        center = self.form_center()
        today = self.today()

        def saved(saved: Center) -> None:
            self.current = saved
            self.form_errors.clear()
            self.message.done(f"「{saved.name}」を保存しました。")
            self.reload(select_id=saved.id)
            finish(then, True)

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationFailed):
                self.form_errors.show(error.errors)
            elif isinstance(error, ConstraintError):
                self.form_errors.show([FieldError(error.field or "name", str(error))])
            elif is_user_error(error):
                self.message.error(f"保存できませんでした: {error}")
            else:
                finish(then, False)
                raise error
            finish(then, False)

        CollectionOp(self, self.context, lambda db, _ctx: masters_view.save_center(db, center, today),
                     changes=lambda saved: Changes.of("centers", [saved.id])) \
            .disabling(*self._buttons()).success(saved).failure(failed).run_in_background()

    def _buttons(self) -> list[QWidget]:
        return [self.new_button, self.save_button, self.delete_button, self.restore_button]

    def delete_selected(self) -> bool:
        row = self.selected_row()
        if row is None or self.trash_check.isChecked():
            return False
        text = words.trash_question(f"{words.CENTER}「{row.center.name}」")
        if row.places:
            text += (f"\n\nこのセンターを指定している通いの場が{row.places:,}か所あります。通いの場の記録はそのまま"
                     "残りますが、編集するときにセンターを選び直す必要があります。")
        answer = QMessageBox.question(self, words.MOVE_TO_TRASH, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        return self._change(lambda db, _ctx: records.remove(db, Center, row.center.id), row.center.id,
                            words.moved_to_trash(f"「{row.center.name}」"))

    def restore_selected(self) -> bool:
        row = self.selected_row()
        if row is None or not self.trash_check.isChecked():
            return False
        return self._change(lambda db, _ctx: records.restore(db, Center, row.center.id), row.center.id,
                            f"「{row.center.name}」を元に戻しました。")

    def _change(self, job, center_id: str, done_text: str) -> bool:
        """Delete or restore on the database thread; True = started (the list follows when it is done)."""

        def changed(_result) -> None:
            self._show_center(None)
            self.message.done(done_text)
            self.reload()

        def failed(error: BaseException) -> None:
            if not is_user_error(error):
                raise error
            self.message.error(str(error))

        CollectionOp(self, self.context, job, changes=Changes.of("centers", [center_id])) \
            .disabling(*self._buttons()).success(changed).failure(failed).run_in_background()
        return True
