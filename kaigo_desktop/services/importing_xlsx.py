"""Reading an Excel workbook (.xlsx, .xlsm) for import: one sheet (the first visible one, or one named) as
records of typed cells, the same records a CSV file gives, so every kind of import reads both.

openpyxl reads it read-only and with the values Excel saved for formulas (data_only). A formula Excel never
calculated (a file written by a program) has no saved value: openpyxl would read it as blank, so the sheet is
read with openpyxl's own row parser extended to note such cells (and to refuse cells beyond Excel's limits)
in the same pass. Nothing here raises on a bad file: every problem is an error in the ErrorSink."""

from __future__ import annotations

import functools
import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kaigo_desktop.services.importing_table import CellProblem, ErrorSink, Record, RowError, header_key

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".ods")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected Office file
MAX_UNCOMPRESSED_BYTES = 1 << 30  # what the workbook's parts may expand to
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # Excel's own limits

ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})
UNREADABLE = "Excel ファイル（.xlsx）として読めません。ファイルが壊れているか、対応していない形式です"
OLD_FORMAT = ("Excel 97-2003 形式（.xls）のファイル、またはパスワード付きのファイルは読めません。Excel で開き、"
              "パスワードを外して「Excel ブック（.xlsx）」または CSV で保存し直してください。")
ODS_FORMAT = "OpenDocument 形式（.ods）は読めません。「Excel ブック（.xlsx）」または CSV で保存し直してください。"


def is_spreadsheet(path: Path, data: bytes) -> bool:
    """A workbook rather than a CSV file: by its first bytes (a ZIP or an old Office file), else its suffix."""
    return data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC) \
        or Path(path).suffix.lower() in SPREADSHEET_SUFFIXES


class SheetUnreadable(Exception):
    """Met while a sheet streams past (a damaged part, a cell beyond Excel's limits): its Japanese message;
    the whole file is refused with this error alone."""


@dataclass
class Sheet:
    name: str
    # The rows that are not blank, with their row numbers, read as they are asked for (the first one already
    # read); raises SheetUnreadable when the sheet turns out to be damaged.
    records: Iterator[Record] = field(default_factory=lambda: iter(()))
    first_line: int = 0  # the row number of the first record, 0 when the sheet is empty
    last_row: int = 0  # the last row the sheet says it has (<dimension>), 0 when it does not say
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # known once the records are read
    _close: Callable[[], None] = lambda: None

    def close(self) -> None:
        self._close()

    def read_to_end(self) -> None:
        """Read the rest (the merged ranges come after the rows in the file)."""
        for _ in self.records:
            pass


def column_letter(index: int) -> str:
    """"C列" for the column at 0-based index 2."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(index + 1)}列" if index < MAX_COLUMN else f"{index + 1}列目"


def read_sheet(data: bytes, sheet: str | None, sink: ErrorSink) -> Sheet | None:
    """The records of one sheet; None (a file-level error recorded) when the workbook cannot be read or
    has no such sheet."""
    if data.startswith(_OLE_MAGIC):
        sink.add(0, "", OLD_FORMAT)
        return None
    if not data:
        sink.add(0, "", "ファイルが空です（0 バイト）。")
        return None
    if not data.startswith(_ZIP_MAGIC):
        sink.add(0, "", f"{UNREADABLE}（Excel ブックの形式ではありません）。")
        return None
    problem = _check_archive(data)
    if problem:
        sink.add(0, "", problem)
        return None
    try:
        return _read(data, sheet, sink)
    except Exception as error:  # noqa: BLE001 — a damaged file can make the parser fail in any way
        sink.add(0, "", f"{UNREADABLE}（{type(error).__name__}）。")
        return None


def _check_archive(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis"):
                return ODS_FORMAT
    except Exception as error:  # noqa: BLE001 — zipfile raises several kinds on a damaged archive
        return f"{UNREADABLE}（ZIP として壊れています: {type(error).__name__}）。"
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        return f"{UNREADABLE}（展開すると大きすぎます）。"
    if "[Content_Types].xml" not in names:
        return f"{UNREADABLE}（Excel ブックの部品がありません）。"
    return None


class _Unreadable(Exception):
    """A sheet placing cells beyond Excel's limits: the whole file is refused with this message."""


