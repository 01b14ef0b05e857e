"""The table of places: rows as the services found them (already filtered and sorted in SQL); a click on a
header asks the screen for a new query instead of sorting in Python."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from kaigo_desktop.domain.fiscal import format_wareki, format_wareki_short
from kaigo_desktop.domain.vocab import PROGRAM_LABELS
from kaigo_desktop.gui.widgets import column_widths as widths
from kaigo_desktop.services.places_view import PlaceListRow

# Two characters per program so five fit in a narrow column; the tooltip gives the full names.
PROGRAM_SHORT = {"motor": "運動", "nutrition": "栄養", "oral": "口腔", "cognition": "認知", "social": "社会"}
_STATUS_COLOURS = {"休止中": QColor("#8a6d00"), "終了": QColor("#6b6b6b")}


def _short_date(value: date | None) -> str:
    return format_wareki_short(value) if value else ""


def _long_date(value: date | None) -> str:
    return format_wareki(value) if value else ""


def deleted_day(stamp: str | None) -> date | None:
    """The local calendar day of a UTC deletion stamp."""
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone().date()


@dataclass(frozen=True)
class Column:
    header: str
    sort_key: str
    text: Callable[[PlaceListRow], str]
    tooltip: Callable[[PlaceListRow], str] | None = None
    width_sample: str = ""  # the widest text expected: the column's width follows the text size (column_widths)


COLUMNS: tuple[Column, ...] = (
    Column("名称", "name", lambda r: r.name, width_sample=widths.chars(13)),
    Column("フリガナ", "kana", lambda r: r.kana, width_sample=widths.chars(11)),
    Column("区市町村", "municipality", lambda r: r.municipality_name, width_sample=widths.chars(5)),
    Column("地域包括支援センター", "center", lambda r: r.center_name, width_sample=widths.chars(12)),
    Column("住所", "address", lambda r: r.address, width_sample=widths.chars(12)),
    Column("プログラム", "programs",
           lambda r: "・".join(PROGRAM_SHORT[c] for c in r.programs),
           lambda r: "、".join(PROGRAM_LABELS[c] for c in r.programs) or "プログラム種別の登録なし",
           "運動・栄養・口腔・認知・社会"),
    Column("状態", "status", lambda r: r.status, width_sample="休止中"),
    Column("開始日", "start_date", lambda r: _short_date(r.start_date), lambda r: _long_date(r.start_date),
           widths.SHORT_DATE),
    Column("終了日", "end_date", lambda r: _short_date(r.end_date), lambda r: _long_date(r.end_date),
           widths.SHORT_DATE),
)
TRASH_COLUMN = Column("削除日", "deleted_at", lambda r: _short_date(deleted_day(r.deleted_at)),
                      lambda r: _long_date(deleted_day(r.deleted_at)), widths.SHORT_DATE)


class PlaceTableModel(QAbstractTableModel):
    """`sort_did_change(key, descending)` is emitted when the view asks for a sort: the screen re-queries."""

    sort_did_change = Signal(str, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[PlaceListRow] = []
        self._columns: tuple[Column, ...] = COLUMNS
        self._row_of_id: dict[str, int] = {}

    # ---- contents -------------------------------------------------------------------------------

    def set_rows(self, rows: list[PlaceListRow], *, trash: bool = False) -> None:
        self.beginResetModel()
        self._rows = rows
        self._columns = (*COLUMNS, TRASH_COLUMN) if trash else COLUMNS
        self._row_of_id = {row.id: i for i, row in enumerate(rows)}
        self.endResetModel()

    def row_at(self, row: int) -> PlaceListRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, place_id: str | None) -> int:
        return self._row_of_id.get(place_id, -1) if place_id else -1

    def column_of(self, sort_key: str) -> int:
        return next((i for i, c in enumerate(self._columns) if c.sort_key == sort_key), -1)

    def sort_key_of(self, column: int) -> str | None:
        return self._columns[column].sort_key if 0 <= column < len(self._columns) else None

    # ---- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip else (column.text(row) or None)
        if role == Qt.ItemDataRole.ForegroundRole and row.status in _STATUS_COLOURS:
            return QBrush(_STATUS_COLOURS[row.status])
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].header if 0 <= section < len(self._columns) else None
        return str(section + 1)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.sort_key_of(column)
        if key is not None:
            self.sort_did_change.emit(key, order == Qt.SortOrder.DescendingOrder)
