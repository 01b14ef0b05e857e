"""The rows of one worksheet, streamed from its XML with expat: each row as the import reads it (a record of
typed cells: text, int, float, bool, date/time, None or a CellProblem), with the sheet's <dimension> and
merged ranges noted on the way.

Cells read as openpyxl reads them with data_only (the value Excel saved for a formula, shared and inline
strings with their rich-text runs, booleans, numbers and dates by the cell's style, in the 1900 or 1904 date
system), plus what an import must know that openpyxl would not say: a formula without a saved value, an error
value, a number Excel would not show. A row or cell placed beyond Excel's limits, or a part that stops being
XML, raises WorkbookDamaged.

This is the hot loop of an Excel import (a 100,000-row sheet has 1.6 million cells and five times as many XML
events): the handlers are closures over local state, and a cell reference is split by the row number it ends
with and a dict of column letters rather than by a regular expression."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from kaigo_desktop.services.importing_table import CellProblem, Record, cell_too_long
from kaigo_desktop.services.xlsx_package import MAIN, WorkbookDamaged, feed, new_parser

MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # Excel's own limits
CELL_TEXT_LIMIT = 32_767  # Excel's own limit of a cell's text: more is kept as its length only
MAX_MERGED_RANGES = 100_000  # only hints come of them

ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})

_C, _V, _F, _IS, _T, _R = (f"{MAIN} {tag}" for tag in ("c", "v", "f", "is", "t", "r"))
_ROW, _SHEET_DATA, _DIMENSION, _MERGE_CELL = (f"{MAIN} {tag}" for tag in ("row", "sheetData", "dimension",
                                                                          "mergeCell"))
_COORDINATE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_RANGE_END = re.compile(r"(?:^|:)\$?[A-Za-z]{1,3}\$?(\d{1,7})$")
_WINDOWS_EPOCH, _MAC_EPOCH = datetime(1899, 12, 30), datetime(1904, 1, 1)


@functools.cache
def _letters() -> tuple[dict[str, int], list[str]]:
    """{"A": 1, …, "XFD": 16384} and its reverse (index 0 unused)."""
    names = [""]
    for index in range(1, MAX_COLUMN + 1):
        name, rest = "", index
        while rest:
            rest, digit = divmod(rest - 1, 26)
            name = chr(65 + digit) + name
        names.append(name)
    return {name: index for index, name in enumerate(names) if name}, names


def column_name(column: int) -> str:
    """"C" for column 3 (1-based), for messages."""
    return _letters()[1][column] if 1 <= column <= MAX_COLUMN else f"{column}列目"


def column_number(letters: str) -> int:
    """3 for "C" (upper case), 0 for what is not a column of Excel's."""
    return _letters()[0].get(letters, 0)


def coordinate(row: int, column: int) -> str:
    return f"セル{column_name(column)}{row}" if 1 <= column <= MAX_COLUMN else f"{row}行{column}列のセル"


def damaged(detail: str) -> WorkbookDamaged:
    return WorkbookDamaged(detail)


