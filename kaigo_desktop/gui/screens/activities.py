"""活動記録 screen: promoter activities filtered by promoter, 年度 (the current one first) and kind, sorted by
the database, with the totals of what is listed, beside the detail form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year, format_wareki
from kaigo_desktop.domain.records import Activity
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.screens.activity_form import ActivityForm
from kaigo_desktop.gui.screens.list_detail_screen import Job, ListDetailScreen
from kaigo_desktop.gui.widgets import column_widths as widths
from kaigo_desktop.gui.widgets.rows_table_model import Column
from kaigo_desktop.gui.widgets.type_ahead_combo import TypeAheadCombo
from kaigo_desktop.services import activities_view, promoters_view, records
from kaigo_desktop.services.activities_view import ActivityFilter, ActivityList, ActivityRow, format_minutes

ACTIVITY_COLUMNS: list[Column[ActivityRow]] = [
    Column("活動日", lambda r: format_wareki(r.activity.done_on), "done_on", width_sample=widths.DATE),
    Column("推進員", lambda r: r.promoter_name, "promoter", width_sample="長谷川 佳代子"),
    Column("活動区分", lambda r: r.activity.kind, "kind", width_sample="フレイル予防プログラムの普及"),
    Column("通いの場", lambda r: r.place_name, "place", width_sample="さくら町いきいき体操"),
    Column("時間（分）", lambda r: "" if r.activity.minutes is None else f"{r.activity.minutes:,}", "minutes",
           numeric=True, width_sample=widths.SMALL_COUNT),
    Column("内容", lambda r: r.activity.summary.replace("\n", " "), "summary"),
]


def _reference_and_years(today: date) -> Job:
    return lambda db: (promoters_view.reference_lists(db), activities_view.activity_fiscal_years(db, today))


class ActivitiesScreen(ListDetailScreen):
    title = "活動記録"
    record_label = "活動記録"
    list_tables = ("activities", "promoters", "places")
    default_order = ("done_on", True)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.count_label.setStyleSheet("font-weight: bold;")
        self.promoter_filter.value_did_change.connect(self.filters_changed)
        self.year_filter.currentIndexChanged.connect(lambda _index: self.filters_changed())
        self.kind_filter.currentIndexChanged.connect(lambda _index: self.filters_changed())

    # ---- pieces --------------------------------------------------------------------------------

    def columns(self) -> Sequence[Column]:
        return ACTIVITY_COLUMNS

    def build_filters(self, bar: QHBoxLayout) -> None:
        self.promoter_filter = TypeAheadCombo(none_label="すべての推進員")
        self.year_filter = QComboBox()
        current = fiscal_year_of(self.today())
        self.year_filter.addItem(format_fiscal_year(current), current)
        self.year_filter.addItem("すべての年度", None)
        self.kind_filter = QComboBox()
        self.kind_filter.addItem("すべての区分", None)
        for label, widget, stretch in (("推進員", self.promoter_filter, 2), ("年度", self.year_filter, 1),
                                       ("活動区分", self.kind_filter, 2)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget, stretch)

    def detail_widget(self) -> QWidget:
        self.form = ActivityForm(self.context, lambda: self.today())
        return self.form

    def reference_job(self) -> Job:
        return _reference_and_years(self.today())

    def apply_reference(self, result: Any) -> None:
        reference, years = result
        self.reference = reference
        self.form.set_reference(reference)
        self.promoter_filter.blockSignals(True)
        self.promoter_filter.set_choices([(c.id, c.label, c.kana) for c in reference.promoters])
        self.promoter_filter.blockSignals(False)
        self._fill_combo(self.kind_filter, "すべての区分", [(k, k) for k in reference.activity_kinds])
        self._fill_combo(self.year_filter, "すべての年度", [(format_fiscal_year(y), y) for y in years],
                         default=fiscal_year_of(self.today()), none_last=True)

    @staticmethod
    def _fill_combo(combo: QComboBox, none_label: str, items: list[tuple[str, object]], *,
                    default: object = None, none_last: bool = False) -> None:
        """Replace the items keeping the choice (or `default` the first time)."""
        chosen = combo.currentData() if combo.property("filled") else default
        combo.blockSignals(True)
        combo.clear()
        if not none_last:
            combo.addItem(none_label, None)
        for label, value in items:
            combo.addItem(label, value)
        if none_last:
            combo.addItem(none_label, None)
        index = combo.findData(chosen)
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.setProperty("filled", True)
        combo.blockSignals(False)

    def current_filter(self) -> ActivityFilter:
        return ActivityFilter(str(self.promoter_filter.value() or "") or None, self.year_filter.currentData(),
                              self.kind_filter.currentData(), self.show_deleted.isChecked())

    def list_job(self) -> Job:
        flt, order_by, descending = self.current_filter(), self.order_by, self.descending
        return lambda db: activities_view.list_activities(db, flt, order_by=order_by, descending=descending)

    def apply_list(self, result: ActivityList) -> list[Any]:
        shown = "" if len(result.rows) == result.count else f"（先頭{len(result.rows):,}件を表示）"
        count = f"{result.count:,}件　合計時間 {format_minutes(result.minutes)}（{result.minutes:,}分）{shown}"
        self.count_label.setText(words.counted(count, in_trash=self.show_deleted.isChecked()))
        return result.rows

    def row_id(self, row: ActivityRow) -> str:
        return row.activity.id

    def row_label(self, row: ActivityRow) -> str:
        return words.activity_label(format_wareki(row.activity.done_on), row.promoter_name, row.activity.kind)

    def shown_id(self) -> str:
        loaded = self.form.loaded()
        return loaded.id if loaded else ""

    def show_row(self, row: ActivityRow | None, *, deleted: bool) -> None:
        self.form.set_record(row.activity if row is not None else None, read_only=deleted)

    def remove_job(self, row: ActivityRow) -> Job:
        activity_id = row.activity.id
        return lambda db: records.remove(db, Activity, activity_id)

    def restore_job(self, row: ActivityRow) -> Job:
        activity_id = row.activity.id
        return lambda db: records.restore(db, Activity, activity_id)

    # ---- the Screen interface ------------------------------------------------------------------

    def write_widgets(self) -> list[QWidget]:
        return [*super().write_widgets(), *self.form.write_widgets()]

    def new_record(self) -> bool:
        if self.read_only or self.reference is None or self.show_deleted.isChecked():
            return False
        return self.when_left(self._start_new_activity)

    def _start_new_activity(self) -> None:
        shown = self.form.loaded()
        promoter_id = self.promoter_filter.value() or (shown.promoter_id if shown else None)
        self.clear_selection()
        self.form.set_record(self.form.new_activity(str(promoter_id or "") or None))
        (self.form.done_on if promoter_id else self.form.promoter).setFocus()

    def focus_search(self) -> bool:
        self.promoter_filter.setFocus()
        self.promoter_filter.lineEdit().selectAll()
        return True

    def screenshot_views(self) -> list[tuple[str, Callable[[], QWidget]]]:
        return [("ActivitiesScreen", lambda: self._filled(self)), ("ActivityForm", lambda: self._filled(self.form))]

    def _filled(self, widget: QWidget) -> QWidget:
        """Show the first activity, for a screenshot."""
        self.show_first_row()
        return widget
