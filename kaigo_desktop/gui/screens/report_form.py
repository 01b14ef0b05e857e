"""The conditions of a report: which report, 年度, 区市町村, and the promoter, place or month it needs."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QFormLayout, QLabel, QVBoxLayout, QWidget)

from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year, format_wareki_month, months_of_fiscal_year
from kaigo_desktop.gui.screens.report_kinds import REPORT_KINDS, ReportKind, default_file_name
from kaigo_desktop.gui.widgets.searchable_combo import make_searchable, municipality_texts, set_search_texts
from kaigo_desktop.reports import ReportOptions

ALL_MUNICIPALITIES = "全区市町村"
ALLOW_EMPTY_LABEL = "この年度の記録がなくても作成する（すべて0の報告書）"


def _searchable(combo: QComboBox) -> None:
    """Long lists (thousands of places): type part of a name to narrow the list."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = combo.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)


class ReportForm(QWidget):
    conditions_did_change = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._promoters: list = []  # promoters_view.Choice
        self._places: list = []
        self._today: date | None = None  # the window's today (tests pin it), set by fill()
        self.kind_combo = QComboBox()
        for kind in REPORT_KINDS:
            self.kind_combo.addItem(kind.title, kind.key)
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.fiscal_year_combo = QComboBox()
        self.municipality_combo = QComboBox()
        self.promoter_combo = QComboBox()
        self.place_combo = QComboBox()
        for combo in (self.promoter_combo, self.place_combo):
            _searchable(combo)
            combo.setMinimumContentsLength(24)
        self.month_combo = QComboBox()
        self.suppress_check = QCheckBox("秘匿処理をする（少人数の欄を「<5」「秘匿」に）")
        self.suppress_check.setToolTip("1～4人の欄を「<5」、ほかの表の数字から引き算などで分かってしまう欄を「秘匿」と"
                                       "表示します（二次秘匿）。")
        self.blank_check = QCheckBox("白紙（手書き用、記録を印刷しない）")
        self.empty_check = QCheckBox(ALLOW_EMPTY_LABEL)
        for widget, name in ((self.kind_combo, "report_kind"), (self.fiscal_year_combo, "report_fiscal_year"),
                             (self.municipality_combo, "report_municipality"),
                             (self.promoter_combo, "report_promoter"), (self.place_combo, "report_place"),
                             (self.month_combo, "report_month"), (self.suppress_check, "report_suppress"),
                             (self.blank_check, "report_blank"), (self.empty_check, "report_allow_empty")):
            widget.setObjectName(name)

        form = QFormLayout()
        form.addRow("報告書(&R)", self.kind_combo)
        form.addRow("", self.description_label)
        form.addRow("年度(&Y)", self.fiscal_year_combo)
        form.addRow("区市町村(&M)", self.municipality_combo)
        form.addRow("推進員(&P)", self.promoter_combo)
        form.addRow("通いの場(&L)", self.place_combo)
        form.addRow("月(&T)", self.month_combo)
        form.addRow("", self.suppress_check)
        form.addRow("", self.blank_check)
        form.addRow("", self.empty_check)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)

        self.kind_combo.currentIndexChanged.connect(self._kind_did_change)
        self.fiscal_year_combo.currentIndexChanged.connect(self._fiscal_year_did_change)
        self.municipality_combo.currentIndexChanged.connect(self._municipality_did_change)
        for combo in (self.promoter_combo, self.place_combo, self.month_combo):
            combo.currentIndexChanged.connect(self.conditions_did_change)
        self._kind_did_change()

    # ---- filling -------------------------------------------------------------------------------

    def fill(self, fiscal_years: list[int], municipalities, promoters: list, places: list, today: date,
             default_municipality: str = "") -> None:
        self._promoters, self._places, self._today = promoters, places, today
        self.fiscal_year_combo.blockSignals(True)
        self.fiscal_year_combo.clear()
        for fy in fiscal_years:
            self.fiscal_year_combo.addItem(f"{format_fiscal_year(fy)}（{fy}年度）", fy)
        self.fiscal_year_combo.setCurrentIndex(max(0, self.fiscal_year_combo.findData(fiscal_year_of(today))))
        self.fiscal_year_combo.blockSignals(False)
        self.municipality_combo.blockSignals(True)
        self.municipality_combo.clear()
        self.municipality_combo.addItem(ALL_MUNICIPALITIES, None)
        for municipality in municipalities:
            self.municipality_combo.addItem(municipality.name, municipality.code)
        self.municipality_combo.setCurrentIndex(max(0, self.municipality_combo.findData(default_municipality)))
        make_searchable(self.municipality_combo)  # a typed name, よみ or code chooses too
        set_search_texts(self.municipality_combo, municipality_texts(municipalities))
        self.municipality_combo.blockSignals(False)
        self.month_combo.clear()  # the month shown first is the current one, not one kept from before
        self._fill_months()
        self._fill_people_and_places()

    def _fill_months(self) -> None:
        fiscal_year = self.fiscal_year_combo.currentData()
        kept = self.month_combo.currentData()
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        if self.kind().whole_year_month:
            self.month_combo.addItem("年度全体", None)
        for year, month in months_of_fiscal_year(fiscal_year) if fiscal_year else []:
            self.month_combo.addItem(f"{format_wareki_month(year, month)}（{year}年{month}月）", (year, month))
        today = getattr(self, "_today", None) or date.today()
        wanted = kept if kept is not None else (None if self.kind().whole_year_month else (today.year, today.month))
        index = self.month_combo.findData(wanted)
        if index < 0 and wanted is not None:  # another 年度: the same month of it
            index = next((i for i in range(self.month_combo.count())
                          if (self.month_combo.itemData(i) or (0, 0))[1] == wanted[1]), -1)
        self.month_combo.setCurrentIndex(index if index >= 0 else 0)
        self.month_combo.blockSignals(False)

    def _fill_people_and_places(self) -> None:
        code = self.municipality_combo.currentData()
        for combo, choices in ((self.promoter_combo, self._promoters), (self.place_combo, self._places)):
            kept = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for choice in choices:
                if code is None or choice.municipality_code == code:
                    combo.addItem(choice.label, choice.id)
            combo.setCurrentIndex(max(0, combo.findData(kept)) if combo.count() else -1)
            combo.blockSignals(False)

    # ---- reacting ------------------------------------------------------------------------------

    def kind(self) -> ReportKind:
        return REPORT_KINDS[max(0, self.kind_combo.currentIndex())]

    def _kind_did_change(self) -> None:
        kind = self.kind()
        self.description_label.setText(kind.description)
        self.promoter_combo.setEnabled(kind.uses_promoter)
        self.place_combo.setEnabled(kind.uses_place)
        self.month_combo.setEnabled(kind.uses_month)
        self.blank_check.setEnabled(kind.uses_blank)
        if not kind.uses_blank:
            self.blank_check.setChecked(False)
        # 秘匿処理 is on again every time a report that leaves the office is chosen: turning it off is deliberate.
        self.suppress_check.setEnabled(kind.uses_suppress)
        self.suppress_check.setChecked(kind.uses_suppress)
        # A report of zeros is refused unless asked for, each time a report is chosen.
        self.empty_check.setEnabled(kind.covers_fiscal_year)
        self.empty_check.setChecked(False)
        self.municipality_combo.setToolTip(
            "推進員・通いの場の候補を区市町村で絞り込みます" if kind.uses_promoter or kind.uses_place else "")
        self._fill_months()
        self.conditions_did_change.emit()

    def _fiscal_year_did_change(self) -> None:
        self._fill_months()
        self.conditions_did_change.emit()

    def _municipality_did_change(self) -> None:
        self._fill_people_and_places()
        self.conditions_did_change.emit()

    # ---- reading -------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """What must be chosen before the report can be made, in Japanese."""
        kind, found = self.kind(), []
        if self.fiscal_year_combo.currentData() is None:
            found.append("年度を選んでください。")
        if kind.uses_promoter and self.promoter_combo.currentData() is None:
            found.append("推進員を選んでください（この区市町村には推進員がいません）。")
        if kind.uses_place and self.place_combo.currentData() is None:
            found.append("通いの場を選んでください（この区市町村には通いの場がありません）。")
        return found

    def options(self) -> ReportOptions:
        kind = self.kind()
        return ReportOptions(
            fiscal_year=self.fiscal_year_combo.currentData(),
            municipality_code=self.municipality_combo.currentData(),
            promoter_id=self.promoter_combo.currentData() if kind.uses_promoter else None,
            place_id=self.place_combo.currentData() if kind.uses_place else None,
            month=self.month_combo.currentData() if kind.uses_month else None,
            blank=kind.uses_blank and self.blank_check.isChecked(),
            suppress=kind.uses_suppress and self.suppress_check.isChecked(),
            allow_empty=kind.covers_fiscal_year and self.empty_check.isChecked(),
            # A 年度 in progress is counted to the month before the window's today, not the clock's.
            created=self._today)

    def suggested_file_name(self) -> str:
        kind, options = self.kind(), self.options()
        subject = ""
        if kind.uses_promoter:
            subject = self.promoter_combo.currentText().split("（")[0]
        elif kind.uses_place:
            subject = self.place_combo.currentText()
        scope = self.municipality_combo.currentText() or ALL_MUNICIPALITIES
        return default_file_name(kind, options.fiscal_year, scope, subject, options.month)
