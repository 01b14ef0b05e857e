"""マスタ・設定 › 推進員配置事業の経費: the expenses of one 区市町村 and 年度 by category (備品購入費 recorded
but not eligible), saved all or none, with the subsidy they lead to."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel

from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.domain.validation import count_units
from kaigo_desktop.gui.operations import Then, finish
from kaigo_desktop.gui.screens.masters_common import (
    EditedTablePage,
    YearAndMunicipalityChoice,
    choose_quietly,
    number_text,
    year_and_municipality_combos,
)
from kaigo_desktop.services import masters_view
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.masters_view import ExpenseRow
from kaigo_desktop.services.stats import fiscal_year_stats

COLUMNS = ("経費区分", "金額（円）", "補助対象", "更新者")
CATEGORY, AMOUNT, ELIGIBLE, UPDATED_BY = range(len(COLUMNS))
NOT_ELIGIBLE_COLOR = "#8a8a8a"


def _load(municipality_code: str, fiscal_year: int):
    def job(db, _ctx):
        rows = masters_view.expense_table(db, municipality_code, fiscal_year)
        stats = fiscal_year_stats(db, fiscal_year, municipality_code)
        entry = next((e for e in stats.promoters_by_municipality if e.code == municipality_code), None)
        return rows, entry
    return job


class ExpensesPage(YearAndMunicipalityChoice, EditedTablePage):
    title = "推進員配置事業の経費"
    DISCARD_WHAT = "経費"
    YEARS_AHEAD = 1

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.rows: list[ExpenseRow] = []
        self._shown: tuple[str, int] | None = None  # (区市町村, 年度) the table holds

        self.fiscal_year_combo, self.municipality_combo = year_and_municipality_combos("expenses")
        self.totals_label = QLabel("")
        self.totals_label.setObjectName("expenses_totals")
        self.totals_label.setWordWrap(True)
        self.build_page(
            "expenses", COLUMNS, (("年度(&Y)", self.fiscal_year_combo), ("区市町村(&M)", self.municipality_combo)),
            "介護予防・フレイル予防推進員配置事業の経費を区分ごとに入力します（円）。"
            "備品購入費は補助対象外です。空欄にして保存すると、その区分の金額を削除します。",
            below_table=(self.totals_label,))
        self.fiscal_year_combo.currentIndexChanged.connect(self._choice_changed)
        self.municipality_combo.currentIndexChanged.connect(self._choice_changed)

    # ---- loading -------------------------------------------------------------------------------

    def select(self, municipality_code: str, fiscal_year: int) -> None:
        choose_quietly(self.municipality_combo, municipality_code)
        choose_quietly(self.fiscal_year_combo, fiscal_year)
        self.reload()

    def reload(self) -> None:
        selection = self.selection()
        if selection is None:
            return
        self.context.run(_load(*selection), on_done=lambda result: self._fill(selection, *result))

    def _fill(self, selection: tuple[str, int], rows: list[ExpenseRow], subsidy_entry) -> None:
        self._shown = selection
        self.rows = rows
        grey = QBrush(QColor(NOT_ELIGIBLE_COLOR))
        with self.edits.filling():
            self.table.setRowCount(len(rows))
            for index, row in enumerate(rows):
                texts = (row.category, number_text(row.amount), "対象" if row.eligible else "対象外", row.updated_by)
                for column, text in enumerate(texts):
                    item = self.put_cell(index, column, text, editable=column == AMOUNT, number=column == AMOUNT)
                    if not row.eligible and column != AMOUNT:
                        item.setForeground(grey)
                        item.setToolTip("備品購入費は補助対象経費に含まれません。")
        self._show_totals(subsidy_entry)

    def _show_totals(self, subsidy_entry) -> None:
        eligible = sum(row.amount or 0 for row in self.rows if row.eligible)
        excluded = sum(row.amount or 0 for row in self.rows if not row.eligible)
        lines = [f"補助対象経費の合計: {eligible:,}円　　補助対象外（備品購入費）: {excluded:,}円"]
        if subsidy_entry is not None and self._shown:
            cap = "不明（人口未入力）" if subsidy_entry.cap is None else f"{subsidy_entry.cap}人"
            lines.append(f"{format_fiscal_year(self._shown[1])}の推進員 {subsidy_entry.placed}人（上限 {cap}）"
                         f"　基準額 {subsidy_entry.subsidy.base:,}円　補助所要額 {subsidy_entry.subsidy.claim:,}円")
        self.totals_label.setText("\n".join(lines))

    # ---- editing -------------------------------------------------------------------------------

    def discard_changes(self) -> None:
        self.edits.put_back()
        self.message.clear_message()

    def save(self, then: Then | None = None) -> None:
        if self._shown is None or not self.has_unsaved_changes():
            finish(then, True)
            return
        amounts: dict[str, int | None] = {}
        problems = []
        for row in self.edits.changed_rows():
            category = self.rows[row].category
            try:
                amounts[category] = parse_count(self.table.item(row, AMOUNT).text(), field_label=category,
                                               units=count_units("amount"))
            except ValueError as error:
                problems.append(str(error))
        code, fiscal_year = self._shown
        today = self.today()
        self.write_edits(then, problems,
                         lambda db, _ctx: masters_view.save_expenses(db, code, fiscal_year, amounts, today),
                         Changes.of("expenses"), lambda count: f"{count}件の経費を保存しました。")
