"""Keeping records: add, update, remove (to the trash), restore and fetch any record, validated first,
each in one transaction stamped with the user's name."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.fiscal import fiscal_year_of, fiscal_year_range
from kaigo_desktop.domain.rules import (
    cap_exceeded_warning,
    is_active_in_fiscal_year,
    promoter_cap,
)
from kaigo_desktop.domain.validation import FieldError, ValidationFailed
from kaigo_desktop.services import rights
from kaigo_desktop.services.validators import validate
from kaigo_desktop.storage import lookups, repository
from kaigo_desktop.storage.database import Database

T = TypeVar("T")


def _checked(db: Database, record: Any, today: date | None) -> None:
    errors = validate(db, record, today)
    if errors:
        raise ValidationFailed(tuple(errors))


def add(db: Database, record: T, *, today: date | None = None) -> T:
    rights.require_record(db, record)
    _checked(db, record, today)
    return repository.insert(db, record)


def add_many(db: Database, records: list[Any], *, today: date | None = None) -> int:
    """All or nothing: every record is validated before the single transaction writes any."""
    for record in records:
        rights.require_record(db, record)
        _checked(db, record, today)
    return repository.insert_many(db, records)


def write_rows(db: Database, kind: type, upserts: list, clears: list[str], errors: list[FieldError],
               today: date) -> int:
    """A table's edited rows (population, expenses, 参加者実人数), all or none in one transaction: refused whole
    with `errors`, else the upserts written and the cleared rows moved to the trash. Returns the rows written."""
    if errors:
        raise ValidationFailed(errors)
    with db.write():
        for record_id in clears:
            remove(db, kind, record_id)
        add_many(db, upserts, today=today)
    return len(upserts) + len(clears)


def update(db: Database, record: T, *, today: date | None = None) -> T:
    rights.require_update(db, record)
    _checked(db, record, today)
    return repository.update(db, record)


def remove(db: Database, record_type: type, record_id: str) -> None:
    """Soft delete: the record goes to the trash and can be restored."""
    rights.require_stored(db, record_type, record_id)
    repository.soft_delete(db, record_type, record_id)


def restore(db: Database, record_type: type, record_id: str) -> None:
    rights.require_stored(db, record_type, record_id)
    repository.restore(db, record_type, record_id)


def get(db: Database, record_type: type[T], record_id: str) -> T:
    return repository.get(db, record_type, record_id)


def promoter_cap_warning(db: Database, promoter: r.Promoter, fiscal_year: int | None = None) -> str | None:
    """The warning to show when adding (or extending) this promoter would exceed the municipality's cap
    for the 年度; never a block."""
    fiscal_year = fiscal_year or fiscal_year_of(promoter.start_date)
    if not is_active_in_fiscal_year(promoter.start_date, promoter.end_date, fiscal_year):
        return None
    fy_start, fy_end = fiscal_year_range(fiscal_year)
    placed = lookups.promoters_employed_count(db, promoter.municipality_code, fy_start, fy_end,
                                              exclude_id=promoter.id) + 1
    cap = promoter_cap(lookups.population_65_plus(db, promoter.municipality_code, fiscal_year))
    municipality = lookups.municipality(db, promoter.municipality_code)
    return cap_exceeded_warning(placed, cap, municipality.name if municipality else promoter.municipality_code,
                                fiscal_year)
