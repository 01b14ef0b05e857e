"""Reading an import file: bytes → text (UTF-8 with or without BOM, else CP932, or the encoding chosen), CSV →
records of cells; records (from CSV or an Excel sheet) → rows of normalised cells keyed by the exact Japanese
header, the header checked against the kind's layout, and per-cell parsing that records a located error
instead of stopping.

A CSV file is streamed: one pass over its bytes in blocks settles the encoding (and counts lines for the
progress), then records and rows are made one at a time, so a million-row file is never held whole."""

from __future__ import annotations

import codecs
import csv
import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from kaigo_desktop.domain.text import normalize_cell

T = TypeVar("T")

ENCODING_ERROR = "ファイルの文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）"
MAX_ERRORS = 1_000
MAX_CELL_CHARS = 10_000  # no field of any kind needs more; Excel itself stops at 32,767
ENCODINGS = ("auto", "utf-8", "cp932")
_ENCODING_ALIASES = {
    "auto": "auto", "": "auto",
    "utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "utf_8": "utf-8",
    "cp932": "cp932", "ms932": "cp932", "windows-31j": "cp932", "shift_jis": "cp932", "shift-jis": "cp932",
    "sjis": "cp932", "s-jis": "cp932",
}


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line in the file (the header is line 1); 0 when about the whole file
    column: str  # the Japanese header, '' when about the whole row or file
    message: str


class ErrorSink:
    """Collects errors up to MAX_ERRORS, counting the rest."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.total = 0

    def add(self, line: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, column, message))

    def final(self) -> list[RowError]:
        if self.total <= len(self.errors):
            return list(self.errors)
        note = (f"エラーが多いため最初の{MAX_ERRORS:,}件だけを示しています（全{self.total:,}件）。"
                "ファイルを直してからもう一度取り込んでください。")
        return [*self.errors, RowError(0, "", note)]


@dataclass(frozen=True)
class Layout:
    """The headers a kind of file may have."""

    headers: tuple[str, ...]
    required: tuple[str, ...]
    # At least one of these groups must be present whole (a place by ID, or by 区市町村コード + 名称).
    one_of: tuple[tuple[str, ...], ...] = ()


# What Python's cp932 makes of bytes Windows leaves unassigned (0x80, 0xA0, 0xFD-0xFF): never real text,
# but the sign of another encoding (UTF-16 starts with FF FE).
_NOT_TEXT = re.compile("[\x00\x80\uf8f0-\uf8f3]")


def encoding_name(encoding: str | None) -> str:
    """"auto", "utf-8" or "cp932" from what a caller may write (UTF8, Shift_JIS, MS932 …); ValueError
    otherwise."""
    name = _ENCODING_ALIASES.get((encoding or "auto").strip().lower().replace(" ", ""))
    if name is None:
        raise ValueError(f"文字コードの指定が不明です: {encoding}（auto、utf-8、cp932 のいずれか）")
    return name


BLOCK_BYTES = 1 << 20  # what the encoding scan reads at a time


@dataclass(frozen=True)
class CsvSource:
    """A CSV file whose encoding reads it whole: the codec to open it with and its line count (an upper bound
    of its records: blank lines and line breaks inside quoted cells count too), for the progress."""

    path: Path
    codec: str
    lines: int


@dataclass(frozen=True)
class _Scan:
    failed_at: int  # 1-based byte of the first byte the codec cannot read; 0 when it reads the whole file
    not_text: bool  # characters that are never real text (see _NOT_TEXT)
    nul: bool
    lines: int


def _scan(path: Path, codec: str) -> _Scan:
    """Decode the file in blocks (nothing kept but flags): where `codec` fails, and what the text holds."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset = newlines = 0
    not_text = nul = False
    last = b""
    with open(path, "rb") as source:
        while True:
            block = source.read(BLOCK_BYTES)
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                return _Scan(offset - pending + error.start + 1, not_text, nul, 0)
            not_text = not_text or _NOT_TEXT.search(text) is not None
            nul = nul or "\x00" in text
            if not block:
                break
            offset += len(block)
            newlines += block.count(b"\n")
            last = block[-1:]
    return _Scan(0, not_text, nul, newlines + (1 if last not in (b"", b"\n") else 0))