class SheetRows:
    """One worksheet part; `records()` (or `batches()`) streams its rows that hold any value (the others are passed over, as
    are rows repeated out of order); `last_row` (from <dimension>, 0 when absent) is known once the first
    record is read, `merged` (the ranges' references) once all are."""

    def __init__(self, source: IO[bytes], part: str, shared: list[str], date_styles: frozenset[int],
                 duration_styles: frozenset[int], date1904: bool):
        self.source, self.part, self.shared = source, part, shared
        self.date1904 = date1904
        self.date_styles = {str(index) for index in date_styles}
        self.duration_styles = {str(index) for index in duration_styles}
        self.last_row = 0
        self.merged: list[str] = []

    def records(self) -> Iterator[Record]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Record]]:  # noqa: C901 — one closure per expat handler, kept together
        """The records a chunk of the XML at a time (a list per chunk that held any)."""
        columns_by_name = _letters()[0]
        shared, shared_count = self.shared, len(self.shared)
        date_styles, duration_styles, date1904 = self.date_styles, self.duration_styles, self.date1904
        merged, sheet = self.merged, self
        done: list[Record] = []

        depth = skip = data_depth = 0  # element depth; depth of a subtree passed over; depth of <sheetData>
        row_number = row_counter = 0  # the row being read (0: none); the last row number seen
        next_row = 1  # rows numbered below it come out of order and are passed over, as openpyxl does
        values: list[Any] = []
        suffix, cut = "", 0  # str(row_number), -len(suffix): "AB12" in row 12 is column "AB"
        column = last_column = 0
        in_cell = False
        cell_type: str | None = None
        cell_style: str | None = None
        has_value = has_formula = False
        collecting = 0  # 1 inside <v>, 2 inside <is><t>, 3 inside <is><r><t>
        text: str | None = None  # of the element being read
        overflow = 0  # its characters beyond CELL_TEXT_LIMIT (only their count is kept)
        too_long = 0  # the length of the cell's text when over CELL_TEXT_LIMIT, else 0
        value_text: str | None = None  # the text of <v>
        in_inline = in_run = False
        plain: str | None = None
        runs: list[str] | None = None  # made only for rich text
        inline: str | None = None

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal depth, skip, data_depth, row_number, row_counter, values, suffix, cut, column, last_column
            nonlocal in_cell, cell_type, cell_style, has_value, has_formula, collecting, text, overflow, too_long
            nonlocal value_text, in_inline, in_run, plain, runs, inline
            depth += 1
            if skip:
                return
            if in_cell:
                level = depth - data_depth  # 3: a child of <c>
                if level == 3:
                    if name == _V:
                        has_value, collecting, text = True, 1, None
                    elif name == _IS:
                        in_inline = True
                        plain = runs = inline = None
                    else:
                        has_formula = has_formula or name == _F
                        skip = depth
                elif in_inline and name == _T and (level == 4 or (level == 5 and in_run)):
                    collecting, text = (3 if in_run else 2), None
                elif in_inline and name == _R and level == 4:
                    in_run = True
                else:
                    skip = depth
                return
            if name == _C:
                if not row_number or depth != data_depth + 2:
                    skip = depth
                    return
                reference = attrs.get("r")
                if reference is None:
                    column += 1
                    if column > MAX_COLUMN:
                        raise damaged(f"セル番地 {column_name(column)} は Excel の範囲外です")
                elif reference.endswith(suffix) and (found := columns_by_name.get(reference[:cut])):
                    column = found
                else:
                    column = _column_of(reference)
                in_cell = True
                has_value = has_formula = False
                value_text = inline = None
                too_long = 0
                cell_type = attrs.get("t")
                cell_style = attrs.get("s")
            elif name == _ROW:
                if not data_depth or depth != data_depth + 1:
                    skip = depth
                    return
                row_number = row_counter = _row_number(attrs.get("r"), row_counter)
                suffix = str(row_number)
                cut = -len(suffix)
                values, column, last_column = [], 0, 0
            elif name == _SHEET_DATA:
                data_depth = depth
            elif name == _DIMENSION:
                found_end = _RANGE_END.search(attrs.get("ref", "").strip())
                sheet.last_row = int(found_end.group(1)) if found_end else 0
            elif name == _MERGE_CELL and len(merged) < MAX_MERGED_RANGES:
                merged.append(attrs.get("ref", ""))

        def end(name: str) -> None:
            nonlocal depth, skip, data_depth, row_number, next_row, values, column, last_column
            nonlocal in_cell, collecting, text, overflow, too_long, value_text, in_inline, in_run, plain, runs, inline
            if skip:
                if depth == skip:
                    skip = 0
            elif collecting:
                if overflow:
                    too_long = max(too_long, len(text or "") + overflow)
                    overflow = 0
                if collecting == 1:
                    value_text = text
                elif collecting == 2:
                    plain = text
                elif runs is None:
                    runs = [text or ""]
                else:
                    runs.append(text or "")
                collecting = 0
            elif in_cell:
                level = depth - data_depth
                if level == 2:  # </c>
                    # The usual cells inline (a shared or inline string, a plain integer), the rest in _cell_value.
                    kind = cell_type
                    if too_long:
                        value: Any = CellProblem(cell_too_long(too_long))
                    elif has_formula:
                        value = _cell_value(kind, cell_style, inline if kind == "inlineStr" else value_text,
                                            has_value, True, row_number, column)
                    elif kind == "inlineStr":
                        value = inline
                    elif kind == "s" and value_text is not None and value_text.isdecimal() \
                            and int(value_text) < shared_count:
                        value = shared[int(value_text)]
                    elif (kind is None or kind == "n") and value_text is not None \
                            and (cell_style is None or cell_style not in date_styles) \
                            and value_text.isdecimal() and len(value_text) < 16:
                        value = int(value_text)
                    else:
                        value = _cell_value(kind, cell_style, value_text, has_value, False, row_number, column)
                    if column == len(values) + 1:
                        values.append(value)
                    elif column > len(values):
                        values.extend([None] * (column - 1 - len(values)))
                        values.append(value)
                    else:
                        values[column - 1] = value
                    last_column = column
                    in_cell = False
                elif level == 3 and in_inline:  # </is>
                    inline = (plain or "") if runs is None else (plain or "") + "".join(runs)
                    if len(inline) > CELL_TEXT_LIMIT:
                        too_long = max(too_long, len(inline))
                    in_inline = in_run = False
                elif level == 4:  # </r>
                    in_run = False
            elif row_number and name == _ROW:
                if row_number >= next_row and last_column:
                    next_row = row_number + 1
                    if len(values) > last_column:
                        del values[last_column:]
                    for value in values:
                        if value is not None and value != "":
                            done.append((row_number, values))
                            break
                row_number = 0
            elif name == _SHEET_DATA and depth == data_depth:
                data_depth = 0
            depth -= 1

        def characters(data: str) -> None:
            nonlocal text, overflow
            if collecting and not skip:
                if text is None:
                    text = data
                elif len(text) <= CELL_TEXT_LIMIT:
                    text += data
                else:
                    overflow += len(data)

        def _cell_value(kind: str | None, style: str | None, raw: str | None, has_v: bool, has_f: bool,
                        row: int, col: int) -> Any:
            """A cell as the import reads it (closure: the sheet's shared strings, styles and date system)."""
            if kind is None or kind == "n":
                if raw is None:
                    value = None
                else:
                    value = _number(raw, row, col)
                    if style is not None and style in date_styles:
                        return _serial_date(value, date1904, style in duration_styles, row, col)
                    if type(value) is float:
                        return _shown_float(value, row, col)
                    return value
            elif kind == "s":
                if raw is None:
                    value = None
                else:
                    index = _integer(raw)
                    if index is None or not 0 <= index < shared_count:
                        raise damaged(f"{coordinate(row, col)}の共有文字列（{raw[:20]}番）がありません")
                    return shared[index]
            elif kind == "inlineStr":
                value = raw
            elif kind == "b":
                if raw is None:
                    value = None
                else:
                    flag = _integer(raw)
                    if flag is None:
                        raise damaged(f"{coordinate(row, col)}の真偽値 {raw[:20]} が読めません")
                    return bool(flag)
            elif kind == "e":
                if raw in ERROR_VALUES:
                    return CellProblem(f"{coordinate(row, col)}がエラー値（{raw}）です。数式や参照先を確認してください。")
                value = raw
            elif kind == "d":
                if raw:
                    return _iso_date(raw, row, col)
                value = None
            else:  # "str" (a formula's text) and any other type: the text as it is
                value = raw
            if value is None and has_f and (not has_v or kind not in ("str", "s", "inlineStr")):
                return CellProblem(
                    f"{coordinate(row, col)}の数式に計算結果が保存されていません。Excel で開いて保存し直すか、"
                    "値として貼り付けてから取り込んでください。")
            return value

        parser = new_parser()
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters
        with self.source:
            for _ in feed(parser, self.source, self.part):
                if done:
                    yield done
                    done = []


