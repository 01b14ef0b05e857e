"""The parts of an Excel workbook (.xlsx, .xlsm) an import needs, read with the standard library: the sheet
list (names, states, which part holds each), the date system (1900 or 1904), the shared strings and which
cell styles show dates. The rows themselves stream from xlsx_rows.

Everything in a workbook is hostile: the ZIP is bounded (what its parts may expand to), every XML part is
parsed by expat with no DTD at all (a <!DOCTYPE> is refused, so no entity can expand and nothing external is
loaded), and the shared strings are bounded by the memory they would take. A problem raises WorkbookDamaged
with a short Japanese detail; nothing else is raised for a bad file."""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOCUMENT = _DOCUMENT_RELATIONSHIPS + "/officeDocument"

MAX_UNCOMPRESSED_BYTES = 1 << 30  # what the workbook's parts may expand to
MAX_PART_BYTES = 64 << 20  # workbook.xml, styles, relationships: a few kB in any real workbook
SHARED_STRINGS_MEMORY = 192 << 20  # what the shared strings may take once read (an estimate, see below)
CHUNK_BYTES = 1 << 16  # what is read and parsed at a time


class WorkbookDamaged(Exception):
    """The workbook cannot be read: its Japanese detail ("セル番地 XFE1 は Excel の範囲外です")."""


@dataclass(frozen=True)
class SheetEntry:
    name: str
    state: str  # "visible", "hidden" or "veryHidden"
    part: str | None  # the ZIP member holding it; None when the workbook names none
    is_chart: bool


@dataclass(frozen=True)
class Workbook:
    archive: zipfile.ZipFile
    sheets: list[SheetEntry]
    date1904: bool
    shared_strings_part: str | None
    styles_part: str | None

    @property
    def worksheets(self) -> list[SheetEntry]:
        return [entry for entry in self.sheets if not entry.is_chart]


# ---------------------------------------------------------------- XML, safely

def new_parser() -> Any:
    """An expat parser with namespaces ("{uri} name" as "uri name") that refuses any DTD."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = CHUNK_BYTES
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd  # only possible inside a DTD: refused twice over
    return parser


def _refuse_dtd(*_args: Any) -> None:
    raise WorkbookDamaged("DTD（<!DOCTYPE>）を含む部品は読めません")


def feed(parser: Any, source: IO[bytes], part: str) -> Iterator[None]:
    """Parse `source` a chunk at a time, pausing after each chunk (so a caller can hand on what the handlers
    collected); a damaged ZIP member or XML becomes WorkbookDamaged."""
    try:
        while True:
            chunk = source.read(CHUNK_BYTES)
            parser.Parse(chunk, not chunk)
            yield
            if not chunk:
                return
    except expat.ExpatError as error:
        raise WorkbookDamaged(f"{part} が XML として読めません（{error.lineno}行目）") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as error:
        raise WorkbookDamaged(f"{part} が ZIP の中で壊れています（{type(error).__name__}）") from None


def open_part(archive: zipfile.ZipFile, part: str) -> IO[bytes]:
    try:
        return archive.open(part)
    except KeyError:
        raise WorkbookDamaged(f"部品 {part} がありません") from None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as error:
        raise WorkbookDamaged(f"{part} が ZIP の中で壊れています（{type(error).__name__}）") from None


def parse_part(archive: zipfile.ZipFile, part: str, start: Callable[..., None],
               end: Callable[[str], None] | None = None, text: Callable[[str], None] | None = None) -> None:
    """Parse a small part whole with these handlers (bounded by MAX_PART_BYTES)."""
    if archive.getinfo(part).file_size > MAX_PART_BYTES:
        raise WorkbookDamaged(f"部品 {part} が大きすぎます")
    parser = new_parser()
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    with open_part(archive, part) as source:
        for _ in feed(parser, source, part):
            pass


# ---------------------------------------------------------------- the workbook

def check_archive(archive: zipfile.ZipFile) -> None:
    if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookDamaged("展開すると大きすぎます")


def open_workbook(archive: zipfile.ZipFile) -> Workbook:
    """The sheet list and the parts that hold the rest, from _rels/.rels, workbook.xml and its relationships."""
    names = set(archive.namelist())
    book_part = next((target for kind, target in _relationships(archive, "", names).values()
                      if kind == _OFFICE_DOCUMENT), "xl/workbook.xml")
    if book_part not in names:
        raise WorkbookDamaged("ブックの部品（workbook.xml）がありません")
    related = _relationships(archive, book_part, names)
    entries: list[tuple[str, str, str | None]] = []
    flags = {"date1904": False, "strict": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        uri, _, local = name.rpartition(" ")
        if uri == STRICT_MAIN:
            flags["strict"] = True
        if uri != MAIN:
            return
        if local == "sheet":
            entries.append((attrs.get("name", ""), attrs.get("state") or "visible",
                            attrs.get(f"{_DOCUMENT_RELATIONSHIPS} id")))
        elif local == "workbookPr":
            flags["date1904"] = attrs.get("date1904", "false").strip().lower() in ("1", "true")

    parse_part(archive, book_part, start)
    if flags["strict"]:
        raise WorkbookDamaged("「Strict Open XML」形式のブックは読めません。「Excel ブック（.xlsx）」で保存し直してください")
    sheets = []
    for name, state, rel_id in entries:
        kind, target = related.get(rel_id or "", ("", None))
        sheets.append(SheetEntry(name, state, target, kind.endswith("/chartsheet")))

    def one(suffix: str) -> str | None:
        return next((target for kind, target in related.values() if kind.endswith(suffix) and target in names),
                    None)

    return Workbook(archive, sheets, flags["date1904"], one("/sharedStrings"), one("/styles"))


def _relationships(archive: zipfile.ZipFile, source: str, names: set[str]) -> dict[str, tuple[str, str]]:
    """{Id: (Type, ZIP member)} of one part's relationships (empty when it has none)."""
    folder, base = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", f"{base}.rels")
    if rels not in names:
        return {}
    found: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == f"{_RELATIONSHIPS} Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

    parse_part(archive, rels, start)
    return found


