"""The structure of a bundle file, declared once (msgspec), and the bounds checked before any of it is used.

A bundle is a zip of three members: header.json (who made it, for whom, versions, counts, the content's
SHA-256), content.json (per table: columns and rows) and signature.json (the Ed25519 signature over both,
see bundle_signing). Reading refuses, with one Japanese message naming the problem (FormatError):
  * a file or an unpacked content past the size bounds, counted while unpacking (a zip bomb stops early);
  * a member missing, a list where a table is expected, a wrong type, a number beyond 64-bit integers.
Everything returned is plain builtins (dicts, lists, str, int, None)."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, BinaryIO, Literal, Union

import msgspec
from msgspec import Meta, Struct

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.storage.rows import EXCHANGED_TABLES

FORMAT = "kaigo-bundle"
FORMAT_VERSION = 2  # 2: signed (signature.json); a version 1 bundle is unsigned and refused
HEADER, CONTENT, SIGNATURE = "header.json", "content.json", "signature.json"
ANCESTORS = "_ancestors"
REQUIRED_COLUMNS = ("id", "updated_at", "origin_db")  # a row's identity and version

# Resource bounds, checked before the work they would cost.
MAX_FILE_BYTES = 2 * 1024 ** 3
MAX_UNPACKED_BYTES = 2 * 1024 ** 3
UNPACK_RATIO = 50  # JSON rows compress 3–6× here; 50× is far past any bundle we write
UNPACK_FLOOR = 1024 ** 2  # a tiny bundle may unpack to this much whatever its ratio
MAX_MEMBERS = 16
MAX_SMALL_MEMBER = 1024 ** 2  # header.json and signature.json
_CHUNK = 1024 ** 2

TableName = Literal[EXCHANGED_TABLES]  # type: ignore[valid-type]
Count = Annotated[int, Meta(ge=0, le=2 ** 53)]
Text = Annotated[str, Meta(max_length=1000)]
Id = Annotated[str, Meta(min_length=1, max_length=100)]
Int64 = Annotated[int, Meta(ge=-(2 ** 63), le=2 ** 63 - 1)]  # SQLite's INTEGER: a larger one would overflow
Real = Annotated[float, Meta(ge=-1e15, le=1e15)]  # height and weight (issue 19); finite, like a REAL column's
Cell = Union[None, Int64, Real, str, list[Annotated[str, Meta(max_length=200)]]]


class FormatError(UserFacingError, ValueError):
    """A bundle that is not what this version reads; the message is Japanese and names the problem."""

    kind = "bundle_format"


class _Versions(Struct):
    """Read first, leniently: a newer version's bundle is told apart before its structure is judged."""
    format: str = ""
    format_version: int = 0
    schema_version: int = 0


class Header(Struct, forbid_unknown_fields=False):
    format: Literal["kaigo-bundle"]
    format_version: Count
    source_db: Id
    schema_version: Count
    created_at: Text
    created_by: Text
    destination: Text
    since_seq: Count
    max_seq: Count
    counts: dict[TableName, Count]
    content_sha256: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]
    municipality: Union[Text, None] = None
    center: Union[Text, None] = None
    source_name: Text = ""  # who the sending database says it is: its 区市町村 and センター


class Block(Struct):
    columns: list[Annotated[str, Meta(min_length=1, max_length=100)]]
    rows: list[list[Cell]]


MAX_AUDIT_ENTRIES = 1_000_000


class AuditRow(Struct, array_like=True, forbid_unknown_fields=True):
    """One entry of the sender's audit trail (services/audit_exchange.py), as [seq, at, user, pc, action,
    table, record_id, changes, detail]; its origin is the bundle's source_db."""
    seq: Annotated[int, Meta(ge=1, le=2 ** 53)]
    at: Annotated[str, Meta(min_length=1, max_length=40)]
    user_name: Annotated[str, Meta(max_length=200)]
    pc: Annotated[str, Meta(max_length=200)]
    action: Literal["insert", "update", "delete", "restore", "erase", "restore_backup"]
    table_name: Annotated[str, Meta(max_length=100)]
    record_id: Annotated[str, Meta(max_length=200)]
    changes: Annotated[str, Meta(max_length=1_000_000)]
    detail: Annotated[str, Meta(max_length=10_000)]


