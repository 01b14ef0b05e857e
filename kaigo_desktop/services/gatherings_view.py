"""What the 開催記録 screen reads and writes beyond one-record saves: the big list (keys filtered and sorted in
SQL, rows by key), the entry form's choices and suggestions, a month sheet of one place saved all or nothing,
and moving gatherings to and from the trash."""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kaigo_desktop.domain.fiscal import fiscal_year_of, month_range
from kaigo_desktop.domain.records import Gathering, Place, Promoter
from kaigo_desktop.domain.validation import FieldError, ValidationFailed
from kaigo_desktop.domain.vocab import mask_to_professionals, mask_to_programs
from kaigo_desktop.services import records, rights
from kaigo_desktop.services.validators import validate
from kaigo_desktop.storage import gathering_queries, listing
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import RecordNotFoundError
from kaigo_desktop.storage.ids import new_id

SORT_KEYS: tuple[str, ...] = tuple(gathering_queries.LIST_SORTS)
DEFAULT_GAP_DAYS = 7  # a place without history is assumed to meet weekly, the most common rhythm


@dataclass(frozen=True)
class ListQuery:
    """Which gatherings the list shows and in which order (sort_key is one of SORT_KEYS)."""

    municipality_code: str | None = None
    place_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    trash: bool = False
    sort_key: str = "held_on"
    descending: bool = True


@dataclass(frozen=True)
class GatheringRow:
    """One line of the list. `key` identifies it in the list (see list_keys); `id` is the record's id."""

    key: int
    id: str
    place_id: str
    place_name: str
    municipality_name: str
    held_on: date
    start_time: str | None
    end_time: str | None
    programs: tuple[str, ...]
    attendance_total: int
    male: int | None
    female: int | None
    age_under_65: int | None
    age_65_74: int | None
    age_75_plus: int | None
    new_participants: int | None
    professionals: tuple[str, ...]
    promoter_name: str | None
    notes: str
    updated_at: str
    updated_by: str
    deleted_at: str | None


@dataclass(frozen=True)
class PlaceChoice:
    id: str
    name: str
    kana: str
    municipality_code: str
    municipality_name: str
    start_date: date | None
    end_date: date | None
    programs: tuple[str, ...]

    @property
    def label(self) -> str:
        """What the place picker shows: the name with its 区市町村, since names repeat across them."""
        return f"{self.name}（{self.municipality_name}）"


@dataclass(frozen=True)
class PromoterChoice:
    id: str
    name: str
    kana: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class Prefill:
    """「前回と同じ」: what a new gathering of a place copies. `from_date` is the gathering copied, or None when
    the place has none yet and the programs are the place's registered ones."""

    programs: tuple[str, ...]
    start_time: str | None
    end_time: str | None
    professionals: tuple[str, ...]
    promoter_id: str | None
    from_date: date | None


# ---------------------------------------------------------------- the list

def _filter(query: ListQuery) -> listing.GatheringFilter:
    return listing.GatheringFilter(municipality_code=query.municipality_code, place_id=query.place_id,
                                   date_from=query.date_from, date_to=query.date_to, deleted=query.trash)


@dataclass(frozen=True)
class ListStart:
    """What the list shows first: how many gatherings match, the keys of the first and of the last of them
    in list order (so that jumping to the end need not wait) and the rows of both. `keys` holds all `total`
    keys when they were fewer than asked for, and `last_keys` is then empty."""

    total: int
    keys: array
    last_keys: array
    rows: list[GatheringRow]

    @property
    def complete(self) -> bool:
        return len(self.keys) == self.total


def list_keys(db: Database, query: ListQuery, *, limit: int | None = None) -> array:
    """The keys of all matching gatherings in list order (an array of ints: 1,000,000 take 8 MB), or of the
    first `limit`. Keys are valid until the next write; rebuild the list after records change."""
    return gathering_queries.gathering_keys(db, _filter(query), sort_key=query.sort_key,
                                            descending=query.descending, limit=limit)


