"""通いの場 screen: the searchable, filterable table of places beside the detail form; new, save, delete to
the trash and restore. Every read and write runs on the database thread through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, is_user_error, read_failure_on
from kaigo_desktop.gui.screens.base import Screen, Then
from kaigo_desktop.gui.screens.place_filter_bar import PlaceFilterBar
from kaigo_desktop.gui.screens.place_form import PlaceForm
from kaigo_desktop.gui.screens.place_table_model import COLUMNS, TRASH_COLUMN, PlaceTableModel
from kaigo_desktop.gui.widgets.column_widths import fit_columns
from kaigo_desktop.gui.widgets.record_messages import confirm_delete
from kaigo_desktop.gui.widgets.side_by_side import SideBySideSplitter
from kaigo_desktop.services import places_view as pv
from kaigo_desktop.services import rights
from kaigo_desktop.services.changes import Changes


class PlacesScreen(Screen):
    title = "通いの場"
    SEARCH_DELAY_MS = 150  # a pause in typing this long runs the search

    list_did_refresh = Signal()  # the table shows the result of the latest query
    detail_did_load = Signal(str)  # the form shows the place with this id

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._choices: pv.PlaceFieldChoices | None = None
        self._sort = ("kana", False)
        self._trash_shown = False
        self._list_generation = 0
        self._detail_generation = 0
        self._build()
        self.search_timer = QTimer(self, singleShot=True, interval=self.SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.refresh)
        self.filter_bar.text_did_change.connect(self.search_timer.start)
        self.filter_bar.filters_did_change.connect(self._filters_changed)
        self.filter_bar.leave_search.connect(self._focus_table)
        self.model.sort_did_change.connect(self._sort_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.activated.connect(lambda _index: self.form.name_edit.setFocus())
        context.changes_did_happen.connect(self._changes_happened)
        self._show_nothing()
        self._update_buttons()

    def _build(self) -> None:
        self.filter_bar = PlaceFilterBar()
        self.new_button = QPushButton(words.with_key(words.NEW, "Ctrl+N"))
        self.new_button.clicked.connect(self.new_record)
        self.delete_button = QPushButton(words.with_key(words.DELETE, "Delete"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button = QPushButton(words.RESTORE)
        self.restore_button.clicked.connect(self.restore_selected)
        self.count_label = QLabel("")
        actions = QHBoxLayout()
        actions.addWidget(self.count_label, 1)
        for button in (self.new_button, self.delete_button, self.restore_button):
            actions.addWidget(button)
        self.model = PlaceTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSortIndicator(self.model.column_of("kana"), Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # the model turns a header click into an SQL query
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Measured from the font, and again when the text size changes or the trash's column comes and goes.
        self._size_columns = fit_columns(self.table, [c.width_sample for c in (*COLUMNS, TRASH_COLUMN)],
                                         min_rows=3)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(actions)
        left_layout.addWidget(self.table, 1)
        self.form = PlaceForm(self.context)
        self.splitter = SideBySideSplitter()  # the form goes under the list when both do not fit across
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.form)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([560, 460])
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)


    # ---- loading the list -----------------------------------------------------------------------

    def activate(self) -> None:
        if self._choices is None:
            self.context.run(lambda db, _ctx: pv.place_choices(db), self._apply_choices,
                             read_failure_on(self.count_label))
        else:
            self.refresh()

    def _apply_choices(self, choices: pv.PlaceFieldChoices, *, then_refresh: bool = True) -> None:
        self._choices = choices
        self.filter_bar.set_choices(choices)
        self.form.set_choices(choices)
        if then_refresh:
            self.refresh()

    def query(self) -> pv.PlaceQuery:
        bar = self.filter_bar
        return pv.PlaceQuery(
            text=bar.text(), municipality_code=bar.municipality_code(), center_id=bar.center_id(),
            program=bar.program(), status=bar.status(), deleted=bar.showing_trash(),
            order_by=self._sort[0], descending=self._sort[1])

    def refresh(self) -> None:
        """Query in the background; a result that a newer query has overtaken is dropped, and a query still
        waiting when a newer one is asked for is skipped."""
        self.search_timer.stop()
        self._list_generation += 1
        generation, query = self._list_generation, self.query()

        def job(db, _ctx) -> list[pv.PlaceListRow] | None:
            return None if generation != self._list_generation else pv.find_places(db, query)

        self.context.run(job, lambda rows: self._show_rows(generation, query, rows), read_failure_on(self.count_label))

    def _show_rows(self, generation: int, query: pv.PlaceQuery, rows: list[pv.PlaceListRow] | None) -> None:
        if rows is None or generation != self._list_generation:
            return
        columns = self.model.columnCount()
        self.model.set_rows(rows, trash=query.deleted)
        if self.model.columnCount() != columns:
            self._size_columns()
        self.count_label.setText(words.counted(f"{len(rows):,}件", in_trash=query.deleted))
        row = self.model.row_of(self.form.place_id)
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._update_buttons()
        self.list_did_refresh.emit()

    def _filters_changed(self) -> None:
        trash = self.filter_bar.showing_trash()
        if trash == self._trash_shown:
            self.refresh()
            return

        def left(ok: bool) -> None:
            if not ok:
                self.filter_bar.trash_check.blockSignals(True)
                self.filter_bar.set_showing_trash(not trash)
                self.filter_bar.trash_check.blockSignals(False)
                return
            self._trash_shown = trash
            self._show_nothing()
            self.model.set_rows([], trash=trash)  # no live row can be picked while the trash is on its way
            self._size_columns()
            self.count_label.setText(words.LOADING)
            self.refresh()

        self.confirm_leave(left)

    def _sort_changed(self, key: str, descending: bool) -> None:
        self._sort = (key, descending)
        self.refresh()

    def _changes_happened(self, changes: Changes) -> None:
        """The list shows center and promoter names, the form a place's promoters, the filters the centers."""
        if self._choices is None or not changes.touches("places", "centers", "promoters", "assignments"):
            return
        if changes.touches("centers"):
            self._choices = None
            self.activate()
        else:
            self.refresh()
        if changes.touches("promoters", "assignments") and self.form.place_id and not self.has_unsaved_changes():
            self._load_detail(self.form.place_id)

    # ---- the selected place ---------------------------------------------------------------------

    def selected_row(self) -> pv.PlaceListRow | None:
        return self.model.row_at(self.table.currentIndex().row())

    def _current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        row = self.model.row_at(current.row())
        self._update_buttons()
        if row is None or row.id == self.form.place_id:
            return

        def left(ok: bool) -> None:
            if ok:
                self._load_detail(row.id)
            else:  # put the selection back once Qt has finished changing it
                QTimer.singleShot(0, self._select_form_place)

        self.confirm_leave(left)

    def _select_form_place(self) -> None:
        """Select the row of the place in the form (none for a new place)."""
        row = self.model.row_of(self.form.place_id)
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.table.selectionModel().clear()

    def show_place(self, place_id: str) -> None:
        """Show one place in the form (another screen asked for it), asking first about unsaved edits."""
        self.confirm_leave(lambda ok: ok and self._load_detail(place_id))

    def _load_detail(self, place_id: str) -> None:
        self._detail_generation += 1
        generation = self._detail_generation

        def show(found: tuple[pv.PlaceDetail, str | None]) -> None:
            detail, refused = found
            if generation != self._detail_generation:
                return
            if self.has_unsaved_changes():  # typed into the form while the place was on its way: keep that
                self._select_form_place()
                return
            self.form.load(detail.place, detail, read_only=detail.place.meta.deleted_at is not None)
            if refused and detail.place.meta.deleted_at is None:  # another center's place: shown, not editable
                self.form.set_read_only(True, refused)
            self._select_form_place()  # a list refreshed meanwhile may have selected another row
            self.detail_did_load.emit(place_id)

        self.context.run(lambda db, _ctx: _detail_and_refusal(db, place_id), show, read_failure_on(self.count_label))

    def _show_nothing(self) -> None:
        if self._trash_shown:
            self.form.show_nothing("ごみ箱の通いの場を選ぶと内容を確かめられます。「元に戻す」で一覧に戻ります。")
        else:
            self.form.show_nothing("一覧から通いの場を選ぶか、「新規」で登録してください。")

    def _update_buttons(self) -> None:
        trash = self.filter_bar.showing_trash()
        selected = self.selected_row() is not None
        self.delete_button.setVisible(not trash)
        self.delete_button.setEnabled(selected)
        self.new_button.setEnabled(not trash)
        self.restore_button.setVisible(trash)
        self.restore_button.setEnabled(selected)

    def _focus_table(self) -> None:
        self.table.setFocus()
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.table.selectRow(0)

    # ---- the menu's commands --------------------------------------------------------------------

    def focus_search(self) -> bool:
        self.filter_bar.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search_edit.selectAll()
        return True

    def new_record(self) -> bool:
        if self.read_only or self._choices is None:
            return False
        return self.when_left(self._start_new_place)

    def _start_new_place(self) -> None:
        if self._choices is None:
            return
        if self.filter_bar.showing_trash():
            self.filter_bar.set_showing_trash(False)
        defaults = self.context.defaults
        self.form.load(pv.new_place(self._choices, default_municipality=defaults.municipality,
                                    default_center=defaults.center))
        self.table.selectionModel().clear()
        self.form.name_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def save(self, then: Then | None = None) -> None:
        self.form.save(then)

    def delete_selected(self) -> bool:
        row = self.selected_row()
        if self.read_only or row is None or self.filter_bar.showing_trash():
            return False
        if not confirm_delete(self, f"{words.PLACE}「{row.name}」"):
            return False
        self._write(row, lambda db, _ctx: pv.remove_place(db, row.id), words.moved_to_trash(f"{words.PLACE}「{row.name}」"))
        return True

    def restore_selected(self) -> bool:
        row = self.selected_row()
        if self.read_only or row is None or not self.filter_bar.showing_trash():
            return False
        self._write(row, lambda db, _ctx: pv.restore_place(db, row.id), f"通いの場「{row.name}」を元に戻しました。")
        return True

    def _write(self, row: pv.PlaceListRow, job: Callable[[Any, Any], Any], done: str) -> None:
        """Run a delete or restore of `row`; a refusal is explained in a message box. The list's buttons
        wait meanwhile."""
        buttons = [self.new_button, self.delete_button, self.restore_button]
        for button in buttons:
            button.setEnabled(False)

        def written(_result: Any) -> None:
            self._update_buttons()
            if self.form.place_id == row.id:
                self._show_nothing()
            self.context.status_did_change.emit(done)

        def failed(error: BaseException) -> None:
            self._update_buttons()
            if not is_user_error(error):
                raise error
            QMessageBox.warning(self, self.title, str(error))

        CollectionOp(self, self.context, job, changes=Changes.of("places", [row.id])) \
            .success(written).failure(failed).run_in_background()

    def write_widgets(self) -> list[QWidget]:
        return [self.new_button, self.delete_button, self.restore_button, self.form.fields, self.form.save_button,
                self.form.revert_button]

    # ---- unsaved edits and screenshots ----------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return self.form.has_unsaved_changes()

    def discard_changes(self) -> None:
        self.form.discard_changes()

    def load_now(self, select_first: bool = True) -> None:
        """Fill the screen for a picture: the list and the first place with promoters, read in one job in
        the background (the screenshot command waits for the database thread to settle)."""
        query = self.query()

        def job(db, _ctx):
            rows = pv.find_places(db, query)
            place_id = pv.place_with_promoters(db, query) if select_first and rows else None
            return pv.place_choices(db), rows, pv.place_detail(db, place_id) if place_id else None

        def show(result) -> None:
            choices, rows, detail = result
            self._apply_choices(choices, then_refresh=False)
            self._list_generation += 1  # answers to queries asked earlier are now stale
            self._show_rows(self._list_generation, query, rows)
            if detail is not None:
                self.form.load(detail.place, detail)
                self._select_form_place()

        QueryOp(self, self.context, job).success(show).run_in_background()

    def screenshot_views(self) -> list[tuple[str, Callable[[], QWidget]]]:
        def screen() -> QWidget:
            self.load_now()
            return self

        def form() -> QWidget:
            # A separate, unscrolled copy of the form so that every field shows in one picture.
            copy = PlaceForm(self.context)
            query = self.query()

            def job(db, _ctx):
                place_id = pv.place_with_promoters(db, query) if pv.find_places(db, query) else None
                return pv.place_choices(db), pv.place_detail(db, place_id) if place_id else None

            def show(result) -> None:
                choices, detail = result
                copy.set_choices(choices)
                if detail is not None:
                    copy.load(detail.place, detail)
                copy.resize(520, copy.fields.sizeHint().height() + 80)

            copy.resize(520, copy.fields.sizeHint().height() + 80)
            QueryOp(copy, self.context, job).success(show).run_in_background()
            self._screenshot_form = copy  # kept alive until the picture is taken
            return copy

        return [("PlacesScreen", screen), ("PlaceForm", form)]


def _detail_and_refusal(db, place_id: str) -> tuple[pv.PlaceDetail, str | None]:
    """The place's detail, and why the logged-in user may not change it (None when they may)."""
    detail = pv.place_detail(db, place_id)
    return detail, rights.refusal(db, detail.place)
