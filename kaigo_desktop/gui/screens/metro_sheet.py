"""評価シート (東京都): for one 年度, each 事項's target and actual for the last three 年度 side by side and the
区市町村 counted, the outcome indicators with their source and year, a bar chart of an indicator across the
区市町村 (metro_chart.py), the targets, counting rules and survey indicators editable (small dialogs,
gui/metro_edit_dialogs.py), and 「PDFで保存」 (the metro sheet PDF)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.gui import file_dialogs, opening
from kaigo_desktop.gui.metro_edit_dialogs import IndicatorDialog, RuleDialog, TargetDialog
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, is_user_error
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.masters_common import NUMBER_ALIGNMENT, add_choosers, fill_fiscal_years
from kaigo_desktop.gui.screens.metro_common import (
    default_fiscal_year,
    fiscal_year_combo,
    format_indicator,
    metro_fiscal_years,
)
from kaigo_desktop.gui.screens.metro_chart import IndicatorChartBox
from kaigo_desktop.gui.widgets.record_list_table import read_only_item
from kaigo_desktop.gui.widgets.wrapping_table import fit_table_height, wrapping_table
from kaigo_desktop.services import metro
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.metro import ENTERED_INDICATORS, ITEMS, EvaluationSheet

INDICATOR_COLUMNS = ("成果指標", "東京都", "出典", "調査年")
PDF_FILTER = "PDF (*.pdf)"
SHOWN_KINDS = ("submissions", "metro_targets", "metro_rules", "metro_indicators")


def target_text(item, fiscal_year: int) -> str:
    """「6」, or 「6（令和5年度まで）」 for a target due in a later 年度; 「—」 when none is set."""
    if item is None or item.target is None:
        return "—"
    if item.target_year is not None and item.target_year != fiscal_year:
        return f"{item.target}（{format_fiscal_year(item.target_year)}まで）"
    return str(item.target)


def _short_year(fiscal_year: int) -> str:
    return format_fiscal_year(fiscal_year)


def item_columns(years: list[int], in_progress: list[int] = ()) -> tuple[str, ...]:
    """A 年度 some submission was made before the end of is marked: its actual may still grow."""
    return ("事項", "目標", *((f"{_short_year(year)}実績" + ("\n（年度途中）" if year in in_progress else ""))
                              if year else "実績" for year in years))


def write_sheet(db, fiscal_year: int, out: Path, *, replace: bool) -> int:
    """Runs on the database thread: the sheet PDF as `metro sheet --out` makes it, through the output-file guard
    (never the open database, its backups or an existing file the user did not agree to replace)."""
    from kaigo_desktop.reports.metro_sheet import write_sheet_pdf
    from kaigo_desktop.services.output_files import check_output_path

    out = check_output_path(out, db, force=replace, exists_hint="別の名前で保存し直してください。")
    return write_sheet_pdf(metro.evaluation_sheet(db, fiscal_year), out)


class MetroSheetScreen(Screen):
    title = "評価シート"
    saves_to_database = False  # Ctrl+S saves the PDF

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.sheet: EvaluationSheet | None = None
        self._stale = True
        self._request = 0
        self.last_pdf: Path | None = None
        self._last_folder: Path | None = None

        self.fiscal_year_combo = fiscal_year_combo("metro_sheet")
        self.state_label = QLabel("")
        self.state_label.setObjectName("metro_sheet_state")
        self.state_label.setWordWrap(True)
        self.pdf_button = QPushButton("PDFで保存…(&P)")
        self.pdf_button.setObjectName("metro_sheet_pdf")
        self.pdf_button.clicked.connect(self.choose_and_save_pdf)
        bar = QHBoxLayout()
        add_choosers(bar, (("年度(&Y)", self.fiscal_year_combo),))
        bar.addWidget(self.state_label, 1)
        bar.addWidget(self.pdf_button)

        # 事項: target and three 年度 of actuals, then who was counted and how.
        self.items_table = wrapping_table(item_columns([0, 0, 0]), "metro_items_table", wrapped=(0,))
        self.items_table.itemSelectionChanged.connect(self._update_buttons)
        self.items_table.doubleClicked.connect(lambda _index: self.edit_target())
        self.target_button = QPushButton("目標を変更…(&G)")
        self.target_button.setObjectName("metro_edit_target")
        self.target_button.setToolTip("選んだ事項の、この年度の目標（区市町村数）を変更します")
        self.target_button.clicked.connect(self.edit_target)
        self.rule_button = QPushButton("数え方を変更…(&R)")
        self.rule_button.setObjectName("metro_edit_rule")
        self.rule_button.setToolTip("選んだ事項で区市町村を数える基準（種類数・推進員数・利用者数）を変更します")
        self.rule_button.clicked.connect(self.edit_rule)
        self.counted_label = QLabel("")
        self.counted_label.setObjectName("metro_counted")
        self.counted_label.setWordWrap(True)
        self.counted_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.definitions_label = QLabel("")
        self.definitions_label.setObjectName("metro_definitions")
        self.definitions_label.setWordWrap(True)
        self.definitions_label.setStyleSheet("color: #404850;")
        items_box = QGroupBox("事項ごとの目標と実績（区市町村数）")
        items_layout = QVBoxLayout(items_box)
        items_layout.addWidget(self.items_table)
        items_buttons = QHBoxLayout()
        items_buttons.addWidget(self.target_button)
        items_buttons.addWidget(self.rule_button)
        items_buttons.addStretch(1)
        items_layout.addLayout(items_buttons)
        items_layout.addWidget(self.counted_label)
        items_layout.addWidget(self.definitions_label)

        self.indicators_table = wrapping_table(INDICATOR_COLUMNS, "metro_indicators_table", wrapped=(0, 2))
        self.indicators_table.itemSelectionChanged.connect(self._update_buttons)
        self.indicators_table.doubleClicked.connect(lambda _index: self.edit_indicator())
        self.indicator_button = QPushButton("指標を入力…(&E)")
        self.indicator_button.setObjectName("metro_edit_indicator")
        self.indicator_button.setToolTip("健康寿命・生きがいを感じる人の率を、出典と調査年とともに入力します")
        self.indicator_button.clicked.connect(self.edit_indicator)
        indicators_box = QGroupBox("成果指標")
        indicators_layout = QVBoxLayout(indicators_box)
        indicators_layout.addWidget(self.indicators_table)
        indicator_buttons = QHBoxLayout()
        indicator_buttons.addWidget(self.indicator_button)
        indicator_buttons.addStretch(1)
        indicators_layout.addLayout(indicator_buttons)

        self.chart_box = IndicatorChartBox()

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(items_box)
        layout.addWidget(indicators_box)
        layout.addWidget(self.chart_box)
        layout.addStretch(1)

        fill_fiscal_years(self.fiscal_year_combo, metro_fiscal_years(self._today()),
                          default_fiscal_year(self._today()))
        self.fiscal_year_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        context.changes_did_happen.connect(self._changes_happened)
        self._update_buttons()

    def _today(self) -> date:
        return getattr(self.window(), "today", None) or date.today()

    def fiscal_year(self) -> int:
        return self.fiscal_year_combo.currentData()

    # ---- Screen --------------------------------------------------------------------------------

    def activate(self) -> None:
        if self._stale:
            self.refresh()

    def save(self, then=None) -> None:  # Ctrl+S: the PDF
        self.choose_and_save_pdf()
        if then is not None:
            then(True)

    def write_widgets(self) -> list[QWidget]:
        return [self.target_button, self.rule_button, self.indicator_button]

    def screenshot_views(self):
        return [("metro_sheet", lambda: self)]

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches(*SHOWN_KINDS):
            self._stale = True
            if self.isVisible():
                self.refresh()

    # ---- showing -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._stale = False
        self._request += 1
        request = self._request
        fiscal_year = self.fiscal_year()
        self.context.run(lambda db, _ctx: metro.evaluation_sheet(db, fiscal_year),
                         on_done=lambda sheet: request == self._request and self._fill(sheet))

    def name(self, code: str) -> str:
        return self.sheet.municipality_names.get(code, code) if self.sheet else code

    def _fill(self, sheet: EvaluationSheet) -> None:
        self.sheet = sheet
        state = f"提出 {len(sheet.submitted)}／{len(sheet.submitted) + len(sheet.missing)} 区市町村"
        if sheet.missing:
            state += f"（未提出 {len(sheet.missing)}）"
        if sheet.unlocked:
            state += f"　未ロックの提出 {len(sheet.unlocked)}（数値は変わる可能性があります）"
        self.state_label.setText(state)
        self._fill_items(sheet)
        self._fill_indicators(sheet)
        self.chart_box.show_sheet(sheet)
        self._update_buttons()

    def _fill_items(self, sheet: EvaluationSheet) -> None:
        selected = self._selected_row(self.items_table)
        columns = item_columns(sheet.years, sheet.in_progress_years)
        self.items_table.setHorizontalHeaderLabels(list(columns))
        self.items_table.setRowCount(len(ITEMS))
        current = sheet.items.get(sheet.fiscal_year, {})
        for row, number in enumerate(ITEMS):
            item = current.get(number)
            title = item.title if item else ""
            texts = [f"事項{number}　{title}", target_text(item, sheet.fiscal_year)]
            texts += [str(sheet.items[year][number].actual) if number in sheet.items.get(year, {}) else "—"
                      for year in sheet.years]
            for column, text in enumerate(texts):
                cell = read_only_item(text)
                if column:
                    cell.setTextAlignment(NUMBER_ALIGNMENT)
                self.items_table.setItem(row, column, cell)
        self.items_table.selectRow(selected if selected is not None else 0)
        fit_table_height(self.items_table)
        lines = []
        for number in ITEMS:
            item = current.get(number)
            codes = item.municipalities if item else []
            listed = "、".join(self.name(code) for code in codes) or "なし"
            lines.append(f"事項{number}（{format_fiscal_year(sheet.fiscal_year)}・{len(codes)}）: {listed}")
        self.counted_label.setText("数えた区市町村\n" + "\n".join(lines))
        definitions = [f"{metro.DEFINITION_TERMS.get(key, key)}: {text}" for key, text in sheet.definitions.items()]
        self.definitions_label.setText("定義\n" + "\n".join(definitions))

    def _fill_indicators(self, sheet: EvaluationSheet) -> None:
        selected = self._selected_row(self.indicators_table)
        indicators = list(sheet.indicators.values())
        self.indicators_table.setRowCount(len(indicators))
        for row, indicator in enumerate(indicators):
            texts = (indicator.title, format_indicator(indicator.tokyo, indicator.unit),
                     indicator.source or ("未入力" if indicator.key in ENTERED_INDICATORS else ""),
                     f"{indicator.source_year}年" if indicator.source_year else "")
            for column, text in enumerate(texts):
                cell = read_only_item(text)
                if column == 1:
                    cell.setTextAlignment(NUMBER_ALIGNMENT)
                if indicator.key not in ENTERED_INDICATORS:
                    cell.setToolTip("提出ファイルから計算する指標です（入力はできません）")
                self.indicators_table.setItem(row, column, cell)
        self.indicators_table.selectRow(selected if selected is not None else 0)
        fit_table_height(self.indicators_table)

    @staticmethod
    def _selected_row(table) -> int | None:
        rows = table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _update_buttons(self) -> None:
        loaded = self.sheet is not None
        self.target_button.setEnabled(loaded and self._selected_row(self.items_table) is not None)
        self.rule_button.setEnabled(self.target_button.isEnabled())
        row = self._selected_row(self.indicators_table)
        keys = list(self.sheet.indicators) if loaded else []
        self.indicator_button.setEnabled(row is not None and row < len(keys) and keys[row] in ENTERED_INDICATORS)
        self.pdf_button.setEnabled(loaded)

    # ---- editing -------------------------------------------------------------------------------

    def edit_target(self) -> None:
        row = self._selected_row(self.items_table)
        if self.sheet is None or row is None or self.read_only:
            return
        number, fiscal_year = ITEMS[row], self.sheet.fiscal_year
        item = self.sheet.items[fiscal_year][number]
        # The target shown may be one due later (「令和5年度まで」): the dialog sets this 年度's own.
        dialog = TargetDialog(number, item.title, fiscal_year,
                              item.target if item.target_year == fiscal_year else None, self)
        dialog.submit = lambda d: self._save(
            d, lambda db, _ctx: metro.set_item_target(db, number, fiscal_year, d.target),
            Changes.of("metro_targets", [number]), f"事項{number}の目標を保存しました")
        self._open(dialog)

    def edit_rule(self) -> None:
        row = self._selected_row(self.items_table)
        if self.sheet is None or row is None or self.read_only:
            return
        number = ITEMS[row]
        item = self.sheet.items[self.sheet.fiscal_year][number]

        def with_rules(rules: dict[str, int]) -> None:
            dialog = RuleDialog(number, item.title, rules[number], self)
            dialog.submit = lambda d: self._save(
                d, lambda db, _ctx: metro.set_item_rule(db, number, d.minimum),
                Changes.of("metro_rules", [number]), f"事項{number}の数え方を保存しました")
            self._open(dialog)

        QueryOp(self, self.context, lambda db, _ctx: metro.item_rules(db)).success(with_rules).run_in_background()

    def _open(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.open_dialog = dialog
        dialog.open()  # window-modal, no nested event loop

    def _save(self, dialog, job, changes: Changes, done: str) -> None:
        """Save what the dialog holds on the database thread: closed once saved, else the refusal shown in it."""
        def saved(_result) -> None:
            dialog.accept()
            self.context.status_did_change.emit(done)

        def refused(error: BaseException) -> None:
            if not is_user_error(error):
                raise error
            dialog.refused(str(error))

        CollectionOp(dialog, self.context, job, changes=changes) \
            .disabling(dialog.ok_button).success(saved).failure(refused).run_in_background()

    def edit_indicator(self) -> None:
        row = self._selected_row(self.indicators_table)
        if self.sheet is None or row is None or self.read_only:
            return
        indicator = list(self.sheet.indicators.values())[row]
        if indicator.key not in ENTERED_INDICATORS:
            return
        fiscal_year = self.sheet.fiscal_year
        dialog = IndicatorDialog(indicator.title, indicator.unit, fiscal_year, indicator.tokyo,
                                 indicator.source, indicator.source_year, self)
        key = indicator.key
        dialog.submit = lambda d: self._save(
            d, lambda db, _ctx: metro.set_indicator(db, key, fiscal_year, d.value, d.source, d.source_year),
            Changes.of("metro_indicators", [key]), f"{indicator.title}を保存しました")
        self._open(dialog)

    # ---- the PDF -------------------------------------------------------------------------------

    def choose_and_save_pdf(self) -> None:
        if self.sheet is None:
            return
        fiscal_year = self.sheet.fiscal_year
        folder = self._last_folder or file_dialogs.documents_folder()
        path = file_dialogs.save_file(self, "評価シートを保存", PDF_FILTER,
                                      folder / f"評価シート_{format_fiscal_year(fiscal_year)}.pdf")
        if path is None:
            return
        out = path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")
        self._last_folder = out.parent
        self.save_pdf(fiscal_year, out, replace=out == path)

    def save_pdf(self, fiscal_year: int, out: Path, *, replace: bool) -> None:
        QueryOp(self, self.context, lambda db, _ctx: write_sheet(db, fiscal_year, out, replace=replace)) \
            .disabling(self.pdf_button).showing_progress("評価シートを作成しています…") \
            .success(lambda _result: self._pdf_saved(out)).failure(self._pdf_refused).run_in_background()

    def _pdf_saved(self, out: Path) -> None:
        self.last_pdf = out
        self.context.status_did_change.emit(f"評価シートを保存しました: {out}")
        answer = QMessageBox.question(self, "評価シート", f"保存しました:\n{out}\n\n開いて確かめますか？",
                                      QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close,
                                      QMessageBox.StandardButton.Close)
        if answer == QMessageBox.StandardButton.Open:
            opening.open_file(self, out)

    def _pdf_refused(self, error: BaseException) -> None:
        if not (is_user_error(error) or isinstance(error, (ValueError, OSError))):
            raise error
        QMessageBox.warning(self, "評価シートを保存できません", str(error))