def _row_number(text: str | None, previous: int) -> int:
    if text is None:
        number = previous + 1
    else:
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                as_float = math.nan
            if not as_float.is_integer():
                raise damaged(f"行番号 {text[:20]} が読めません") from None
            number = int(as_float)
    if not 1 <= number <= MAX_ROW:
        raise damaged(f"行番号 {(text or str(number))[:20]} は Excel の範囲外です")
    return number


def _column_of(reference: str) -> int:
    """The column of a cell reference that is not the row's plain "AB12" (a $, lower case, another row)."""
    found = _COORDINATE.match(reference)
    if found is None:
        raise damaged(f"セル番地 {reference[:20]} が読めません")
    column = _letters()[0].get(found.group(1).upper(), MAX_COLUMN + 1)
    if column > MAX_COLUMN or not 1 <= int(found.group(2)) <= MAX_ROW:
        raise damaged(f"セル番地 {reference} は Excel の範囲外です")
    return column


def _integer(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _number(text: str, row: int, column: int) -> int | float:
    """A number cell's <v>, as openpyxl casts it: a float when it has a point or an exponent."""
    try:
        return float(text) if "." in text or "e" in text or "E" in text else int(text)
    except ValueError:
        raise damaged(f"{coordinate(row, column)}の数値 {text[:20]} が読めません") from None


def _shown_float(value: float, row: int, column: int) -> float | CellProblem:
    """Excel shows 15 significant digits: 0.1 + 0.2 is 0.3, a saved 1000.0000000000001 is 1000."""
    if not math.isfinite(value):
        return CellProblem(f"{coordinate(row, column)}の数値が読めません: {value}")
    return float(f"{value:.15g}")


def _serial_date(value: float, date1904: bool, duration: bool, row: int, column: int) -> Any:
    try:
        return _from_serial(value, date1904, duration)
    except (OverflowError, ValueError):
        return CellProblem(f"{coordinate(row, column)}の日付（シリアル値 {value}）が Excel の範囲外です。")


@functools.lru_cache(maxsize=8192)  # a sheet holds few distinct dates and times: each is made once
def _from_serial(value: float, date1904: bool, duration: bool) -> datetime | time | timedelta:
    """An Excel serial date as openpyxl's from_excel makes it: a time for a value below 1, a timedelta for a
    duration format, else a datetime; in the 1900 system, days before 1900-03-01 shifted by Excel's phantom
    1900-02-29."""
    if not math.isfinite(value):
        raise ValueError(value)
    if duration:
        span = timedelta(days=value)
        if span.microseconds:  # to the millisecond, as openpyxl rounds
            span = timedelta(seconds=span.total_seconds() // 1, microseconds=round(span.microseconds, -3))
        return span
    day, fraction = divmod(value, 1)
    within = timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and within.days == 0:
        minutes, seconds = divmod(within.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return time(hours, minutes, seconds, within.microseconds)
    if date1904:
        return _MAC_EPOCH + timedelta(days=day) + within
    if 0 < value < 60:
        day += 1
    return _WINDOWS_EPOCH + timedelta(days=day) + within


def _iso_date(text: str, row: int, column: int) -> Any:
    """A t="d" cell (ISO 8601, as Excel writes dates in Strict files and some programs always)."""
    try:
        if "T" in text:
            value = datetime.fromisoformat(text)
            return value.replace(tzinfo=None)
        if ":" in text:
            return time.fromisoformat(text.rstrip("Z"))
        return date.fromisoformat(text)
    except ValueError:
        return CellProblem(f"{coordinate(row, column)}の日付 {text[:40]} が読めません。")
