"""content.json of a bundle read as it is unpacked, so a bundle of a million rows never sits in memory whole:
the rows of each table come out in batches, each checked as bundle_format declares (msgspec types, then
check_rows), and refused with the same Japanese messages, naming the row.

The structure around the rows (the objects, the columns, the audit block) is read by a small scanner that finds
where each JSON value ends; the rows themselves are cut at a row boundary (`]`, `,`, `[`) near the end of a few
megabytes and decoded in one msgspec call. A cut inside a text (a note holding "],[") leaves an unterminated
string, which msgspec refuses as malformed: those bytes are then read row by row, exactly.

Differences from decoding the whole document (only for files our exporter never writes): a table or a key
given twice is refused (rather than the last one winning), and a table's columns must come before its rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, NamedTuple

import msgspec
from msgspec import Meta

from kaigo_desktop.services import bundle_format as bf

# Rows decoded per msgspec call: ~3,000 gatherings. One call holds the GIL throughout: with 4 MiB (~30 ms a
# call) the thread writing the chunk before (services/background_write) waited that long for it before each
# of its statements; a bundle of a million rows came in ~10% faster with 1 MiB (0.5 MiB: no faster).
_BATCH_BYTES = 1024 ** 2
_WS = re.compile(rb"[ \t\n\r]*")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# a whole string, a bracket, or the quote of a string the buffer cuts short
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|"', re.DOTALL)
_SCALAR = re.compile(rb"[^ \t\n\r,\]}:]*")
_ROW_BOUNDARY = re.compile(rb"\][ \t\n\r]*,[ \t\n\r]*\[")
_AT_ITEM = re.compile(r" - at `\$\[(\d+)\]")
_TABLES = frozenset(spec_table for spec_table in bf.TableName.__args__)  # type: ignore[attr-defined]

_ROWS = msgspec.json.Decoder(list[list[bf.Cell]])
_AUDIT_ROWS = msgspec.json.Decoder(list[bf.AuditRow])
_COLUMNS = msgspec.json.Decoder(list[Annotated[str, Meta(min_length=1, max_length=100)]])
_KEY = msgspec.json.Decoder(str)


class Columns(NamedTuple):
    table: str
    columns: list[str]


class Rows(NamedTuple):
    table: str
    first: int  # the index of rows[0] in the table's rows
    rows: list[list[Any]]
    by_column: list[tuple[Any, ...]]  # the same values column by column (bundle_format.check_rows)


class AuditEntries(NamedTuple):
    entries: list[tuple]  # in the order of audit_exchange.BUNDLE_FIELDS


def _fail(detail: str) -> bf.FormatError:
    return bf.refusal(bf.CONTENT, bf.explain(detail))


def _malformed() -> bf.FormatError:
    return _fail("JSON is malformed")


class _Source:
    """The unpacked bytes, a few megabytes at a time: `buf[pos:]` is what is not read yet."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self.buf = b""
        self.pos = 0
        self.base = 0  # where buf starts in the whole content
        self.eof = False

    def fill(self, want: int) -> bool:
        """Hold at least `want` unread bytes (fewer at the end); False when nothing more came."""
        parts, have = [self.buf[self.pos:]], len(self.buf) - self.pos
        while have < want and not self.eof:
            chunk = next(self._chunks, b"")
            if not chunk:
                self.eof = True
                break
            parts.append(chunk)
            have += len(chunk)
        grew = len(parts) > 1
        if grew or self.pos:
            self.buf, self.base, self.pos = b"".join(parts), self.base + self.pos, 0
        return grew

    def peek(self) -> int | None:
        """The next byte that is not white space (None at the end), not consumed."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill(1):
                return None

    def expect(self, byte: bytes) -> None:
        if self.peek() != byte[0]:
            raise _malformed()
        self.pos += 1

    def value(self, keep: bool = True) -> bytes:
        """The bytes of the next JSON value (b"" when not kept: skipped, holding little in memory)."""
        if self.peek() is None:
            raise _fail("Input data was truncated")
        start = scan = self.pos
        depth = 0
        while True:
            end, scan, depth = _scan(self.buf, scan, depth, self.eof)
            if end is not None:
                if end == start:
                    raise _malformed()
                self.pos = end
                return self.buf[start:end] if keep else b""
            keep_from = start if keep else scan
            self.pos = keep_from
            if not self.fill(len(self.buf) - keep_from + _BATCH_BYTES):
                raise _fail("Input data was truncated")
            scan, start = scan - keep_from, start - keep_from


def _scan(buf: bytes, pos: int, depth: int, eof: bool) -> tuple[int | None, int, int]:
    """(where the value ends, or None when `buf` ends first; where to go on scanning; the nesting there)."""
    if depth == 0:
        first = buf[pos]
        if first == 0x22:  # "
            match = _STRING.match(buf, pos)
            return (match.end(), match.end(), 0) if match else (None, pos, 0)
        if first not in b"[{":
            end = _SCALAR.match(buf, pos).end()
            return (None, pos, 0) if end == len(buf) and not eof else (end, end, 0)
        depth, pos = 1, pos + 1
    for token in _TOKEN.finditer(buf, pos):
        text = token.group()
        if text[0] == 0x22:
            if len(text) == 1:  # a string the buffer cuts short
                return None, token.start(), depth
            continue
        depth += 1 if text in (b"[", b"{") else -1
        if depth == 0:
            return token.end(), token.end(), 0
    return None, len(buf), depth


def _kind(raw: bytes) -> str:
    """msgspec's name of the JSON type of `raw` (for the messages)."""
    first = raw[:1]
    if first == b"{":
        return "object"
    if first == b"[":
        return "array"
    if first == b'"':
        return "str"
    if raw in (b"true", b"false"):
        return "bool"
    if raw == b"null":
        return "null"
    return "int" if re.fullmatch(rb"-?\d+", raw) else "float"


