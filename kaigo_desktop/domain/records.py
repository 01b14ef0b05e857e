"""The records users keep, as plain dataclasses (what services take and return; storage maps them to rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class RecordMeta:
    """Bookkeeping every stored record carries; None on a record not saved yet."""

    created_at: str = ""
    updated_at: str = ""
    updated_by: str = ""
    deleted_at: str | None = None


@dataclass
class Municipality:
    code: str
    name: str
    kana: str
    kind: str


@dataclass
class Center:
    municipality_code: str
    name: str
    kana: str = ""
    address: str = ""
    phone: str = ""
    notes: str = ""
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class Place:
    municipality_code: str
    name: str
    kana: str = ""
    center_id: str | None = None
    address: str = ""
    venue_kind: str | None = None
    operator_kind: str | None = None
    main_activity_1: str | None = None
    main_activity_2: str | None = None
    frequency_declared: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: str = "活動中"
    capacity: int | None = None
    contact: str = ""
    notes: str = ""
    programs: tuple[str, ...] = ()
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)
    # For the 通いの場オープンデータ (migration 0013; domain/place_details.py parses them).
    postal_code: str = ""  # 「112-0003」
    latitude: float | None = None  # WGS84 degrees
    longitude: float | None = None
    fee: str = ""  # 「無料」「1回100円」


@dataclass
class Promoter:
    municipality_code: str
    name: str
    qualification: str
    start_date: date
    end_date: date | None = None
    kana: str = ""
    center_id: str | None = None
    contact: str = ""
    notes: str = ""
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class Assignment:
    promoter_id: str
    place_id: str
    start_date: date
    end_date: date | None = None
    notes: str = ""
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class Gathering:
    place_id: str
    held_on: date
    attendance_total: int
    start_time: str | None = None
    end_time: str | None = None
    programs: tuple[str, ...] = ()
    male: int | None = None
    female: int | None = None
    age_under_65: int | None = None
    age_65_74: int | None = None
    age_75_plus: int | None = None
    new_participants: int | None = None
    professionals: tuple[str, ...] = ()
    promoter_id: str | None = None
    notes: str = ""
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class Members:
    """参加者実人数 of one place in one 年度."""

    place_id: str
    fiscal_year: int
    total: int
    male: int | None = None
    female: int | None = None
    age_under_65: int | None = None
    age_65_74: int | None = None
    age_75_plus: int | None = None
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class Population:
    municipality_code: str
    fiscal_year: int
    population_65_plus: int
    population_75_plus: int | None = None
    reference_date: date | None = None
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class Activity:
    promoter_id: str
    done_on: date
    kind: str
    place_id: str | None = None
    minutes: int | None = None
    summary: str = ""
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class Expense:
    municipality_code: str
    fiscal_year: int
    category: str
    amount: int
    notes: str = ""
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)

