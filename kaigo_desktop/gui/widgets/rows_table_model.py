"""A read-only table model over a small list of rows whose sorting is done by the database: clicking a
header asks for a new query instead of sorting in Qt."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

R = TypeVar("R")
_MUTED = QBrush(QColor("#6b6b6b"))
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
Index = QModelIndex | QPersistentModelIndex


def header_text(titles: Sequence[str], section: int, orientation: Qt.Orientation, role: int,
                row_count: int | None = None) -> str | None:
    """A table model's headerData: the column titles across, row numbers from 1 down (only for rows that
    exist, when row_count is given)."""
    if role != Qt.ItemDataRole.DisplayRole:
        return None
    if orientation == Qt.Orientation.Horizontal:
        return titles[section] if 0 <= section < len(titles) else None
    return str(section + 1) if row_count is None or 0 <= section < row_count else None


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    text: Callable[[R], str]
    sort_key: str | None = None  # the service's sort key; None = not sortable
    numeric: bool = False  # right-aligned
    tooltip: Callable[[R], str] | None = None  # the full form when the cell shows a short one
    width_sample: str = ""  # typical widest text: the column's first width follows the text size


class RowsTableModel(QAbstractTableModel, Generic[R]):
    """Rows are replaced whole by `set_rows`. `sort_requested(key, descending)` is emitted when the view
    asks to sort by a sortable column; the owner re-queries and calls `set_rows`."""

    sort_requested = Signal(str, bool)
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, columns: Sequence[Column[R]], *, muted: Callable[[R], bool] | None = None,
                 parent: Any = None):
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[R] = []
        self._muted = muted

    # ---- contents ------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    @property
    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def find_row(self, predicate: Callable[[R], bool]) -> int:
        return next((i for i, r in enumerate(self._rows) if predicate(r)), -1)

    # ---- Qt model interface --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.columns):
            return None
        row, column = self._rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (column.tooltip or column.text)(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.numeric else _LEFT
        if role == Qt.ItemDataRole.ForegroundRole and self._muted is not None and self._muted(row):
            return _MUTED
        if role == self.ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return header_text([column.header for column in self.columns], section, orientation, role,
                           row_count=len(self._rows))

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.columns) and self.columns[column].sort_key:
            self.sort_requested.emit(self.columns[column].sort_key,
                                     order == Qt.SortOrder.DescendingOrder)
