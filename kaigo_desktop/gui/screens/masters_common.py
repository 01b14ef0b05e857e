"""What the pages of the マスタ・設定 screen share: the page interface the screen delegates to, the 年度 and
区市町村 choosers, the message line under a page, and the page of an editable table saved all rows or none."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp, Then, finish, is_user_error
from kaigo_desktop.gui.widgets.searchable_combo import make_searchable, municipality_texts, set_search_texts

ERROR_STYLE = "color: #c62828;"
DONE_STYLE = "color: #2e7d32;"
CHANGED_BACKGROUND = "#fff4c2"  # a cell edited but not saved yet


class MasterPage(QWidget):
    """One tab. The screen forwards Ctrl+N / Ctrl+S / Delete and the unsaved-changes guard to the shown page."""

    title = ""
    saves_to_database = True  # False: the page's settings are the user's own (saved outside the database)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.loaded = False

    def today(self) -> date:
        # The main window carries the app's "today" (tests pin it); a page on its own uses the clock.
        return getattr(self.window(), "today", None) or date.today()

    def load(self) -> None:
        """Read what the page shows (on the database thread)."""

    def save(self, then: Then | None = None) -> None:
        """Asynchronous (the write runs on the database thread): `then(True)` once saved or when there was
        nothing to save, `then(False)` when refused (the page shows why) or failed."""
        finish(then, False)

    def write_widgets(self) -> list[QWidget]:
        """What changes the database: disabled (tables: not editable) while it is open read-only."""
        return []

    def new_record(self) -> bool:
        return False

    def delete_selected(self) -> bool:
        return False

    def focus_search(self) -> bool:
        return False

    def has_unsaved_changes(self) -> bool:
        return False

    def discard_changes(self) -> None:
        pass


class MessageLine(QLabel):
    """A line under a page: what was saved (green) or what is wrong (red)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.hide()

    def error(self, text: str) -> None:
        self.setStyleSheet(ERROR_STYLE)
        self.setText(text)
        self.show()

    def done(self, text: str) -> None:
        self.setStyleSheet(DONE_STYLE)
        self.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


def save_refused(message: MessageLine, then: Then | None) -> Callable[[BaseException], None]:
    """The failure handler of a table page's save: what was refused, in the page's message line."""

    def failed(error: BaseException) -> None:
        if isinstance(error, ValidationFailed):
            message.error("\n".join(e.message for e in error.errors))
        elif is_user_error(error):
            message.error(f"保存できませんでした: {error}")
        else:
            finish(then, False)
            raise error  # a bug: the application's exception hook shows it
        finish(then, False)

    return failed


def fill_fiscal_years(combo: QComboBox, fiscal_years: list[int], selected: int) -> None:
    combo.blockSignals(True)
    combo.clear()
    for fy in fiscal_years:
        combo.addItem(f"{format_fiscal_year(fy)}（{fy}年度）", fy)
    combo.setCurrentIndex(max(0, combo.findData(selected)))
    combo.blockSignals(False)


def fill_municipalities(combo: QComboBox, municipalities, selected: str | None, *, none_label: str = "") -> None:
    """The 区市町村 in code order; none_label adds a first entry meaning "none / all" (data None)."""
    municipalities = list(municipalities)
    combo.blockSignals(True)
    combo.clear()
    if none_label:
        combo.addItem(none_label, None)
    for municipality in municipalities:
        combo.addItem(municipality.name, municipality.code)
    index = combo.findData(selected) if selected else -1
    combo.setCurrentIndex(index if index >= 0 else 0)
    make_searchable(combo)  # typed name, よみ or code chooses too
    set_search_texts(combo, municipality_texts(municipalities))
    combo.blockSignals(False)


def choose_quietly(combo: QComboBox, value: object) -> None:
    """Show the entry holding `value` without the change signals (putting back a choice, choosing for the
    user before one reload)."""
    combo.blockSignals(True)
    combo.setCurrentIndex(combo.findData(value))
    combo.blockSignals(False)


def confirm_discard(parent: QWidget, what: str) -> bool:
    """Before a page shows other rows: may the unsaved edits be dropped?"""
    answer = QMessageBox.question(parent, "未保存の変更", f"保存していない{what}の変更があります。変更を取り消して切り替えますか？",
                                  QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Discard


def commit_open_editor(table: QAbstractItemView) -> None:
    """Put the text of a cell still being edited into the table: Ctrl+S or closing the window while the
    cursor is in a cell must not lose what was typed there (Qt commits it only when the editor closes)."""
    if table.state() != QAbstractItemView.State.EditingState:
        return
    editor = table.indexWidget(table.currentIndex())
    if editor is not None:
        table.commitData(editor)
        table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)


