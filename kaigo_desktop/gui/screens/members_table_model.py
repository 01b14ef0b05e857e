"""The table model of the 参加者実人数 page: the rows read (members_view.MembersRow), the cells typed over them and
each row's check, computed when a row is shown or typed in. Filling it is one reset whatever the number of
places (10,000 rows: no Qt item per cell), so the page is as quick as the month grid."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.domain.validation import count_units
from kaigo_desktop.gui.screens.masters_common import CHANGED_BACKGROUND, NUMBER_ALIGNMENT, number_text
from kaigo_desktop.services import members_view
from kaigo_desktop.services.members_view import PARTS, MembersEntry, MembersRow

COLUMNS = ("通いの場", "延べ参加者数", "実人数", "男性", "女性", "65歳未満", "65～74歳", "75歳以上", "確認")
NAME, ATTENDANCE, TOTAL, MALE, FEMALE, UNDER_65, AGE_65_74, AGE_75_PLUS, NOTE = range(len(COLUMNS))
EDITABLE = (TOTAL, MALE, FEMALE, UNDER_65, AGE_65_74, AGE_75_PLUS)
PART_COLUMNS = dict(zip(PARTS, (MALE, FEMALE, UNDER_65, AGE_65_74, AGE_75_PLUS), strict=True))
LABELS = {TOTAL: "実人数", MALE: "男性", FEMALE: "女性", UNDER_65: "65歳未満", AGE_65_74: "65～74歳",
          AGE_75_PLUS: "75歳以上"}
PROBLEM_BRUSH = QBrush(QColor("#c62828"))
ROSTER_BRUSH = QBrush(QColor("#555555"))
ROSTER_NOTE = "開催記録で記録した参加者から計算（入力不要）"
CHANGED_BRUSH = QBrush(QColor(CHANGED_BACKGROUND))
_FIELD_OF = {TOTAL: "total", **{column: part for part, column in PART_COLUMNS.items()}}


def stored_text(row: MembersRow, column: int) -> str:
    if column == NAME:
        return row.place_name
    if column == ATTENDANCE:
        return number_text(row.attendance)
    return number_text(getattr(row, _FIELD_OF[column])) if column in _FIELD_OF else ""


class MembersTableModel(QAbstractTableModel):
    def __init__(self, on_edit: Callable[[], None] = lambda: None):
        super().__init__()
        self.rows: list[MembersRow] = []
        self._typed: dict[tuple[int, int], str] = {}
        self._notes: dict[int, str] = {}
        self.editable = True  # False: a 年度 locked (提出済み) or a read-only database
        self.on_edit = on_edit

    # ---- filling and reading -------------------------------------------------------------------

    def fill(self, rows: list[MembersRow], *, editable: bool = True) -> None:
        self.beginResetModel()
        self.rows, self._typed, self._notes, self.editable = rows, {}, {}, editable
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        """The cell as shown: what was typed, else what is stored (the note column: the row's check)."""
        if column == NOTE:
            return self.note(row)
        typed = self._typed.get((row, column))
        return typed if typed is not None else stored_text(self.rows[row], column)

    def is_changed(self, row: int, column: int) -> bool:
        typed = self._typed.get((row, column))
        return typed is not None and typed.strip() != stored_text(self.rows[row], column)

    def changed_rows(self) -> list[int]:
        return sorted({row for (row, column) in self._typed if self.is_changed(row, column)})

    def entry(self, row: int) -> MembersEntry:
        """The row as shown; ValueError (Japanese) for a cell that is not a count."""
        values = {column: parse_count(self.text(row, column), field_label=LABELS[column],
                                      units=count_units("total")) for column in EDITABLE}
        return MembersEntry(self.rows[row].place_id, values[TOTAL],
                            **{part: values[column] for part, column in PART_COLUMNS.items()})

    def problems(self, row: int) -> tuple[list[str], list[str]]:
        """(errors, warnings) of one row as shown: what the save would refuse, and what only warns."""
        try:
            entry = self.entry(row)
        except ValueError as error:
            return [str(error)], []
        errors, warnings = members_view.row_problems(entry, self.rows[row].attendance)
        return [e.message for e in errors], warnings

    def note(self, row: int) -> str:
        if self.rows[row].from_roster:
            return ROSTER_NOTE
        if row not in self._notes:
            errors, warnings = self.problems(row)
            self._notes[row] = " ".join(errors + warnings)
        return self._notes[row]

    # ---- Qt's model ----------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if self._cell_editable(index.row(), index.column()) else flags

    def _cell_editable(self, row: int, column: int) -> bool:
        """A roster place's figure is computed from who came (storage/member_figures.py): never typed over."""
        return self.editable and column in EDITABLE and not self.rows[row].from_roster

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (NAME, NOTE):
            return NUMBER_ALIGNMENT
        if role == Qt.ItemDataRole.ForegroundRole and column == NOTE:
            return ROSTER_BRUSH if self.rows[row].from_roster else PROBLEM_BRUSH
        if role == Qt.ItemDataRole.BackgroundRole and column in EDITABLE and self.is_changed(row, column):
            return CHANGED_BRUSH
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not self._cell_editable(index.row(), index.column()):
            return False
        row = index.row()
        self._typed[(row, index.column())] = str(value)
        self._notes.pop(row, None)  # checked again when shown
        self.dataChanged.emit(index, index)
        self.dataChanged.emit(self.index(row, NOTE), self.index(row, NOTE))
        self.on_edit()
        return True

    def put_back(self) -> None:
        """Every cell as stored."""
        self.fill(self.rows, editable=self.editable)
