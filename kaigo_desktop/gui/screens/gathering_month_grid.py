"""The month grid of 開催記録: one place, one month, one row per gathering date, for typing a paper sheet in one
go. Totals are live; saving writes every new and changed row in one transaction, or none of them, with each
row's problems shown on the row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.public_holidays import holiday_name, is_day_off, is_saturday
from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.domain.text import is_digits
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp
from kaigo_desktop.gui.screens.gathering_month_paste import parse_tsv, paste_plan
from kaigo_desktop.gui.screens.gathering_month_sheet import (
    COLUMN_OF,
    COLUMNS,
    COUNT_FIELDS,
    NOTES,
    ROW_STATES,
    SheetRow,
    cells_of,
    day_label,
    day_of,
    live_problems,
    records_to_save,
    routine_text,
)
from kaigo_desktop.gui.widgets.column_widths import fit_columns
from kaigo_desktop.gui.widgets.wareki_month_edit import WarekiMonthEdit
from kaigo_desktop.gui.widgets.dialog_parts import button_row, stacked
from kaigo_desktop.gui.widgets.enter_navigation import add_save_shortcut
from kaigo_desktop.gui.widgets.form_errors import field_errors
from kaigo_desktop.gui.widgets.lock_note import lock_note, show_lock
from kaigo_desktop.gui.widgets.place_picker import PlaceChoiceModel, PlacePicker
from kaigo_desktop.gui.widgets.record_form import hold_disabled
from kaigo_desktop.gui.widgets.sheet_cell_delegate import SheetCellDelegate
from kaigo_desktop.services import gatherings_view
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.gatherings_view import MonthSheet, PlaceChoice

MIN_ROWS = 5
DAY_SAMPLE = "30（月・祝）"
COUNT_SAMPLE = "88888"  # the people at one gathering; the month's total below, in bold
NOTES_SAMPLE = "雨天のため室内"
_ERROR_BRUSH = QBrush(QColor("#ffcdd2"))
_TOTALS_BRUSH = QBrush(QColor("#eeeeee"))
_SUGGESTED_BRUSH = QBrush(QColor("#9e9e9e"))
# As on a Japanese calendar: Sundays and public holidays red, Saturdays blue; the row lightly tinted, far paler
# than an error cell's red.
_DAY_OFF = (QBrush(QColor("#c62828")), QBrush(QColor("#e57373")), QBrush(QColor("#fdf3f3")))
_SATURDAY = (QBrush(QColor("#1565c0")), QBrush(QColor("#64b5f6")), QBrush(QColor("#f2f7fd")))
_EDIT_TRIGGERS = QAbstractItemView.EditTrigger.AllEditTriggers & ~QAbstractItemView.EditTrigger.CurrentChanged


_MOST_LINES = 4  # more would squeeze the grid itself away at a large text size


def _listed(lines: list[str]) -> str:
    """The first problems, one a line, and how many more there are (each wrong cell tells its own)."""
    shown = lines[:_MOST_LINES]
    if len(lines) > _MOST_LINES:
        shown.append(f"ほか{len(lines) - _MOST_LINES}件（赤いセルにマウスを置くと理由が出ます）")
    return "\n".join(shown)


@dataclass
class _Row:
    original: Gathering | None = None  # the stored gathering the row shows, None for a new row
    errors: list[tuple[int, str]] = field(default_factory=list)  # (column, message) from the last save


class GatheringMonthGrid(QWidget):
    sheet_did_save = Signal(int)  # how many rows were written

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, places: PlaceChoiceModel | None = None):
        super().__init__(parent)
        self.context = context
        self._places = places
        self.sheet: MonthSheet | None = None
        self._rows: list[_Row] = []
        self._filling = False
        self._saving = False
        self._undo: list[dict[tuple[int, int], str]] = []  # the cells' texts before each Delete or paste
        self._build()

    # ---- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.place = PlacePicker(self, choices=self._places)
        self.month = WarekiMonthEdit(self)  # 令和8年11月, typed whole like a date (R8.11, 2026/11 …)
        self.month_label = QLabel(self)
        self.previous_button = QPushButton("◀ 前月", self)
        self.next_button = QPushButton("翌月 ▶", self)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: #555;")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([title for _, title in COLUMNS])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.setEditTriggers(_EDIT_TRIGGERS)
        self.delegate = SheetCellDelegate(set(range(0, NOTES)), self._display_text, self.table)
        self.table.setItemDelegate(self.delegate)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)  # 備考; never narrower than its width below (Qt keeps that)
        self.table.installEventFilter(self)  # Delete, Ctrl+V, Ctrl+Z on the cells
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # 「30（月・祝）」 and a count of one gathering, measured from the font (and again when the text size changes)
        fit_columns(self.table, [DAY_SAMPLE] + [COUNT_SAMPLE] * (NOTES - 1) + [NOTES_SAMPLE], row_padding=10,
                    min_rows=4)
        self._fit_row_header()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.lock_label = lock_note(self, "month_grid_lock_note")
        self.add_row_button = QPushButton("行を追加", self)
        self.revert_button = QPushButton(words.REVERT, self)
        self.save_button = QPushButton("この月を保存（Ctrl+Enter）", self)
        top = QHBoxLayout()
        top.addWidget(QLabel("通いの場"))
        top.addWidget(self.place, 1)
        months = QHBoxLayout()
        months.addWidget(QLabel("月"))
        months.addWidget(self.previous_button)
        months.addWidget(self.month)
        months.addWidget(self.month_label)
        months.addWidget(self.next_button)
        months.addStretch(1)
        stacked(self, top, months, self.lock_label, self.info, (self.table, 1), self.message,
               button_row((self.add_row_button,), (self.revert_button, self.save_button)))
        add_save_shortcut(self, lambda: self.save())
        self.place.place_did_change.connect(lambda _p: self._selection_changed())
        self.month.dateChanged.connect(lambda _d: self._selection_changed())
        self.previous_button.clicked.connect(lambda: self.month.setDate(self.month.date().addMonths(-1)))
        self.next_button.clicked.connect(lambda: self.month.setDate(self.month.date().addMonths(1)))
        self.add_row_button.clicked.connect(lambda: self._append_row())
        self.revert_button.clicked.connect(self.discard_changes)
        self.save_button.clicked.connect(lambda _checked=False: self.save())
        self.table.itemChanged.connect(self._item_changed)
        self._show_month_label()
        self._set_enabled(False)

    def _fit_row_header(self) -> None:
        """The row header holds its widest state, so the columns do not move when a row's state changes."""
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(text) for text in (*ROW_STATES, "合計"))
        self.table.verticalHeader().setFixedWidth(widest + metrics.horizontalAdvance("あ"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_row_header()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.table, self.add_row_button, self.revert_button, self.save_button):
            widget.setEnabled(enabled)

    def _show_month_label(self) -> None:
        year, month = self.year_month()
        self.month_label.setText(f"（{year}年{month}月）")  # the picker shows it in 和暦

    # ---- public --------------------------------------------------------------------------------

    def set_place_choices(self, choices: list[PlaceChoice]) -> None:
        self.place.set_choices(choices)

    def year_month(self) -> tuple[int, int]:
        return self.month.date().year(), self.month.date().month()

    def open_sheet(self, place_id: str, year: int, month: int) -> None:
        """Show the sheet of a place and month (asks first if typed rows would be lost)."""
        self.place.blockSignals(True)
        self.month.blockSignals(True)
        self.place.set_place_id(place_id)
        self.month.setDate(QDate(year, month, 1))
        self.place.blockSignals(False)
        self.month.blockSignals(False)
        self._selection_changed()

    def has_unsaved_changes(self) -> bool:
        return any(self._sheet_row(row).is_pending() for row in range(len(self._rows)))

    def discard_changes(self) -> None:
        if self.sheet is not None:
            self._show_sheet(self.sheet)

    def save(self, then: Callable[[bool], None] | None = None) -> None:
        """Write every new and changed row in one transaction. Returns at once; then(True) once saved and
        shown again (or when no row needed saving), then(False) with the rows' messages when any is wrong."""
        then = then or (lambda _ok: None)
        if self.context.read_only or self._saving:
            then(False)
            return
        self.delegate.commit_open_editor()
        if self.sheet is None:
            then(False)
            return
        pending, positions, problems = records_to_save(
            self.sheet, [self._sheet_row(row) for row in range(len(self._rows))])
        for row, state in enumerate(self._rows):
            state.errors = problems.get(row, [])
        if problems:
            then(self._show_errors())
            return
        if not pending:
            self.message.setText("保存する行がありません。")
            then(True)
            return
        sheet, today = self.sheet, date.today()
        release = hold_disabled((self.save_button, self.revert_button, self.add_row_button))
        self._saving = True

        def ended() -> None:
            self._saving = False
            release()

        def saved(written: list[Gathering]) -> None:
            ended()
            self.sheet_did_save.emit(len(written))
            # then() once the sheet shows what was stored: until then its typed rows still look unsaved.
            self._load(sheet.place_id, sheet.year, sheet.month, done_message=f"{len(written)}件を保存しました。",
                       then=then)

        def failed(error: BaseException) -> None:
            ended()
            general = []
            for problem in field_errors(error, then):  # a row's problem names its field 「<position>.<column>」
                position, dot, name = problem.field.partition(".")
                if dot and is_digits(position) and int(position) < len(positions):
                    self._rows[positions[int(position)]].errors.append((COLUMN_OF.get(name, 0), problem.message))
                else:
                    general.append(problem.message)
            if any(state.errors for state in self._rows):
                self._show_errors(general)
            else:
                self.message.setText("保存できませんでした：" + "\n".join(general))
            then(False)

        CollectionOp(self, self.context, lambda db, _ctx: gatherings_view.save_gatherings(db, pending, today=today),
                     changes=lambda written: Changes.of("gatherings", [g.id for g in written])) \
            .success(saved).failure(failed).run_in_background()

    # ---- loading -------------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        place = self.place.place()
        year, month = self.year_month()
        self._show_month_label()
        current = (self.sheet.place_id, self.sheet.year, self.sheet.month) if self.sheet else None
        if place is None or current == (place.id, year, month):
            return
        if self.has_unsaved_changes() and not self._confirm_discard():
            self.place.blockSignals(True)
            self.month.blockSignals(True)
            self.place.set_place_id(current[0])
            self.month.setDate(QDate(current[1], current[2], 1))
            self.place.blockSignals(False)
            self.month.blockSignals(False)
            self._show_month_label()
            return
        self._load(place.id, year, month)

    def _confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self, "月別入力", "この月の入力を保存していません。保存せずに別の月・通いの場へ移りますか？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _load(self, place_id: str, year: int, month: int, done_message: str = "",
              then: Callable[[bool], None] | None = None) -> None:
        self.message.setText(words.LOADING)
        today = date.today()

        def shown(sheet: MonthSheet) -> None:
            self._show_sheet(sheet, done_message)
            if then is not None:
                then(True)

        def failed(error: BaseException) -> None:
            self.message.setText(f"読み込めません：{error}")
            if then is not None:
                then(True)  # saved all the same: only showing it again failed

        self.context.run(lambda db, _ctx: gatherings_view.month_sheet(db, place_id, year, month, today),
                         on_done=shown, on_error=failed)

    def _show_sheet(self, sheet: MonthSheet, message: str = "") -> None:
        self.sheet = sheet
        self._undo = []
        self._filling = True
        self.table.setRowCount(0)
        self._rows = []
        for gathering in sheet.gatherings:
            self._append_row(gathering)
        taken = {g.held_on.day for g in sheet.gatherings}
        for day in sheet.suggested_days:
            if day not in taken:
                self._append_row(day=day)
        self._append_row()  # always one empty row at the end to type a further date into
        while len(self._rows) < MIN_ROWS:
            self._append_row()
        self.table.insertRow(len(self._rows))  # the totals row
        for column in range(len(COLUMNS)):
            item = QTableWidgetItem("")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setBackground(_TOTALS_BRUSH)
            font = QFont(item.font())
            font.setBold(True)
            item.setFont(font)
            self.table.setItem(len(self._rows), column, item)
        self.table.setVerticalHeaderItem(len(self._rows), QTableWidgetItem("合計"))
        self._filling = False
        self._refresh_all()
        self.info.setText(routine_text(sheet))
        self.message.setText(message)
        self.message.setStyleSheet("")
        show_lock(self.lock_label, sheet.locked_reason)
        self._set_enabled(sheet.locked_reason is None)
        if sheet.locked_reason is not None:  # readable and scrollable, not editable
            self.table.setEnabled(True)
            self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        else:
            self.table.setEditTriggers(_EDIT_TRIGGERS)

    # ---- rows ----------------------------------------------------------------------------------

    def _append_row(self, gathering: Gathering | None = None, day: int | None = None) -> None:
        filling, self._filling = self._filling, True  # the items below are ours, not the user's edits
        row = len(self._rows)
        self._rows.append(_Row(gathering))
        self.table.insertRow(row)
        self.table.setVerticalHeaderItem(row, QTableWidgetItem(""))
        values = cells_of(gathering) if gathering else {"day": str(day) if day else ""}
        for column, (name, _) in enumerate(COLUMNS):
            item = QTableWidgetItem(values.get(name, ""))
            if column < NOTES:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        self._filling = filling
        if not filling:
            self._refresh_all()

    def _sheet_row(self, row: int) -> SheetRow:
        texts = {}
        for column, (name, _) in enumerate(COLUMNS):
            item = self.table.item(row, column)
            texts[name] = item.text().strip() if item else ""
        return SheetRow(self._rows[row].original, texts)

    # ---- showing state -------------------------------------------------------------------------

    def _display_text(self, index: QModelIndex) -> str | None:
        """The day column shows its weekday: 「5（水）」."""
        if index.column() != 0 or self.sheet is None or index.row() >= len(self._rows):
            return None
        return day_label(self.sheet.year, self.sheet.month, str(index.data() or ""))

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.row() >= len(self._rows):
            return
        self._rows[item.row()].errors = []
        if item.row() == len(self._rows) - 1 and self._sheet_row(item.row()).has_entry():
            self._append_row()  # always one empty row at the end to type the next date into
        else:
            self._refresh_all()

    def _refresh_all(self) -> None:
        self._filling = True
        totals = dict.fromkeys(COUNT_FIELDS, 0)
        gatherings = 0
        for row in range(len(self._rows)):
            sheet_row = self._sheet_row(row)
            values = sheet_row.values()
            if sheet_row.is_kept():
                gatherings += 1
                for name in COUNT_FIELDS:
                    totals[name] += values[name] or 0
            self._paint_row(row, sheet_row, values)
        if self.table.rowCount() > len(self._rows):
            self.table.item(len(self._rows), 0).setText(f"{gatherings}回")
            for name in COUNT_FIELDS:
                self.table.item(len(self._rows), COLUMN_OF[name]).setText(f"{totals[name]:,}")
        self._filling = False

    def _paint_row(self, row: int, sheet_row: SheetRow, values: dict) -> None:
        state = self._rows[row]
        day = day_of(self.sheet.year, self.sheet.month, sheet_row.texts["day"]) if self.sheet else None
        colours = _DAY_OFF if day and is_day_off(day) else _SATURDAY if day and is_saturday(day) else None
        for column in range(len(COLUMNS)):
            item = self.table.item(row, column)
            item.setBackground(colours[2] if colours else QBrush())
            item.setToolTip("")
        day_item = self.table.item(row, 0)
        shade = 0 if sheet_row.is_kept() else 1
        day_item.setForeground(colours[shade] if colours else QBrush() if shade == 0 else _SUGGESTED_BRUSH)
        if day is not None and (name := holiday_name(day)):
            day_item.setToolTip(f"祝日：{name}")
        # Each wrong cell gets the messages about it (typed or pasted, before saving; and the save's own).
        messages: dict[int, list[str]] = {}
        live = self._live_problems(row, sheet_row)
        for columns, message in live:
            for column in columns:
                messages.setdefault(column, []).append(message)
        for column, message in state.errors:
            messages.setdefault(column, []).append(message)
        for column, texts in messages.items():
            item = self.table.item(row, column)
            item.setBackground(_ERROR_BRUSH)
            item.setToolTip("\n".join(dict.fromkeys(texts)))
        self.table.verticalHeaderItem(row).setText(sheet_row.state(bool(state.errors or live)))

    def _live_problems(self, row: int, sheet_row: SheetRow) -> list[tuple[list[int], str]]:
        if self.sheet is None or not sheet_row.is_kept():
            return []
        return live_problems(sheet_row, self.sheet.year, self.sheet.month)

    # ---- Delete, paste, undo -------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.table and event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            action = self._cell_action(event)  # type: ignore[arg-type]
            if action is not None:
                if event.type() == QEvent.Type.ShortcutOverride:
                    event.accept()  # ours, not the window's Delete (ゴミ箱へ) or another shortcut
                else:
                    action()
                return True
        return super().eventFilter(watched, event)

    def _cell_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        if self.table.state() == QAbstractItemView.State.EditingState:
            return None  # the open cell's own keys
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and \
                event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            action = self.clear_selected_cells
        elif event.matches(QKeySequence.StandardKey.Paste):
            action = lambda: self.paste_text(QApplication.clipboard().text())  # noqa: E731
        elif event.matches(QKeySequence.StandardKey.Undo):
            action = self.undo
        else:
            return None
        if self.sheet is None or self.sheet.locked_reason is not None or self.context.read_only:
            return lambda: None  # nothing to change here; and the key must not reach the window's ゴミ箱 Delete
        return action

    def clear_selected_cells(self) -> None:
        """Delete/BackSpace: every selected cell emptied in one edit (undone with Ctrl+Z, saved with 保存)."""
        cells = {(index.row(), index.column()): "" for index in self.table.selectedIndexes()
                 if index.row() < len(self._rows) and self.table.item(index.row(), index.column()).text()}
        if cells:
            self._edit_cells(cells, f"{len(cells)}個のセルを消しました。")

    def paste_text(self, text: str) -> None:
        """A block copied from Excel (tab-separated rows) put in from the current cell, rightwards and downwards;
        rows are added as needed. Nothing is saved until 保存; wrong cells are marked and listed."""
        block = parse_tsv(text)
        row, column = self.table.currentRow(), self.table.currentColumn()
        if not block or self.sheet is None or not 0 <= row < len(self._rows) or column < 0:
            self.message.setText("貼り付けるもの（Excelでコピーした表）がありません。" if not block else
                                 "貼り付ける先のセルを選んでください。")
            return
        plan = paste_plan(block, row, column, self.sheet.year, self.sheet.month)
        self._filling = True  # one refresh for the whole block, in _edit_cells
        while len(self._rows) < plan.rows_needed:
            self._append_row()
        self._filling = False
        note = f"{len(block)}行を貼り付けました。"
        if plan.columns_dropped:
            note += f"右にはみ出した{plan.columns_dropped}列は貼り付けていません。"
        self._edit_cells(plan.cells, note)
        self.table.clearSelection()  # a selected block would hide the marks of its wrong cells

    def undo(self) -> None:
        """Ctrl+Z: the cells as they were before the last Delete or paste."""
        if not self._undo:
            return
        before = self._undo.pop()
        self._edit_cells(before, "元に戻しました。", remember=False)

    def _edit_cells(self, cells: dict[tuple[int, int], str], note: str, *, remember: bool = True) -> None:
        """Put texts into cells as one edit: remembered for undo, the rows' states and totals shown once, and
        what is wrong in the touched rows listed before anything is saved."""
        if remember:
            self._undo.append({cell: self.table.item(*cell).text() for cell in cells})
        self._filling = True
        for (row, column), text in cells.items():
            self.table.item(row, column).setText(text)
        self._filling = False
        rows = sorted({row for row, _ in cells})
        for row in rows:
            self._rows[row].errors = []
        if self._sheet_row(len(self._rows) - 1).has_entry():
            self._append_row()  # always one empty row at the end to type the next date into
        else:
            self._refresh_all()
        lines = []
        for row in rows:
            sheet_row = self._sheet_row(row)
            day = self._display_text(self.table.model().index(row, 0)) or f"{row + 1}行目"
            lines += [f"・{day}：{message}" for _, message in self._live_problems(row, sheet_row)]
        if lines:
            self.message.setText(f"{note}保存はまだです。次のセルを直してください。\n" + _listed(lines))
            self.message.setStyleSheet("color: #c62828;")
        else:
            self.message.setText(f"{note}保存はまだです（元に戻す：Ctrl+Z）。")
            self.message.setStyleSheet("")

    def _show_errors(self, general: list[str] | None = None) -> bool:
        self._refresh_all()
        lines = [f"・{message}" for message in general or []]
        for row, state in enumerate(self._rows):
            day = self._display_text(self.table.model().index(row, 0)) or f"{row + 1}行目"
            lines += [f"・{day}：{message}" for _, message in state.errors]
        self.message.setText("保存していません。次の行を直してください。\n" + _listed(lines))
        self.message.setStyleSheet("color: #c62828;")
        return False
