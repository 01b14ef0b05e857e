"""The `.kaigo-sub` submission file (issue 18), declared once (msgspec): a zip of header.json (who, which
区市町村 and 年度, locked or not, the content's SHA-256), content.json (the 年度's aggregate figures only) and
signature.json (Ed25519 over both, made and checked by services/bundle_signing.py exactly as for bundles).

Reading is bounded (the file's size first, then bundle_format.unpack's own bounds while unpacking) and strict:
unknown fields, wrong types, a header and content that disagree are refused whole with one Japanese message
naming the file (SubmissionError). Nothing here writes a database."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import msgspec
from msgspec import Meta, Struct

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.vocab import PROGRAM_CODES
from kaigo_desktop.services import bundle_format
from kaigo_desktop.services.bundle_format import CONTENT, HEADER, SIGNATURE

FORMAT = "kaigo-submission"
FORMAT_VERSION = 2  # 2: short_term_records (issue 19); a version 1 file (without them) is still read
SUFFIX = ".kaigo-sub"
MAX_FILE_BYTES = 1024 ** 2  # a submission is a few kilobytes of figures; a megabyte is far past any real one
MAX_FILES = 62 * 10  # one import: every 区市町村, several 年度 each

Count = Annotated[int, Meta(ge=0, le=2 ** 53)]
Text = Annotated[str, Meta(max_length=200)]
Key = Annotated[str, Meta(min_length=1, max_length=100)]
FiscalYear = Annotated[int, Meta(ge=2000, le=2100)]
MunicipalityCode = Annotated[str, Meta(pattern="^13[0-9]{4}$")]
Rate = Annotated[float, Meta(ge=0, le=1000)]
Int64 = Annotated[int, Meta(ge=-(2 ** 63), le=2 ** 63 - 1)]
ProgramCode = Literal[PROGRAM_CODES]  # type: ignore[valid-type]
Scalar = Union[None, bool, Int64, float, Text]
# The `stats --json` object as it is (services/stats.FiscalYearStats.to_json_dict): scalars and tables of
# scalars two deep; the figures the sheet counts are repeated below in typed fields.
StatsValue = Union[None, bool, Int64, float, Text,
                   Annotated[dict[Key, Union[None, bool, Int64, float, Text,
                                             Annotated[dict[Key, Scalar], Meta(max_length=100)]]],
                             Meta(max_length=100)]]


class SubmissionError(UserFacingError, ValueError):
    """A submission file refused (nothing was imported); the message is Japanese and names the file."""

    kind = "submission"


class _Versions(Struct):
    format: str = ""
    format_version: int = 0


class Header(Struct, forbid_unknown_fields=True):
    format: Literal["kaigo-submission"]
    format_version: Literal[1, 2]
    source_db: Annotated[str, Meta(min_length=1, max_length=100)]
    source_name: Text
    created_at: Text
    created_by: Text
    app_version: Text
    fiscal_year: FiscalYear
    municipality_code: MunicipalityCode
    municipality_name: Text
    locked: bool
    content_sha256: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]


class Participation(Struct, forbid_unknown_fields=True):
    """週1回以上活動に参加している人の率's parts: Tokyo's rate is Σ weekly_members_65_plus ÷ Σ population."""
    population_65_plus: Union[Count, None]
    members_65_plus: Count
    weekly_members_65_plus: Count
    weekly_participation_rate: Union[Rate, None]


class Promoters(Struct, forbid_unknown_fields=True):
    placed: Count
    cap: Union[Count, None]
    activities: Annotated[dict[Key, Count], Meta(max_length=50)]
    activity_minutes: Count


class Subsidy(Struct, forbid_unknown_fields=True):
    base: Count
    eligible: Count
    claim: Count


class ProgramCoverage(Struct, forbid_unknown_fields=True):
    """Program types offered by the 調査対象 places (survey_places is null while the reference month runs)."""
    survey_places: Union[Count, None]
    by_program: dict[ProgramCode, Count]
    offered: Annotated[list[ProgramCode], Meta(max_length=len(PROGRAM_CODES))]


class ShortTermService(Struct, forbid_unknown_fields=True):
    offered: bool
    users: Union[Count, None]


HiddenFigure = Literal["users", "evaluated", "improved", "connected", "attending"]


class ShortTermRecords(Struct, forbid_unknown_fields=True):
    """事項3 computed from the 区市町村's 短期集中予防サービス cases (domain/short_term_cases.figures), small
    counts hidden (null, named in `hidden`; domain/short_term_cases.suppressed). Shares are percentages."""
    users: Union[Count, None]
    evaluated: Union[Count, None]
    improved: Union[Count, None]
    connected: Union[Count, None]
    attending: Union[Count, None]
    improved_share: Union[Rate, None]
    attending_share: Union[Rate, None]
    hidden: Annotated[list[HiddenFigure], Meta(max_length=5)]


class Approval(Struct, forbid_unknown_fields=True):
    locked: bool
    locked_at: Union[Text, None]
    centers: Count
    centers_confirmed: Count


class Content(Struct, forbid_unknown_fields=True):
    fiscal_year: FiscalYear
    municipality_code: MunicipalityCode
    complete: bool
    as_of: Union[Text, None]
    stats: Annotated[dict[Key, StatsValue], Meta(max_length=100)]
    participation: Participation
    promoters: Promoters
    subsidy: Subsidy
    program_coverage: ProgramCoverage
    short_term_service: ShortTermService
    approval: Approval
    # format 2: from the cases when the 年度 has any user in them, else null (東京都 counts the declaration)
    short_term_records: Union[ShortTermRecords, None] = None


_DECODERS = {kind: msgspec.json.Decoder(kind) for kind in (_Versions, Header, Content)}


def _decode(kind: type, member: str, data: bytes, name: str) -> Any:
    try:
        return _DECODERS[kind].decode(data)
    except msgspec.DecodeError as error:
        raise refused(name, f"{member}: {bundle_format.explain(str(error))}") from error


def refused(name: str, problem: str) -> SubmissionError:
    """The one refusal of a submission file; `problem` may be a bundle reader's or signer's own message."""
    problem = (problem.replace("取り込みファイルが壊れているため、何も取り込みませんでした", "ファイルが壊れています")
               .replace("取り込みファイルの形式が正しくないため、何も取り込みませんでした。", "")
               .replace("何も取り込みませんでした。", "").replace("取り込みファイル", "提出ファイル").strip().rstrip("。"))
    return SubmissionError(f"提出ファイル「{name}」を取り込めません: {problem}。どの提出ファイルも取り込んでいません。")


# ---- writing ----------------------------------------------------------------------------------------------

def encode(value: Any) -> bytes:
    return msgspec.json.encode(value)


def content_bytes(content: Content) -> bytes:
    return encode(content)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pack(header: bytes, content: bytes, signature: bytes) -> bytes:
    """The file's bytes: the three members, in a fixed order, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in ((HEADER, header), (CONTENT, content), (SIGNATURE, signature)):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# ---- reading ----------------------------------------------------------------------------------------------

