"""Checks before sending (DHIS2's validation rules and reporting rates, for this survey): every rule has a
code, a level (エラー blocks approval, 注意 must be acknowledged), a Japanese message and the records it
concerns. `validate` on the CLI and the 提出前チェック screen both call `run_checks`.

The figures a rule judges are read on the definitions of the 年度 aggregation (storage/definitions.py) and the
rules of domain/rules.py, so a check can never disagree with the report it guards.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kaigo_desktop.domain import rules
from kaigo_desktop.domain.fiscal import (
    fiscal_month_range,
    fiscal_year_range,
    format_fiscal_year,
    format_wareki,
    month_range,
    months_of_fiscal_year,
    optional_iso_date,
)
from kaigo_desktop.services import settings as settings_service
from kaigo_desktop.domain.participants import check_roster_size
from kaigo_desktop.storage import acknowledgement_queries, aggregates, check_queries, roster_queries
from kaigo_desktop.storage.database import Database

ERROR, WARNING = "error", "warning"
LEVEL_LABELS = {ERROR: "エラー", WARNING: "注意"}

# 参加率 above these is impossible (more participants than residents) or worth a second look.
RATE_IMPOSSIBLE, RATE_UNUSUAL = rules.RATE_IMPOSSIBLE, rules.RATE_UNUSUAL
# A gathering whose attendance is this far from the place's median (and the place has enough gatherings
# to have a pattern) is probably a typing slip: 300 for 30, 3 for 30.
PATTERN_MIN_GATHERINGS = 6
HIGH_FACTOR, HIGH_MARGIN = 3, 20
LOW_DIVISOR, LOW_MEDIAN_MIN = 8, 20
NO_CENTER = "センター未設定"


@dataclass(frozen=True)
class RecordRef:
    """A record a finding concerns; `kind` is its table ("places", "gatherings", "population" …)."""

    kind: str
    id: str
    label: str

    def to_json_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id, "label": self.label}


@dataclass(frozen=True)
class CheckFinding:
    code: str
    level: str
    message: str
    municipality_code: str | None = None
    records: tuple[RecordRef, ...] = ()

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def key(self) -> str:
        """What an acknowledgement holds on to: the rule, what it says and the records it concerns, so a 注意
        about other records or other figures (a new outlier, a third promoter) asks to be looked at again."""
        records = "\n".join(sorted(f"{r.kind}:{r.id}" for r in self.records))
        said = f"{self.municipality_code or ''}\n{self.message}\n{records}"
        digest = hashlib.sha256(said.encode()).hexdigest()[:24]
        return f"{self.code}:{digest}"

    def to_json_dict(self) -> dict[str, Any]:
        return {"code": self.code, "level": self.level, "message": self.message,
                "municipality_code": self.municipality_code, "key": self.key,
                "records": [record.to_json_dict() for record in self.records]}


@dataclass
class CenterCompleteness:
    """Places expected to report (active that month) and places that did (a gathering that month)."""

    center_id: str | None
    center_name: str
    municipality_code: str
    expected: dict[str, int] = field(default_factory=dict)  # month "2025-04" → places
    reporting: dict[str, int] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {"center_id": self.center_id, "center_name": self.center_name,
                "municipality_code": self.municipality_code, "expected": dict(self.expected),
                "reporting": dict(self.reporting)}


@dataclass
class Completeness:
    months: list[str]  # the months of the 年度 up to today's
    centers: list[CenterCompleteness]

    def totals(self) -> tuple[dict[str, int], dict[str, int]]:
        expected = {m: sum(c.expected.get(m, 0) for c in self.centers) for m in self.months}
        reporting = {m: sum(c.reporting.get(m, 0) for c in self.centers) for m in self.months}
        return expected, reporting

    def to_json_dict(self) -> dict[str, Any]:
        expected, reporting = self.totals()
        return {"months": list(self.months), "centers": [c.to_json_dict() for c in self.centers],
                "total": {"expected": expected, "reporting": reporting}}


@dataclass
class CheckReport:
    fiscal_year: int
    municipality_code: str | None
    findings: list[CheckFinding]
    completeness: Completeness
    acknowledged: dict[str, dict] = field(default_factory=dict)  # finding key → who acknowledged it, when

    def is_acknowledged(self, finding: CheckFinding) -> bool:
        return finding.level == WARNING and finding.key in self.acknowledged

    @property
    def unacknowledged_warnings(self) -> list[CheckFinding]:
        return [f for f in self.warnings if not self.is_acknowledged(f)]

    @property
    def ready_for_approval(self) -> bool:
        """No エラー and every 注意 acknowledged: what approving the 年度 asks for."""
        return not self.errors and not self.unacknowledged_warnings

    @property
    def errors(self) -> list[CheckFinding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[CheckFinding]:
        return [f for f in self.findings if f.level == WARNING]

    @property
    def ok(self) -> bool:
        """No エラー (注意 do not block, but approval asks for them to be acknowledged)."""
        return not self.errors

    def to_json_dict(self) -> dict[str, Any]:
        return {"fiscal_year": self.fiscal_year, "municipality_code": self.municipality_code,
                "errors": [f.to_json_dict() for f in self.errors],
                "warnings": [dict(f.to_json_dict(), acknowledged=self.acknowledged.get(f.key))
                             for f in self.warnings],
                "ready_for_approval": self.ready_for_approval,
                "completeness": self.completeness.to_json_dict()}


@dataclass
class _Context:
    """What the rules read, read once."""

    db: Database
    fiscal_year: int
    municipality_code: str | None
    today: date
    scope: aggregates.Scope
    names: dict[str, str]
    places: dict[str, Any]  # active places of the 年度 by id
    spans: dict[str, Any]  # place id → first/last day, gatherings, 延べ参加者数
    members: dict[str, Any]  # place id → members row
    population: dict[str, Any]  # code → population row
    reference_month: int
    months_held: dict[str, set[str]]  # place id → months ("2025-04") with a live gathering

    def place_ref(self, place_id: str, name: str | None = None) -> RecordRef:
        row = self.places.get(place_id)
        return RecordRef("places", place_id, name or (row["name"] if row else place_id))

    def municipality_name(self, code: str) -> str:
        return self.names.get(code, code)

    def municipalities(self) -> list[str]:
        """The 区市町村 the checks speak for: the chosen one, or every one with an active place."""
        if self.municipality_code:
            return [self.municipality_code]
        return sorted({row["municipality_code"] for row in self.places.values()})


Rule = Callable[[_Context], Iterable[CheckFinding]]
RULES: list[tuple[str, Rule]] = []  # (code, rule) in the order findings are listed


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES.append((code, fn))
        return fn
    return register


def run_checks(db: Database, fiscal_year: int, municipality_code: str | None = None,
               today: date | None = None) -> CheckReport:
    today = today or date.today()
    start, end = fiscal_year_range(fiscal_year)
    scope = aggregates.Scope(start, end, municipality_code)
    context = _Context(
        db, fiscal_year, municipality_code, today, scope, aggregates.municipality_names(db),
        {row["id"]: row for row in check_queries.active_places(db, scope)},
        {row["place_id"]: row for row in check_queries.gathering_span_by_place(db, scope)},
        {row["place_id"]: row for row in check_queries.members_of_year(db, fiscal_year, municipality_code)},
        {row["municipality_code"]: row
         for row in check_queries.population_rows(db, fiscal_year, municipality_code)},
        settings_service.load(db).survey_reference_month, check_queries.months_with_gatherings(db, scope))
    findings = [finding for _code, check in RULES for finding in check(context)]
    return CheckReport(fiscal_year, municipality_code, findings, _completeness(context),
                       acknowledgement_queries.acknowledged_keys(db, fiscal_year, municipality_code))


# ---------------------------------------------------------------- population and 参加率

@rule("POPULATION_MISSING")
def _population_missing(c: _Context) -> Iterator[CheckFinding]:
    for code in c.municipalities():
        if code not in c.population:
            yield CheckFinding(
                "POPULATION_MISSING", ERROR,
                f"{c.municipality_name(code)}の{format_fiscal_year(c.fiscal_year)}の65歳以上人口が未入力です。"
                "参加率と推進員の上限が計算できません（マスタ・設定の「人口」で入力してください）。",
                code, (RecordRef("municipalities", code, c.municipality_name(code)),))


def _members_65_plus_by_municipality(c: _Context) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for place_id, row in c.members.items():
        place = c.places.get(place_id)
        if place is not None:  # 実人数 of a place not active in the 年度 is not counted, as in the stats
            totals[place["municipality_code"]] += rules.members_65_plus(row["total"], row["age_65_74"],
                                                                        row["age_75_plus"])
    return totals


@rule("PARTICIPATION_RATE")
def _participation_rate(c: _Context) -> Iterator[CheckFinding]:
    members = _members_65_plus_by_municipality(c)
    for code in c.municipalities():
        population = c.population.get(code)
        rate = rules.participation_rate(members.get(code, 0), population["population_65_plus"]
                                        if population else None)
        if rate is None or rate <= RATE_UNUSUAL:
            continue
        refs = (RecordRef("population", population["id"], c.municipality_name(code)),)
        if rate > RATE_IMPOSSIBLE:
            yield CheckFinding("PARTICIPATION_OVER_100", ERROR,
                               f"{c.municipality_name(code)}の参加率が{rate:.1f}%で、100%を超えています。"
                               "参加者実人数（65歳以上）か65歳以上人口の入力を確かめてください。", code, refs)
        else:
            yield CheckFinding("PARTICIPATION_OVER_30", WARNING,
                               f"{c.municipality_name(code)}の参加率が{rate:.1f}%で、30%を超えています。"
                               "実人数に同じ人を重ねて数えていないか確かめてください。", code, refs)


# ---------------------------------------------------------------- 参加者実人数

@rule("MEMBERS_MISSING")
def _members_missing(c: _Context) -> Iterator[CheckFinding]:
    missing = [place_id for place_id in c.places if place_id in c.spans and place_id not in c.members]
    for code, ids in _by_municipality(c, missing):
        yield CheckFinding(
            "MEMBERS_MISSING", ERROR,
            f"{c.municipality_name(code)}: 開催記録があるのに参加者実人数が未入力の通いの場が{len(ids)}か所あります。"
            "実人数0人として集計され、参加率が低く出ます。", code, tuple(c.place_ref(i) for i in ids))


@rule("MEMBERS_ABOVE_ATTENDANCE")
def _members_above_attendance(c: _Context) -> Iterator[CheckFinding]:
    for place_id, row in c.members.items():
        if place_id not in c.places:
            continue
        attendance = c.spans[place_id]["attendance"] if place_id in c.spans else 0
        if row["total"] > attendance:
            place = c.places[place_id]
            typed = () if row["from_roster"] else (  # a computed figure is no record of its own
                RecordRef("members", row["id"], f"{place['name']}の参加者実人数"),)
            yield CheckFinding(
                "MEMBERS_ABOVE_ATTENDANCE", ERROR,
                f"「{place['name']}」の参加者実人数（{row['total']:,}人）が延べ参加者数（{attendance:,}人）を"
                "超えています。実人数は1年間に参加した人の数で、延べ人数より多くはなりません。",
                place["municipality_code"], (c.place_ref(place_id), *typed))


@rule("ROSTER_ABOVE_ATTENDANCE")
def _roster_above_attendance(c: _Context) -> Iterator[CheckFinding]:
    """A gathering's 参加者数 below the participants recorded present (a form refuses it; a bundle from another
    PC or a roster import into an older 参加者数 can still bring it)."""
    for g in roster_queries.short_gatherings(c.db, c.scope.fy_start, c.scope.fy_end, c.municipality_code):
        place = c.places.get(g["place_id"])
        if place is None:
            continue
        [error] = check_roster_size(g["attendance_total"], g["present"])
        yield CheckFinding(
            "ROSTER_ABOVE_ATTENDANCE", ERROR, f"「{place['name']}」{_day(g['held_on'])}: {error.message}",
            place["municipality_code"],
            (c.place_ref(g["place_id"]), RecordRef("gatherings", g["id"], f"{_day(g['held_on'])} {place['name']}")))


@rule("MEMBERS_TYPED_IGNORED")
def _members_typed_ignored(c: _Context) -> Iterator[CheckFinding]:
    """A typed 参加者実人数 of a place whose figure is computed from its roster (typed before the roster began,
    or received from another PC): not counted; the user should know, and may move it to the trash."""
    for row in roster_queries.ignored_typed_members(c.db, c.fiscal_year, c.municipality_code):
        place = c.places.get(row["place_id"])
        if place is None:
            continue
        computed = c.members[row["place_id"]]["total"]
        yield CheckFinding(
            "MEMBERS_TYPED_IGNORED", WARNING,
            f"「{place['name']}」は開催記録で参加者を記録しているため、参加者実人数は記録から計算した{computed:,}人を"
            f"使います。入力済みの{row['total']:,}人は集計に入りません（不要ならごみ箱へ移してください）。",
            place["municipality_code"],
            (c.place_ref(row["place_id"]), RecordRef("members", row["id"], f"{place['name']}の参加者実人数")))


# ---------------------------------------------------------------- gatherings

@rule("NO_GATHERING_IN_REFERENCE_MONTH")
def _no_gathering_in_reference_month(c: _Context) -> Iterator[CheckFinding]:
    ref_start, ref_end = fiscal_month_range(c.fiscal_year, c.reference_month)
    if c.today <= ref_end:
        return  # the month is not over: its gatherings may still come
    month = ref_start.isoformat()[:7]
    silent = [place_id for place_id, row in c.places.items()
              if month not in c.months_held.get(place_id, ()) and _open_during(row, ref_start, ref_end)]
    for code, ids in _by_municipality(c, silent):
        yield CheckFinding(
            "NO_GATHERING_IN_REFERENCE_MONTH", WARNING,
            f"{c.municipality_name(code)}: 調査基準月（{ref_start.year}年{ref_start.month}月）に開催記録のない"
            f"活動中の通いの場が{len(ids)}か所あります。調査対象の通いの場に数えられません。",
            code, tuple(c.place_ref(i) for i in ids))


@rule("GATHERING_OUTSIDE_OPEN_PERIOD")
def _gathering_outside_open_period(c: _Context) -> Iterator[CheckFinding]:
    places = {row["id"]: row for row in check_queries.live_places(c.db, c.municipality_code)}
    for place_id, span in c.spans.items():
        place = places.get(place_id)
        if place is None:
            continue  # a place in the trash: its gatherings are the trash rule's and check's business
        outside: list[Any] = []
        if place["start_date"] and span["first_day"] < place["start_date"]:
            day_before = date.fromordinal(date.fromisoformat(place["start_date"]).toordinal() - 1)
            outside += check_queries.gatherings_between(c.db, place_id, span["first_day"], day_before)
        if place["end_date"] and span["last_day"] > place["end_date"]:
            day_after = date.fromordinal(date.fromisoformat(place["end_date"]).toordinal() + 1)
            outside += check_queries.gatherings_between(c.db, place_id, day_after, span["last_day"])
        if outside:
            period = (f"{_day(place['start_date']) or '（開始日なし）'}～{_day(place['end_date']) or ''}")
            yield CheckFinding(
                "GATHERING_OUTSIDE_OPEN_PERIOD", ERROR,
                f"「{place['name']}」の開催記録{len(outside)}件が、通いの場の活動期間（{period}）の外の日付です。",
                place["municipality_code"],
                (RecordRef("places", place_id, place["name"]),
                 *(RecordRef("gatherings", g["id"], f"{_day(g['held_on'])} {place['name']}") for g in outside)))


@rule("ATTENDANCE_OUTLIER")
def _attendance_outlier(c: _Context) -> Iterator[CheckFinding]:
    for place_id, attendance in check_queries.attendance_by_place(c.db, c.scope).items():
        if len(attendance) < PATTERN_MIN_GATHERINGS or place_id not in c.places:
            continue
        median = statistics.median(attendance)
        odd_values = sorted({a for a in attendance if _far_from(a, median)})
        if not odd_values:
            continue
        place = c.places[place_id]
        odd = check_queries.gatherings_with_attendance(c.db, c.scope, place_id, odd_values)
        shown = "、".join(f"{_day(g['held_on'])} {g['attendance_total']:,}人" for g in odd[:3])
        yield CheckFinding(
            "ATTENDANCE_OUTLIER", WARNING,
            f"「{place['name']}」のふだんの参加者数（中央値{median:g}人）から大きく外れた開催記録が{len(odd)}件あります"
            f"（{shown}{' ほか' if len(odd) > 3 else ''}）。入力の誤りでないか確かめてください。",
            place["municipality_code"],
            (c.place_ref(place_id),
             *(RecordRef("gatherings", g["id"], f"{_day(g['held_on'])} {place['name']} {g['attendance_total']:,}人")
               for g in odd)))


def _far_from(attendance: int, median: float) -> bool:
    high = attendance > HIGH_FACTOR * median and attendance - median >= HIGH_MARGIN
    low = median >= LOW_MEDIAN_MIN and attendance * LOW_DIVISOR <= median
    return high or low


# ---------------------------------------------------------------- promoters and expenses

def _employed_by_municipality(c: _Context) -> dict[str, int]:
    placed: dict[str, int] = defaultdict(int)
    for row in aggregates.promoters_employed(c.db, c.scope):
        placed[row["municipality_code"]] += 1
    return placed


@rule("PROMOTERS_OVER_CAP")
def _promoters_over_cap(c: _Context) -> Iterator[CheckFinding]:
    for code, placed in sorted(_employed_by_municipality(c).items()):
        population = c.population.get(code)
        cap = rules.promoter_cap(population["population_65_plus"] if population else None)
        warning = rules.cap_exceeded_warning(placed, cap, c.municipality_name(code), c.fiscal_year)
        if warning:
            yield CheckFinding("PROMOTERS_OVER_CAP", WARNING, warning, code,
                               (RecordRef("municipalities", code, c.municipality_name(code)),))


@rule("PROMOTERS_WITHOUT_EXPENSES")
def _promoters_without_expenses(c: _Context) -> Iterator[CheckFinding]:
    with_expenses = check_queries.expense_municipalities(c.db, c.fiscal_year, c.municipality_code)
    for code, placed in sorted(_employed_by_municipality(c).items()):
        if code not in with_expenses:
            yield CheckFinding(
                "PROMOTERS_WITHOUT_EXPENSES", WARNING,
                f"{c.municipality_name(code)}には推進員が{placed}人配置されていますが、"
                f"{format_fiscal_year(c.fiscal_year)}の経費が入力されていません。補助所要額が0円になります。",
                code, (RecordRef("municipalities", code, c.municipality_name(code)),))


# ---------------------------------------------------------------- trash and exchange

_TRASH_KINDS = {"places": "通いの場", "gatherings": "開催記録", "members": "参加者実人数", "population": "人口"}


@rule("TRASH_NOT_EMPTY")
def _trash(c: _Context) -> Iterator[CheckFinding]:
    counts = {kind: count for kind, count in check_queries.trashed_in_year(c.db, c.scope) if count}
    if counts:
        listed = "、".join(f"{_TRASH_KINDS[kind]}{count:,}件" for kind, count in counts.items())
        yield CheckFinding("TRASH_NOT_EMPTY", WARNING,
                           f"この年度の記録がごみ箱にあります（{listed}）。ごみ箱の記録は集計に入りません。"
                           "誤って削除したものがないか確かめてください。", c.municipality_code)


@rule("OPEN_CONFLICTS")
def _open_conflicts(c: _Context) -> Iterator[CheckFinding]:
    conflicts = check_queries.open_conflicts(c.db)
    if conflicts:
        yield CheckFinding(
            "OPEN_CONFLICTS", ERROR,
            f"ほかのパソコンとのデータ交換で、解決していない競合が{len(conflicts)}件あります。"
            "どちらの記録を残すか決めるまで、集計が確定しません（「データ交換」→「競合の解決」）。",
            c.municipality_code,
            tuple(RecordRef("conflicts", row["id"], f"{row['table_name']} {row['row_id']}") for row in conflicts))


# ---------------------------------------------------------------- completeness (reporting rates)

def _completeness(c: _Context) -> Completeness:
    return _completeness_of(c.fiscal_year, c.today, c.places, c.months_held)


def completeness_of(db: Database, fiscal_year: int, municipality_code: str | None = None,
                    today: date | None = None) -> Completeness:
    """Places expected and places reporting per center and month, without the rules: what the 集計 dashboard
    shows beside the figures (the same counts as `validate`'s completeness)."""
    start, end = fiscal_year_range(fiscal_year)
    scope = aggregates.Scope(start, end, municipality_code)
    places = {row["id"]: row for row in check_queries.active_places(db, scope)}
    return _completeness_of(fiscal_year, today or date.today(), places,
                            check_queries.months_with_gatherings(db, scope))


def _completeness_of(fiscal_year: int, today: date, places: dict[str, Any],
                     months_held: dict[str, set[str]]) -> Completeness:
    months = [(y, m) for y, m in months_of_fiscal_year(fiscal_year) if date(y, m, 1) <= today]
    labels = [f"{y:04d}-{m:02d}" for y, m in months]
    ranges = [month_range(y, m) for y, m in months]
    centers: dict[tuple[str, str | None], CenterCompleteness] = {}
    for place_id, place in places.items():
        key = (place["municipality_code"], place["center_id"])
        entry = centers.get(key)
        if entry is None:
            entry = centers[key] = CenterCompleteness(place["center_id"], place["center_name"] or NO_CENTER,
                                                      place["municipality_code"],
                                                      dict.fromkeys(labels, 0), dict.fromkeys(labels, 0))
        held = months_held.get(place_id, set())
        for (first, last), label in zip(ranges, labels, strict=True):
            if _open_during(place, first, last):
                entry.expected[label] += 1
                entry.reporting[label] += label in held
    ordered = sorted(centers.values(), key=lambda e: (e.municipality_code, e.center_id is None, e.center_name))
    return Completeness(labels, ordered)


# ---------------------------------------------------------------- helpers

def _open_during(place: Any, first: date, last: date) -> bool:
    start, end = optional_iso_date(place["start_date"]), optional_iso_date(place["end_date"])
    return (start is None or start <= last) and (end is None or end >= first)


def _by_municipality(c: _Context, place_ids: list[str]) -> Iterator[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for place_id in place_ids:
        grouped[c.places[place_id]["municipality_code"]].append(place_id)
    yield from sorted(grouped.items())


def _day(value: str | None) -> str:
    return format_wareki(date.fromisoformat(value)) if value else ""
