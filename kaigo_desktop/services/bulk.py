"""The bulk path for gatherings (imports of a year of paper sheets, demo data, benchmarks): the same rules
as one-by-one entry, with the database facts they need read once, and one transaction for everything."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.domain.validation import FieldError, ValidationFailed, check_attendance, check_gathering_date
from kaigo_desktop.services import rights
from kaigo_desktop.services.cancelling import Cancelled
from kaigo_desktop.storage import bulk_facts, repository
from kaigo_desktop.storage.database import Database

Progress = Callable[[int], None]


def _chunks(items: Iterable[Gathering], size: int) -> Iterator[list[Gathering]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def gathering_errors(g: Gathering, periods: dict, live_promoters: set[str], today: date) -> list[FieldError]:
    return gathering_field_errors(
        g.place_id, g.held_on, g.promoter_id,
        (g.attendance_total, g.male, g.female, g.age_under_65, g.age_65_74, g.age_75_plus, g.new_participants),
        periods, live_promoters, today)


def gathering_field_errors(place_id: str, held_on: date, promoter_id: str | None, counts: tuple,
                           periods: dict, live_promoters: set[str], today: date) -> list[FieldError]:
    """gathering_errors from the fields themselves (a bulk reader that makes table rows without a Gathering);
    `counts`: attendance_total, male, female, age_under_65, age_65_74, age_75_plus, new_participants."""
    if place_id not in periods:
        return [FieldError("place_id", words.not_found(words.PLACE))]
    return attendance_errors(*counts) + reference_errors(place_id, held_on, promoter_id, periods, live_promoters,
                                                         today)


def reference_errors(place_id: str, held_on: date, promoter_id: str | None, periods: dict,
                     live_promoters: set[str], today: date) -> list[FieldError]:
    """The rules of a gathering that depend on the database (its place's period, its promoter) and today; the
    place must be one of `periods`."""
    start, end = periods[place_id]
    errors = check_gathering_date(held_on, place_start=start, place_end=end, today=today)
    if promoter_id and promoter_id not in live_promoters:
        errors.append(FieldError("promoter_id", words.not_found(words.PROMOTER)))
    return errors


def attendance_errors(attendance_total: int | None, male: int | None, female: int | None,
                      age_under_65: int | None, age_65_74: int | None, age_75_plus: int | None,
                      new_participants: int | None) -> list[FieldError]:
    return check_attendance(
        attendance_total=attendance_total, male=male, female=female, age_under_65=age_under_65,
        age_65_74=age_65_74, age_75_plus=age_75_plus, new_participants=new_participants)


def add_gatherings(
    db: Database,
    gatherings: Iterable[Gathering],
    *,
    today: date | None = None,
    chunk_size: int = 20_000,
    progress: Progress | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> int:
    """Validate and insert all, or nothing: the first invalid record (ValidationFailed, its errors'
    field prefixed with the record's 0-based index) or a cancel rolls the whole write back."""
    today = today or date.today()
    written = 0
    with db.write():
        periods = bulk_facts.live_place_periods(db)
        promoters = bulk_facts.live_promoter_ids(db)
        for chunk in _chunks(gatherings, chunk_size):
            rights.require_places(db, (gathering.place_id for gathering in chunk))
            for offset, gathering in enumerate(chunk):
                errors = gathering_errors(gathering, periods, promoters, today)
                if errors:
                    index = written + offset
                    raise ValidationFailed(tuple(FieldError(f"{index}.{e.field}", e.message) for e in errors))
            repository.insert_many(db, chunk)
            written += len(chunk)
            if progress:
                progress(written)
            if is_cancelled and is_cancelled():
                raise Cancelled()
    return written
