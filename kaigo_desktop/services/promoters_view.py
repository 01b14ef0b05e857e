"""What the 推進員 screen reads and writes: the promoter list, saving a promoter with the cap warnings its
change brings, assignments to places over time, and the places and centers to choose from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain.fiscal import fiscal_year_of, format_wareki
from kaigo_desktop.domain.records import Assignment, Promoter
from kaigo_desktop.domain.text import to_katakana
from kaigo_desktop.domain.validation import FieldError, ValidationFailed, check_period, require
from kaigo_desktop.services import overview, records
from kaigo_desktop.storage import lookups, promoter_queries
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.rows import from_row

SORT_KEYS = tuple(promoter_queries.PROMOTER_SORTS)


@dataclass(frozen=True)
class PromoterFilter:
    text: str = ""  # part of the name or the kana (hiragana finds katakana)
    municipality_code: str | None = None
    deleted: bool = False  # True lists the trash instead


@dataclass(frozen=True)
class PromoterRow:
    promoter: Promoter
    municipality_name: str
    center_name: str
    place_count: int  # places assigned on the day the list was made


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    place_name: str
    place_deleted: bool


@dataclass(frozen=True)
class Choice:
    """An item of a picker: the id stored, the label shown."""

    id: str
    label: str
    kana: str = ""
    municipality_code: str = ""


@dataclass(frozen=True)
class SavedPromoter:
    promoter: Promoter
    warnings: tuple[str, ...]  # cap warnings the change brought; shown, never blocking


def list_promoters(db: Database, flt: PromoterFilter, *, today: date, order_by: str = "kana",
                   descending: bool = False) -> list[PromoterRow]:
    text = flt.text.strip()
    query = promoter_queries.PromoterQuery(text=text, kana_text=to_katakana(text),
                                           municipality_code=flt.municipality_code, deleted=flt.deleted)
    return [PromoterRow(from_row(Promoter, row), row["municipality_name"], row["center_name"] or "",
                        row["place_count"])
            for row in promoter_queries.promoter_rows(db, query, today=today, order_by=order_by,
                                                      descending=descending)]


def filter_municipalities(db: Database) -> list[Choice]:
    """Municipalities that have promoters (trash included): the choices of the list's filter."""
    return [Choice(row["code"], row["name"]) for row in promoter_queries.municipalities_with_promoters(db)]


def center_choices(db: Database, municipality_code: str | None = None) -> list[Choice]:
    return [Choice(row["id"], row["name"], municipality_code=row["municipality_code"])
            for row in promoter_queries.center_choice_rows(db, municipality_code)]


def place_choices(db: Database, municipality_code: str | None = None) -> list[Choice]:
    return [Choice(row["id"], row["name"], row["kana"], row["municipality_code"])
            for row in promoter_queries.place_choice_rows(db, municipality_code)]


def promoter_choices(db: Database) -> list[Choice]:
    """Live promoters, labelled 「氏名（区市町村）」."""
    return [Choice(row["id"], f"{row['name']}（{row['municipality_name']}）", row["kana"], row["municipality_code"])
            for row in promoter_queries.promoter_choice_rows(db)]


def _by_municipality(choices: list[Choice]) -> dict[str, list[Choice]]:
    grouped: dict[str, list[Choice]] = {}
    for choice in choices:
        grouped.setdefault(choice.municipality_code, []).append(choice)
    return grouped


@dataclass(frozen=True)
class ReferenceLists:
    """Everything the two screens' pickers offer, read in one job so the forms can fill them at once."""

    municipalities: list[Choice]
    qualifications: list[str]
    activity_kinds: list[str]
    centers: dict[str, list[Choice]]  # by municipality code
    places: dict[str, list[Choice]]  # by municipality code
    promoters: list[Choice]
    filter_municipalities: list[Choice]


def reference_lists(db: Database) -> ReferenceLists:
    return ReferenceLists(
        municipalities=[Choice(m.code, m.name, m.kana, m.code) for m in overview.municipalities(db)],
        qualifications=overview.choices(db, "qualifications"),
        activity_kinds=overview.choices(db, "activity_kinds"),
        centers=_by_municipality(center_choices(db)),
        places=_by_municipality(place_choices(db)),
        promoters=promoter_choices(db),
        filter_municipalities=filter_municipalities(db),
    )


# ---------------------------------------------------------------- saving a promoter and the cap warning

def covered_fiscal_years(start: date, end: date | None, today: date) -> list[int]:
    """The 年度 a placement covers; an open one runs to the current 年度 (or its own first one)."""
    first = fiscal_year_of(start)
    last = fiscal_year_of(end) if end else max(first, fiscal_year_of(today))
    return list(range(first, last + 1))