class AuditBlock(Struct):
    rows: Annotated[list[AuditRow], Meta(max_length=MAX_AUDIT_ENTRIES)]


class Content(Struct):
    tables: dict[TableName, Block]
    audit: Union[AuditBlock, None] = None  # absent in bundles of versions before the audit trail


class Signature(Struct):
    algorithm: Literal["Ed25519"]
    public_key: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]
    signature: Annotated[str, Meta(pattern="^[0-9a-f]{128}$")]


class TrustFile(Struct):
    """What `bundle trust export` writes: one PC's public key, carried to the other on the first USB stick."""
    format: Literal["kaigo-trust"]
    format_version: Literal[1]
    database_id: Id
    name: Text
    public_key: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]
    fingerprint: Text


_DECODERS = {kind: msgspec.json.Decoder(kind) for kind in (_Versions, Header, Content, Signature, TrustFile)}


# ---- messages --------------------------------------------------------------------------------------

_TYPE_NAMES = {"object": "表（{…}）", "array": "一覧（[…]）", "str": "文字列", "int": "整数", "float": "小数",
               "null": "空（null）", "bool": "true/false"}


def _type_name(name: str) -> str:
    return " / ".join(_TYPE_NAMES.get(part.strip(), part.strip()) for part in name.split("|"))


def explain(detail: str) -> str:
    """msgspec's English reason, in Japanese (the part after ' - at' says where)."""
    reason, _, where = detail.partition(" - at ")
    rules = (
        (r"Object missing required field `(.+)`", lambda m: f"必要な項目「{m[1]}」がありません"),
        (r"Object contains unknown field `(.+)`", lambda m: f"知らない項目「{m[1]}」があります"),
        (r"Expected `(.+?)`, got `(.+?)`",
         lambda m: f"{_type_name(m[1])}であるべきところが{_type_name(m[2])}です"),
        (r"Expected `\w+` <= (\S+)", lambda m: f"数が大きすぎます（上限 {m[1]}）"),
        (r"Expected `\w+` >= (\S+)", lambda m: f"数が小さすぎます（下限 {m[1]}）"),
        (r"Expected `\w+` of length <= (\d+)", lambda m: f"長すぎます（{m[1]} まで）"),
        (r"Expected `array` of at most length (\d+)", lambda m: f"値が多すぎます（{m[1]} 個まで）"),
        (r"Expected `\w+` of length >= (\d+)", lambda m: f"短すぎます（{m[1]} 以上）"),
        (r"Expected `str` matching regex", lambda m: "値の形式が違います"),
        (r"Number out of range", lambda m: "数が大きすぎます"),
        (r"Invalid enum value (.+)", lambda m: f"想定外の値 {m[1]} です"),
        (r"JSON is malformed", lambda m: "JSON として読めません"),
        (r"Input data was truncated", lambda m: "途中で切れています"),
    )
    for pattern, say in rules:
        match = re.match(pattern, reason)
        if match:
            text = say(match)
            break
    else:
        text = f"形式が正しくありません（{reason}）"
    if where:
        text += f"（場所: {where.strip('`')}）"
    return text


_REFUSED = "取り込みファイルの形式が正しくないため、何も取り込みませんでした。"


def refusal(member: str, problem: str, prefix: str = _REFUSED) -> FormatError:
    return FormatError(f"{prefix}{member}: {problem}")


def decode(kind: type, member: str, data: bytes, prefix: str = _REFUSED) -> Any:
    try:
        return _DECODERS[kind].decode(data)
    except msgspec.DecodeError as error:
        raise refusal(member, explain(str(error)), prefix) from error