class EditedCells:
    """The editable cells of a table as last filled: a cell typed over is highlighted until saved or put back,
    and the rows holding such cells can be listed (what a page saves)."""

    def __init__(self, table: QTableWidget, on_edit: Callable[[], None]):
        self.table = table
        self.on_edit = on_edit
        self._original: dict[tuple[int, int], str] = {}
        self._filling = False
        table.itemChanged.connect(self._item_changed)

    @contextlib.contextmanager
    def filling(self) -> Iterator[None]:
        """While the table is filled anew: cells set are not edits; `remember` the editable ones. The table
        neither signals nor repaints nor re-measures its columns per cell (10,000 rows fill in well under a
        second instead of tens): what a page computes per row it does in its fill."""
        self._filling = True
        self._original.clear()
        header = self.table.horizontalHeader()
        modes = [header.sectionResizeMode(column) for column in range(header.count())]
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        was_blocked = self.table.blockSignals(True)
        self.table.setUpdatesEnabled(False)
        try:
            yield
        finally:
            self.table.setUpdatesEnabled(True)
            self.table.blockSignals(was_blocked)
            for column, mode in enumerate(modes):
                header.setSectionResizeMode(column, mode)
            self._filling = False

    def remember(self, row: int, column: int, text: str) -> None:
        self._original[(row, column)] = text

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        changed = item.text().strip() != self._original.get((item.row(), item.column()), "")
        item.setBackground(QBrush(QColor(CHANGED_BACKGROUND)) if changed else QBrush())
        self.on_edit()

    def changed_rows(self) -> list[int]:
        return sorted({row for (row, column), text in self._original.items()
                       if self.table.item(row, column).text().strip() != text})

    def put_back(self) -> None:
        """Every cell as it was filled, unhighlighted."""
        self._filling = True
        try:
            for (row, column), text in self._original.items():
                self.table.item(row, column).setText(text)
                self.table.item(row, column).setBackground(QBrush())
        finally:
            self._filling = False


def number_text(value: int | None) -> str:
    """A count or an amount as a cell shows it: grouped by thousands, blank when not entered."""
    return "" if value is None else f"{value:,}"


def year_and_municipality_combos(name: str) -> tuple[QComboBox, QComboBox]:
    """The 年度 and 区市町村 choosers of a page or screen, named `<name>_fiscal_year` / `<name>_municipality`."""
    fiscal_year, municipality = QComboBox(), QComboBox()
    fiscal_year.setObjectName(f"{name}_fiscal_year")
    municipality.setObjectName(f"{name}_municipality")
    for combo in (fiscal_year, municipality):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return fiscal_year, municipality


def add_choosers(bar: QHBoxLayout, choosers: tuple[tuple[str, QWidget], ...]) -> None:
    """Each chooser after its caption, the caption's mnemonic (&Y …) focusing it."""
    for text, widget in choosers:
        caption = QLabel(text)
        caption.setBuddy(widget)
        bar.addWidget(caption)
        bar.addWidget(widget)


# Computed once: Qt's flag arithmetic in Python costs more than the cell itself when a page fills 10,000 rows.
MEASURED_ROWS = 200
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
READ_ONLY_FLAGS = QTableWidgetItem().flags() & ~Qt.ItemFlag.ItemIsEditable


