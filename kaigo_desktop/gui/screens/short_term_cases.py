"""参加者 › 短期集中予防サービス (issue 19): every case of a 年度 (referred in it or served in it: the domain's
in_fiscal_year) and center, as the services let the user see them — participant numbers always, names only
for the center's staff and the 区市町村管理者 — with 開く (the case form, read-only for whom may not write it)
and 削除. New cases start from a participant (its 短期集中予防サービス tab): the form needs their checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, read_failure_on
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.participant_cases import OPEN, may_write
from kaigo_desktop.gui.screens.short_term_case_form import KIND, CaseDialog
from kaigo_desktop.gui.screens.short_term_case_list import CaseTable
from kaigo_desktop.gui.widgets.dialog_parts import button_row, stacked
from kaigo_desktop.gui.widgets.record_messages import confirm_delete
from kaigo_desktop.gui.widgets.side_by_side import SideBySideRow
from kaigo_desktop.services import masters_view, promoters_view, short_term_cases
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.short_term_cases import CaseView

SHOWN_KINDS = (KIND, "participants", "frailty_checks", "places", "centers")
NEW_HINT = "新しい記録は、参加者の「短期集中予防サービス」タブで追加します。"


class ShortTermCasesScreen(Screen):
    title = "短期集中予防サービス"

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.today: Callable[[], date] = date.today
        self.dialog: CaseDialog | None = None
        self.rows_loaded = False
        self._stale = True
        self._request = 0
        self._waiting: list[Callable[[], None]] = []
        self.fiscal_year_filter = QComboBox()
        self.fiscal_year_filter.setObjectName("cases_fiscal_year")
        self.center_filter = QComboBox()
        self.center_filter.setObjectName("cases_center")
        self.fiscal_year_filter.addItem("すべての年度", None)
        self.center_filter.addItem("すべてのセンター", None)
        filters = QHBoxLayout()
        for label, combo in (("年度(&Y)", self.fiscal_year_filter), ("センター", self.center_filter)):
            caption = QLabel(label)
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo, 1)
        hint = QLabel(NEW_HINT)
        hint.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(hint, 1)
        self.table = CaseTable("short_term_cases", with_people=True)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.open_button = QPushButton(OPEN)
        self.delete_button = QPushButton(f"{words.DELETE}…")
        stacked(self, SideBySideRow(filters, actions), (self.table, 1), self.count_label,
                button_row(left=(self.delete_button,), right=(self.open_button,)))
        for combo in (self.fiscal_year_filter, self.center_filter):
            combo.currentIndexChanged.connect(lambda _i: self.reload_list())
        self.open_button.clicked.connect(lambda _checked=False: self.open_chosen())
        self.delete_button.clicked.connect(lambda _checked=False: self.delete_selected())
        self.table.activated.connect(lambda _index: self.open_chosen())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._update_buttons())
        context.changes_did_happen.connect(self._changes_happened)
        self._update_buttons()

    # ---- loading -------------------------------------------------------------------------------

    def activate(self) -> None:
        if self._stale:
            self.reload_choices()

    def reload_choices(self) -> None:
        self._stale = False
        today = self.today()
        self.context.run(lambda db, _ctx: (masters_view.fiscal_year_choices(db, today),
                                           promoters_view.center_choices(db)),
                         on_done=lambda found: self._fill_choices(*found), on_error=read_failure_on(self.count_label))

    def _fill_choices(self, years: list[int], centers: list) -> None:
        first_time = self.fiscal_year_filter.count() == 1
        for combo, items in ((self.fiscal_year_filter, [(format_fiscal_year(y), y) for y in years]),
                             (self.center_filter, [(c.label, c.id) for c in centers])):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for label, data in items:
                combo.addItem(label, data)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        if first_time:  # the current 年度 to start with
            self.fiscal_year_filter.blockSignals(True)
            self.fiscal_year_filter.setCurrentIndex(max(0, self.fiscal_year_filter.findData(
                fiscal_year_of(self.today()))))
            self.fiscal_year_filter.blockSignals(False)
        self.reload_list()

    def reload_list(self, then: Callable[[], None] | None = None) -> None:
        """Read the list again; `then` runs once the latest list asked for is shown (a newer request — the
        filters filled meanwhile — does not drop it)."""
        self._request += 1
        request = self._request
        if then is not None:
            self._waiting.append(then)
        fiscal_year, center_id = self.fiscal_year_filter.currentData(), self.center_filter.currentData()

        def loaded(views: list[CaseView]) -> None:
            if request != self._request:
                return
            self.table.set_views(views, self.table.chosen_id())
            self.rows_loaded = True
            people = len({v.case.participant_id for v in views})
            hidden = views and not any(v.identity_shown for v in views)
            self.count_label.setText(f"{len(views)}件（{people}人）"
                                     + ("（氏名は表示できる権限がないため非表示）" if hidden else ""))
            self._update_buttons()
            waiting, self._waiting = self._waiting, []
            for then in waiting:
                then()

        QueryOp(self, self.context, lambda db, _ctx: short_term_cases.list_cases(
            db, center_id=center_id, fiscal_year=fiscal_year)).success(loaded) \
            .failure(read_failure_on(self.count_label)).run_in_background()

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches(*SHOWN_KINDS):
            self._stale = True
            if self.isVisible():
                self.activate()

    def _update_buttons(self) -> None:
        chosen = self.table.chosen()
        self.open_button.setEnabled(chosen is not None)
        self.delete_button.setEnabled(chosen is not None and may_write(self.context, chosen.center_id))

    # ---- the cases -----------------------------------------------------------------------------

    def open_chosen(self, *, show: bool = True) -> CaseDialog | None:
        chosen = self.table.chosen()
        if chosen is None:
            return None
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog.deleteLater()  # the last one closed: not kept for the window's life
        self.dialog = CaseDialog(self.context, chosen.case.participant_id, chosen.case.id, today=self.today,
                                 parent=self)
        if show:
            self.dialog.setModal(True)
            self.dialog.show()
        return self.dialog

    def delete_selected(self) -> bool:
        chosen = self.table.chosen()
        if self.read_only or chosen is None or not may_write(self.context, chosen.center_id):
            return False
        if not confirm_delete(self, f"参加者番号 {chosen.number} の短期集中予防サービスの記録"):
            return True
        case_id = chosen.case.id
        CollectionOp(self, self.context, lambda db, _ctx: short_term_cases.remove_case(db, case_id),
                     changes=Changes.of(KIND, [case_id])) \
            .disabling(self.delete_button) \
            .run_in_background()  # a refusal (the rights …) is shown in a message box
        return True

    def focus_search(self) -> bool:
        self.fiscal_year_filter.setFocus()
        return True

    def write_widgets(self) -> list[QWidget]:
        return [self.delete_button]

    def screenshot_views(self) -> list[tuple[str, Callable[[], QWidget]]]:
        return [("short_term_cases", self._first_chosen), ("short_term_case_form", self._first_opened)]

    def _first_chosen(self) -> QWidget:
        """For a screenshot: the list read and its first case chosen."""
        def pick() -> None:
            if self.table.case_model.rowCount() and self.table.chosen() is None:
                self.table.selectRow(0)
        if self.rows_loaded:
            pick()
        else:
            self.reload_list(then=pick)
        return self

    def _first_opened(self) -> QWidget:
        """For a screenshot: the form of the case chosen (one with a re-assessment, if any)."""
        index = self.table.case_model.find_row(lambda v: v.case.reassessed_on is not None)
        if index >= 0:
            self.table.selectRow(index)
        return self.open_chosen(show=False) or self  # the screenshot shows it while taking the picture
