"""The bulk reader of a gatherings file: a plain record (a CSV row of short text cells, or a workbook's row of
text, number, date and time cells) made straight into the values of a table row, each cell read once per
distinct value by the very readings the row path uses (importing_figures._gathering), the row checked by the same rules (services/bulk, rights, the times' order).
A record with anything wrong gives None, and the row path reads it again to name each error at its cell — so
a valid row costs a few dictionary look-ups instead of a Row, a Gathering and their dictionaries."""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from datetime import date
from typing import Any

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import bulk, rights
from kaigo_desktop.services.importing_context import CODE, MAX_MEMO_ENTRIES, PLACE_ID, PLACE_NAME, Context
from kaigo_desktop.services.importing_table import ErrorSink, Row, cell_parts, normalized_text
from kaigo_desktop.storage.rows import stored_value

PROMOTER = "推進員"
NOTES = "備考"
# (header, field, reading of a row holding that one cell) for each cell read by itself, in the row path's order.
CellReading = tuple[str, str, Callable[[Context, Row], Any]]
_FAILED = object()  # a cell or reference with an error: the row goes the row path

# The table row's values in this order (the gatherings' columns but the id, which the writer makes).
COLUMNS = ("place_id", "held_on", "attendance_total", "start_time", "end_time", "programs", "male", "female",
           "age_under_65", "age_65_74", "age_75_plus", "new_participants", "professionals", "promoter_id", "notes")
_COUNTS = ("attendance_total", "male", "female", "age_under_65", "age_65_74", "age_75_plus", "new_participants")
_REFERENCES = ("place_id", "promoter_id", "notes")  # found after the cells read by themselves


class GatheringCells:
    def __init__(self, ctx: Context, columns: list[str], readings: tuple[CellReading, ...],
                 facts: tuple[dict, set], times_out_of_order: Callable[[str | None, str | None], bool],
                 before_reading_database: Callable[[], None]):
        """`before_reading_database` is called before a promoter or a right is first looked up (the places
        are: Context.preload_places)."""
        self.ctx, self.facts, self.times_out_of_order = ctx, facts, times_out_of_order
        self.before_reading_database = before_reading_database
        self.width = len(columns)
        at = {header: index for index, header in enumerate(columns)}
        absent = self.width  # a record is padded with one blank cell past its last column: absent ones read it
        fields = [field for _header, field, _read in readings]
        self._readings = [({}, header, field, read) for header, field, read in readings]
        self._read_cells = itemgetter(*(at.get(header, absent) for header, _field, _read in readings))
        self._counts_at = tuple(fields.index(name) for name in _COUNTS)
        self._count_cells = itemgetter(*(at.get(readings[i][0], absent) for i in self._counts_at))
        self._held_on_at, self._start_at, self._end_at = (fields.index(name) for name in
                                                          ("held_on", "start_time", "end_time"))
        self._place_cells = itemgetter(*(at.get(header, absent) for header in (PLACE_ID, CODE, PLACE_NAME)))
        self._promoter_at, self._notes_at = at.get(PROMOTER, absent), at.get(NOTES, absent)
        slots = [*fields, *_REFERENCES]
        self._in_table_order = itemgetter(*(slots.index(name) for name in COLUMNS))
        self._places: dict[tuple[str, str, str], Any] = {}
        self._promoters: dict[tuple[str, str], Any] = {}
        self._refusals: dict[str, str | None] = {}
        self._attendance_holds: dict[tuple[str, ...], bool] = {}
        self._padding = [""] * (self.width + 1)

    def values(self, cells: list[Any]) -> tuple | None:
        """The table row's values (COLUMNS) of a valid record, None for a record with any problem."""
        if type(cells) is not list:  # a reader's tuple
            cells = list(cells)
        if len(cells) <= self.width:
            cells += self._padding[len(cells):]
        read: list[Any] = []
        stored: list[Any] = []
        for raw, (cache, header, field, reading) in zip(self._read_cells(cells), self._readings):
            key = raw if type(raw) is str else (type(raw), raw)  # a typed cell by its type too: 0 == 0.0 == False
            found = cache.get(key)
            if found is None:
                found = self._read_cell(cache, key, raw, header, field, reading)
            if found is _FAILED:
                return None
            read.append(found[0])
            stored.append(found[1])
        count_cells = self._count_cells(cells)
        holds = self._attendance_holds.get(count_cells)
        if holds is None:
            holds = not bulk.attendance_errors(*(read[i] for i in self._counts_at))
            if len(self._attendance_holds) >= MAX_MEMO_ENTRIES:
                self._attendance_holds.clear()
            self._attendance_holds[count_cells] = holds
        if not holds or self.times_out_of_order(read[self._start_at], read[self._end_at]):
            return None
        place = self._place(cells)
        if place is _FAILED:
            return None
        place_id = place[0]
        promoter_id = self._promoter(cells[self._promoter_at], place[1])
        if promoter_id is _FAILED:
            return None
        periods, live_promoters = self.facts
        held_on: date = read[self._held_on_at]
        if place_id not in periods or bulk.reference_errors(place_id, held_on, promoter_id, periods,
                                                            live_promoters, self.ctx.today):
            return None
        refused = self._refusals.get(place_id, _FAILED)
        if refused is _FAILED:
            self.before_reading_database()
            refused = self._refusals[place_id] = rights.refusal(self.ctx.db, r.Gathering(
                place_id, held_on, read[self._counts_at[0]], promoter_id=promoter_id))  # a gathering's: its place's
        if refused:
            return None
        stored += (place_id, promoter_id, normalized_text(cells[self._notes_at]))
        return self._in_table_order(stored)

    def _read_cell(self, cache: dict, key: Any, raw: Any, header: str, field: str,
                   reading: Callable[[Context, Row], Any]) -> Any:
        if type(raw) is str:
            one = Row(0, {header: normalized_text(raw)}, ErrorSink())
        else:  # a workbook's typed cell: its text and its value, as the row path gives them to the reading
            text, typed, _problem = cell_parts(raw)  # no problem: RowStream hands on only cells read straight
            one = Row(0, {header: text}, ErrorSink(), None if typed is None else {header: typed})
        value = reading(self.ctx, one)
        found = _FAILED if one.failed else (value, stored_value(field, value))
        if len(cache) >= MAX_MEMO_ENTRIES:
            cache.clear()
        cache[key] = found
        return found

    def _place(self, cells: list[Any]) -> Any:
        key = self._place_cells(cells)
        found = self._places.get(key)
        if found is None:
            row = Row(0, {header: normalized_text(raw) for header, raw in zip((PLACE_ID, CODE, PLACE_NAME), key)},
                      ErrorSink())
            place = self.ctx.place(row)
            found = _FAILED if place is None or row.failed else place
            if len(self._places) >= MAX_MEMO_ENTRIES:
                self._places.clear()
            self._places[key] = found
        return found

    def _promoter(self, raw: str, municipality_code: str) -> Any:
        key = (raw, municipality_code)
        found = self._promoters.get(key, _FAILED)
        if found is _FAILED and key not in self._promoters:
            text = normalized_text(raw)
            if not text:
                found = None
            else:
                row = Row(0, {PROMOTER: text}, ErrorSink())
                self.before_reading_database()
                promoter = self.ctx.promoter(row, PROMOTER, municipality_code)
                found = _FAILED if promoter is None or row.failed else promoter[0]
            if len(self._promoters) >= MAX_MEMO_ENTRIES:
                self._promoters.clear()
            self._promoters[key] = found
        return found
