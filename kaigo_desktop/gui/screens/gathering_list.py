"""The list of gatherings (up to millions): filters and sorting done in SQL on the database thread, rows paged
in by GatheringTableModel; delete to the trash (after asking) and restore from it."""

from __future__ import annotations

from array import array
from datetime import date

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QTableView, QVBoxLayout, QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of, fiscal_year_range, format_wareki
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp
from kaigo_desktop.gui.screens.gathering_table_model import COLUMNS, DELETED_COLUMN, PAGE_SIZE, GatheringTableModel
from kaigo_desktop.gui.screens.list_detail_screen import set_up_record_list
from kaigo_desktop.gui.widgets.column_widths import fit_columns
from kaigo_desktop.gui.widgets.record_messages import confirm_delete
from kaigo_desktop.gui.widgets.place_picker import PlaceChoiceModel, PlacePicker
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import gatherings_view
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.gatherings_view import ListQuery, PlaceChoice

REFRESH_DELAY_MS = 150  # a burst of saves rebuilds the key list once
FIRST_ROWS = 2 * PAGE_SIZE  # read with the count before the whole key list: more than a tall window shows


class GatheringList(QWidget):
    """`edit_requested` carries the id of the gathering to open in the form (double-click or Enter)."""

    edit_requested = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, places: PlaceChoiceModel | None = None):
        super().__init__(parent)
        self.context = context
        self._places = places
        self.query = ListQuery(municipality_code=context.defaults.municipality or None)
        self._shown_query: ListQuery | None = None  # the query whose keys the model holds
        self._loading = False
        self._reload_again = False
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS, timeout=self.refresh)
        self._build()

    def _build(self) -> None:
        self.municipality = QComboBox(self)
        self.municipality.addItem("すべての区市町村", None)
        self.place = PlacePicker(self, choices=self._places, placeholder="すべての通いの場（名称・よみで絞り込み）")
        self.date_from = WarekiDateEdit(self, optional=True, none_label="指定なし")
        self.date_to = WarekiDateEdit(self, optional=True, none_label="指定なし")
        # Unticking 「指定なし」 offers the current 年度 so far, the period asked for most.
        self.date_from.set_value(fiscal_year_range(fiscal_year_of(date.today()))[0])
        for edit in (self.date_from, self.date_to):
            edit.set_value(None)
            edit.wareki.hide()  # the 和暦 of both ends does not fit beside the list; the list shows it
        self.trash = QCheckBox(words.SHOW_TRASH, self)
        self.count_label = QLabel(self)
        self.model = GatheringTableModel(self.context.run, self)
        self.view = QTableView(self)
        set_up_record_list(self.view, self.model, multiple=True, row_height=self.fontMetrics().height() + 8)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure a million rows
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setColumnHidden(DELETED_COLUMN, True)
        self.view.setSortingEnabled(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        fit_columns(self.view, [column.width_sample for column in COLUMNS], row_padding=8, min_rows=3)
        self.delete_button = QPushButton(words.with_key(words.DELETE, "Delete"), self)
        self.restore_button = QPushButton(words.RESTORE, self)
        self.edit_button = QPushButton("選択した記録を修正", self)
        self._lay_out()
        self._connect()
        self._update_buttons()

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(self.municipality)
        filters.addWidget(self.place, 1)
        period = QHBoxLayout()
        period.addWidget(QLabel("開催日"))
        period.addWidget(self.date_from)
        period.addWidget(QLabel("～"))
        period.addWidget(self.date_to)
        period.addStretch(1)
        period.addWidget(self.trash)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addLayout(period)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def _connect(self) -> None:
        self.municipality.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.place.place_did_change.connect(lambda _p: self._filters_changed())
        self.date_from.date_did_change.connect(self._filters_changed)
        self.date_to.date_did_change.connect(self._filters_changed)
        self.trash.toggled.connect(lambda _on: self._filters_changed())
        self.model.sort_requested.connect(self._sort_requested)
        self.view.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator_changed)
        self.view.activated.connect(lambda index: self._open(index.row()))  # double-click or Enter
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.edit_button.clicked.connect(lambda: self._open(self.view.currentIndex().row()))
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button.clicked.connect(self.restore_selected)

    # ---- choices -------------------------------------------------------------------------------

    def set_place_choices(self, choices: list[PlaceChoice]) -> None:
        """For a list with its own picker; a screen sharing PlaceChoiceModel calls set_municipalities."""
        self.place.set_choices(choices)
        self.set_municipalities(choices)

    def set_municipalities(self, choices: list[PlaceChoice]) -> None:
        """The 区市町村 filter offers those that have places."""
        municipalities = sorted({(c.municipality_code, c.municipality_name) for c in choices})
        wanted = self.query.municipality_code
        self.municipality.blockSignals(True)
        self.municipality.clear()
        self.municipality.addItem("すべての区市町村", None)
        for code, name in municipalities:
            self.municipality.addItem(name, code)
        self.municipality.setCurrentIndex(max(0, self.municipality.findData(wanted)) if wanted else 0)
        self.municipality.blockSignals(False)
        if wanted and self.municipality.currentData() != wanted:  # no place there (any more): show all
            self._filters_changed()

    # ---- loading -------------------------------------------------------------------------------

    def schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Rebuild the key list for the current filters and order; the rows shown stay until it is ready.

        Another filter or order shows its count and first rows at once (list_start) and takes the whole key
        list after; a refresh of the same list (after a write) reads the whole key list at once, so that the
        position and the selected row are kept."""
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self.count_label.setText(words.LOADING)
        query = self.query
        if query == self._shown_query and self.model.rowCount() > 0:
            self._read_all_keys(query, lambda keys: self._keys_loaded(query, keys))
            return
        self.context.run(lambda db, _ctx: gatherings_view.list_start(db, query, FIRST_ROWS),
                         on_done=lambda start: self._start_loaded(query, start), on_error=self._load_failed)

    def _read_all_keys(self, query: ListQuery, done) -> None:
        self.context.run(lambda db, _ctx: gatherings_view.list_keys(db, query), on_done=done,
                         on_error=self._load_failed)

    def _superseded(self, query: ListQuery) -> bool:
        """Whether the filters or order changed (or a refresh was asked for) while `query` was read: then
        it is read again as it now is."""
        if self._reload_again or query != self.query:
            self._loading = False
            self._reload_again = False
            self.refresh()
            return True
        return False

    def _start_loaded(self, query: ListQuery, start: gatherings_view.ListStart) -> None:
        if self._superseded(query):
            return
        self.model.set_keys(start.keys, start.total, start.rows, start.last_keys)
        self._shown_query = query
        self.count_label.setText(f"{start.total:,}件")
        if start.complete:
            self._loading = False
        else:
            self._read_all_keys(query, lambda keys: self._rest_loaded(query, keys))
        self._update_buttons()

    def _rest_loaded(self, query: ListQuery, keys: array) -> None:
        if self._superseded(query):
            return
        self._loading = False
        self.model.complete_keys(keys)
        self.count_label.setText(f"{len(keys):,}件")
        self._update_buttons()

    def _keys_loaded(self, query: ListQuery, keys: array) -> None:
        if self._superseded(query):
            return
        self._loading = False
        current = self.view.currentIndex()
        current_key = self.model.key_at(current.row()) if current.isValid() else None
        top = max(0, self.view.rowAt(0))
        same_query = query == self._shown_query and self.model.rowCount() > 0
        self.model.set_keys(keys)
        self._shown_query = query
        self.count_label.setText(f"{len(keys):,}件")
        if same_query and len(keys):  # a refresh after a write: stay where the user was
            self.view.scrollTo(self.model.index(min(top, len(keys) - 1), 0),
                               QAbstractItemView.ScrollHint.PositionAtTop)
            row = self.model.row_of_key(current_key) if current_key is not None else -1
            if row >= 0:
                self.view.selectionModel().setCurrentIndex(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._update_buttons()

    def _load_failed(self, error: BaseException) -> None:
        self._loading = False
        self.count_label.setText(f"一覧を読み込めません：{error}")

    def _filters_changed(self) -> None:
        place = self.place.place()
        self.query = ListQuery(
            municipality_code=self.municipality.currentData(), place_id=place.id if place else None,
            date_from=self.date_from.value(), date_to=self.date_to.value(), trash=self.trash.isChecked(),
            sort_key=self.query.sort_key, descending=self.query.descending)
        self.view.setColumnHidden(DELETED_COLUMN, not self.query.trash)
        self.refresh()

    def _sort_requested(self, sort_key: str, descending: bool) -> None:
        if (sort_key, descending) == (self.query.sort_key, self.query.descending):
            return
        self.query = ListQuery(**{**self.query.__dict__, "sort_key": sort_key, "descending": descending})
        self.refresh()

    def _sort_indicator_changed(self, section: int, _order: Qt.SortOrder) -> None:
        """A click on a column SQL cannot sort by: put the arrow back where the order really is."""
        if COLUMNS[section].sort_key is not None:
            return
        column = next(i for i, c in enumerate(COLUMNS) if c.sort_key == self.query.sort_key)
        order = Qt.SortOrder.DescendingOrder if self.query.descending else Qt.SortOrder.AscendingOrder
        QTimer.singleShot(0, lambda: self.view.horizontalHeader().setSortIndicator(column, order))

    # ---- actions -------------------------------------------------------------------------------

    def selected_keys(self) -> list[int]:
        """Keys of the selected rows, read from the selection's ranges (a selection of a million rows holds
        a few ranges, not a million indexes); none while the key list is still coming."""
        if not self.model.is_complete():
            return []
        selection: QItemSelection = self.view.selectionModel().selection()
        keys: list[int] = []
        for selected in selection:
            keys.extend(self.model.keys_between(selected.top(), selected.bottom()))
        return list(dict.fromkeys(keys))

    def delete_selected(self) -> bool:
        keys = self.selected_keys()
        if self.context.read_only or not keys or self.query.trash:
            return False
        if not confirm_delete(self, self._selection_label(keys)):
            return False
        self._change(lambda db, _ctx: gatherings_view.move_to_trash(db, keys), keys,
                     words.moved_to_trash(f"{words.GATHERING} {{:,}}件"))
        return True

    def _selection_label(self, keys: list[int]) -> str:
        """One gathering by its date and place (the row is on screen, so loaded); several by their number."""
        row = self.model.row_at(self.model.row_of_key(keys[0])) if len(keys) == 1 else None
        if row is not None:
            return words.gathering_label(format_wareki(row.held_on), row.place_name)
        return f"選択した{words.GATHERING} {len(keys):,}件"

    def restore_selected(self) -> bool:
        keys = self.selected_keys()
        if self.context.read_only or not keys or not self.query.trash:
            return False
        self._change(lambda db, _ctx: gatherings_view.restore_from_trash(db, keys), keys,
                     "開催記録 {:,}件 を元に戻しました。")
        return True

    def _change(self, job, keys: list[int], done_text: str) -> None:
        """Move to or from the trash on the database thread; the list refreshes from the announced change."""
        CollectionOp(self, self.context, job, changes=Changes.of("gatherings", keys)) \
            .disabling(self.delete_button, self.restore_button) \
            .success(lambda count: self.context.status_did_change.emit(done_text.format(count))) \
            .run_in_background()

    def _open(self, row: int) -> None:
        if row < 0 or self.query.trash:
            return
        gathering = self.model.row_at(row)
        if gathering is not None:
            self.edit_requested.emit(gathering.id)

    def _update_buttons(self) -> None:
        selected = self.view.selectionModel().hasSelection()
        self.delete_button.setVisible(not self.query.trash)
        self.edit_button.setVisible(not self.query.trash)
        self.restore_button.setVisible(self.query.trash)
        self.edit_button.setEnabled(selected)
        for button in (self.delete_button, self.restore_button):  # they need the keys of the selection
            button.setEnabled(selected and self.model.is_complete())