class EditedTablePage(MasterPage):
    """A page editing the cells of a table, saved all edited rows or none (人口, 経費): choosers, 取り消す and 保存
    above, a hint, the table, the message line. `build_page` lays it out; the subclass fills the table with
    `put_cell` inside `self.edits.filling()` and saves with `write_edits`."""

    table: QTableWidget
    edits: EditedCells
    message: MessageLine

    def build_page(self, name: str, columns: tuple[str, ...], choosers: tuple[tuple[str, QWidget], ...],
                   hint: str, *, below_table: tuple[QWidget, ...] = (),
                   model: QAbstractItemModel | None = None) -> None:
        """With `model`, the table is a view of it (the page keeps its own edits: `self.edits` is None);
        else a QTableWidget filled with `put_cell`."""
        self.save_button = QPushButton(f"{words.SAVE}(&S)")
        self.discard_button = QPushButton(words.REVERT)
        top = QHBoxLayout()
        add_choosers(top, choosers)
        top.addStretch(1)
        top.addWidget(self.discard_button)
        top.addWidget(self.save_button)

        hint_label = QLabel(hint)
        hint_label.setWordWrap(True)
        if model is None:
            self.table = QTableWidget(0, len(columns))
            self.table.setHorizontalHeaderLabels(columns)
        else:
            self.table = QTableView()
            self.table.setModel(model)
            # columns sized from the first rows, not all 10,000 at each layout
            self.table.horizontalHeader().setResizeContentsPrecision(MEASURED_ROWS)
        self.table.setObjectName(f"{name}_table")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(  # typing in a cell replaces it; F2 or a double click edits it
            QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.message = MessageLine()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint_label)
        layout.addWidget(self.table, 1)
        for widget in below_table:
            layout.addWidget(widget)
        layout.addWidget(self.message)

        self.edits = EditedCells(self.table, on_edit=self.message.clear_message) if model is None else None
        self.save_button.clicked.connect(lambda: self.save())
        self.discard_button.clicked.connect(self.discard_changes)

    def put_cell(self, row: int, column: int, text: str, *, editable: bool, number: bool = False) -> QTableWidgetItem:
        """One cell as filled: numbers right-aligned; an editable cell remembered (its edits are tracked),
        any other read-only."""
        item = QTableWidgetItem(text)
        if number:
            item.setTextAlignment(NUMBER_ALIGNMENT)
        if editable:
            self.edits.remember(row, column, text)
        else:
            item.setFlags(READ_ONLY_FLAGS)
        self.table.setItem(row, column, item)
        return item

    def has_unsaved_changes(self) -> bool:
        commit_open_editor(self.table)
        return bool(self.edits.changed_rows())

    def write_widgets(self) -> list[QWidget]:
        return [self.table, self.save_button, self.discard_button]

    def reload(self) -> None:
        """Read the shown rows again (after a save)."""

    def write_edits(self, then: Then | None, problems: list[str], job, changes, done: Callable[[int], str]) -> None:
        """Save the edited rows: cells that cannot be read are listed and nothing is written; else `job` runs
        on the database thread, its count reported by `done(count)` and the rows read again."""
        if problems:
            self.message.error("\n".join(problems))
            finish(then, False)
            return

        def saved(count: int) -> None:
            self.message.done(done(count))
            self.reload()
            finish(then, True)

        CollectionOp(self, self.context, job, changes=changes) \
            .disabling(self.save_button, self.discard_button) \
            .success(saved).failure(save_refused(self.message, then)).run_in_background()


class YearAndMunicipalityChoice:
    """For a page showing one (区市町村, 年度) at a time (mixed in before MasterPage): its choosers filled once
    from the database, kept on the pair shown (`_shown`), and a switch with unsaved edits asks first. The page
    has `fiscal_year_combo`, `municipality_combo` and `reload()`."""

    DISCARD_WHAT = ""  # what the unsaved edits are of, as the question names them
    YEARS_AHEAD = 0  # 年度 after the current one that may be chosen

    def load(self) -> None:
        from kaigo_desktop.domain.fiscal import fiscal_year_of
        from kaigo_desktop.services import masters_view, overview

        today, ahead = self.today(), self.YEARS_AHEAD
        self.context.run(
            lambda db, _ctx: (masters_view.fiscal_year_choices(db, today, ahead=ahead), overview.municipalities(db),
                              masters_view.likely_municipality(db)),
            on_done=lambda result: self._choices_loaded(*result, fiscal_year_of(today)))

    def _choices_loaded(self, years, municipalities, default: str, current: int) -> None:
        fill_fiscal_years(self.fiscal_year_combo, years, self._shown[1] if self._shown else current)
        fill_municipalities(self.municipality_combo, municipalities, self._shown[0] if self._shown else default)
        self.loaded = True
        self.reload()

    def selection(self) -> tuple[str, int] | None:
        code, fiscal_year = self.municipality_combo.currentData(), self.fiscal_year_combo.currentData()
        return (code, fiscal_year) if code and fiscal_year else None

    def _choice_changed(self, _index: int) -> None:
        if self.has_unsaved_changes() and not confirm_discard(self, self.DISCARD_WHAT):
            choose_quietly(self.municipality_combo, self._shown[0])
            choose_quietly(self.fiscal_year_combo, self._shown[1])
            return
        self.reload()