def open_csv(path: Path, encoding: str = "auto") -> tuple[CsvSource | None, str]:
    """(the file ready to stream, "") or (None, the Japanese reason): UTF-8 (BOM or not), else CP932
    (Shift_JIS as Japanese Excel writes it); with encoding "utf-8" or "cp932" only that one is tried."""
    encoding = encoding_name(encoding)
    path = Path(path)
    if encoding == "auto":
        for codec in ("utf-8-sig", "cp932"):
            scan = _scan(path, codec)
            if scan.failed_at:
                continue
            return (None, ENCODING_ERROR) if scan.not_text else (CsvSource(path, codec, scan.lines), "")
        return None, ENCODING_ERROR
    if encoding == "utf-8":
        scan = _scan(path, "utf-8-sig")
        if scan.failed_at:
            return None, (f"UTF-8 として読めません（{scan.failed_at:,}バイト目）。Shift_JIS で保存されている場合は"
                          "文字コードに cp932（Shift_JIS）を選んでください。")
        if scan.nul:
            return None, "UTF-8 のテキストではありません（NUL 文字があります。UTF-16 などで保存されていませんか）。"
        return CsvSource(path, "utf-8-sig", scan.lines), ""
    with open(path, "rb") as source:
        if source.read(3) == b"\xef\xbb\xbf":
            return None, "UTF-8（BOM 付き）のファイルです。文字コードに utf-8 を選ぶか、自動判別にしてください。"
    scan = _scan(path, "cp932")
    if scan.failed_at:
        return None, (f"Shift_JIS（cp932）として読めません（{scan.failed_at:,}バイト目）。UTF-8 で保存されている"
                      "場合は文字コードに utf-8 を選んでください。")
    if scan.not_text:
        return None, "Shift_JIS（cp932）のテキストではありません（Shift_JIS にない文字コードがあります）。"
    return CsvSource(path, "cp932", scan.lines), ""


_SPACES = re.compile(r"\s+")
_HEADER_FOLD = str.maketrans({"〜": "~", "～": "~", "〰": "~", "（": "(", "）": ")"})
_SHOWN_CHARS = 40


def header_key(text: str) -> str:
    """What two spellings of a header share: width, spaces and the wave dash/tilde confusion of CP932
    (65〜74歳 = 65～74歳, 時間(分) = 時間（分）) do not matter."""
    return _SPACES.sub("", normalize_cell(text).translate(_HEADER_FOLD))


def shown(text: str) -> str:
    """A cell's text as quoted in a message: long values are cut."""
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + f"…（{len(text):,}文字）"


@dataclass(frozen=True)
class CellProblem:
    """A cell a reader could not turn into a value (a formula without its result, an Excel error value …):
    an error of its row, located at its column."""

    message: str


# One record of a file before the header is applied: its line (CSV) or row number (Excel), and its cells,
# each text, a typed value from a spreadsheet (number, date, bool …), None (blank) or a CellProblem.
Record = tuple[int, list[Any]]


class Row:
    """One data row: normalised cells by header (and, for spreadsheets, the typed values behind them),
    and the errors found reading them."""

    __slots__ = ("line", "cells", "typed", "_sink", "failed", "_failed_columns")

    def __init__(self, line: int, cells: dict[str, str], sink: ErrorSink, typed: dict[str, Any] | None = None):
        self.line = line
        self.cells = cells
        self.typed = typed
        self._sink = sink
        self.failed = False
        self._failed_columns: set[str] = set()

    def error(self, column: str, message: str) -> None:
        self.failed = True
        self._failed_columns.add(column)
        self._sink.add(self.line, column, message)

    def column_failed(self, column: str) -> bool:
        return column in self._failed_columns

    def has(self, header: str) -> bool:
        """The file has this column (blank or not)."""
        return header in self.cells

    def text(self, header: str) -> str:
        return self.cells.get(header, "")

    def raw(self, header: str) -> Any:
        """The typed value of a spreadsheet cell (a number, date, time, bool), None for text or CSV."""
        return self.typed.get(header) if self.typed else None

    def value(self, header: str, parser: Callable[[str], T] | None = None, *,
              required: bool = False) -> T | str | None:
        """The parsed cell, or None when blank (an error if required), unreadable (an error) or already
        in error (nothing more is said about it)."""
        if header in self._failed_columns:
            return None
        raw = self.cells.get(header, "")
        if raw == "":
            if required:
                self.error(header, f"{header}が入力されていません。")
            return None
        if parser is None:
            return raw
        try:
            return parser(raw)
        except (ValueError, OverflowError, ArithmeticError) as error:
            self.error(header, _message(error, header, raw))
            return None


def _message(error: Exception, header: str, raw: str) -> str:
    text = str(error)
    if text and any(ord(ch) > 0x7F for ch in text):  # the domain's Japanese messages
        return text if len(text) <= 200 else text[:200] + "…"
    return f"{header}として読めません: {shown(raw)}"


