"""Reading an import file: bytes → text (UTF-8 with or without BOM, else CP932), CSV → rows of normalised
cells keyed by the exact Japanese header, the header checked against the kind's layout, and per-cell parsing
that records a located error instead of stopping."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from kaigo_desktop.domain.text import normalize_cell

T = TypeVar("T")

ENCODING_ERROR = "ファイルの文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）"
MAX_ERRORS = 1_000


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


def decode(data: bytes) -> str | None:
    """The file's text: UTF-8 (BOM or not), else CP932 (Shift_JIS as Japanese Excel writes it); None
    when it is neither."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if _NOT_TEXT.search(text) else text
    return None


_SPACES = re.compile(r"\s+")
_HEADER_FOLD = str.maketrans({"〜": "~", "～": "~", "〰": "~", "（": "(", "）": ")"})


def header_key(text: str) -> str:
    """What two spellings of a header share: width, spaces and the wave dash/tilde confusion of CP932
    (65〜74歳 = 65～74歳, 時間(分) = 時間（分）) do not matter."""
    return _SPACES.sub("", normalize_cell(text).translate(_HEADER_FOLD))


class Row:
    """One data row: normalised cells by header, and the errors found reading them."""

    __slots__ = ("line", "cells", "_sink", "failed", "_failed_columns")

    def __init__(self, line: int, cells: dict[str, str], sink: ErrorSink):
        self.line = line
        self.cells = cells
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

    def value(self, header: str, parser: Callable[[str], T] | None = None, *,
              required: bool = False) -> T | str | None:
        """The parsed cell, or None when blank (an error if required) or unreadable (an error)."""
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
        return text
    return f"{header}として読めません: {raw}"


def read_rows(text: str, layout: Layout, sink: ErrorSink) -> tuple[list[Row], list[str]] | None:
    """The data rows, and the headers present; None (errors recorded) when the header is unusable."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            records.append((start, cells))
    except csv.Error as error:
        sink.add(previous_end + 1, "", f"CSV として読めない行があります（{error}）。")
        return None
    records = [(line, [normalize_cell(c) for c in cells]) for line, cells in records]
    records = [(line, cells) for line, cells in records if any(cells)]
    if not records:
        sink.add(1, "", "見出し行がありません（空のファイルです）。")
        return None
    header_line, raw_headers = records[0]
    columns = _check_header(header_line, raw_headers, layout, sink)
    if columns is None:
        return None
    present = [name for name in columns if name]
    rows = []
    for line, cells in records[1:]:
        named: dict[str, str] = dict.fromkeys(present, "")
        row = Row(line, named, sink)
        for index, cell in enumerate(cells):
            if index < len(columns) and columns[index]:
                named[columns[index]] = cell
            elif cell:
                what = "見出しのない列" if index < len(columns) else "見出しより右の列"
                row.error("", f"{what}（{index + 1}列目）に値があります: {cell}")
        rows.append(row)
    return rows, present


def _check_header(line: int, raw_headers: list[str], layout: Layout, sink: ErrorSink) -> list[str] | None:
    """The exact header name of each column ('' for an unnamed column), or None after recording errors."""
    known = {header_key(h): h for h in layout.headers}
    columns: list[str] = []
    ok = True
    for raw in raw_headers:
        if not raw:
            columns.append("")
            continue
        name = known.get(header_key(raw))
        if name is None:
            sink.add(line, raw, f"不明な列名です: {raw}")
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


def progress_reporter(progress: Callable[[int, int], None] | None, total: int,
                      every: int = 1_000) -> Callable[[int], None]:
    def report(done: int) -> None:
        if progress is not None and (done == total or done % every == 0):
            progress(done, total)
    return report