# ---- reading the zip, within bounds ----------------------------------------------------------------

def unpack_limit(file_size: int) -> int:
    """How much a bundle of `file_size` bytes may unpack to."""
    return min(MAX_UNPACKED_BYTES, max(UNPACK_FLOOR, UNPACK_RATIO * file_size))


def unpack(data: bytes) -> dict[str, bytes | None]:
    """header.json, content.json and signature.json (None when absent) of the zip in `data`, whole (see opened:
    the import reads content.json in chunks instead)."""
    with opened(io.BytesIO(data), len(data)) as members:
        return {HEADER: members.header, SIGNATURE: members.signature, CONTENT: b"".join(members.content_chunks())}


@dataclass
class Members:
    """An open bundle zip: header.json and signature.json read (within their bounds), content.json read on
    demand, in chunks, as often as needed (once to check its signature, once to use it)."""
    bundle: zipfile.ZipFile
    header: bytes
    signature: bytes | None
    content: zipfile.ZipInfo
    used: int  # bytes unpacked for header.json and signature.json, counted against `limit`
    limit: int

    def content_chunks(self) -> Iterator[bytes]:
        """content.json in chunks of up to 1 MiB, stopped as soon as the total passes the bound (the declared
        sizes are not trusted); a damaged zip is refused with FormatError."""
        too_large = refusal(CONTENT, f"展開すると大きすぎます（{self.limit:,} バイトまで）。圧縮爆弾の可能性があります")
        if self.content.file_size > self.limit - self.used:
            raise too_large
        size = self.used
        with _zip_errors():
            with self.bundle.open(self.content) as member:
                while chunk := member.read(_CHUNK):
                    size += len(chunk)
                    if size > self.limit:
                        raise too_large
                    yield chunk


@contextmanager
def opened(file: BinaryIO, file_size: int) -> Iterator[Members]:
    """The members of the bundle zip in `file` (of `file_size` bytes), checked before any is used: at most
    MAX_MEMBERS, each of our three stored or deflated, header.json and signature.json within their bound."""
    limit = unpack_limit(file_size)
    with _zip_errors():
        bundle = zipfile.ZipFile(file)
    try:
        with _zip_errors():
            members = bundle.infolist()
            if len(members) > MAX_MEMBERS:
                raise refusal("zip", f"ファイルの数が多すぎます（{len(members):,} 個、{MAX_MEMBERS} 個まで）")
            found: dict[str, zipfile.ZipInfo | None] = {}
            for name in (HEADER, SIGNATURE, CONTENT):
                try:
                    info = bundle.getinfo(name)
                except KeyError:
                    if name == SIGNATURE:
                        found[name] = None  # refused by the signature check, with its own message
                        continue
                    raise refusal("zip", f"{name} がありません") from None
                if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise refusal(name, "この版で読めない圧縮方式です")
                found[name] = info
            header, used = _read_bounded(bundle, found[HEADER], MAX_SMALL_MEMBER, 0, limit)
            signature = None
            if found[SIGNATURE] is not None:
                signature, used = _read_bounded(bundle, found[SIGNATURE], MAX_SMALL_MEMBER, used, limit)
        # outside _zip_errors: what the caller raises while the zip is open is not a damaged zip
        yield Members(bundle, header, signature, found[CONTENT], used, limit)
    finally:
        bundle.close()


@contextmanager
def _zip_errors() -> Iterator[None]:
    """A zip that cannot be read (damaged, cut short, a wrong CRC) is refused with one Japanese message."""
    try:
        yield
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError, zlib.error) as error:  # zlib.error: damaged deflate data
        if isinstance(error, FormatError):
            raise
        raise FormatError(f"取り込みファイルが壊れているため、何も取り込みませんでした（zip として読めません: {error}）。") \
            from error