def csv_records(source: CsvSource, sink: ErrorSink) -> Iterator[Record]:
    """The records of a CSV file, one at a time, with the line each starts on. When the text stops being CSV
    an error is recorded at that line and the records end there (so the import is refused)."""
    with open(source.path, encoding=source.codec, newline="") as handle:
        reader = csv.reader(handle)
        previous_end = 0
        try:
            for cells in reader:
                start, previous_end = previous_end + 1, reader.line_num
                yield start, cells
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                message = (f"セルの文字数が多すぎます（{MAX_CELL_CHARS:,}文字まで）。"
                           "引用符 \" の閉じ忘れがないか確認してください。")
            else:
                message = f"CSV として読めない行があります（引用符 \" の対応などを確認してください: {error}）。"
            sink.add(previous_end + 1, "", message)


def _column_number(index: int) -> str:
    return f"{index + 1}列目"


# A column holds few distinct texts (dates, counts, names, times), so each is normalised once.
normalized_text = functools.lru_cache(maxsize=1 << 15)(normalize_cell)


def cell_too_long(length: int) -> str:
    """The problem of a cell of `length` characters, beyond MAX_CELL_CHARS (a workbook's reader says it of
    a cell too long to keep)."""
    return f"セルの文字数が多すぎます（{length:,}文字。{MAX_CELL_CHARS:,}文字まで）。"


def cell_parts(value: Any) -> tuple[str, Any, str | None]:
    """(normalised text, typed value or None, problem or None) of one cell."""
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            return "", None, cell_too_long(len(value))
        return normalized_text(value), None, None
    if isinstance(value, CellProblem):
        return "", None, value.message
    text = normalize_cell(value)
    return text, (value if value is not None else None), None


# A typed cell a bulk reader may read straight, keyed by its value: not a bool (True == 1 as a dictionary key,
# though it reads as TRUE), a duration or a cell's problem.
_STRAIGHT_TYPES = frozenset({int, float, date, datetime, time, type(None)})


def _readable_straight(value: Any) -> bool:
    kind = type(value)
    return kind in _STRAIGHT_TYPES or (kind is str and len(value) <= MAX_CELL_CHARS)


