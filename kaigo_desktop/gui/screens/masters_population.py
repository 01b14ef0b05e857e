"""マスタ・設定 › 65歳以上人口: the 65+ (and 75+) population of every 区市町村 for one 年度, edited in a table
and saved all rows or none (services.masters_view.save_population, which adds Population records)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QComboBox

from kaigo_desktop.domain.fiscal import DateParseError, fiscal_year_of, format_wareki, parse_typed_date
from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.domain.validation import count_units
from kaigo_desktop.gui.operations import Then, finish
from kaigo_desktop.gui.screens.masters_common import (
    EditedTablePage,
    choose_quietly,
    confirm_discard,
    fill_fiscal_years,
    number_text,
)
from kaigo_desktop.services import masters_view
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.masters_view import PopulationEntry, PopulationRow

COLUMNS = ("区市町村", "65歳以上人口（人）", "うち75歳以上（人）", "基準日", "更新者")
NAME, POP65, POP75, REFERENCE, UPDATED_BY = range(len(COLUMNS))
EDITABLE = (POP65, POP75, REFERENCE)


class PopulationPage(EditedTablePage):
    title = "65歳以上人口"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.rows: list[PopulationRow] = []

        self.fiscal_year_combo = QComboBox()
        self.fiscal_year_combo.setObjectName("population_fiscal_year")
        self.fiscal_year_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.build_page(
            "population", COLUMNS, (("年度(&Y)", self.fiscal_year_combo),),
            "住民基本台帳の人口を入力します。参加率と推進員の上限（65歳以上人口 1万人以上で2人、未満で1人）"
            "の計算に使います。空欄にして保存すると、その年度の人口を削除します（ごみ箱に入ります）。")
        self.save_button.setObjectName("population_save")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.fiscal_year_combo.currentIndexChanged.connect(self._fiscal_year_changed)
        self._shown_fiscal_year: int | None = None

    # ---- loading -------------------------------------------------------------------------------

    def load(self) -> None:
        today = self.today()
        self.context.run(lambda db, _ctx: masters_view.fiscal_year_choices(db, today, ahead=1),
                         on_done=lambda years: self._years_loaded(years, fiscal_year_of(today)))

    def _years_loaded(self, years: list[int], current: int) -> None:
        selected = self._shown_fiscal_year or current
        fill_fiscal_years(self.fiscal_year_combo, years, selected)
        self.loaded = True
        self.reload()

    def selected_fiscal_year(self) -> int | None:
        return self.fiscal_year_combo.currentData()

    def _fiscal_year_changed(self, _index: int) -> None:
        if self.has_unsaved_changes() and not confirm_discard(self, "人口"):
            choose_quietly(self.fiscal_year_combo, self._shown_fiscal_year)
            return
        self.reload()

    def reload(self) -> None:
        fiscal_year = self.selected_fiscal_year()
        if fiscal_year is None:
            return
        self.context.run(lambda db, _ctx: masters_view.population_table(db, fiscal_year),
                         on_done=lambda rows: self._fill(fiscal_year, rows))

    def _fill(self, fiscal_year: int, rows: list[PopulationRow]) -> None:
        self._shown_fiscal_year = fiscal_year
        self.rows = rows
        with self.edits.filling():
            self.table.setRowCount(len(rows))
            for index, row in enumerate(rows):
                texts = (row.municipality_name, number_text(row.population_65_plus),
                         number_text(row.population_75_plus),
                         format_wareki(row.reference_date) if row.reference_date else "", row.updated_by)
                for column, text in enumerate(texts):
                    self.put_cell(index, column, text, editable=column in EDITABLE, number=column in (POP65, POP75))
        self._highlight_default()

    def _highlight_default(self) -> None:
        code = self.context.defaults.municipality
        for index, row in enumerate(self.rows):
            if row.municipality_code == code:
                self.table.setCurrentCell(index, POP65)
                self.table.scrollToItem(self.table.item(index, POP65), QAbstractItemView.ScrollHint.PositionAtCenter)

    # ---- editing -------------------------------------------------------------------------------

    def discard_changes(self) -> None:
        if self._shown_fiscal_year is not None:
            self._fill(self._shown_fiscal_year, self.rows)
        self.message.clear_message()

    def entries(self) -> tuple[list[PopulationEntry], list[str]]:
        """The edited rows as entries, and the messages of cells that cannot be read."""
        entries, problems = [], []
        for row in self.edits.changed_rows():
            name = self.rows[row].municipality_name
            try:
                population_65 = parse_count(self.table.item(row, POP65).text(), field_label="65歳以上人口",
                                            units=count_units("population_65_plus"))
                population_75 = parse_count(self.table.item(row, POP75).text(), field_label="75歳以上人口",
                                            units=count_units("population_75_plus"))
                reference_text = self.table.item(row, REFERENCE).text().strip()
                reference = parse_typed_date(reference_text) if reference_text else None
            except (ValueError, DateParseError) as error:
                problems.append(f"{name}: {error}")
                continue
            entries.append(PopulationEntry(self.rows[row].municipality_code, population_65, population_75,
                                           reference))
        return entries, problems

    def save(self, then: Then | None = None) -> None:
        fiscal_year = self._shown_fiscal_year
        if fiscal_year is None or not self.has_unsaved_changes():
            finish(then, True)
            return
        entries, problems = self.entries()
        today = self.today()
        self.write_edits(then, problems, lambda db, _ctx: masters_view.save_population(db, fiscal_year, entries, today),
                         Changes.of("population"), lambda count: f"{count}件の人口を保存しました。")