# ---------------------------------------------------------------- shared strings

def read_shared_strings(book: Workbook) -> list[str]:
    """The shared string table, read once. Each string is its plain text followed by its rich-text runs
    (phonetic guides left out), as openpyxl reads it. Bounded by an estimate of the memory the strings
    take (a Python string costs about 60 bytes besides its characters), so a table of millions of tiny
    strings is refused as surely as one huge string."""
    part = book.shared_strings_part
    if part is None:
        return []
    strings: list[str] = []
    collector = _TextCollector(f"{MAIN} si")
    budget = [SHARED_STRINGS_MEMORY]

    def done(text: str) -> None:
        budget[0] -= 64 + 2 * len(text)
        if budget[0] < 0:
            raise WorkbookDamaged("共有文字列が多すぎます")
        strings.append(text.replace("x005F_", ""))  # as openpyxl reads "_x005F_" (an escaped "_")

    collector.done = done
    parser = new_parser()
    collector.attach(parser)
    with open_part(book.archive, part) as source:
        for _ in feed(parser, source, part):
            if collector.pending_chars * 2 > budget[0]:  # a string still open counts too
                raise WorkbookDamaged("共有文字列が多すぎます")
    return strings


class _TextCollector:
    """The text of <si> (shared strings) or <is> (inline strings) elements: the last plain <t> child, then
    the <t> of each <r> run; <rPh> (furigana) and everything else left out."""

    def __init__(self, container: str):
        self.container = container
        self.depth = 0  # 0 outside a container, else the depth below it
        self.plain: str | None = None
        self.runs: list[str] = []
        self.parts: list[str] | None = None  # the <t> being read
        self.in_run = False
        self.skip = 0
        self.pending_chars = 0
        self.done: Callable[[str], None] = lambda text: None

    def attach(self, parser: Any) -> None:
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text

    def start(self, name: str, _attrs: Any) -> None:
        if self.depth == 0:
            if name == self.container:
                self.depth, self.plain, self.runs = 1, None, []
            return
        self.depth += 1
        if self.skip:
            return
        if name == _T and (self.depth == 2 or (self.in_run and self.depth == 3)):
            self.parts = []
        elif name == _R and self.depth == 2:
            self.in_run = True
        else:
            self.skip = self.depth

    def end(self, name: str) -> None:
        if self.depth == 0:
            return
        if self.skip:
            if self.depth == self.skip:
                self.skip = 0
        elif self.parts is not None:
            text = "".join(self.parts)
            if self.in_run:
                self.runs.append(text)
            else:
                self.plain = text
            self.parts, self.pending_chars = None, 0
        elif self.depth == 2 and name == _R:
            self.in_run = False
        self.depth -= 1
        if self.depth == 0:
            self.done((self.plain or "") + "".join(self.runs))

    def text(self, data: str) -> None:
        if self.parts is not None and not self.skip:
            self.parts.append(data)
            self.pending_chars += len(data)


_T, _R = f"{MAIN} t", f"{MAIN} r"


# ---------------------------------------------------------------- styles: which show dates

# Formats built into Excel that show dates or times: the international ones (14–22, 45–47) and those of the
# East Asian editions (27–36, 50–58: 和暦 and 年月日 in Japanese Excel), which files name by number only.
_BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), 45, 46, 47, *range(27, 37), *range(50, 59)})
_BUILTIN_TIMEDELTA_FORMATS = frozenset({46})  # [h]:mm:ss


# As openpyxl decides it (styles/numbers.py: is_date_format, is_timedelta_format; a test checks they agree), without
# importing openpyxl for it: a format shows a date when its first section, less its quoted literals and bracketed
# parts other than [h] [m] [s], holds d m h y or s not escaped; a duration when it holds [h], [m] or [s].
_NOT_DATE_PARTS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.IGNORECASE)


def shows_date(code: str) -> bool:
    return _DATE_LETTER.search(_NOT_DATE_PARTS.sub("", code.split(";")[0])) is not None


def shows_duration(code: str) -> bool:
    return _DURATION.search(code.split(";")[0]) is not None


def read_date_styles(book: Workbook) -> tuple[frozenset[int], frozenset[int]]:
    """(the cell styles whose number format shows a date or time, those that show a duration), by the
    style's index in <cellXfs>, as openpyxl decides it."""
    if book.styles_part is None:
        return frozenset(), frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    where = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        uri, _, local = name.rpartition(" ")
        if uri != MAIN:
            return
        if local == "numFmt":
            number = _integer(attrs.get("numFmtId"))
            if number is not None:
                custom[number] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            where["cellXfs"] = True
        elif local == "xf" and where["cellXfs"]:
            formats.append(_integer(attrs.get("numFmtId")) or 0)

    def end(name: str) -> None:
        if name == f"{MAIN} cellXfs":
            where["cellXfs"] = False

    parse_part(book.archive, book.styles_part, start, end)
    dates, durations = set(), set()
    for index, number in enumerate(formats):
        if number in custom:
            if shows_date(custom[number]):
                dates.add(index)
            if shows_duration(custom[number]):
                durations.add(index)
        else:
            if number in _BUILTIN_DATE_FORMATS:
                dates.add(index)
            if number in _BUILTIN_TIMEDELTA_FORMATS:
                durations.add(index)
    return frozenset(dates), frozenset(durations)


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
