"""Reading an Excel workbook (.xlsx, .xlsm) for import: one sheet (the first visible one, or one named) as
records of typed cells, the same records a CSV file gives, so every kind of import reads both.

openpyxl reads it read-only and with the values Excel saved for formulas (data_only). A formula Excel never
calculated (a file written by a program) has no saved value: openpyxl would read it as blank, so the sheet's
XML is scanned first to find such cells and report them. Nothing here raises on a bad file: every problem
is an error in the ErrorSink."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

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


@dataclass
class Sheet:
    name: str
    records: list[Record] = field(default_factory=list)  # the rows that are not blank, with their row numbers
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, max_col, max_row


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


def _read(data: bytes, wanted: str | None, sink: ErrorSink) -> Sheet | None:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not keep
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            worksheet = _choose(workbook, wanted, sink)
            if worksheet is None:
                return None
            result = Sheet(worksheet.title)
            path = getattr(worksheet, "_worksheet_path", None)
            uncalculated: set[tuple[int, int]] = set()
            if path is not None:
                with workbook._archive.open(path) as source:  # noqa: SLF001 — the sheet's XML part
                    scan = _scan(source)
                if isinstance(scan, str):
                    sink.add(0, "", scan)
                    return None
                uncalculated, result.merged = scan
            worksheet.reset_dimensions()  # a wrong <dimension> would make openpyxl drop rows and columns
            for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
                cells = [_value(v, number, column, uncalculated) for column, v in enumerate(values, 1)]
                if any(cell is not None and cell != "" for cell in cells):
                    result.records.append((number, cells))
            return result
        finally:
            workbook.close()


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


def _scan(source: Any) -> tuple[set[tuple[int, int]], list[tuple[int, int, int, int]]] | str:
    """(cells holding a formula with no saved value, merged ranges) of a sheet's XML, numbered as openpyxl
    numbers them; a message when the sheet places cells beyond Excel's limits."""
    from openpyxl.utils.cell import column_index_from_string, range_boundaries

    uncalculated: set[tuple[int, int]] = set()
    merged: list[tuple[int, int, int, int]] = []
    row = column = 0
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "row":
                number = element.get("r")
                row = int(float(number)) if number else row + 1
                column = 0
                if not 1 <= row <= MAX_ROW:
                    return f"{UNREADABLE}（行番号 {number} は Excel の範囲外です）。"
            continue
        if tag == "c":
            reference = element.get("r")
            match = _COORDINATE.match(reference) if reference else None
            if reference and match is None:
                return f"{UNREADABLE}（セル番地 {reference[:20]} が読めません）。"
            if match:
                column, cell_row = column_index_from_string(match.group(1).upper()), int(match.group(2))
            else:
                column, cell_row = column + 1, row
            if not (1 <= cell_row <= MAX_ROW and 1 <= column <= MAX_COLUMN):
                return f"{UNREADABLE}（セル番地 {reference or column} は Excel の範囲外です）。"
            if _uncalculated(element):
                uncalculated.add((cell_row, column))
            element.clear()
        elif tag == "row":
            element.clear()
        elif tag == "mergeCell":
            reference = element.get("ref") or ""
            try:
                bounds = range_boundaries(reference.upper())
            except (ValueError, TypeError):
                continue
            if None not in bounds:
                merged.append(bounds)  # type: ignore[arg-type]
    return uncalculated, merged


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
    if not sheet.merged or not sheet.records:
        return []
    header_line = sheet.records[0][0]
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
