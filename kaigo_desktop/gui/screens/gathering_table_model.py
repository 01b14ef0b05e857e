"""The gatherings list as a Qt model over an ordered key list (Anki's browser does the same): rowCount is the
number of gatherings, rows are fetched by key on the database thread in pages of 200, kept in an LRU cache,
and shown as 「…」 until their page arrives. Sorting is asked of the screen, which has SQL do it.

The key list may arrive in two steps (set_keys with a total, then complete_keys): first the count and the
first and last keys with their rows, read along an index in milliseconds, then all the keys, which take most
of a second at a million gatherings. Pages in between wait for them."""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal

from kaigo_desktop.domain.fiscal import format_wareki
from kaigo_desktop.gui.widgets import column_widths as widths
from kaigo_desktop.gui.widgets.rows_table_model import header_text
from kaigo_desktop.services import gatherings_view
from kaigo_desktop.services.gatherings_view import GatheringRow

PAGE_SIZE = 200
CACHE_PAGES = 64  # 12,800 rows: several screens' worth either way of where the user is
MAX_PENDING_PAGES = 4  # while dragging the scroll bar only the latest pages asked for are worth fetching
PLACEHOLDER = "…"
WEEKDAYS = "月火水木金土日"
PROGRAM_SHORT = {"motor": "運動", "nutrition": "栄養", "oral": "口腔", "cognition": "認知", "social": "社会"}