def _read(data: bytes, wanted: str | None, sink: ErrorSink) -> Sheet | None:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not keep
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        worksheet = _choose(workbook, wanted, sink)
    except BaseException:
        workbook.close()
        raise
    if worksheet is None:
        workbook.close()
        return None
    result = Sheet(worksheet.title, last_row=worksheet.max_row or 0)
    stream = _stream(workbook, worksheet, result)  # from here on the stream closes the workbook
    result._close = stream.close  # noqa: SLF001
    try:
        first = next(stream, None)
    except SheetUnreadable as problem:
        sink.add(0, "", str(problem))
        return None
    if first is not None:
        result.first_line = first[0]
        result.records = itertools.chain((first,), stream)
    return result


def _stream(workbook: Any, worksheet: Any, sheet: Sheet) -> Iterator[Record]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield from _read_cells(workbook, worksheet, sheet)
    except _Unreadable as problem:
        raise SheetUnreadable(str(problem)) from None
    except Exception as error:  # noqa: BLE001 — a damaged file can make the parser fail in any way
        raise SheetUnreadable(f"{UNREADABLE}（{type(error).__name__}）。") from error
    finally:
        workbook.close()


def _read_cells(workbook: Any, worksheet: Any, result: Sheet) -> Iterator[Record]:
    """The sheet's records and merged ranges, in one pass over its XML: openpyxl's own parser of a sheet's rows
    (so dates, shared strings and numbers read as openpyxl reads them), which also notes the formulas
    without a saved result and refuses cells beyond Excel's limits as it meets them."""
    parser = _sheet_parser()(
        workbook._archive.open(worksheet._worksheet_path), worksheet._shared_strings,  # noqa: SLF001
        data_only=True, epoch=workbook.epoch, date_formats=workbook._date_formats,  # noqa: SLF001
        timedelta_formats=workbook._timedelta_formats)  # noqa: SLF001
    from openpyxl.utils.cell import range_boundaries

    try:
        next_row = 1
        for number, cells in parser.parse():
            if number < next_row or not cells:  # a row out of order is passed over, as openpyxl does
                continue
            next_row = number + 1
            values: list[Any] = [None] * cells[-1]["column"]
            for cell in cells:
                if cell["column"] <= len(values):
                    values[cell["column"] - 1] = cell["value"]
            row = [_value(v, number, column, parser.uncalculated) for column, v in enumerate(values, 1)]
            if any(cell is not None and cell != "" for cell in row):
                yield number, row
    finally:
        parser.source.close()
    for merged in (parser.merged_cells.mergeCell if parser.merged_cells else ()):
        try:
            bounds = range_boundaries((merged.ref or "").upper())
        except (ValueError, TypeError):
            continue
        if None not in bounds:
            result.merged.append(bounds)  # type: ignore[arg-type]


