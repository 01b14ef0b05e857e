"""What the 推進員 and 活動記録 screens share: a list filtered and sorted by the database beside a detail
form, the trash toggle, delete with confirmation, restore, and asking before unsaved edits are lost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, Then, read_failure_on
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.widgets.column_widths import fit_columns
from kaigo_desktop.gui.widgets.record_form import RecordForm
from kaigo_desktop.gui.widgets.side_by_side import SideBySideRow, SideBySideSplitter
from kaigo_desktop.gui.widgets.record_messages import confirm_delete, show_write_error
from kaigo_desktop.gui.widgets.rows_table_model import Column, RowsTableModel
from kaigo_desktop.services import promoters_view
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.promoters_view import ReferenceLists
from kaigo_desktop.storage.database import Database

Job = Callable[[Database], Any]


def set_up_record_list(view: QTableView, model: QAbstractItemModel, *, multiple: bool, row_height: int) -> None:
    """A list of records: whole rows selected (one, or `multiple`), edited in the form and not in place,
    alternate row colours, one line a row of `row_height`, no row numbers."""
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multiple
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(row_height)


class ListDetailScreen(Screen):
    """Subclasses give the columns, the list job, the detail widget and the form (`self.form`, a RecordForm
    that Ctrl+S and the unsaved-changes guard go to), and how a row is shown."""

    record_label = ""  # 「推進員」, 「活動記録」: used in messages
    list_tables: tuple[str, ...] = ()  # kinds of Changes after which the list is read again (the first: its own)
    reference_tables = ("places", "centers", "promoters")  # … after which the pickers are read again
    default_order: tuple[str, bool] = ("", False)
    form: RecordForm  # made by detail_widget

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.today: Callable[[], date] = date.today
        self.reference: ReferenceLists | None = None  # set by apply_reference
        self._reference_stale = True
        self._list_stale = True
        self._list_generation = 0
        self._reselecting = False
        self._sized = False
        self.order_by, self.descending = self.default_order
        self.model: RowsTableModel = RowsTableModel(self.columns())
        self._build()
        context.changes_did_happen.connect(self._changes_happened)

    # ---- for subclasses ------------------------------------------------------------------------

    def columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def build_filters(self, bar: QHBoxLayout) -> None:
        """Add the filter widgets to the bar above the list."""

    def detail_widget(self) -> QWidget:
        raise NotImplementedError

    def current_filter(self) -> Any:
        """The filters as one comparable value."""
        raise NotImplementedError

    def list_job(self) -> Job:
        """The list query for the current filters (built on the GUI thread, run on the database's)."""
        raise NotImplementedError

    def apply_list(self, result: Any) -> list[Any]:
        """Show what the list job returned (totals …) and return the rows."""
        return list(result)

    def reference_job(self) -> Job:
        """What the pickers and filters offer; apply_reference gets its result."""
        return promoters_view.reference_lists

    def apply_reference(self, result: Any) -> None:
        raise NotImplementedError

    def row_id(self, row: Any) -> str:
        raise NotImplementedError

    def row_label(self, row: Any) -> str:
        raise NotImplementedError

    def shown_id(self) -> str:
        """Id of the stored record the detail form shows ("" for none or a new one)."""
        raise NotImplementedError

    def show_row(self, row: Any | None, *, deleted: bool) -> None:
        raise NotImplementedError

    def remove_job(self, row: Any) -> Job:
        raise NotImplementedError

    def restore_job(self, row: Any) -> Job:
        raise NotImplementedError

    def after_restore(self, result: Any) -> None:
        """Called with what the restore job returned."""

    # ---- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        filters = QHBoxLayout()
        self.build_filters(filters)
        actions = QHBoxLayout()
        self.show_deleted = QCheckBox(words.SHOW_TRASH)
        actions.addWidget(self.show_deleted)
        actions.addStretch(1)
        self.new_button = QPushButton(words.with_key(words.NEW, "Ctrl+N"))
        self.delete_button = QPushButton(words.with_key(words.DELETE, "Delete"))
        self.restore_button = QPushButton(words.RESTORE)
        for button in (self.new_button, self.delete_button, self.restore_button):
            actions.addWidget(button)
        bar = SideBySideRow(filters, actions)  # two lines when the text is large
        self.table = QTableView()
        set_up_record_list(self.table, self.model, multiple=False, row_height=self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        columns = self.columns()
        keys = [c.sort_key for c in columns]
        if self.order_by in keys:
            header.setSortIndicator(keys.index(self.order_by), Qt.SortOrder.DescendingOrder if self.descending
                                    else Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        # Measured from the font (and again when the text size changes); the last column stretches, never
        # narrower than that (Qt keeps the width set).
        fit_columns(self.table, [column.width_sample or column.header for column in columns], row_padding=10,
                    min_rows=3)
        self.count_label = QLabel()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        self.splitter = SideBySideSplitter()  # the form goes under the list when both do not fit across
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail_widget())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(bar)
        layout.addWidget(self.splitter, 1)
        self.model.sort_requested.connect(self._sort)
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._row_chosen(current.row()))
        self.show_deleted.toggled.connect(self._trash_toggled)
        self.new_button.clicked.connect(self.new_record)
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._sized:  # the list gets the larger share the first time, whatever the size hints say
            self._sized = True
            self.splitter.setSizes([self.width() * 62 // 100, self.width() * 38 // 100])

    # ---- loading -------------------------------------------------------------------------------

    def activate(self) -> None:
        if self._reference_stale:
            self.load_reference()
        if self._list_stale:
            self.reload_list()

    def load_reference(self) -> None:
        self._reference_stale = False
        job = self.reference_job()
        self.context.run(lambda db, _ctx: job(db), on_done=self._reference_loaded,
                         on_error=read_failure_on(self.count_label))

    def _reference_loaded(self, result: Any) -> None:
        before = self.current_filter()
        self.apply_reference(result)
        if self.current_filter() != before:  # a filter's choice was dropped or defaulted
            self.reload_list()

    def reload_list(self) -> None:
        self._list_stale = False
        self._list_generation += 1
        generation, job = self._list_generation, self.list_job()
        self.context.run(lambda db, _ctx: job(db), on_done=lambda result: self._list_loaded(generation, result),
                         on_error=read_failure_on(self.count_label))

    def _list_loaded(self, generation: int, result: Any) -> None:
        if generation != self._list_generation:
            return  # a newer query is on its way
        rows = self.apply_list(result)
        self._reselecting = True
        try:
            self.model.set_rows(rows)
            shown = self.shown_id()
            index = self.model.find_row(lambda r: self.row_id(r) == shown) if shown else -1
            if index >= 0:
                self.table.selectRow(index)
        finally:
            self._reselecting = False
        self._update_buttons()

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches(*self.reference_tables):
            self._reference_stale = True
        if changes.touches(*self.list_tables, *self.reference_tables):
            self._list_stale = True
        if self.isVisible():
            self.activate()

    def _sort(self, key: str, descending: bool) -> None:
        self.order_by, self.descending = key, descending
        self.reload_list()

    def filters_changed(self) -> None:
        self.reload_list()

    # ---- choosing a row ------------------------------------------------------------------------

    def selected_row(self) -> Any | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _select_shown(self) -> None:
        self._reselecting = True
        try:
            shown = self.shown_id()
            index = self.model.find_row(lambda r: self.row_id(r) == shown) if shown else -1
            if index >= 0:
                self.table.selectRow(index)
            else:
                self.table.selectionModel().clearCurrentIndex()
                self.table.clearSelection()
        finally:
            self._reselecting = False

    def _row_chosen(self, index: int) -> None:
        self._update_buttons()
        row = self.model.row_at(index)
        if self._reselecting or row is None or self.row_id(row) == self.shown_id():
            return

        def left(ok: bool) -> None:  # at once, or once the user's choice to save first has saved
            if not ok:
                self._select_shown()
                return
            self.show_row(row, deleted=self.show_deleted.isChecked())
            self._update_buttons()

        self.confirm_leave(left)

    def _trash_toggled(self, on: bool) -> None:
        def left(ok: bool) -> None:
            if not ok:
                self.show_deleted.blockSignals(True)
                self.show_deleted.setChecked(not on)
                self.show_deleted.blockSignals(False)
                return
            self.show_row(None, deleted=False)
            self.reload_list()

        self.confirm_leave(left)

    def _update_buttons(self) -> None:
        row = self.selected_row()
        trash = self.show_deleted.isChecked()
        self.delete_button.setEnabled(row is not None and not trash)
        self.restore_button.setEnabled(row is not None and trash)
        self.new_button.setEnabled(not trash)

    # ---- the Screen interface ------------------------------------------------------------------

    def write_widgets(self) -> list[QWidget]:
        """The list's buttons; subclasses add their detail's editors."""
        return [self.new_button, self.delete_button, self.restore_button]

    def delete_selected(self) -> bool:
        row = self.selected_row()
        if self.read_only or row is None or self.show_deleted.isChecked():
            return False
        if not confirm_delete(self, f"{self.record_label}「{self.row_label(row)}」"):
            return False
        row_id = self.row_id(row)
        if row_id == self.shown_id():
            self.discard_changes()  # the record goes to the trash as stored, not as being edited

        def removed(_result: Any) -> None:
            if row_id == self.shown_id():
                self.show_row(None, deleted=False)

        self._write(self.remove_job(row), row_id, f"{words.TRASH}へ移せませんでした", removed)
        return True

    def restore_selected(self) -> bool:
        row = self.selected_row()
        if self.read_only or row is None or not self.show_deleted.isChecked():
            return False
        def restored(result: Any) -> None:
            self.show_row(None, deleted=False)
            self.after_restore(result)

        self._write(self.restore_job(row), self.row_id(row), "元に戻せませんでした", restored)
        return True

    def save(self, then: Then | None = None) -> None:
        self.form.save(then)

    def has_unsaved_changes(self) -> bool:
        return self.form.has_unsaved_changes()

    def discard_changes(self) -> None:
        self.form.discard_changes()

    def clear_selection(self) -> None:
        """No row selected, as when a new record is started (the detail form is not told)."""
        self._reselecting = True
        try:
            self.table.clearSelection()
            self.table.selectionModel().clearCurrentIndex()
        finally:
            self._reselecting = False

    def show_first_row(self, after: Callable[[], None] | None = None) -> None:
        """For a screenshot: read the pickers and the list in the background and show the first row, then
        `after()` (the screenshot command waits for the database thread to settle)."""
        reference_job, list_job = self.reference_job(), self.list_job()

        def show(result: Any) -> None:
            reference, rows = result
            self._reference_loaded(reference)
            self._list_generation += 1
            self._list_loaded(self._list_generation, rows)
            if self.model.rowCount() and not self.shown_id():
                self.table.selectRow(0)
            if after is not None:
                after()

        QueryOp(self, self.context, lambda db, _ctx: (reference_job(db), list_job(db))) \
            .success(show).run_in_background()

    def _write(self, job: Job, row_id: str, title: str, done: Callable[[Any], None]) -> None:
        """Run a write on the database thread: `done(result)` after it, or the user is told why it failed."""
        changes = Changes.of(self.list_tables[0], [row_id]) if self.list_tables else Changes()
        CollectionOp(self, self.context, lambda db, _ctx: job(db), changes=changes) \
            .disabling(self.delete_button, self.restore_button) \
            .success(done).failure(lambda error: show_write_error(self, title, error)).run_in_background()
