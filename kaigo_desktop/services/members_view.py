"""参加者実人数 per place and 年度, as the 実人数 screen shows and saves it: one row per place active in the
年度, beside its 延べ参加者数 (same definitions as the aggregation), saved all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain.fiscal import fiscal_year_range
from kaigo_desktop.domain.participants import ROSTER_COMPUTED
from kaigo_desktop.domain.records import Members
from kaigo_desktop.domain.validation import FieldError, check_members
from kaigo_desktop.services import records
from kaigo_desktop.services.validators import validate
from kaigo_desktop.storage import aggregates, check_queries
from kaigo_desktop.storage.database import Database

PARTS = ("male", "female", "age_under_65", "age_65_74", "age_75_plus")


@dataclass(frozen=True)
class MembersRow:
    place_id: str
    place_name: str
    municipality_code: str
    center_name: str
    gatherings: int  # in the 年度
    attendance: int  # 延べ参加者数 of the 年度
    total: int | None  # None: not entered
    male: int | None = None
    female: int | None = None
    age_under_65: int | None = None
    age_65_74: int | None = None
    age_75_plus: int | None = None
    record_id: str | None = None
    updated_by: str = ""
    from_roster: bool = False  # computed from the gatherings' rosters (storage/member_figures.py): not editable


@dataclass(frozen=True)
class MembersEntry:
    """One edited row: total None clears the place's figure for the 年度 (to the trash)."""

    place_id: str
    total: int | None
    male: int | None = None
    female: int | None = None
    age_under_65: int | None = None
    age_65_74: int | None = None
    age_75_plus: int | None = None


def members_sheet(db: Database, fiscal_year: int, municipality_code: str | None = None) -> list[MembersRow]:
    start, end = fiscal_year_range(fiscal_year)
    scope = aggregates.Scope(start, end, municipality_code)
    places = check_queries.active_places(db, scope)
    spans = {row["place_id"]: row for row in check_queries.gathering_span_by_place(db, scope)}
    stored = {row["place_id"]: row for row in check_queries.members_rows(db, fiscal_year, [p["id"] for p in places])}
    rows = []
    for place in places:
        span, member = spans.get(place["id"]), stored.get(place["id"])
        parts = {name: member[name] for name in PARTS} if member else {}
        rows.append(MembersRow(place["id"], place["name"], place["municipality_code"], place["center_name"],
                               span["gatherings"] if span else 0, span["attendance"] if span else 0,
                               member["total"] if member else None, **parts,
                               record_id=member["id"] if member else None,
                               updated_by=member["updated_by"] if member else "",
                               from_roster=bool(member["from_roster"]) if member else False))
    return rows


def row_problems(entry: MembersEntry, attendance: int) -> tuple[list[FieldError], list[str]]:
    """(errors that stop the save, warnings shown live) for one row: the breakdown rules of the domain, and
    a 実人数 above the place's 延べ参加者数 (a warning here, an エラー in the checks before sending: the
    gatherings may not all be entered yet)."""
    if entry.total is None:
        known = [getattr(entry, name) for name in PARTS if getattr(entry, name) is not None]
        return ([FieldError("total", "内訳を入力するときは実人数も入力してください。")] if known else []), []
    errors = check_members(total=entry.total, **{name: getattr(entry, name) for name in PARTS})
    warnings = ([f"実人数（{entry.total:,}人）が延べ参加者数（{attendance:,}人）を超えています。"]
                if entry.total > attendance else [])
    return errors, warnings


def _figures(row: MembersEntry | MembersRow) -> tuple:
    return (row.total, *(getattr(row, name) for name in PARTS))


def save_members(db: Database, fiscal_year: int, entries: list[MembersEntry], today: date | None = None) -> int:
    """All rows or none, in one transaction; errors name the place. Returns the rows written."""
    today = today or date.today()
    current = {row.place_id: row for row in members_sheet(db, fiscal_year)}
    upserts: list[Members] = []
    clears: list[str] = []
    errors: list[FieldError] = []
    for entry in entries:
        row = current.get(entry.place_id)
        name = row.place_name if row else entry.place_id
        if row is not None and row.from_roster:
            # computed from the roster: sent back unchanged by a whole-sheet save, never written
            if _figures(entry) != _figures(row):
                errors.append(FieldError(f"{entry.place_id}.total", f"{name}: {ROSTER_COMPUTED}"))
            continue
        if entry.total is None:
            problems, _ = row_problems(entry, 0)
            errors += [FieldError(f"{entry.place_id}.{e.field}", f"{name}: {e.message}") for e in problems]
            if row is not None and row.record_id:
                clears.append(row.record_id)
            continue
        record = Members(entry.place_id, fiscal_year, entry.total, entry.male, entry.female, entry.age_under_65,
                         entry.age_65_74, entry.age_75_plus)
        errors += [FieldError(f"{entry.place_id}.{e.field}", f"{name}: {e.message}")
                   for e in validate(db, record, today)]
        upserts.append(record)
    return records.write_rows(db, Members, upserts, clears, errors, today)