def _is_blank_cell(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (not isinstance(value, CellProblem) and not normalize_cell(value))


def _is_blank(cells: list[Any]) -> bool:
    return all(_is_blank_cell(value) for value in cells)


def build_rows(records: Iterable[Record], layout: Layout, sink: ErrorSink, *,
               column_label: Callable[[int], str] = _column_number,
               empty_message: str = "見出し行がありません（空のファイルです）。",
               ) -> tuple[RowStream, list[str]] | None:
    """The data rows (made one at a time as they are read) and the headers present, from records of a CSV
    file or a sheet: the first record that is not blank is the header. None (errors recorded) when the header
    is unusable."""
    records = iter(records)
    first = next(((line, cells) for line, cells in records if not _is_blank(cells)), None)
    if first is None:
        sink.add(1, "", empty_message)
        return None
    header_line, header_cells = first
    later = ((line, cells) for line, cells in records if not _is_blank(cells))
    columns = _header(header_line, header_cells, later, layout, sink, column_label)
    if columns is None:
        return None
    return RowStream(records, columns, sink, column_label), [name for name in columns if name]


class RowStream:
    """The data rows of a file, made one at a time as they are read: iterating gives Row objects, blank
    records skipped, and `count` says how many rows were handed out. A bulk reader may take `records()`
    instead: a plain record (every column named, every cell text of at most MAX_CELL_CHARS as CSV rows are, or
    for a workbook also blank, a number, a date or a time) comes as its (line, cells) for the reader to read
    straight, any other as its Row; `row(line, cells)` makes the Row of a plain record, exactly as iterating
    would have."""

    def __init__(self, records: Iterator[Record], columns: list[str], sink: ErrorSink,
                 column_label: Callable[[int], str]):
        self._records, self.columns, self._sink, self._column_label = records, columns, sink, column_label
        self._present = [name for name in columns if name]
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        for item in self.records():
            yield item if isinstance(item, Row) else self.row(*item)

    def records(self) -> Iterator[tuple[int, list[str]] | Row]:
        plain, width = "" not in self.columns, len(self.columns)
        for line, cells in self._records:
            try:
                joined = "".join(cells)  # a record of text cells (CSV): blank and short told at once
            except TypeError:
                joined = None
            if joined is None:
                if _is_blank(cells):
                    continue
                if plain and len(cells) <= width and all(map(_readable_straight, cells)):
                    self.count += 1
                    yield line, cells  # a workbook's record of text, blank, number, date and time cells
                    continue
            else:
                if not joined.strip():
                    continue
                if plain and len(cells) <= width and (
                        len(joined) <= MAX_CELL_CHARS or all(len(value) <= MAX_CELL_CHARS for value in cells)):
                    self.count += 1
                    yield line, cells
                    continue
            self.count += 1
            yield self._checked_row(line, cells)

    def row(self, line: int, cells: list[Any]) -> Row:
        if not all(type(value) is str for value in cells):
            return self._checked_row(line, cells)
        named = dict.fromkeys(self._present, "")
        named.update(zip(self.columns, map(normalized_text, cells)))
        return Row(line, named, self._sink, None)

    def _checked_row(self, line: int, cells: list[Any]) -> Row:
        """A record with typed or long cells, or cells under no header: each cell looked at."""
        columns, column_label = self.columns, self._column_label
        named = dict.fromkeys(self._present, "")
        typed: dict[str, Any] = {}
        row = Row(line, named, self._sink, typed)
        for index, value in enumerate(cells):
            text, typed_value, problem = cell_parts(value)
            column = columns[index] if index < len(columns) else ""
            if column:
                named[column] = text
                if typed_value is not None:
                    typed[column] = typed_value
                if problem:
                    row.error(column, problem)
            elif problem:
                row.error("", f"{column_label(index)}: {problem}")
            elif text:
                what = "見出しのない列" if index < len(columns) else "見出しより右の列"
                row.error("", f"{what}（{column_label(index)}）に値があります: {shown(text)}")
        row.typed = typed or None
        return row


def _header(line: int, cells: list[Any], later: Iterator[Record], layout: Layout, sink: ErrorSink,
            column_label: Callable[[int], str]) -> list[str] | None:
    """The columns named by the header record; on failure, a hint when a later record is the real header
    (a title above the table), else every problem of the header."""
    trial = ErrorSink()
    columns = _check_header(line, cells, layout, trial, column_label)
    if columns is not None:
        return columns
    for later_line, later_cells in itertools.islice(later, 10):
        if _check_header(later_line, later_cells, layout, ErrorSink(), column_label) is not None:
            sink.add(line, "", f"見出し行は表の1行目に置いてください（{later_line}行目が見出しのようです）。"
                               f"{line}〜{later_line - 1}行目の表題や説明の行を削除してから取り込んでください。")
            return None
    for error in trial.errors:
        sink.add(error.line, error.column, error.message)
    sink.total += trial.total - len(trial.errors)
    return None


def _check_header(line: int, raw_headers: list[Any], layout: Layout, sink: ErrorSink,
                  column_label: Callable[[int], str] = _column_number) -> list[str] | None:
    """The exact header name of each column ('' for an unnamed column), or None after recording errors."""
    known = {header_key(h): h for h in layout.headers}
    columns: list[str] = []
    ok = True
    for index, value in enumerate(raw_headers):
        raw, _, problem = cell_parts(value)
        if problem:
            sink.add(line, "", f"見出し（{column_label(index)}）: {problem}")
            ok = False
            columns.append("")
            continue
        if not raw:
            columns.append("")
            continue
        name = known.get(header_key(raw))
        if name is None:
            sink.add(line, shown(raw), f"不明な列名です: {shown(raw)}")
            ok = False
        elif name in columns:
            sink.add(line, name, f"列名が重複しています: {name}")
            ok = False
        columns.append(name or "")
    for name in layout.required:
        if name not in columns:
            sink.add(line, name, f"必須の列がありません: {name}")
            ok = False
    if layout.one_of and not any(all(h in columns for h in group) for group in layout.one_of):
        groups = " または ".join("＋".join(group) for group in layout.one_of)
        sink.add(line, "", f"必須の列がありません: {groups}")
        ok = False
    return columns if ok else None


class ProgressReporter:
    """Calls progress(done, total) every `every` rows. A streamed file's total is an estimate (its line
    count, a sheet's last row) until `finish`, after the commit, says the real one: until then the total shown
    stays above done, so a cancel (cancelling.progress_that_stops) is honoured to the last row."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int, every: int = 1_000):
        self.progress, self.total, self.every = progress, total, every

    def __call__(self, done: int) -> None:
        if self.progress is not None and done % self.every == 0:
            self.progress(done, max(self.total, done + 1))

    def again(self, done: int) -> None:
        """Report `done` now, whatever the count (a long step after the rows, such as building indexes)."""
        if self.progress is not None:
            self.progress(done, max(self.total, done + 1))

    def finish(self, done: int) -> None:
        self.total = done
        if self.progress is not None:
            self.progress(done, done)


def progress_reporter(progress: Callable[[int, int], None] | None, total: int,
                      every: int = 1_000) -> ProgressReporter:
    return ProgressReporter(progress, total, every)