@functools.cache
def _sheet_parser() -> type:
    """openpyxl's parser of a sheet's XML with our checks at each row and cell (made on first use: openpyxl is
    imported only when a workbook is read)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    class SheetParser(WorkSheetParser):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.uncalculated: set[tuple[int, int]] = set()

        def parse_row(self, row: Any) -> Any:
            number = row.get("r")
            try:
                expected = int(float(number)) if number else self.row_counter + 1
            except ValueError:
                raise _Unreadable(f"{UNREADABLE}（行番号 {number[:20]} が読めません）。") from None
            if not 1 <= expected <= MAX_ROW:
                raise _Unreadable(f"{UNREADABLE}（行番号 {number} は Excel の範囲外です）。")
            return super().parse_row(row)

        def parse_cell(self, element: Any) -> dict[str, Any]:
            reference = element.get("r")
            if reference and _COORDINATE.match(reference) is None:
                raise _Unreadable(f"{UNREADABLE}（セル番地 {reference[:20]} が読めません）。")
            cell = super().parse_cell(element)
            if not (1 <= cell["row"] <= MAX_ROW and 1 <= cell["column"] <= MAX_COLUMN):
                raise _Unreadable(f"{UNREADABLE}（セル番地 {reference or cell['column']} は Excel の範囲外です）。")
            if cell["value"] is None and _uncalculated(element):
                self.uncalculated.add((cell["row"], cell["column"]))
            return cell

    return SheetParser


def _choose(workbook: Any, wanted: str | None, sink: ErrorSink) -> Any | None:
    """The sheet asked for, else the first visible worksheet (hidden and chart sheets are passed over)."""
    worksheets = list(workbook.worksheets)
    if wanted is None or not wanted.strip():
        visible = [ws for ws in worksheets if ws.sheet_state == "visible"]
        if visible or worksheets:
            return (visible or worksheets)[0]
        sink.add(0, "", "ワークシートがありません。")
        return None
    names = list(workbook.sheetnames)
    exact = [name for name in names if name == wanted]
    close = exact or [name for name in names if header_key(name) == header_key(wanted)]
    if len(close) == 1:
        found = workbook[close[0]]
        if found in worksheets:
            return found
        sink.add(0, "", f"シート「{close[0]}」はグラフのシートです。表のあるシートを指定してください。")
        return None
    listed = "、".join(f"「{name}」" for name in names) or "なし"
    sink.add(0, "", f"シート「{wanted}」がありません（このファイルのシート: {listed}）。")
    return None


def _value(value: Any, row: int, column: int, uncalculated: set[tuple[int, int]]) -> Any:
    """A cell as the import reads it: Excel's 15 significant digits, error values and formulas without a
    saved result turned into problems."""
    if value is None:
        if (row, column) in uncalculated:
            return CellProblem(
                f"{_coordinate(row, column)}の数式に計算結果が保存されていません。Excel で開いて保存し直すか、"
                "値として貼り付けてから取り込んでください。")
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return CellProblem(f"{_coordinate(row, column)}の数値が読めません: {value}")
        return float(f"{value:.15g}")  # 0.1 + 0.2 is 0.3, as Excel shows it
    if isinstance(value, str) and value in ERROR_VALUES:
        return CellProblem(f"{_coordinate(row, column)}がエラー値（{value}）です。数式や参照先を確認してください。")
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _coordinate(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"セル{get_column_letter(column)}{row}" if column <= MAX_COLUMN else f"{row}行{column}列のセル"


_COORDINATE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _uncalculated(cell: Any) -> bool:
    """A formula cell without a saved result: no <v>, or an empty <v> on a cell that is not text (Excel
    saves a formula giving "" as t="str" with an empty <v>; programs that cannot calculate write <v/>)."""
    formula = value = None
    for child in cell:
        tag = child.tag.rpartition("}")[2]
        if tag == "f":
            formula = child
        elif tag == "v":
            value = child
    if formula is None:
        return False
    if value is None:
        return True
    return not value.text and cell.get("t", "n") not in ("str", "s", "inlineStr")


def merged_cell_hints(sheet: Sheet, errors: list[RowError]) -> list[str]:
    """Messages for merged cells that explain errors: a merged header, or merged cells on a row in error
    (only the top-left cell of a merged range holds the value; the rest read as blank)."""
    if not sheet.merged or not sheet.first_line:
        return []
    header_line = sheet.first_line
    ranges = [(c1, r1, c2, r2) for c1, r1, c2, r2 in sheet.merged if (c1, r1) != (c2, r2)]

    def text(bounds: tuple[int, int, int, int]) -> str:
        from openpyxl.utils import get_column_letter

        c1, r1, c2, r2 = bounds
        return f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"

    hints = []
    in_header = [b for b in ranges if b[1] <= header_line <= b[3]]
    if in_header:
        hints.append(f"見出し行に結合されたセルがあります（{'、'.join(text(b) for b in in_header[:5])}）。"
                     "結合を解除し、1列に1つの見出しを1行目だけに入れてください。")
    lines = {error.line for error in errors if error.line > header_line}
    in_rows = [b for b in ranges if b[3] > header_line and any(b[1] <= line <= b[3] for line in lines)]
    if in_rows:
        more = " など" if len(in_rows) > 5 else ""
        hints.append(f"エラーのある行に結合されたセルがあります（{'、'.join(text(b) for b in in_rows[:5])}{more}）。"
                     "結合されたセルの値は左上のセルにしかなく、ほかのセルは空として読まれます。結合を解除し、"
                     "各行に値を入れてください。")
    return hints