def cap_warnings(db: Database, promoter: Promoter, previous: Promoter | None, today: date) -> list[str]:
    """Cap warnings for the 年度 this promoter's placement newly covers: all of them for a new promoter (or
    one moved to another municipality or restored), only the added ones for a changed period."""
    years = covered_fiscal_years(promoter.start_date, promoter.end_date, today)
    if previous is not None and previous.meta.deleted_at is None \
            and previous.municipality_code == promoter.municipality_code:
        before = set(covered_fiscal_years(previous.start_date, previous.end_date, today))
        years = [fy for fy in years if fy not in before]
    warnings = []
    for fy in years:
        warning = records.promoter_cap_warning(db, promoter, fy)
        if warning:
            warnings.append(warning)
    return warnings


def preview_cap_warnings(db: Database, promoter: Promoter, today: date) -> list[str]:
    """The warnings saving `promoter` (as edited, not saved yet) would bring."""
    if not lookups.municipality(db, promoter.municipality_code) or promoter.start_date is None:
        return []
    if promoter.end_date is not None and promoter.end_date < promoter.start_date:
        return []
    previous = records.get(db, Promoter, promoter.id) if promoter.id else None
    return cap_warnings(db, promoter, previous, today)


def save_promoter(db: Database, promoter: Promoter, *, today: date | None = None) -> SavedPromoter:
    """Add or update; the cap warnings are worked out in the same job, against what was stored before."""
    today = today or date.today()
    previous = records.get(db, Promoter, promoter.id) if promoter.id else None
    saved = records.update(db, promoter, today=today) if promoter.id else records.add(db, promoter, today=today)
    return SavedPromoter(saved, tuple(cap_warnings(db, saved, previous, today)))


def restore_promoter(db: Database, promoter_id: str, *, today: date | None = None) -> tuple[str, ...]:
    """Bring a promoter back from the trash; the cap warnings it brings back with it."""
    records.restore(db, Promoter, promoter_id)
    return tuple(cap_warnings(db, records.get(db, Promoter, promoter_id), None, today or date.today()))


# ---------------------------------------------------------------- assignments

def assignments_of(db: Database, promoter_id: str, *, deleted: bool = False) -> list[AssignmentRow]:
    return [AssignmentRow(from_row(Assignment, row), row["place_name"], row["place_deleted_at"] is not None)
            for row in promoter_queries.assignment_rows(db, promoter_id, deleted=deleted)]


def _assignment_errors(db: Database, a: Assignment) -> list[FieldError]:
    """What the generic checks cannot know: the place is the promoter's municipality's, the dates lie in
    the promoter's placement, and the same place is not assigned twice at once."""
    errors = require(a.place_id or None, "place_id", "通いの場") + require(a.start_date, "start_date", "担当開始日")
    if errors:
        return errors
    promoter = records.get(db, Promoter, a.promoter_id)
    if lookups.record_municipality(db, "places", a.place_id) != promoter.municipality_code:
        errors.append(FieldError("place_id", "推進員と同じ区市町村の通いの場を選んでください。"))
    if a.start_date < promoter.start_date:
        errors.append(FieldError("start_date", f"担当開始日（{format_wareki(a.start_date)}）が推進員の配置開始日"
                                               f"（{format_wareki(promoter.start_date)}）より前です。"))
    if promoter.end_date and a.start_date > promoter.end_date:
        errors.append(FieldError("start_date", f"担当開始日（{format_wareki(a.start_date)}）が推進員の配置終了日"
                                               f"（{format_wareki(promoter.end_date)}）より後です。"))
    elif promoter.end_date and a.end_date and a.end_date > promoter.end_date:
        errors.append(FieldError("end_date", f"担当終了日（{format_wareki(a.end_date)}）が推進員の配置終了日"
                                             f"（{format_wareki(promoter.end_date)}）より後です。"))
    errors += check_period(a.start_date, a.end_date, start_label="担当開始日", end_label="担当終了日")
    if not errors and promoter_queries.overlapping_assignment_count(
            db, a.promoter_id, a.place_id, a.start_date, a.end_date, exclude_id=a.id):
        errors.append(FieldError("place_id", "この通いの場は同じ期間に既に担当しています。"))
    return errors


def add_assignment(db: Database, assignment: Assignment, *, today: date | None = None) -> Assignment:
    errors = _assignment_errors(db, assignment)
    if errors:
        raise ValidationFailed(errors)
    return records.add(db, assignment, today=today)


def end_assignment(db: Database, assignment_id: str, end_date: date | None, *,
                   today: date | None = None) -> Assignment:
    """Set (or clear, with None) the end of an assignment."""
    changed = dataclasses.replace(records.get(db, Assignment, assignment_id), end_date=end_date)
    errors = _assignment_errors(db, changed)
    if errors:
        raise ValidationFailed(errors)
    return records.update(db, changed, today=today)