def _require(source: _Source, opening: bytes, expected: str, where: str) -> None:
    """The next value opens with `opening`; otherwise msgspec's message for the wrong type at `where`."""
    if source.peek() != opening[0]:
        raise _fail(f"Expected `{expected}`, got `{_kind(source.value())}` - at `{where}`")


def _keys(source: _Source, where: str) -> Iterator[str]:
    """The keys of the object at the reader (each given once), the reader left at each one's value, which the
    caller reads before asking for the next key."""
    source.expect(b"{")
    seen: set[str] = set()
    if source.peek() == 0x7D:  # }
        source.pos += 1
        return
    while True:
        if source.peek() != 0x22:
            raise _malformed()
        try:
            key = _KEY.decode(source.value())
        except msgspec.DecodeError as error:
            raise _malformed() from error
        if key in seen:
            raise bf.refusal(bf.CONTENT, f"項目「{key}」が二度あります（場所: {where}）")
        seen.add(key)
        source.expect(b":")
        yield key
        following = source.peek()
        if following == 0x2C:  # ,
            source.pos += 1
        elif following == 0x7D:
            source.pos += 1
            return
        else:
            raise _malformed()


def _decoded(decoder: msgspec.json.Decoder, data: bytes, where: str, first: int = 0) -> Any:
    """msgspec's reading of `data` (a JSON list whose items are items `first`… of the list at `where`)."""
    try:
        return decoder.decode(data)
    except msgspec.DecodeError as error:
        raise _fail(_located(str(error), where, first, isinstance(error, msgspec.ValidationError))) from error


def _located(detail: str, where: str, first: int, validation: bool) -> str:
    """msgspec's message with the place in the whole content.json (`$[3]` of a batch is `{where}[first + 3]`)."""
    if _AT_ITEM.search(detail):
        return _AT_ITEM.sub(lambda m: f" - at `{where}[{first + int(m[1])}]", detail)
    if " - at `$" in detail:
        return detail.replace(" - at `$", f" - at `{where}", 1)
    return f"{detail} - at `{where}`" if validation else detail


_TRAILING = re.compile(r"trailing characters \(byte (\d+)\)")


