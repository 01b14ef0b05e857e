"""Reading an Excel workbook (.xlsx, .xlsm) for import: one sheet (the first visible one, or one named) as
records of typed cells, the same records a CSV file gives, so every kind of import reads both.

The workbook is read with the standard library (xlsx_package: the sheet list, shared strings and date styles;
xlsx_rows: the sheet's rows, streamed from its XML by expat), with the values Excel saved for formulas. A
formula Excel never calculated (a file written by a program), an error value or a number Excel would not
show is a problem of its cell; a damaged part, a cell beyond Excel's limits or a DTD refuses the whole file.
Nothing here raises on a bad file: every problem is an error in the ErrorSink, or SheetUnreadable from a
sheet that turns out damaged further down."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from kaigo_desktop.services.importing_table import ErrorSink, Record, RowError, header_key
from kaigo_desktop.services.xlsx_package import (
    MAX_UNCOMPRESSED_BYTES,
    SheetEntry,
    Workbook,
    WorkbookDamaged,
    check_archive,
    open_part,
    open_workbook,
    read_date_styles,
    read_shared_strings,
)
from kaigo_desktop.services.xlsx_rows import (
    ERROR_VALUES,
    MAX_COLUMN,
    MAX_ROW,
    SheetRows,
    column_name,
    column_number,
)

__all__ = ["ERROR_VALUES", "MAX_COLUMN", "MAX_ROW", "MAX_UNCOMPRESSED_BYTES", "SPREADSHEET_SUFFIXES", "Sheet",
           "SheetUnreadable", "column_letter", "is_spreadsheet", "merged_cell_hints", "read_sheet",
           "workbook_sheet_names"]

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".ods")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected Office file

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


class Sheet:
    """One sheet being read: `records` are the rows that are not blank, with their row numbers, read as they
    are asked for (the first one already read); they raise SheetUnreadable when the sheet turns out to be
    damaged."""

    def __init__(self, name: str, rows: SheetRows | None = None, archive: zipfile.ZipFile | None = None):
        self.name = name
        self.records: Iterator[Record] = iter(())
        self.first_line = 0  # the row number of the first record, 0 when the sheet is empty
        self._rows = rows
        self._archive = archive
        self._stream: Iterator[list[Record]] | None = None

    @property
    def last_row(self) -> int:
        """The last row the sheet says it has (<dimension>), 0 when it does not say."""
        return self._rows.last_row if self._rows is not None else 0

    @property
    def merged(self) -> list[tuple[int, int, int, int]]:
        """The merged ranges (min column, min row, max column, max row), known once the records are read."""
        ranges = (_range_bounds(ref) for ref in (self._rows.merged if self._rows is not None else ()))
        return [bounds for bounds in ranges if bounds is not None]

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()  # type: ignore[attr-defined]
        if self._archive is not None:
            self._archive.close()

    def read_to_end(self) -> None:
        """Read the rest (the merged ranges come after the rows in the file)."""
        for _ in self.records:
            pass


def column_letter(index: int) -> str:
    """"C列" for the column at 0-based index 2."""
    return f"{column_name(index + 1)}列" if index < MAX_COLUMN else f"{index + 1}列目"


def read_sheet(source: Path | bytes, sheet: str | None, sink: ErrorSink) -> Sheet | None:
    """The records of one sheet of a workbook (a file, or its bytes); None (a file-level error recorded)
    when the workbook cannot be read or has no such sheet."""
    archive = _open_archive(source, sink)
    if archive is None:
        return None
    try:
        return _read(archive, sheet, sink)
    except WorkbookDamaged as problem:
        sink.add(0, "", f"{UNREADABLE}（{problem}）。")
    except Exception as error:  # noqa: BLE001 — a damaged file must never become a traceback
        sink.add(0, "", f"{UNREADABLE}（{type(error).__name__}）。")
    archive.close()
    return None


def workbook_sheet_names(path: Path) -> list[str]:
    """The names of a workbook's worksheets, the visible ones first; [] when it cannot be read (the import
    then says why). Reads only the sheet list, however long the sheets are."""
    archive = _open_archive(Path(path), ErrorSink())
    if archive is None:
        return []
    try:
        sheets = open_workbook(archive).worksheets
    except Exception:  # noqa: BLE001 — a damaged file: the import's own check explains it
        return []
    finally:
        archive.close()
    return [s.name for s in sheets if s.state == "visible"] + [s.name for s in sheets if s.state != "visible"]


def _open_archive(source: Path | bytes, sink: ErrorSink) -> zipfile.ZipFile | None:
    if isinstance(source, bytes):
        head = source[:8]
        empty = not source
    else:
        with open(source, "rb") as probe:
            head = probe.read(8)
        empty = not head
    if head.startswith(_OLE_MAGIC):
        sink.add(0, "", OLD_FORMAT)
        return None
    if empty:
        sink.add(0, "", "ファイルが空です（0 バイト）。")
        return None
    if not head.startswith(_ZIP_MAGIC):
        sink.add(0, "", f"{UNREADABLE}（Excel ブックの形式ではありません）。")
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except Exception as error:  # noqa: BLE001 — zipfile raises several kinds on a damaged archive
        sink.add(0, "", f"{UNREADABLE}（ZIP として壊れています: {type(error).__name__}）。")
        return None
    problem = _foreign(archive)
    if problem:
        archive.close()
        sink.add(0, "", problem)
        return None
    return archive


def _foreign(archive: zipfile.ZipFile) -> str | None:
    """Why this ZIP is not a workbook we read, or None."""
    names = set(archive.namelist())
    try:
        check_archive(archive)
        if "mimetype" in names:
            with archive.open("mimetype") as mimetype:
                if mimetype.read(64).startswith(b"application/vnd.oasis"):
                    return ODS_FORMAT
    except WorkbookDamaged as problem:
        return f"{UNREADABLE}（{problem}）。"
    except Exception as error:  # noqa: BLE001 — zipfile raises several kinds on a damaged archive
        return f"{UNREADABLE}（ZIP として壊れています: {type(error).__name__}）。"
    if "[Content_Types].xml" not in names:
        return f"{UNREADABLE}（Excel ブックの部品がありません）。"
    return None


def _read(archive: zipfile.ZipFile, wanted: str | None, sink: ErrorSink) -> Sheet | None:
    book = open_workbook(archive)
    entry = _choose(book, wanted, sink)
    if entry is None:
        archive.close()
        return None
    if entry.part is None or entry.part not in set(archive.namelist()):
        raise WorkbookDamaged(f"シート「{entry.name[:40]}」の部品がありません")
    shared = read_shared_strings(book)
    dates, durations = read_date_styles(book)
    rows = SheetRows(open_part(archive, entry.part), entry.part, shared, dates, durations, book.date1904)
    result = Sheet(entry.name, rows, archive)
    stream = _stream(rows)
    result._stream = stream  # noqa: SLF001
    try:
        first = next(stream, None)  # read here: a sheet damaged at its top is refused before anything starts
    except SheetUnreadable as problem:
        result.close()
        sink.add(0, "", str(problem))
        return None
    if first is not None:
        result.first_line = first[0][0]
        result.records = _chain(first, stream)
    return result


def _chain(first: list[Record], rest: Iterator[list[Record]]) -> Iterator[Record]:
    yield from first
    for batch in rest:
        yield from batch


def _stream(rows: SheetRows) -> Iterator[list[Record]]:
    try:
        yield from rows.batches()
    except WorkbookDamaged as problem:
        raise SheetUnreadable(f"{UNREADABLE}（{problem}）。") from None
    except Exception as error:  # noqa: BLE001 — a damaged file must never become a traceback
        raise SheetUnreadable(f"{UNREADABLE}（{type(error).__name__}）。") from error


def _choose(book: Workbook, wanted: str | None, sink: ErrorSink) -> SheetEntry | None:
    """The sheet asked for, else the first visible worksheet (hidden and chart sheets are passed over)."""
    worksheets = book.worksheets
    if wanted is None or not wanted.strip():
        visible = [entry for entry in worksheets if entry.state == "visible"]
        if visible or worksheets:
            return (visible or worksheets)[0]
        sink.add(0, "", "ワークシートがありません。")
        return None
    names = [entry.name for entry in book.sheets]
    exact = [entry for entry in book.sheets if entry.name == wanted]
    close = exact or [entry for entry in book.sheets if header_key(entry.name) == header_key(wanted)]
    if len(close) == 1:
        if not close[0].is_chart:
            return close[0]
        sink.add(0, "", f"シート「{close[0].name}」はグラフのシートです。表のあるシートを指定してください。")
        return None
    listed = "、".join(f"「{name}」" for name in names) or "なし"
    sink.add(0, "", f"シート「{wanted}」がありません（このファイルのシート: {listed}）。")
    return None


_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?$")


def _range_bounds(reference: str) -> tuple[int, int, int, int] | None:
    """(min column, min row, max column, max row) of "A1:B3" or "A1"; None for what is not such a range."""
    found = _RANGE.match(reference.strip().upper())
    if found is None:
        return None
    first_column, first_row = column_number(found.group(1)), int(found.group(2))
    last_column = column_number(found.group(3)) if found.group(3) else first_column
    last_row = int(found.group(4)) if found.group(4) else first_row
    if not (1 <= first_column <= last_column and 1 <= first_row <= last_row <= MAX_ROW):
        return None
    return first_column, first_row, last_column, last_row


def merged_cell_hints(sheet: Sheet, errors: list[RowError]) -> list[str]:
    """Messages for merged cells that explain errors: a merged header, or merged cells on a row in error
    (only the top-left cell of a merged range holds the value; the rest read as blank)."""
    if not sheet.merged or not sheet.first_line:
        return []
    header_line = sheet.first_line
    ranges = [(c1, r1, c2, r2) for c1, r1, c2, r2 in sheet.merged if (c1, r1) != (c2, r2)]

    def text(bounds: tuple[int, int, int, int]) -> str:
        c1, r1, c2, r2 = bounds
        return f"{column_name(c1)}{r1}:{column_name(c2)}{r2}"

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
