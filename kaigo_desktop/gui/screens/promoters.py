"""推進員 screen: the promoters (search, 区市町村 filter, trash), the detail form with the cap warning, and
each promoter's assignments to 通いの場 over time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QTabWidget, QWidget

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import format_wareki, format_wareki_short
from kaigo_desktop.domain.records import Promoter
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.screens.promoter_assignments import AssignmentsPanel
from kaigo_desktop.gui.screens.promoter_form import PromoterForm
from kaigo_desktop.gui.screens.list_detail_screen import Job, ListDetailScreen
from kaigo_desktop.gui.widgets import column_widths as widths
from kaigo_desktop.gui.widgets.rows_table_model import Column
from kaigo_desktop.services import promoters_view, records
from kaigo_desktop.services.promoters_view import PromoterFilter, PromoterRow, ReferenceLists

SEARCH_DELAY_MS = 150


def placement_text(promoter: Promoter, *, short: bool = False) -> str:
    """「令和4年4月1日～在職中」, or short 「R4.4.1～在職中」 as lists and spreadsheets write it."""
    show = format_wareki_short if short else format_wareki
    end = show(promoter.end_date) if promoter.end_date else "在職中"
    return f"{show(promoter.start_date)}～{end}"


PROMOTER_COLUMNS: list[Column[PromoterRow]] = [
    Column("氏名", lambda r: r.promoter.name, "kana", width_sample="長谷川 佳代子"),
    Column("フリガナ", lambda r: r.promoter.kana, "kana", width_sample="ハセガワケンイチロウ"),
    Column("区市町村", lambda r: r.municipality_name, "municipality", width_sample="西東京市"),
    Column("職種", lambda r: r.promoter.qualification, "qualification", width_sample="主任介護支援専門員"),
    Column("配置期間", lambda r: placement_text(r.promoter, short=True), "start_date",
           tooltip=lambda r: placement_text(r.promoter), width_sample=f"{widths.SHORT_DATE}～在職中"),
    Column("担当通いの場", lambda r: f"{r.place_count}か所", "place_count", numeric=True,
           width_sample=f"{widths.SMALL_COUNT}か所"),
]


class PromotersScreen(ListDetailScreen):
    title = "推進員"
    record_label = "推進員"
    list_tables = ("promoters", "assignments")
    default_order = ("kana", False)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.assignments.rows_did_load.connect(
            lambda count: self.tabs.setTabText(1, f"担当通いの場（{count}）" if count else "担当通いの場"))
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.filters_changed)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.municipality_filter.currentIndexChanged.connect(lambda _index: self.filters_changed())
        self.form.record_did_save.connect(lambda saved: self._saved(saved.promoter))

    # ---- pieces --------------------------------------------------------------------------------

    def columns(self) -> Sequence[Column]:
        return PROMOTER_COLUMNS

    def build_filters(self, bar: QHBoxLayout) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("氏名・フリガナで検索（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.municipality_filter = QComboBox()
        self.municipality_filter.addItem("すべての区市町村", None)
        bar.addWidget(QLabel("検索"))
        bar.addWidget(self.search, 2)
        bar.addWidget(QLabel("区市町村"))
        bar.addWidget(self.municipality_filter, 1)

    def detail_widget(self) -> QWidget:
        today: Callable[[], date] = lambda: self.today()  # noqa: E731 - tests may replace self.today
        self.form = PromoterForm(self.context, today)
        self.assignments = AssignmentsPanel(self.context, today)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.form, "基本情報")
        self.tabs.addTab(self.assignments, "担当通いの場")
        return self.tabs

    def apply_reference(self, reference: ReferenceLists) -> None:
        self.reference = reference
        self.form.set_reference(reference)
        self.assignments.set_reference(reference)
        chosen = self.municipality_filter.currentData()
        self.municipality_filter.blockSignals(True)
        self.municipality_filter.clear()
        self.municipality_filter.addItem("すべての区市町村", None)
        for choice in reference.filter_municipalities:
            self.municipality_filter.addItem(choice.label, choice.id)
        self.municipality_filter.setCurrentIndex(max(0, self.municipality_filter.findData(chosen)))
        self.municipality_filter.blockSignals(False)

    def current_filter(self) -> PromoterFilter:
        return PromoterFilter(self.search.text(), self.municipality_filter.currentData(),
                              self.show_deleted.isChecked())

    def list_job(self) -> Job:
        flt = self.current_filter()
        order_by, descending, today = self.order_by, self.descending, self.today()
        return lambda db: promoters_view.list_promoters(db, flt, today=today, order_by=order_by,
                                                        descending=descending)

    def apply_list(self, result: Any) -> list[Any]:
        rows = list(result)
        self.count_label.setText(words.counted(f"{len(rows)}人", in_trash=self.show_deleted.isChecked()))
        return rows

    def row_id(self, row: PromoterRow) -> str:
        return row.promoter.id

    def row_label(self, row: PromoterRow) -> str:
        return row.promoter.name

    def shown_id(self) -> str:
        loaded = self.form.loaded()
        return loaded.id if loaded else ""

    def show_row(self, row: PromoterRow | None, *, deleted: bool) -> None:
        promoter = row.promoter if row is not None else None
        self.form.set_record(promoter, read_only=deleted)
        self.assignments.set_promoter(promoter)

    def remove_job(self, row: PromoterRow) -> Job:
        promoter_id = row.promoter.id
        return lambda db: records.remove(db, Promoter, promoter_id)

    def restore_job(self, row: PromoterRow) -> Job:
        promoter_id, today = row.promoter.id, self.today()
        return lambda db: promoters_view.restore_promoter(db, promoter_id, today=today)

    def after_restore(self, result: Any) -> None:
        if result and result is not True:
            QMessageBox.warning(self, "推進員の配置人数", "元に戻しました。ただし次の点に注意してください。\n\n"
                                + "\n".join(result))

    def _saved(self, promoter: Promoter) -> None:
        self.assignments.set_promoter(promoter)

    # ---- the Screen interface ------------------------------------------------------------------

    def write_widgets(self) -> list[QWidget]:
        return [*super().write_widgets(), *self.form.write_widgets(), *self.assignments.write_widgets()]

    def delete_selected(self) -> bool:
        if self.read_only:
            return False
        if self.assignments.table.hasFocus():  # Delete pressed on an assignment: that is what goes
            return self.assignments.remove_selected()
        return super().delete_selected()

    def new_record(self) -> bool:
        if self.read_only or self.reference is None or self.show_deleted.isChecked():
            return False
        return self.when_left(self._start_new_promoter)

    def _start_new_promoter(self) -> None:
        self.clear_selection()
        self.form.set_record(self.form.new_promoter(self._default_municipality(),
                                                    self.context.defaults.center))
        self.assignments.set_promoter(None)
        self.tabs.setCurrentWidget(self.form)
        self.form.name.setFocus()

    def _default_municipality(self) -> str:
        """The list's filter, else the database's default (a code or a name), else nothing."""
        if self.municipality_filter.currentData():
            return str(self.municipality_filter.currentData())
        wanted = self.context.defaults.municipality
        choices = self.reference.municipalities if self.reference else []
        return next((c.id for c in choices if wanted and wanted in (c.id, c.label)), "")

    def focus_search(self) -> bool:
        self.search.setFocus()
        self.search.selectAll()
        return True

    def screenshot_views(self) -> list[tuple[str, Callable[[], QWidget]]]:
        return [("PromotersScreen", lambda: self._filled(self)),
                ("PromoterForm", lambda: self._filled(self.form)),
                ("PromoterAssignments", lambda: self._filled(self.assignments))]

    def _filled(self, widget: QWidget) -> QWidget:
        """Show the first promoter, for a screenshot."""
        if widget is self.assignments:
            self.tabs.setCurrentWidget(self.assignments)  # laid out in the window, as a user sees it
        elif widget is self.form:
            self.tabs.setCurrentWidget(self.form)
        self.show_first_row(self.assignments.reload if widget is self.assignments else None)
        return widget
