"""開催記録 screen: entry on the left (one gathering at a time, or a month's paper sheet at once), the list of
every gathering on the right; choosing a listed gathering opens it in the form for correction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtWidgets import QMessageBox, QTabWidget, QVBoxLayout, QWidget

from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.gui.operations import QueryOp, is_user_error
from kaigo_desktop.gui.screens.base import Screen, Then
from kaigo_desktop.gui.screens.gathering_form import GatheringForm
from kaigo_desktop.gui.screens.gathering_list import GatheringList
from kaigo_desktop.gui.screens.gathering_month_grid import GatheringMonthGrid
from kaigo_desktop.gui.widgets.place_picker import PlaceChoiceModel
from kaigo_desktop.gui.widgets.side_by_side import SideBySideSplitter
from kaigo_desktop.gui.widgets.vertical_scroll import VerticalScrollArea
from kaigo_desktop.services import gatherings_view, records
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.gatherings_view import PlaceChoice

FORM_TAB, GRID_TAB = 0, 1
FORM_WIDTH, GRID_WIDTH = 540, 660  # the month grid's columns need a little more room than the form
# What a change to each kind means here: the list shows place and promoter names, the pickers list places.
_LIST_KINDS = ("gatherings", "places", "promoters")
_CHOICE_KINDS = ("places",)


class GatheringsScreen(Screen):
    title = "開催記録"

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.places = PlaceChoiceModel(self)  # one list of places behind all three pickers
        self.form = GatheringForm(context, places=self.places)
        self.grid = GatheringMonthGrid(context, places=self.places)
        self.list = GatheringList(context, places=self.places)
        scroll = VerticalScrollArea(self.form)
        self.tabs = QTabWidget()
        self.tabs.addTab(scroll, "1件ずつ入力")
        self.tabs.addTab(self.grid, "月の用紙から入力")
        self.splitter = SideBySideSplitter()  # the list goes under the form when both do not fit across
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.list)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([FORM_WIDTH, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.tabs.currentChanged.connect(self._tab_changed)
        self._list_stale = True
        self._choices_stale = True
        context.changes_did_happen.connect(self._changes_happened)
        self.list.edit_requested.connect(self.edit_gathering)

    # ---- Screen --------------------------------------------------------------------------------

    def activate(self) -> None:
        if self._choices_stale:
            self.load_place_choices()
        if self._list_stale:
            self._list_stale = False
            self.list.refresh()

    def new_record(self) -> bool:
        if self.read_only:
            return False
        self.tabs.setCurrentIndex(FORM_TAB)
        self.form.new_entry(self.form.place.place())
        self.form.focus_first()
        return True

    def focus_search(self) -> bool:
        self.list.place.setFocus()
        self.list.place.selectAll()
        return True

    def save(self, then: Then | None = None) -> None:
        """Saves what has been typed: the open tab, and the other one too if it holds edits (one after the
        other); then(True) when every one saved."""
        then = then or (lambda _ok: None)
        if self.read_only:
            then(False)
            return
        current = self.grid if self.tabs.currentIndex() == GRID_TAB else self.form
        targets = [editor for editor in (self.form, self.grid) if editor.has_unsaved_changes()] or [current]

        def save_from(index: int, all_ok: bool) -> None:
            if index == len(targets):
                then(all_ok)
            else:
                targets[index].save(then=lambda ok: save_from(index + 1, all_ok and ok))

        save_from(0, True)

    def delete_selected(self) -> bool:
        return not self.read_only and self.list.delete_selected()

    def write_widgets(self) -> list[QWidget]:
        # The whole entry form; the month sheet can still be browsed, not typed into; a listed gathering
        # still opens in the (disabled) form to be read.
        return [self.form, self.grid.table, self.grid.add_row_button, self.grid.revert_button, self.grid.save_button,
                self.list.delete_button, self.list.restore_button]

    def has_unsaved_changes(self) -> bool:
        return self.form.has_unsaved_changes() or self.grid.has_unsaved_changes()

    def discard_changes(self) -> None:
        self.form.discard_changes()
        self.grid.discard_changes()

    def screenshot_views(self) -> list[tuple[str, Callable[[], QWidget]]]:
        return [("GatheringsScreen", self._screenshot_screen), ("GatheringForm", self._screenshot_form),
                ("GatheringMonthGrid", self._screenshot_grid)]

    def _tab_changed(self, index: int) -> None:
        left, right = self.splitter.sizes()
        wanted = GRID_WIDTH if index == GRID_TAB else FORM_WIDTH
        if left < wanted and left + right > wanted + 300:
            self.splitter.setSizes([wanted, left + right - wanted])
        place = self.form.place.place()
        if index == GRID_TAB and self.grid.sheet is None and place is not None:
            held_on = self.form.held_on.value()  # the sheet of what the form was on
            self.grid.open_sheet(place.id, held_on.year, held_on.month)

    # ---- loading -------------------------------------------------------------------------------

    def load_place_choices(self) -> None:
        self._choices_stale = False
        self.context.run(lambda db, _ctx: gatherings_view.place_choices(db), on_done=self._set_place_choices)

    def _set_place_choices(self, choices: list[PlaceChoice]) -> None:
        self.places.set_choices(choices)
        self.list.set_municipalities(choices)

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches(*_CHOICE_KINDS):
            self._choices_stale = True
        if changes.touches(*_LIST_KINDS):
            self._list_stale = True
        if self.isVisible():  # a hidden screen catches up when it is next shown
            if self._choices_stale:
                self.load_place_choices()
            if self._list_stale:
                self._list_stale = False
                self.list.schedule_refresh()

    def edit_gathering(self, gathering_id: str) -> None:
        """Open a stored gathering in the form (asking first if the form holds unsaved input)."""
        if self.form.has_unsaved_changes() and not self._confirm_replace_form():
            return

        def show(gathering: Gathering) -> None:
            self.tabs.setCurrentIndex(FORM_TAB)
            self.form.load(gathering)
            self.form.focus_first()

        def failed(error: BaseException) -> None:
            if not is_user_error(error):
                raise error
            self.context.status_did_change.emit(str(error))  # deleted meanwhile, from another screen or PC
            self.list.schedule_refresh()

        QueryOp(self, self.context, lambda db, _ctx: records.get(db, Gathering, gathering_id)) \
            .success(show).failure(failed).run_in_background()

    def _confirm_replace_form(self) -> bool:
        answer = QMessageBox.question(
            self, self.title, "入力中の開催記録を保存していません。保存せずに選んだ記録を開きますか？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # ---- screenshots ---------------------------------------------------------------------------

    def _with_latest_gathering(self, show: Callable[[Gathering | None], None]) -> None:
        def job(db, _ctx):
            keys = gatherings_view.list_keys(db, gatherings_view.ListQuery(), limit=1)
            rows = gatherings_view.list_rows(db, keys)
            return records.get(db, Gathering, rows[0].id) if rows else None

        QueryOp(self, self.context, job).success(show).run_in_background()

    def _show_in_form(self, gathering: Gathering | None) -> None:
        if gathering is not None:
            self.tabs.setCurrentIndex(FORM_TAB)
            self.form.load(gathering)

    # The pictures are filled in the background: the screenshot command waits for the database thread.

    def _screenshot_screen(self) -> QWidget:
        self._with_latest_gathering(self._show_in_form)
        return self

    def _screenshot_form(self) -> QWidget:
        self._screenshot_screen()
        return self.form

    def _screenshot_grid(self) -> QWidget:
        """The month before the latest gathering (a whole month), at the place that met most often in it."""
        self.tabs.setCurrentIndex(GRID_TAB)

        def job(db, _ctx):
            keys = gatherings_view.list_keys(db, gatherings_view.ListQuery(), limit=1)
            rows = gatherings_view.list_rows(db, keys)
            if not rows:
                return None
            last = rows[0].held_on.replace(day=1) - timedelta(days=1)
            query = gatherings_view.ListQuery(date_from=last.replace(day=1), date_to=last)
            month = gatherings_view.list_rows(db, gatherings_view.list_keys(db, query, limit=500))
            busiest = Counter(row.place_id for row in month).most_common(1)
            return (busiest[0][0], last.year, last.month) if busiest else None

        QueryOp(self, self.context, job) \
            .success(lambda sheet: sheet is not None and self.grid.open_sheet(*sheet)).run_in_background()
        return self.grid