def _read_bounded(bundle: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, total: int,
                  limit: int) -> tuple[bytes, int]:
    too_large = refusal(info.filename, f"展開すると大きすぎます（{limit:,} バイトまで）。圧縮爆弾の可能性があります")
    if info.file_size > cap or total + info.file_size > limit:
        raise too_large
    parts, size = [], 0
    with bundle.open(info) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            if size > cap or total + size > limit:
                raise too_large
            parts.append(chunk)
    return b"".join(parts), total + size


# ---- the members ------------------------------------------------------------------------------------

def check_versions(header: bytes, schema_version: int) -> None:
    """Our format at a version we read; a newer one gets its own message (update the app)."""
    found = decode(_Versions, HEADER, header)
    if found.format != FORMAT:
        raise FormatError("Kaigo Desktop の取り込みファイルではありません。何も取り込みませんでした。")
    if found.format_version > FORMAT_VERSION or found.schema_version > schema_version:
        raise FormatError(
            f"この取り込みファイルは新しい版の Kaigo Desktop で作成されています（スキーマ {found.schema_version}、"
            f"この版は {schema_version} まで）。アプリを更新してから取り込んでください。何も取り込んでいません。")


def header_dict(header: bytes) -> dict[str, Any]:
    return msgspec.structs.asdict(decode(Header, HEADER, header))


def check_columns(table: str, columns: list[str]) -> None:
    """A table's columns: no name twice, _ancestors last, the identity and version columns there."""
    where = f"$.tables.{table}"
    if len(set(columns)) != len(columns):
        raise refusal(CONTENT, f"列名が重複しています（場所: {where}.columns）")
    if not columns or columns[-1] != ANCESTORS:
        raise refusal(CONTENT, f"最後の列が {ANCESTORS} ではありません（場所: {where}.columns）")
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise refusal(CONTENT, f"必要な列「{'、'.join(missing)}」がありません（場所: {where}.columns）")


def check_rows(table: str, columns: list[str], rows: list[list[Any]], first: int = 0) -> list[tuple[Any, ...]]:
    """Rows (the first of them the `first`-th of the table) against their columns: as wide, the identity and
    version columns text, _ancestors (last) a list or null, no other list. Returns the rows' values column by
    column (read so for the checks, and used again by the import's checks)."""
    width, text_columns = len(columns), [columns.index(name) for name in REQUIRED_COLUMNS]
    if not rows:
        return [() for _ in columns]
    by_column = _columns_if_fine(rows, width, text_columns)
    if by_column is not None:
        return by_column
    where = f"$.tables.{table}"
    for number, row in enumerate(rows, first):
        if len(row) != width:
            raise refusal(CONTENT, f"行の値の数（{len(row)}）が列の数（{width}）と違います（場所: {where}.rows[{number}]）")
        if not all(type(row[index]) is str and row[index] for index in text_columns):
            raise refusal(CONTENT, f"{'・'.join(REQUIRED_COLUMNS)} は空でない文字列であるべきです（場所: {where}.rows[{number}]）")
        if list in map(type, row[:-1]) or not (row[-1] is None or type(row[-1]) is list):
            raise refusal(CONTENT, f"一覧（[…]）は {ANCESTORS} の列にだけ入ります（場所: {where}.rows[{number}]）")
    return list(zip(*rows))  # not reached: a row refused column by column is refused row by row


def _columns_if_fine(rows: list[list[Any]], width: int, text_columns: list[int]) -> list[tuple[Any, ...]] | None:
    """The rows' values column by column when every row passes check_rows, looked at column by column (a
    million rows: no loop in Python); None when not: check_rows then looks row by row for the first one that
    does not, to name it."""
    if set(map(len, rows)) != {width}:
        return None
    by_column = list(zip(*rows))  # the rows turned into columns in one pass
    for index, column in enumerate(by_column):
        kinds = set(map(type, column))
        if index in text_columns:
            if kinds != {str} or "" in column:
                return None
        elif list in kinds if index < width - 1 else not kinds <= {list, type(None)}:
            return None
    return by_column