def list_start(db: Database, query: ListQuery, first: int) -> ListStart:
    """The number of matching gatherings and the keys and rows of the first and the last `first`, read along
    the sort's index: tens of milliseconds at 1,000,000 gatherings (mostly the count), where the whole key
    list takes most of a second. The list shows them while it reads the whole key list (list_keys)."""
    keys = list_keys(db, query, limit=first)
    if len(keys) < first:
        return ListStart(len(keys), keys, array("q"), list_rows(db, keys))
    total = listing.count_gatherings(db, _filter(query))
    # The same order read from the other end (the rowid breaks every tie, so it is exactly the reverse).
    last_keys = list_keys(db, dataclasses.replace(query, descending=not query.descending), limit=first)
    last_keys.reverse()
    return ListStart(total, keys, last_keys, list_rows(db, [*keys, *last_keys]))


def list_rows(db: Database, keys: Sequence[int]) -> list[GatheringRow]:
    """The rows of these keys in the same order; a key whose record has gone is left out."""
    return [GatheringRow(
        key=row["list_key"], id=row["id"], place_id=row["place_id"], place_name=row["place_name"],
        municipality_name=row["municipality_name"], held_on=date.fromisoformat(row["held_on"]),
        start_time=row["start_time"], end_time=row["end_time"], programs=mask_to_programs(row["programs"]),
        attendance_total=row["attendance_total"], male=row["male"], female=row["female"],
        age_under_65=row["age_under_65"], age_65_74=row["age_65_74"], age_75_plus=row["age_75_plus"],
        new_participants=row["new_participants"], professionals=mask_to_professionals(row["professionals"]),
        promoter_name=row["promoter_name"], notes=row["notes"], updated_at=row["updated_at"],
        updated_by=row["updated_by"], deleted_at=row["deleted_at"],
    ) for row in gathering_queries.gathering_rows_by_keys(db, keys)]


def move_to_trash(db: Database, keys: Sequence[int]) -> int:
    """All the given gatherings go to the trash in one transaction; returns how many moved."""
    rights.require_gathering_keys(db, keys)
    return gathering_queries.set_trashed(db, keys, True)


def restore_from_trash(db: Database, keys: Sequence[int]) -> int:
    rights.require_gathering_keys(db, keys)
    return gathering_queries.set_trashed(db, keys, False)


# ---------------------------------------------------------------- choices and suggestions

def place_choices(db: Database) -> list[PlaceChoice]:
    """Every live place in kana order (10,000 places load in a few tens of milliseconds)."""
    return [PlaceChoice(
        id=row["id"], name=row["name"], kana=row["kana"], municipality_code=row["municipality_code"],
        municipality_name=row["municipality_name"],
        start_date=date.fromisoformat(row["start_date"]) if row["start_date"] else None,
        end_date=date.fromisoformat(row["end_date"]) if row["end_date"] else None,
        programs=mask_to_programs(row["programs"]),
    ) for row in listing.place_rows(db, listing.PlaceFilter())]


def promoter_choices(db: Database, municipality_code: str) -> list[PromoterChoice]:
    """The live promoters of a 区市町村, in kana order."""
    return [PromoterChoice(
        id=row["id"], name=row["name"], kana=row["kana"], start_date=date.fromisoformat(row["start_date"]),
        end_date=date.fromisoformat(row["end_date"]) if row["end_date"] else None,
    ) for row in gathering_queries.live_promoters(db, municipality_code)]


def same_as_last_time(db: Database, place_id: str, *, exclude_id: str = "") -> Prefill | None:
    """Programs, times, 専門職 and promoter of the place's latest gathering (other than `exclude_id`, the one
    being edited); the place's own programs when it has none; None for an unknown place."""
    latest = gathering_queries.latest_gathering(db, place_id, exclude_id=exclude_id)
    if latest is not None:
        return Prefill(latest.programs, latest.start_time, latest.end_time, latest.professionals,
                       latest.promoter_id, latest.held_on)
    try:
        place = records.get(db, Place, place_id)
    except RecordNotFoundError:
        return None
    return Prefill(place.programs, None, None, (), None, None)