class Unpacked(Struct):
    header_bytes: bytes
    content_bytes: bytes
    signature_bytes: Union[bytes, None]
    header: Header
    content: Content


def read_file(path: Path) -> Unpacked:
    """The members of the submission at `path`, decoded and cross-checked (not yet its signature)."""
    name = Path(path).name
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise refused(name, f"ファイルを読めません（{error.strerror or error}）") from error
    if len(data) > MAX_FILE_BYTES:
        raise refused(name, f"提出ファイルとしては大きすぎます（{MAX_FILE_BYTES:,} バイトまで）")
    try:
        members = bundle_format.unpack(data)
    except bundle_format.FormatError as error:
        raise refused(name, str(error)) from error
    header_bytes, content_data = members[HEADER], members[CONTENT]
    assert header_bytes is not None and content_data is not None
    versions = _decode(_Versions, HEADER, header_bytes, name)
    if versions.format != FORMAT:
        raise refused(name, "Kaigo Desktop の提出ファイル（.kaigo-sub）ではありません")
    if versions.format_version > FORMAT_VERSION:
        raise refused(name, "新しい版の Kaigo Desktop で作成されています。アプリを更新してください")
    header = _decode(Header, HEADER, header_bytes, name)
    if sha256(content_data) != header.content_sha256:
        raise refused(name, "内容が見出し（header.json）と一致しません（書き換えか破損）")
    content = _decode(Content, CONTENT, content_data, name)
    if (content.fiscal_year, content.municipality_code) != (header.fiscal_year, header.municipality_code):
        raise refused(name, "見出しと内容で年度または区市町村が違います")
    if content.approval.locked != header.locked:
        raise refused(name, "見出しと内容でロックの状態が違います")
    return Unpacked(header_bytes, content_data, members[SIGNATURE], header, content)


def to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)


def decode_content(data: bytes) -> Content:
    """A stored submission's content (it was checked when imported; decoded by the same declaration)."""
    return _DECODERS[Content].decode(data)