def _batches(source: _Source, decoder: msgspec.json.Decoder, where: str) -> Iterator[tuple[int, list[Any]]]:
    """(index of the first, items) of the JSON list at the reader, a few megabytes of items at a time."""
    _require(source, b"[", "array", where)
    source.pos += 1
    index = 0
    exact_until = 0  # content bytes before this offset are read item by item (a cut there fell inside a text)
    if source.peek() == 0x5D:  # ]
        source.pos += 1
        return
    while True:
        if len(source.buf) - source.pos < _BATCH_BYTES:
            source.fill(_BATCH_BYTES)
        buf, pos = source.buf, source.pos
        cut = None
        if source.base + pos >= exact_until:
            limit = min(len(buf), pos + _BATCH_BYTES)
            window = max(pos, limit - 64 * 1024)
            for cut in _ROW_BOUNDARY.finditer(buf, window, limit):
                pass
            if cut is None and window > pos:
                for cut in _ROW_BOUNDARY.finditer(buf, pos, limit):
                    pass
        if cut is not None:
            data = b"[" + buf[pos:cut.start() + 1] + b"]"
            try:
                items = decoder.decode(data)
            except msgspec.ValidationError as error:
                raise _fail(_located(str(error), where, index, True)) from error
            except msgspec.DecodeError as error:
                ended = _TRAILING.search(str(error))
                if ended:  # the list ended before the cut (the bytes after it are the next table's)
                    length = data.rfind(b"]", 0, int(ended[1])) + 1  # through the list's "]"
                    yield index, _decoded(decoder, data[:length], where, index)
                    source.pos = pos + length - 1
                    return
                exact_until = source.base + cut.start()  # the cut fell inside a text: item by item up to it
                continue
            yield index, items
            index += len(items)
            source.pos = cut.end() - 1  # at the next item's "["
            continue
        raw = source.value()
        yield index, _decoded(decoder, b"[" + raw + b"]", where, index)
        index += 1
        following = source.peek()
        if following == 0x2C:  # ,
            source.pos += 1
        elif following == 0x5D:
            source.pos += 1
            return
        else:
            raise _malformed()


def read(chunks: Iterator[bytes]) -> Iterator[Columns | Rows | AuditEntries]:
    """What content.json holds, in its order: each table's Columns, then its Rows in batches; AuditEntries in
    batches. Everything yielded has passed the checks; a FormatError can come at any point (the caller writes
    in one transaction and rolls it back)."""
    source = _Source(chunks)
    _require(source, b"{", "object", "$")
    found_tables = False
    for key in _keys(source, "$"):
        if key == "tables":
            found_tables = True
            yield from _tables(source)
        elif key == "audit":
            yield from _audit(source)
        else:
            source.value(keep=False)  # not ours: ignored, as msgspec ignores unknown fields
    if not found_tables:
        raise _fail("Object missing required field `tables`")
    if source.peek() is not None:
        raise _fail("JSON is malformed: trailing characters")


def _tables(source: _Source) -> Iterator[Columns | Rows]:
    _require(source, b"{", "object", "$.tables")
    for table in _keys(source, "$.tables"):
        if table not in _TABLES:
            raise _fail(f"Invalid enum value {table!r} - at `key` in `$.tables`")
        where = "$.tables[...]"
        _require(source, b"{", "object", where)
        columns: list[str] | None = None
        rows_read = False
        for key in _keys(source, where):
            if key == "columns":
                columns = _decoded(_COLUMNS, source.value(), f"{where}.columns")
                bf.check_columns(table, columns)
                yield Columns(table, columns)
            elif key == "rows":
                if columns is None:
                    raise bf.refusal(bf.CONTENT, f"列（columns）が行（rows）より前にありません（場所: $.tables.{table}）")
                for first, rows in _batches(source, _ROWS, f"{where}.rows"):
                    yield Rows(table, first, rows, bf.check_rows(table, columns, rows, first))
                rows_read = True
            else:
                source.value(keep=False)
        for name, present in (("columns", columns is not None), ("rows", rows_read)):
            if not present:
                raise _fail(f"Object missing required field `{name}` - at `{where}`")


def _audit(source: _Source) -> Iterator[AuditEntries]:
    if source.peek() == 0x6E:  # null: no audit block
        if source.value() != b"null":
            raise _malformed()
        return
    _require(source, b"{", "object | null", "$.audit")
    rows_read = False
    for key in _keys(source, "$.audit"):
        if key != "rows":
            source.value(keep=False)
            continue
        for first, entries in _batches(source, _AUDIT_ROWS, "$.audit.rows"):
            if first + len(entries) > bf.MAX_AUDIT_ENTRIES:
                raise _fail(f"Expected `array` of at most length {bf.MAX_AUDIT_ENTRIES} - at `$.audit.rows`")
            yield AuditEntries([msgspec.structs.astuple(entry) for entry in entries])
        rows_read = True
    if not rows_read:
        raise _fail("Object missing required field `rows` - at `$.audit`")