_Index = QModelIndex | QPersistentModelIndex


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _local_time(stamp: str | None) -> str:
    """A stored UTC stamp as local time, 2024/05/08 14:03."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y/%m/%d %H:%M")
    except ValueError:
        return stamp


def held_on_text(row: GatheringRow) -> str:
    return f"{format_wareki(row.held_on)}（{WEEKDAYS[row.held_on.weekday()]}）"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[GatheringRow], str]
    width_sample: str  # the widest text expected: the column's width follows the text size (column_widths)
    sort_key: str | None = None  # one of gatherings_view.SORT_KEYS, or None: not sortable
    number: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("開催日", held_on_text, widths.DATE_WEEKDAY, "held_on"),
    Column("区市町村", lambda r: r.municipality_name, widths.chars(5), "municipality"),
    Column("通いの場", lambda r: r.place_name, widths.chars(14), "place"),
    Column("参加者数", lambda r: str(r.attendance_total), widths.SMALL_COUNT, "attendance_total", True),
    Column("男性", lambda r: _count(r.male), widths.SMALL_COUNT, number=True),
    Column("女性", lambda r: _count(r.female), widths.SMALL_COUNT, number=True),
    Column("65歳未満", lambda r: _count(r.age_under_65), widths.SMALL_COUNT, number=True),
    Column("65～74歳", lambda r: _count(r.age_65_74), widths.SMALL_COUNT, number=True),
    Column("75歳以上", lambda r: _count(r.age_75_plus), widths.SMALL_COUNT, number=True),
    Column("新規", lambda r: _count(r.new_participants), widths.SMALL_COUNT, number=True),
    Column("時間", lambda r: f"{r.start_time or ''}～{r.end_time or ''}" if r.start_time or r.end_time else "",
           widths.TIME_RANGE),
    Column("プログラム", lambda r: "・".join(PROGRAM_SHORT[p] for p in r.programs), "運動・栄養・口腔・認知・社会"),
    Column("専門職", lambda r: "、".join(r.professionals), widths.chars(10)),
    Column("推進員", lambda r: r.promoter_name or "", "長谷川 佳代子"),
    Column("備考", lambda r: r.notes, widths.chars(12)),
    Column("更新者", lambda r: r.updated_by, "長谷川 佳代子"),
    Column("更新日時", lambda r: _local_time(r.updated_at), widths.STAMP, "updated_at"),
    Column("削除日時", lambda r: _local_time(r.deleted_at), widths.STAMP),
)
DELETED_COLUMN = len(COLUMNS) - 1
_TITLES = tuple(column.title for column in COLUMNS)
_LONG_TEXT_COLUMNS = frozenset({2, 12, 14})  # 通いの場, 専門職, 備考: shown in full as a tool tip
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_ID = int(Qt.ItemDataRole.UserRole)  # the gathering's id
_NUMBER_ALIGNMENT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_TEXT_ALIGNMENT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class GatheringTableModel(QAbstractTableModel):
    """`run` is AppContext.run: pages are read by the database thread, never here."""

    sort_requested = Signal(str, bool)  # sort key, descending

    def __init__(self, run: Callable[..., Any], parent=None):
        super().__init__(parent)
        self._run = run
        self._keys = array("q")
        self._total = 0  # rows the list has: len(self._keys) once all keys are known
        self._tail = array("q")  # until then, the list's last keys (jumping to the end need not wait)
        self._pages: OrderedDict[int, list[GatheringRow | None]] = OrderedDict()
        self._pending: OrderedDict[int, None] = OrderedDict()
        self._in_flight = False
        self._generation = 0  # bumped on every reset, so a page read for an older key list is dropped

    # ---- keys ----------------------------------------------------------------------------------

    def set_keys(self, keys: array, total: int | None = None, rows: Sequence[GatheringRow] = (),
                 tail: array | None = None) -> None:
        """A new list: `keys` in list order, the first `total` of them if they are not all known yet
        (complete_keys brings the rest; `tail` are the last ones meanwhile), and the rows of any of them if
        already read."""
        self.beginResetModel()
        self._keys = keys
        self._total = len(keys) if total is None else total
        self._tail = array("q") if self.is_complete() or tail is None else tail
        self._pages.clear()
        self._pending.clear()
        self._generation += 1
        if rows:
            by_key = {row.key: row for row in rows}
            last_page = (self._total - 1) // PAGE_SIZE
            first_pages = range(min(len(keys) // PAGE_SIZE, last_page) + 1)
            last_pages = range((self._total - len(self._tail)) // PAGE_SIZE, last_page + 1) if self._tail else ()
            for page in {*first_pages, *last_pages}:
                wanted = self._page_keys(page)
                if wanted is not None and all(k in by_key for k in wanted):
                    self._pages[page] = [by_key[k] for k in wanted]
        self.endResetModel()

    def complete_keys(self, keys: array) -> None:
        """All the keys of the list set_keys began (the same order, so the rows shown stay); others (the
        records changed meanwhile) start the list afresh."""
        same = (len(keys) == self._total and keys[:len(self._keys)] == self._keys
                and keys[len(keys) - len(self._tail):] == self._tail)
        if not same:
            self.set_keys(keys)
            return
        self._keys = keys
        self._tail = array("q")
        if self._pending and not self._in_flight:
            self._in_flight = True
            QTimer.singleShot(0, self._dispatch)

    def is_complete(self) -> bool:
        """Whether every key is known (selections can then be turned into keys)."""
        return len(self._keys) == self._total

    def key_at(self, row: int) -> int | None:
        if 0 <= row < len(self._keys):
            return self._keys[row]
        tail_start = self._total - len(self._tail)
        return self._tail[row - tail_start] if tail_start <= row < self._total else None

    def keys_between(self, first: int, last: int) -> array:
        """Keys of rows first..last, of those known from the start (all once is_complete)."""
        return self._keys[first:last + 1]

    def row_of_key(self, key: int) -> int:
        try:
            return self._keys.index(key)
        except ValueError:
            return -1

    def row_at(self, row: int) -> GatheringRow | None:
        """The loaded row, or None while its page has not arrived (asking starts the fetch)."""
        page = self._pages.get(row // PAGE_SIZE)
        if page is None:
            self._request(row // PAGE_SIZE)
            return None
        self._pages.move_to_end(row // PAGE_SIZE)
        return page[row % PAGE_SIZE]

    def is_loaded(self, row: int) -> bool:
        return row // PAGE_SIZE in self._pages

    # ---- Qt model ------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        # Called for every role of every visible cell on each paint: plain int roles, the usual ones first.
        if role == _DISPLAY or role == _TOOLTIP or role == _ID:
            row = self.row_at(index.row()) if index.isValid() else None
            if row is None:
                loading = index.isValid() and not self.is_loaded(index.row())
                return PLACEHOLDER if loading and role == _DISPLAY else None
            if role == _ID:
                return row.id
            text = COLUMNS[index.column()].text(row)
            if role == _TOOLTIP:
                return text if text and index.column() in _LONG_TEXT_COLUMNS else None  # may be cut off
            return text
        if role == _ALIGNMENT and index.isValid():
            return _NUMBER_ALIGNMENT if COLUMNS[index.column()].number else _TEXT_ALIGNMENT
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return header_text(_TITLES, section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks: only columns SQL can sort by; the screen reloads the keys in that order."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].sort_key is None:
            return
        self.sort_requested.emit(COLUMNS[column].sort_key, order == Qt.SortOrder.DescendingOrder)

    # ---- pages ---------------------------------------------------------------------------------

    def _request(self, page: int) -> None:
        if page in self._pending:
            self._pending.move_to_end(page)
            return
        self._pending[page] = None
        while len(self._pending) > MAX_PENDING_PAGES:
            self._pending.popitem(last=False)
        if not self._in_flight:
            self._in_flight = True
            # Collect every page one paint asks for, then read them in one job.
            QTimer.singleShot(0, self._dispatch)

    def _dispatch(self) -> None:
        # Pages whose keys are still coming stay asked for (complete_keys dispatches them).
        ready = [p for p in reversed(self._pending) if p in self._pages or self._keys_known_for(p)]
        for page in ready:
            del self._pending[page]
        pages = [p for p in ready if p not in self._pages]
        if not pages:
            self._in_flight = False
            return
        generation = self._generation
        wanted = {page: self._page_keys(page) for page in pages}

        def job(db, _ctx):
            return {page: gatherings_view.list_rows(db, keys) for page, keys in wanted.items()}

        self._run(job, on_done=lambda result: self._arrived(generation, wanted, result),
                  on_error=lambda _error: self._failed())

    def _page_keys(self, page: int) -> array | None:
        """The keys of a page, or None while some of them are still coming."""
        first, last = page * PAGE_SIZE, min((page + 1) * PAGE_SIZE, self._total)
        if last <= len(self._keys):
            return self._keys[first:last]
        tail_start = self._total - len(self._tail)
        if self._tail and first >= tail_start:
            return self._tail[first - tail_start:last - tail_start]
        return None

    def _keys_known_for(self, page: int) -> bool:
        return self._page_keys(page) is not None

    def _arrived(self, generation: int, wanted: dict[int, array], result: dict[int, list[GatheringRow]]) -> None:
        self._in_flight = False
        if generation == self._generation:
            for page, rows in result.items():
                by_key = {row.key: row for row in rows}
                # A key whose record vanished since the list was made shows as an empty row until the refresh.
                self._pages[page] = [by_key.get(key) for key in wanted[page]]
                while len(self._pages) > CACHE_PAGES:
                    self._pages.popitem(last=False)
                first = page * PAGE_SIZE
                last = min(first + PAGE_SIZE, self._total) - 1
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        if any(self._keys_known_for(page) for page in self._pending):
            self._in_flight = True
            self._dispatch()

    def _failed(self) -> None:
        self._in_flight = False  # the pages are asked for again when next shown
