"""マスタ・設定 › 65歳以上人口: the 65+ (and 75+) population of every 区市町村 for one 年度, edited in a table
and saved all rows or none (services.masters_view.save_population, which adds Population records)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import DateParseError, fiscal_year_of, format_wareki, parse_date
from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.domain.validation import count_units
from kaigo_desktop.gui.operations import CollectionOp, Then, finish
from kaigo_desktop.gui.screens.masters_common import (
    EditedCells,
    MasterPage,
    MessageLine,
    commit_open_editor,
    confirm_discard,
    fill_fiscal_years,
    save_refused,
)
from kaigo_desktop.services import masters_view
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.masters_view import PopulationEntry, PopulationRow

COLUMNS = ("区市町村", "65歳以上人口（人）", "うち75歳以上（人）", "基準日", "更新者")
NAME, POP65, POP75, REFERENCE, UPDATED_BY = range(len(COLUMNS))
EDITABLE = (POP65, POP75, REFERENCE)


def _number_text(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


class PopulationPage(MasterPage):
    title = "65歳以上人口"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.rows: list[PopulationRow] = []

        self.fiscal_year_combo = QComboBox()
        self.fiscal_year_combo.setObjectName("population_fiscal_year")
        self.fiscal_year_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.save_button = QPushButton(f"{words.SAVE}(&S)")
        self.save_button.setObjectName("population_save")
        self.discard_button = QPushButton(words.REVERT)
        top = QHBoxLayout()
        caption = QLabel("年度(&Y)")
        caption.setBuddy(self.fiscal_year_combo)
        for widget in (caption, self.fiscal_year_combo):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.discard_button)
        top.addWidget(self.save_button)

        hint = QLabel("住民基本台帳の人口を入力します。参加率と推進員の上限（65歳以上人口 1万人以上で2人、未満で1人）"
                      "の計算に使います。空欄にして保存すると、その年度の人口を削除します（ごみ箱に入ります）。")
        hint.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("population_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(  # typing in a cell replaces it; F2 or a double click edits it
            QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = MessageLine()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

        self.fiscal_year_combo.currentIndexChanged.connect(self._fiscal_year_changed)
        self.edits = EditedCells(self.table, on_edit=self.message.clear_message)
        self.save_button.clicked.connect(lambda: self.save())
        self.discard_button.clicked.connect(self.discard_changes)
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
            self.fiscal_year_combo.blockSignals(True)
            self.fiscal_year_combo.setCurrentIndex(self.fiscal_year_combo.findData(self._shown_fiscal_year))
            self.fiscal_year_combo.blockSignals(False)
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
                texts = (row.municipality_name, _number_text(row.population_65_plus),
                         _number_text(row.population_75_plus),
                         format_wareki(row.reference_date) if row.reference_date else "", row.updated_by)
                for column, text in enumerate(texts):
                    item = QTableWidgetItem(text)
                    if column in (POP65, POP75):
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if column not in EDITABLE:
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    else:
                        self.edits.remember(index, column, text)
                    self.table.setItem(index, column, item)
        self._highlight_default()

    def _highlight_default(self) -> None:
        code = self.context.settings.default_municipality
        for index, row in enumerate(self.rows):
            if row.municipality_code == code:
                self.table.setCurrentCell(index, POP65)
                self.table.scrollToItem(self.table.item(index, POP65), QAbstractItemView.ScrollHint.PositionAtCenter)

    # ---- editing -------------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        commit_open_editor(self.table)
        return bool(self.edits.changed_rows())

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
                reference = parse_date(reference_text) if reference_text else None
            except (ValueError, DateParseError) as error:
                problems.append(f"{name}: {error}")
                continue
            entries.append(PopulationEntry(self.rows[row].municipality_code, population_65, population_75,
                                           reference))
        return entries, problems

    def write_widgets(self) -> list[QWidget]:
        return [self.table, self.save_button, self.discard_button]

    def save(self, then: Then | None = None) -> None:
        fiscal_year = self._shown_fiscal_year
        if fiscal_year is None or not self.has_unsaved_changes():
            finish(then, True)
            return
        entries, problems = self.entries()
        if problems:
            self.message.error("\n".join(problems))
            finish(then, False)
            return
        today = self.today()

        def saved(count: int) -> None:
            self.reload()
            self.message.done(f"{count}件の人口を保存しました。")
            finish(then, True)

        CollectionOp(self, self.context,
                     lambda db, _ctx: masters_view.save_population(db, fiscal_year, entries, today),
                     changes=Changes.of("population")) \
            .disabling(self.save_button, self.discard_button) \
            .success(saved).failure(save_refused(self.message, then)).run_in_background()
