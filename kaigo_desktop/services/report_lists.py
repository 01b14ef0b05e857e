"""What reports 3 (推進員 活動報告書), 4 (通いの場一覧) and 5 (開催記録表) list, as plain dataclasses."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from kaigo_desktop.domain.fiscal import (
    counted_until,
    fiscal_year_of,
    fiscal_year_range,
    in_progress_label,
    month_range,
    optional_iso_date,
)
from kaigo_desktop.domain.text import is_digits
from kaigo_desktop.domain.vocab import mask_to_professionals, mask_to_programs
from kaigo_desktop.services.report_data import ReportInputError, municipality_label
from kaigo_desktop.storage import lookups, report_queries
from kaigo_desktop.storage.database import Database


def parse_month(text: str) -> tuple[int, int]:
    """"2025-06" (also 2025/6, 2025-6) → (2025, 6); ValueError with a Japanese message otherwise."""
    cleaned = text.strip().replace("/", "-")
    parts = cleaned.split("-")
    if len(parts) == 2 and all(is_digits(p) for p in parts):
        year, month = int(parts[0]), int(parts[1])
        if 1989 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    raise ValueError(f"月は YYYY-MM の形で指定してください（例: 2025-06）: {text}")


def check_month_in_fiscal_year(year: int, month: int, fiscal_year: int | None) -> int:
    """The 年度 of the month; ValueError when a given 年度 does not contain it."""
    month_fy = fiscal_year_of(date(year, month, 1))
    if fiscal_year is not None and fiscal_year != month_fy:
        raise ValueError(f"{year}年{month}月は{fiscal_year}年度に含まれません（{month_fy}年度です）。")
    return month_fy


# ---------------------------------------------------------------- report 3

@dataclass
class ActivityLine:
    done_on: date
    kind: str
    place_name: str  # "" when the activity concerns no place
    minutes: int | None
    summary: str


@dataclass
class ActivityReportData:
    promoter_id: str
    promoter_name: str
    qualification: str
    municipality_code: str
    municipality_name: str
    center_name: str
    employed_from: date
    employed_to: date | None
    fiscal_year: int
    month: tuple[int, int] | None  # None = the whole 年度
    start: date
    end: date
    activities: list[ActivityLine] = field(default_factory=list)
    totals_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (count, minutes)
    places_visited: list[tuple[str, int]] = field(default_factory=list)  # (place name, activities)
    cut_at: date | None = None  # the last day counted of a 年度 in progress; None when the period is whole

    @property
    def in_progress_label(self) -> str | None:
        return in_progress_label(self.cut_at) if self.cut_at else None

    @property
    def total_activities(self) -> int:
        return len(self.activities)

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes or 0 for line in self.activities)


def counted_activity_period(fiscal_year: int, month: tuple[int, int] | None, end: date,
                            today: date) -> tuple[date, date | None]:
    """The last day report 3 counts, and that day again when it cuts the period short. A 年度 in progress
    is counted to its last complete month, as every 年度 figure is (domain.fiscal.counted_until); a month
    not yet ended is refused (ValueError), since counting it would print a month with nothing in it."""
    as_of, _complete = counted_until(fiscal_year, today)
    if end <= as_of:
        return end, None
    if month is not None:
        raise ValueError(f"{month[0]}年{month[1]}月はまだ終わっていないため、活動報告書を作成できません（途中の月は"
                         "数えません）。終わった月か、年度全体を選んでください。")
    return as_of, as_of


def activity_report_data(db: Database, promoter_id: str, fiscal_year: int | None,
                         month: tuple[int, int] | None = None, today: date | None = None) -> ActivityReportData:
    """One promoter's activities for one month (when given) or one 年度, as of `today` (the clock when None):
    see counted_activity_period."""
    row = report_queries.promoter(db, promoter_id)
    if row is None:
        raise ReportInputError(f"推進員が見つかりません（削除済みか、IDが違います）: {promoter_id}")
    if month is not None:
        fiscal_year = check_month_in_fiscal_year(*month, fiscal_year)
        start, end = month_range(*month)
    elif fiscal_year is None:
        raise ValueError("年度（--fy）または月（--month）を指定してください。")
    else:
        start, end = fiscal_year_range(fiscal_year)
    counted_end, cut_at = counted_activity_period(fiscal_year, month, end, today or date.today())
    data = ActivityReportData(
        row["id"], row["name"], row["qualification"], row["municipality_code"], row["municipality_name"],
        row["center_name"], date.fromisoformat(row["start_date"]), optional_iso_date(row["end_date"]),
        fiscal_year, month, start, end, cut_at=cut_at)
    counts: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    visits: Counter[str] = Counter()
    order: dict[str, str] = {}
    for activity in report_queries.activities_of_promoter(db, promoter_id, start, counted_end):
        line = ActivityLine(date.fromisoformat(activity["done_on"]), activity["kind"],
                            activity["place_name"] or "", activity["minutes"], activity["summary"])
        data.activities.append(line)
        counts[line.kind] += 1
        minutes[line.kind] += line.minutes or 0
        if line.place_name:
            visits[line.place_name] += 1
            order.setdefault(line.place_name, activity["place_kana"] or line.place_name)
    kinds = lookups.vocabulary(db, "activity_kinds")
    data.totals_by_kind = {kind: (counts[kind], minutes[kind]) for kind in kinds}
    data.totals_by_kind.update({k: (counts[k], minutes[k]) for k in counts if k not in data.totals_by_kind})
    data.places_visited = sorted(visits.items(), key=lambda item: (order[item[0]], item[0]))
    return data


# ---------------------------------------------------------------- report 4

@dataclass
class DirectoryPlace:
    id: str
    municipality_code: str
    municipality_name: str
    name: str
    kana: str
    address: str
    center_name: str
    venue_kind: str | None
    operator_kind: str | None
    main_activities: list[str]
    programs: tuple[str, ...]
    frequency_declared: str | None
    start_date: date | None
    end_date: date | None
    status: str
    contact: str
    promoters: list[str] = field(default_factory=list)
    # For the open data (reports/opendata.py).
    capacity: int | None = None
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    fee: str = ""


@dataclass
class PlaceDirectoryData:
    fiscal_year: int
    municipality_code: str | None
    municipality_name: str
    cut_at: date | None = None  # as ActivityReportData.cut_at
    places: list[DirectoryPlace] = field(default_factory=list)

    @property
    def in_progress_label(self) -> str | None:
        return in_progress_label(self.cut_at) if self.cut_at else None


def place_directory(db: Database, fiscal_year: int, municipality_code: str | None = None,
                    today: date | None = None) -> PlaceDirectoryData:
    """Places active in the 年度 (by 区市町村 then kana) with the promoters assigned to them in it. A 年度
    in progress is counted to its last complete month (domain.fiscal.counted_until), so the list holds the
    places report 1 counts."""
    name = municipality_label(db, municipality_code)
    start, _end = fiscal_year_range(fiscal_year)
    end, complete = counted_until(fiscal_year, today or date.today())
    promoters: dict[str, list[str]] = defaultdict(list)
    for row in report_queries.assigned_promoters(db, start, end, municipality_code):
        if row["name"] not in promoters[row["place_id"]]:
            promoters[row["place_id"]].append(row["name"])
    data = PlaceDirectoryData(fiscal_year, municipality_code, name, cut_at=None if complete else end)
    if end < start:  # before the first month has ended nothing is counted (an undated place matches any period)
        return data
    data.places = _directory_places(db, start, end, municipality_code, promoters)
    return data


def _directory_places(db: Database, start: date, end: date, municipality_code: str | None,
                      promoters: dict[str, list[str]]) -> list[DirectoryPlace]:
    return [DirectoryPlace(
        row["id"], row["municipality_code"], row["municipality_name"], row["name"], row["kana"],
        row["address"], row["center_name"], row["venue_kind"], row["operator_kind"],
        [a for a in (row["main_activity_1"], row["main_activity_2"]) if a], mask_to_programs(row["programs"]),
        row["frequency_declared"], optional_iso_date(row["start_date"]), optional_iso_date(row["end_date"]),
        row["status"], row["contact"], promoters.get(row["id"], []), row["capacity"], row["postal_code"],
        row["latitude"], row["longitude"], row["fee"])
        for row in report_queries.place_directory(db, start, end, municipality_code)]


def places_open_on(db: Database, day: date, municipality_code: str | None = None) -> list[DirectoryPlace]:
    """The places open on `day` (活動中, within their start and end), by 区市町村 then kana: the list the
    open data publishes."""
    return [p for p in _directory_places(db, day, day, municipality_code, {}) if p.status == "活動中"]


# ---------------------------------------------------------------- report 5

@dataclass
class SheetGathering:
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
    promoter_name: str
    notes: str


@dataclass
class AttendanceSheetData:
    place_id: str
    place_name: str
    place_kana: str
    municipality_code: str
    municipality_name: str
    center_name: str
    address: str
    operator_kind: str | None
    frequency_declared: str | None
    programs: tuple[str, ...]
    contact: str
    month: tuple[int, int] | None  # None only for a blank sheet without a month
    fiscal_year: int | None
    blank: bool
    gatherings: list[SheetGathering] = field(default_factory=list)


def attendance_sheet_data(db: Database, place_id: str, month: tuple[int, int] | None, *, blank: bool = False,
                          fiscal_year: int | None = None) -> AttendanceSheetData:
    """The place and, unless blank, its gatherings of the month in date order."""
    row = report_queries.place(db, place_id)
    if row is None:
        raise ReportInputError(f"通いの場が見つかりません（削除済みか、IDが違います）: {place_id}")
    if month is None and not blank:
        raise ValueError("記入済みの開催記録表には月（--month YYYY-MM）が必要です。白紙は --blank を付けてください。")
    if month is not None:
        fiscal_year = check_month_in_fiscal_year(*month, fiscal_year)
    data = AttendanceSheetData(
        row["id"], row["name"], row["kana"], row["municipality_code"], row["municipality_name"],
        row["center_name"], row["address"], row["operator_kind"], row["frequency_declared"],
        mask_to_programs(row["programs"]), row["contact"], month, fiscal_year, blank)
    if blank:
        return data
    start, end = month_range(*month)  # type: ignore[misc]
    for g in report_queries.gatherings_of_place(db, place_id, start, end):
        data.gatherings.append(SheetGathering(
            date.fromisoformat(g["held_on"]), g["start_time"], g["end_time"], mask_to_programs(g["programs"]),
            g["attendance_total"], g["male"], g["female"], g["age_under_65"], g["age_65_74"], g["age_75_plus"],
            g["new_participants"], mask_to_professionals(g["professionals"]), g["promoter_name"] or "", g["notes"]))
    return data