def next_date(db: Database, place_id: str, after: date, today: date) -> date:
    """The date the next gathering of a place probably has, for sequential entry: `after` plus the place's
    usual interval (the median of its last gaps, 1–35 days; 7 without history), never after `today`."""
    dates = gathering_queries.recent_dates(db, place_id, after, 9)
    gaps = [(newer - older).days for newer, older in zip(dates, dates[1:]) if newer != older]
    gap = round(statistics.median(gaps)) if gaps else DEFAULT_GAP_DAYS
    return min(after + timedelta(days=max(1, min(35, gap))), max(today, after))


# ---------------------------------------------------------------- a month sheet

@dataclass(frozen=True)
class MonthSheet:
    """What the month grid of one place shows: the month's gatherings, the routine parts new rows take
    (「前回と同じ」), the promoter's name, and days the place probably met on (its usual weekdays)."""

    place_id: str
    year: int
    month: int
    gatherings: list[Gathering]
    prefill: Prefill | None
    promoter_name: str | None
    suggested_days: list[int]
    locked_reason: str | None = None  # the month's 年度 is locked (提出済み): why nothing can be changed


def same_day_gatherings(db: Database, place_id: str, held_on: date, *, exclude_id: str = "") -> list[Gathering]:
    """The place's live gatherings on `held_on` other than `exclude_id` (the one being edited): a second one
    is asked about before it is saved (two sessions a day happen, a sheet typed twice more often)."""
    return [g for g in gathering_queries.gatherings_between(db, place_id, held_on, held_on) if g.id != exclude_id]


def month_gatherings(db: Database, place_id: str, year: int, month: int) -> list[Gathering]:
    """The place's live gatherings in one calendar month, in date order."""
    return gathering_queries.gatherings_between(db, place_id, *month_range(year, month))


def suggested_days(db: Database, place_id: str, year: int, month: int, today: date | None = None) -> list[int]:
    """Days of the month (up to `today`) on a weekday the place met on at least twice in the 8 weeks before
    the month."""
    first, last = month_range(year, month)
    recent = gathering_queries.gatherings_between(db, place_id, first - timedelta(weeks=8), first - timedelta(days=1))
    times_on = Counter(g.held_on.weekday() for g in recent)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [d.day for d in days if times_on[d.weekday()] >= 2 and (today is None or d <= today)]


def month_sheet(db: Database, place_id: str, year: int, month: int, today: date | None = None) -> MonthSheet:
    prefill = same_as_last_time(db, place_id)
    promoter_name = None
    if prefill is not None and prefill.promoter_id:
        promoter_name = records.get(db, Promoter, prefill.promoter_id).name
    from kaigo_desktop.services.approval import locked_reason_for_place  # approval reads the checks

    return MonthSheet(place_id, year, month, month_gatherings(db, place_id, year, month), prefill, promoter_name,
                      suggested_days(db, place_id, year, month, today),
                      locked_reason_for_place(db, place_id, fiscal_year_of(date(year, month, 1))))


def save_gatherings(db: Database, gatherings: Sequence[Gathering], *, today: date | None = None
                    ) -> list[Gathering]:
    """Add the new (no id) and update the existing gatherings, all in one transaction or none: every record is
    checked first and all problems are raised together as one ValidationFailed whose fields are prefixed with
    the record's 0-based position ("2.male"). Returns the records as saved, with their ids."""
    errors = [FieldError(f"{index}.{error.field}", error.message)
              for index, gathering in enumerate(gatherings) for error in validate(db, gathering, today)]
    if errors:
        raise ValidationFailed(errors)
    saved = [g if g.id else dataclasses.replace(g, id=new_id()) for g in gatherings]
    with db.write():
        records.add_many(db, [g for g, original in zip(saved, gatherings) if not original.id], today=today)
        for gathering, original in zip(saved, gatherings):
            if original.id:
                records.update(db, gathering, today=today)
    return [records.get(db, Gathering, g.id) for g in saved]
