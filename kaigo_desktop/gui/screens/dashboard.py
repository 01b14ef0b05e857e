"""集計 screen: the headline figures of one 年度 for all 区市町村 or one, with bar charts of places by program
type and of attendance by month; computed on the database thread, only while the screen is shown."""

from __future__ import annotations

import sys
from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year
from kaigo_desktop.domain.vocab import PROGRAM_LABELS
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.masters_common import add_choosers, year_and_municipality_combos
from kaigo_desktop.gui.widgets.bar_chart import HorizontalBarChart
from kaigo_desktop.gui.widgets.completeness_table import completeness_table, show_completeness
from kaigo_desktop.gui.widgets.outcome_figures import OutcomeFigures
from kaigo_desktop.gui.widgets.dashboard_figures import (
    WARNING_COLOR,
    FrequencyTable,
    HeadlineFigures,
    PromoterCapTable,
)
from kaigo_desktop.services import masters_view, overview
from kaigo_desktop.services import settings as settings_service
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.stats import FiscalYearStats, fiscal_year_stats
from kaigo_desktop.services.submission_checks import Completeness, completeness_of
from kaigo_desktop.storage.errors import StorageError

ALL_MUNICIPALITIES = "全区市町村"
# What the figures are computed from (settings: the survey month); a change to trust or conflicts does not count.
SHOWN_KINDS = ("places", "gatherings", "promoters", "assignments", "activities", "centers", "members",
               "population", "expenses", "settings", "participants", "participant_places", "frailty_checks")
REFRESH_DELAY_MS = 400  # several saves in a row cause one recomputation


def _compute(fiscal_year: int, municipality_code: str | None, today: date):
    def job(db, _ctx) -> tuple[FiscalYearStats, int, Completeness, list]:
        from kaigo_desktop.reports.outcome_tables import outcome_rows
        from kaigo_desktop.services.outcomes import outcomes

        stats = fiscal_year_stats(db, fiscal_year, municipality_code, today)
        outcome, _suppressor = outcome_rows(outcomes(db, fiscal_year, municipality_code=municipality_code))
        return (stats, settings_service.load(db).survey_reference_month,
                completeness_of(db, fiscal_year, municipality_code, today), outcome)
    return job


