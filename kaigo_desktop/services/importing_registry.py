"""Importing the registers: 通いの場 (places) and 推進員 (promoters), each matched to what is stored (by ID,
else by name within the municipality) and updated, or added."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.place_details import parse_coordinate, parse_postal_code
from kaigo_desktop.domain.vocab import PROGRAM_CODES, PROGRAM_LABELS
from kaigo_desktop.services.duplicates import SimilarNames
from kaigo_desktop.services.importing_context import CODE, MAX_LISTED_LINES, Context, lines_text
from kaigo_desktop.services.importing_table import Layout, Row
from kaigo_desktop.services.records import promoter_cap_warning
from kaigo_desktop.storage import duplicate_queries, import_lookups, lookups, repository
from kaigo_desktop.storage.duplicate_queries import NamedRecord
from kaigo_desktop.storage.ids import is_uuid

# ---------------------------------------------------------------- places

PROGRAM_HEADERS: dict[str, str] = {label: code for code, label in PROGRAM_LABELS.items()}
PLACE_TEXT = {"名称カナ": "kana", "住所": "address", "会場種別": "venue_kind", "運営主体": "operator_kind",
              "開催頻度": "frequency_declared", "連絡先": "contact", "備考": "notes", "料金": "fee"}
# The open-data fields with a format (domain/place_details.py): header → (attribute, parser of the cell).
PLACE_DETAILS = {
    "郵便番号": ("postal_code", parse_postal_code),
    "緯度": ("latitude", lambda text: parse_coordinate(text, latitude=True)),
    "経度": ("longitude", lambda text: parse_coordinate(text, latitude=False)),
}
# The columns holding one of a reference list (read with vocab.match_choice: 「住民団体」 is accepted).
PLACE_CHOICES = {"会場種別": "venue_kinds", "運営主体": "operator_kinds", "開催頻度": "frequency_buckets"}
PLACE_DATES = {"開始日": "start_date", "終了日": "end_date"}
PLACES = Layout(
    headers=("通いの場ID", "名称", *PLACE_TEXT, CODE, "地域包括支援センター", "主な活動内容", *PLACE_DATES,
             *PROGRAM_HEADERS, "定員", *PLACE_DETAILS),
    required=("名称", CODE),
)
PLACE_COLUMNS: dict[str, str] = {
    "id": "通いの場ID", "name": "名称", "municipality_code": CODE, "center_id": "地域包括支援センター",
    "main_activity_1": "主な活動内容", "main_activity_2": "主な活動内容", "capacity": "定員",
    **{attr: header for header, attr in PLACE_TEXT.items()},
    **{attr: header for header, attr in PLACE_DATES.items()},
    **{attr: header for header, (attr, _parse) in PLACE_DETAILS.items()},
}
CENTER_COLUMNS = {"name": "地域包括支援センター", "municipality_code": CODE}


def _stored(ctx: Context, row: Row, record_type: type, column: str, label: str) -> Any | None:
    """The live record whose ID is in `column`; an error when the ID is given but unknown."""
    text = row.text(column).lower()
    record = repository.find(ctx.db, record_type, text) if is_uuid(text) else None
    if record is None or record.meta.deleted_at is not None:
        row.error(column, words.not_found(f"{column} {row.text(column)} の{label}"))
        return None
    return record


def _place_values(ctx: Context, row: Row, existing: r.Place | None) -> dict[str, Any]:
    """The attributes the row gives (a blank cell gives nothing, except program flags: blank is no)."""
    values: dict[str, Any] = {attr: row.text(h) for h, attr in PLACE_TEXT.items() if row.text(h)}
    for header, table in PLACE_CHOICES.items():
        if row.text(header):
            values[PLACE_TEXT[header]] = ctx.read_choice(row, header, table)
    for header, attr in PLACE_DATES.items():
        if row.text(header):
            values[attr] = ctx.read_date(row, header)
    if row.text("定員"):
        values["capacity"] = ctx.read_count(row, "定員", "capacity")
    for header, (attr, parse) in PLACE_DETAILS.items():
        if row.text(header):
            values[attr] = row.value(header, parse)
    if row.text("主な活動内容"):
        activities = ctx.read_choices(row, "主な活動内容", lookups.vocabulary(ctx.db, "main_activity_kinds"))
        if len(activities) > 2:
            row.error("主な活動内容", f"主な活動内容は2つまでです（1つ目が主な活動）: {row.text('主な活動内容')}")
        values["main_activity_1"] = activities[0] if activities else None
        values["main_activity_2"] = activities[1] if len(activities) > 1 else None
    flags = [h for h in PROGRAM_HEADERS if row.has(h)]
    if flags:
        programs = set(existing.programs if existing else ())
        for header in flags:
            offered = ctx.read_flag(row, header)
            if offered:
                programs.add(PROGRAM_HEADERS[header])
            elif offered is not None:
                programs.discard(PROGRAM_HEADERS[header])
        values["programs"] = tuple(code for code in PROGRAM_CODES if code in programs)
    return values


def _center_id(ctx: Context, row: Row, code: str, created: list[str]) -> str | None:
    name = row.text("地域包括支援センター")
    ids = lookups.center_ids_by_name(ctx.db, code, name)
    if ids:
        return ids[0]
    if row.failed:
        return None
    center = ctx.save(row, r.Center(code, name), CENTER_COLUMNS)
    if center is None:
        return None
    municipality = lookups.municipality(ctx.db, code)
    created.append(f"{municipality.name if municipality else code} {name}")
    return center.id


def _similar_warning(label: str, similar: list[str]) -> str:
    shown = "、".join(similar[:MAX_LISTED_LINES])
    more = f" ほか{len(similar) - MAX_LISTED_LINES}件" if len(similar) > MAX_LISTED_LINES else ""
    return (f"名前がよく似た{label}が既にあります（同じ{label}なら、取り込んだ後に統合できます）: {shown}{more}")


def _note_similar(names: SimilarNames, row: Row, code: str, name: str, similar: list[str]) -> None:
    """A new record whose name matches a stored one (or one added by an earlier row) after normalising."""
    matches = [record.name for record in names.find(code, name) if record.name != name]
    if matches:
        similar.append(f"{row.line}行目「{name}」≒" + "・".join(f"「{match}」" for match in matches[:3]))


def _remember(names: SimilarNames, saved: Any) -> None:
    names.add(NamedRecord(saved.id, saved.name, saved.kana, saved.municipality_code))


def import_places(ctx: Context, rows: Iterable[Row]) -> None:
    created_centers: list[str] = []
    first_line: dict[tuple[str, str], int] = {}
    repeated: list[int] = []
    names = SimilarNames(ctx.db, duplicate_queries.live_places)
    similar: list[str] = []
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        name = row.value("名称", required=True)
        code = ctx.municipality(row)
        existing: r.Place | None = None
        if row.text("通いの場ID"):
            existing = _stored(ctx, row, r.Place, "通いの場ID", "通いの場")
        elif code and name:
            ids = lookups.place_ids_by_name(ctx.db, code, name)
            existing = repository.get(ctx.db, r.Place, ids[0]) if ids else None
        values = _place_values(ctx, row, existing)
        if name is None or code is None:
            continue
        if (code, name) in first_line:
            repeated.append(row.line)
        first_line.setdefault((code, name), row.line)
        if row.text("地域包括支援センター"):
            values["center_id"] = _center_id(ctx, row, code, created_centers)
        if existing is not None:
            record = dataclasses.replace(existing, name=name, municipality_code=code, **values)
        else:
            record = r.Place(code, name, **values)
        if existing is None:
            _note_similar(names, row, code, name, similar)
        if row.failed:
            ctx.check_only(row, record, PLACE_COLUMNS)
        elif (saved := ctx.save(row, record, PLACE_COLUMNS, update=existing is not None)) is not None:
            _remember(names, saved)
            if existing is None:
                ctx.added += 1
            else:
                ctx.updated += 1
    if created_centers:
        ctx.warn("地域包括支援センターを新規作成: " + "、".join(created_centers))
    if similar:
        ctx.warn(_similar_warning("通いの場", similar))
    if repeated:
        ctx.warn("同じ区市町村・名称の通いの場が複数の行にあります（後の行の内容で更新します）: " + lines_text(repeated))


# ---------------------------------------------------------------- promoters

PROMOTERS = Layout(
    headers=("推進員ID", "氏名", "氏名カナ", CODE, "職種", "配置開始日", "配置終了日", "担当通いの場"),
    required=("氏名", CODE, "職種", "配置開始日"),
)
PROMOTER_COLUMNS = {"id": "推進員ID", "name": "氏名", "kana": "氏名カナ", "municipality_code": CODE,
                    "qualification": "職種", "start_date": "配置開始日", "end_date": "配置終了日"}
ASSIGNMENT_COLUMNS = {"place_id": "担当通いの場", "start_date": "配置開始日", "end_date": "配置終了日",
                      "promoter_id": "氏名"}


def _assign(ctx: Context, row: Row, promoter: r.Promoter, place_ids: list[str]) -> None:
    """担当: one assignment per place from the promoter's start, unless it is already recorded."""
    for place_id in place_ids:
        found = import_lookups.live_assignment(ctx.db, promoter.id, place_id, promoter.start_date)
        if found is None:
            ctx.save(row, r.Assignment(promoter.id, place_id, promoter.start_date, promoter.end_date),
                     ASSIGNMENT_COLUMNS)
        elif promoter.end_date is not None and found[1] != promoter.end_date:
            assignment = repository.get(ctx.db, r.Assignment, found[0])
            ctx.save(row, dataclasses.replace(assignment, end_date=promoter.end_date), ASSIGNMENT_COLUMNS,
                     update=True)


