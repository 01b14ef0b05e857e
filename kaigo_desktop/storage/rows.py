"""Mapping between domain records and table rows (dates as ISO text, program and 専門職 sets as bit masks)."""

from __future__ import annotations

import dataclasses
import functools
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import records as r
from kaigo_desktop.domain import short_term_cases
from kaigo_desktop.domain.ui_words import KIND_NAMES
from kaigo_desktop.domain.vocab import (
    mask_to_professionals,
    mask_to_programs,
    professionals_to_mask,
    programs_to_mask,
)

_DATE_FIELDS = {"start_date", "end_date", "held_on", "done_on", "reference_date", "checked_on", "answered_on",
               *short_term_cases.DATE_FIELDS}
_MASK_FIELDS = {
    "programs": (programs_to_mask, mask_to_programs),
    "professionals": (professionals_to_mask, mask_to_professionals),
}


@dataclass(frozen=True)
class TableSpec:
    table: str
    record_type: type
    label: str  # Japanese name of the record kind, for messages
    natural_key: tuple[str, ...] = ()  # records that are one per natural key get a deterministic id
    personal: bool = False  # a person's data (issue 19): carried only by an encrypted exchange bundle

    @functools.cached_property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(self.record_type) if f.name != "meta")

    @functools.cached_property
    def date_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c in _DATE_FIELDS)

    @functools.cached_property
    def mask_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c in _MASK_FIELDS)


TABLES: dict[type, TableSpec] = {
    spec.record_type: spec
    for spec in (
        TableSpec("centers", r.Center, KIND_NAMES["centers"]),
        TableSpec("places", r.Place, KIND_NAMES["places"]),
        TableSpec("promoters", r.Promoter, KIND_NAMES["promoters"]),
        TableSpec("assignments", r.Assignment, KIND_NAMES["assignments"]),
        TableSpec("gatherings", r.Gathering, KIND_NAMES["gatherings"]),
        TableSpec("members", r.Members, KIND_NAMES["members"], ("place_id", "fiscal_year")),
        TableSpec("population", r.Population, KIND_NAMES["population"], ("municipality_code", "fiscal_year")),
        TableSpec("activities", r.Activity, KIND_NAMES["activities"]),
        TableSpec("expenses", r.Expense, KIND_NAMES["expenses"], ("municipality_code", "fiscal_year", "category")),
        TableSpec("participants", pr.Participant, KIND_NAMES["participants"], personal=True),
        TableSpec("participant_places", pr.Attendance, KIND_NAMES["participant_places"], personal=True),
        TableSpec("frailty_checks", pr.FrailtyCheck, KIND_NAMES["frailty_checks"], personal=True),
        TableSpec("questionnaires", pr.Questionnaire, KIND_NAMES["questionnaires"], personal=True),
        TableSpec("gathering_participants", pr.RosterEntry, KIND_NAMES["gathering_participants"],
                  ("gathering_id", "participant_id"), personal=True),
        TableSpec("short_term_cases", short_term_cases.ShortTermCase, KIND_NAMES["short_term_cases"],
                  personal=True),
    )
}
TABLE_BY_NAME: dict[str, TableSpec] = {spec.table: spec for spec in TABLES.values()}
# The tables exchange bundles carry: all of them. Those holding a person's data travel only in encrypted bundles
# (services/exchange.py refuses to write or read them otherwise; issue 19).
EXCHANGED_TABLES: tuple[str, ...] = tuple(spec.table for spec in TABLES.values())
PERSONAL_TABLES: tuple[str, ...] = tuple(spec.table for spec in TABLES.values() if spec.personal)


def spec_for(record_or_type: Any) -> TableSpec:
    record_type = record_or_type if isinstance(record_or_type, type) else type(record_or_type)
    return TABLES[record_type]


def to_row(record: Any) -> dict[str, Any]:
    spec = spec_for(record)
    row = {name: getattr(record, name) for name in spec.columns}
    for name in spec.date_columns:
        if row[name] is not None:
            row[name] = row[name].isoformat()
    for name in spec.mask_columns:
        row[name] = _MASK_FIELDS[name][0](row[name])
    return row


def stored_value(column: str, value: Any) -> Any:
    """One field of a record as its table column holds it (what to_row makes of it): for a bulk reader that
    makes table rows straight from the cells of a file, once per distinct cell."""
    if column in _MASK_FIELDS:
        return _MASK_FIELDS[column][0](value)
    if column in _DATE_FIELDS and value is not None:
        return value.isoformat()
    return value


def from_row(record_type: type, row: sqlite3.Row) -> Any:
    keys = row.keys()
    values = {}
    for name in TABLES[record_type].columns:
        value = row[name]
        if name in _MASK_FIELDS:
            value = _MASK_FIELDS[name][1](value)
        elif name in _DATE_FIELDS and value is not None:
            value = date.fromisoformat(value)
        values[name] = value
    meta = r.RecordMeta(
        created_at=row["created_at"] if "created_at" in keys else "",
        updated_at=row["updated_at"] if "updated_at" in keys else "",
        updated_by=row["updated_by"] if "updated_by" in keys else "",
        deleted_at=row["deleted_at"] if "deleted_at" in keys else None,
    )
    return record_type(**values, meta=meta)