class DashboardScreen(Screen):
    title = "集計"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self._choices_loaded = False
        self._stale = True
        self._request = 0  # results of an older request (the user changed the 年度 meanwhile) are dropped
        self.stats: FiscalYearStats | None = None
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)

        self.fiscal_year_combo, self.municipality_combo = year_and_municipality_combos("dashboard")
        self.municipality_combo.addItem(ALL_MUNICIPALITIES, None)
        self.refresh_button = QPushButton("再計算")
        self.state_label = QLabel("")
        self.state_label.setWordWrap(True)  # 「令和8年度・全区市町村　令和8年11月30日現在（年度途中）」 at 200 %
        bar = QHBoxLayout()
        add_choosers(bar, (("年度(&Y)", self.fiscal_year_combo), ("区市町村(&M)", self.municipality_combo)))
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.state_label, 1)

        self.warnings_label = QLabel("")
        self.warnings_label.setObjectName("dashboard_warnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet(f"color: {WARNING_COLOR}; font-weight: bold;")
        self.warnings_label.hide()

        self.figures = HeadlineFigures()
        self.program_chart = HorizontalBarChart("プログラム種別ごとの通いの場（か所）")
        self.month_chart = HorizontalBarChart("月別の延べ参加者数（人）")
        self.frequency_table = FrequencyTable()
        self.promoter_table = PromoterCapTable()
        self.completeness_table = completeness_table("dashboard_completeness")
        self.outcome_table = OutcomeFigures()

        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(self.figures, 0, 0, 1, 2)
        grid.addWidget(self.program_chart, 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.month_chart, 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self._group("開催頻度別の通いの場（か所）", self.frequency_table), 2, 0,
                       Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self._group("推進員の配置と補助対象の上限", self.promoter_table), 2, 1,
                       Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self._group("報告状況（月別）: 開催記録のある通いの場／活動中の通いの場", self.completeness_table),
                       3, 0, 1, 2)
        grid.addWidget(self._group("通いの場参加者のフレイル状態（基本チェックリスト・人、少人数は秘匿）",
                                   self.outcome_table), 4, 0, 1, 2)
        grid.setRowStretch(5, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.warnings_label)
        layout.addWidget(scroll, 1)

        self.fiscal_year_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.municipality_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        context.changes_did_happen.connect(self._changes_happened)

    @staticmethod
    def _group(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(widget)
        return box

    def _today(self) -> date:
        # The main window carries the app's "today" (tests pin it); a screen on its own uses the clock.
        return getattr(self.window(), "today", None) or date.today()

    # ---- Screen --------------------------------------------------------------------------------

    def activate(self) -> None:
        if not self._choices_loaded:
            self._load_choices()
        elif self._stale:
            self.refresh()

    def screenshot_views(self):
        return [("dashboard", lambda: self)]

    # ---- loading -------------------------------------------------------------------------------

    def _load_choices(self) -> None:
        today = self._today()
        self.state_label.setText(words.LOADING)
        self.context.run(
            lambda db, _ctx: (masters_view.fiscal_year_choices(db, today), overview.municipalities(db)),
            on_done=lambda result: self._fill_choices(*result, today), on_error=self._show_error)

    def _fill_choices(self, fiscal_years: list[int], municipalities, today: date) -> None:
        for combo in (self.fiscal_year_combo, self.municipality_combo):
            combo.blockSignals(True)
        for fy in fiscal_years:
            self.fiscal_year_combo.addItem(f"{format_fiscal_year(fy)}（{fy}年度）", fy)
        self.fiscal_year_combo.setCurrentIndex(max(0, self.fiscal_year_combo.findData(fiscal_year_of(today))))
        for municipality in municipalities:
            self.municipality_combo.addItem(municipality.name, municipality.code)
        for combo in (self.fiscal_year_combo, self.municipality_combo):
            combo.blockSignals(False)
        self._choices_loaded = True
        self.refresh()

    def selected_fiscal_year(self) -> int | None:
        return self.fiscal_year_combo.currentData()

    def select(self, fiscal_year: int, municipality_code: str | None = None) -> None:
        """Choose a 年度 and 区市町村 (None = all) as the user would; recomputes."""
        self.municipality_combo.blockSignals(True)
        self.municipality_combo.setCurrentIndex(max(0, self.municipality_combo.findData(municipality_code)))
        self.municipality_combo.blockSignals(False)
        index = self.fiscal_year_combo.findData(fiscal_year)
        if index < 0:
            self.fiscal_year_combo.addItem(f"{format_fiscal_year(fiscal_year)}（{fiscal_year}年度）", fiscal_year)
            index = self.fiscal_year_combo.count() - 1
        if index == self.fiscal_year_combo.currentIndex():
            self.refresh()
        else:
            self.fiscal_year_combo.setCurrentIndex(index)

    def refresh(self) -> None:
        fiscal_year = self.selected_fiscal_year()
        if fiscal_year is None:
            return
        self._request += 1
        request = self._request
        self._stale = False
        self.state_label.setText("集計中…")
        self.context.run(_compute(fiscal_year, self.municipality_combo.currentData(), self._today()),
                         on_done=lambda result: self._show(request, *result),
                         on_error=self._show_error)

    def is_busy(self) -> bool:
        return self.state_label.text() in ("集計中…", words.LOADING)

    def _changes_happened(self, changes: Changes) -> None:
        if not changes.touches(*SHOWN_KINDS):
            return
        self._stale = True
        if self.isVisible() and self._choices_loaded:
            self._refresh_timer.start()

    # ---- showing -------------------------------------------------------------------------------

    def _show(self, request: int, stats: FiscalYearStats, survey_month: int, completeness: Completeness,
              outcome: list) -> None:
        if request != self._request:
            return
        self.stats = stats
        self.figures.show_stats(stats, survey_month)
        self.program_chart.set_data([(PROGRAM_LABELS[code], count)
                                     for code, count in stats.places_by_program.items()])
        self.month_chart.set_data([(f"{int(month[5:])}月", total)
                                   for month, total in stats.attendance_by_month.items()])
        self.frequency_table.show_stats(stats)
        self.promoter_table.show_stats(stats)
        show_completeness(self.completeness_table, completeness)
        self._fit_completeness_height()
        self.outcome_table.show_rows(outcome)
        self.warnings_label.setText("\n".join(f"⚠ {warning}" for warning in stats.warnings))
        self.warnings_label.setVisible(bool(stats.warnings))
        scope = self.municipality_combo.currentText()
        as_of = f"　{stats.in_progress_label}" if stats.in_progress_label else ""
        self.state_label.setText(f"{format_fiscal_year(stats.fiscal_year)}・{scope}{as_of}")

    def _fit_completeness_height(self) -> None:
        """The whole table shows in the scrolling page: no scroll area inside a scroll area."""
        table = self.completeness_table
        table.resizeRowsToContents()
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        scrollbar = table.horizontalScrollBar().sizeHint().height()
        table.setFixedHeight(table.horizontalHeader().height() + rows + scrollbar + 2 * table.frameWidth())

    def _show_error(self, error: BaseException) -> None:
        self.state_label.setText(f"集計できませんでした: {error}")
        if not isinstance(error, StorageError):  # a bug: logged and reported by the exception hook
            sys.excepthook(type(error), error, error.__traceback__)