def import_promoters(ctx: Context, rows: Iterable[Row]) -> None:
    first_line: dict[tuple[str, str], int] = {}
    repeated: list[int] = []
    names = SimilarNames(ctx.db, duplicate_queries.live_promoters)
    similar: list[str] = []
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        name = row.value("氏名", required=True)
        code = ctx.municipality(row)
        qualification = ctx.read_choice(row, "職種", "qualifications", required=True)
        start: date | None = ctx.read_date(row, "配置開始日", required=True)
        values: dict[str, Any] = {}
        if row.text("氏名カナ"):
            values["kana"] = row.text("氏名カナ")
        if row.text("配置終了日"):
            values["end_date"] = ctx.read_date(row, "配置終了日")
        existing: r.Promoter | None = None
        if row.text("推進員ID"):
            existing = _stored(ctx, row, r.Promoter, "推進員ID", "推進員")
        elif code and name:
            ids = lookups.promoter_ids_by_name(ctx.db, name, code)
            existing = repository.get(ctx.db, r.Promoter, ids[0]) if ids else None
        place_ids = []
        if code:
            for place_name in ctx.read_list(row, "担当通いの場"):
                found = ctx.place_in(row, code, place_name, "担当通いの場")
                if found:
                    place_ids.append(found[0])
        if name is None or code is None or qualification is None or start is None:
            continue
        if (code, name) in first_line:
            repeated.append(row.line)
        first_line.setdefault((code, name), row.line)
        fields = dict(name=name, municipality_code=code, qualification=qualification, start_date=start, **values)
        record = dataclasses.replace(existing, **fields) if existing else r.Promoter(**fields)
        if existing is None:
            _note_similar(names, row, code, name, similar)
        if row.failed:
            ctx.check_only(row, record, PROMOTER_COLUMNS)
            continue
        if existing is None and (warning := promoter_cap_warning(ctx.db, record)):
            ctx.warn(warning)
        saved = ctx.save(row, record, PROMOTER_COLUMNS, update=existing is not None)
        if saved is None:
            continue
        _remember(names, saved)
        _assign(ctx, row, saved, place_ids)
        if existing is None:
            ctx.added += 1
        else:
            ctx.updated += 1
    if repeated:
        ctx.warn("同じ区市町村・氏名の推進員が複数の行にあります（後の行の内容で更新します）: " + lines_text(repeated))
    if similar:
        ctx.warn(_similar_warning("推進員", similar))
