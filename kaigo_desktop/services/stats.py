"""The 年度 aggregation every report and the dashboard use: one function, one plain dataclass.
Definitions are those of ../shared/domain.md (printed as footnotes by the reports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kaigo_desktop.domain import rules
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.fiscal import (
    counted_until, fiscal_month_range, fiscal_year_range, format_fiscal_year, in_progress_label,
    months_of_fiscal_year, optional_iso_date,
)
from kaigo_desktop.domain.vocab import (
    FREQUENCY_LABELS, PROFESSIONAL_KINDS, PROGRAM_CODES, mask_to_professionals, mask_to_programs,
    professionals_to_mask,
)
from kaigo_desktop.services import settings as settings_service
from kaigo_desktop.storage import aggregates
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.lookups import vocabulary

UNSET = "未設定"
UNKNOWN = "不明"


@dataclass
class MunicipalityPromoters:
    code: str
    name: str
    population_65_plus: int | None
    cap: int | None
    placed: int
    subsidy: rules.Subsidy

    @property
    def cap_exceeded(self) -> bool:
        return rules.cap_exceeded(self.placed, self.cap)

    @property
    def cap_respected(self) -> bool | None:
        """True within the cap, False over it, None when the 65+ population (hence the cap) is unknown."""
        return None if self.cap is None else not self.cap_exceeded

    @property
    def counted_promoters(self) -> int:
        """Promoters the 基準額 counts: the placed ones within the cap (1 when the cap is unknown)."""
        return rules.counted_promoters(self.placed, self.cap)


@dataclass
class SurveyBasis:
    """The survey's own tables, over 調査対象 (active places with a gathering in the reference month).
    `final` is False while the reference month has not ended: the count is not known yet."""

    final: bool = True
    places: int = 0
    by_program: dict[str, int] = field(default_factory=dict)
    by_frequency_actual: dict[str, int] = field(default_factory=dict)
    by_operator: dict[str, int] = field(default_factory=dict)
    by_venue: dict[str, int] = field(default_factory=dict)
    by_main_activity: dict[str, int] = field(default_factory=dict)
    by_session_size: dict[str, int] = field(default_factory=dict)
    members_total: int = 0
    members_65_plus: int = 0

    def to_json_dict(self) -> dict[str, Any]:
        return {"places": self.places if self.final else None, "final": self.final,
                "by_program": dict(self.by_program), "by_frequency_actual": dict(self.by_frequency_actual),
                "by_operator": dict(self.by_operator), "by_venue": dict(self.by_venue),
                "by_main_activity": dict(self.by_main_activity), "by_session_size": dict(self.by_session_size),
                "members_total": self.members_total, "members_65_plus": self.members_65_plus}


@dataclass
class FiscalYearStats:
    fiscal_year: int
    municipality_code: str | None
    places_active: int = 0
    places_survey: int = 0
    places_by_program: dict[str, int] = field(default_factory=dict)
    places_by_frequency_declared: dict[str, int] = field(default_factory=dict)
    places_by_frequency_actual: dict[str, int] = field(default_factory=dict)
    places_by_operator: dict[str, int] = field(default_factory=dict)
    gatherings: int = 0
    attendance_total: int = 0
    members_total: int = 0
    members_65_plus: int = 0
    members_places: int = 0  # active places with a 参加者実人数 recorded for the 年度
    members_by_sex: dict[str, int] = field(default_factory=dict)
    members_by_age: dict[str, int] = field(default_factory=dict)
    population_65_plus: int | None = None
    participation_rate: float | None = None
    places_with_professional: int = 0
    promoters_placed: int = 0
    promoter_cap: int | None = None
    promoter_activities: dict[str, int] = field(default_factory=dict)
    promoter_activity_minutes: int = 0
    subsidy: rules.Subsidy = field(default_factory=lambda: rules.Subsidy(0, 0, 0))
    attendance_by_month: dict[str, int] = field(default_factory=dict)
    promoters_by_municipality: list[MunicipalityPromoters] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    as_of: date | None = None  # the last day counted: the 年度's end, or the last complete month's
    complete: bool = True  # the 年度 has ended
    survey_reference_month: int = 3
    survey: SurveyBasis = field(default_factory=SurveyBasis)
    places_with_professional_excluding_promoter: int = 0
    professionals_by_kind: dict[str, int] = field(default_factory=dict)  # kind → places
    members_65_plus_weekly: int = 0  # 実人数 (65歳以上) of places whose actual frequency is 週1回以上
    weekly_participation_rate: float | None = None
    population_reference_dates: dict[str, str | None] = field(default_factory=dict)  # code → 基準日
    expense_rows: int = 0  # expenses recorded for the 年度 (any category)

    @property
    def in_progress_label(self) -> str | None:
        """「令和8年11月30日現在（年度途中）」 while the 年度 runs; None once it has ended."""
        return None if self.complete or self.as_of is None else in_progress_label(self.as_of)

    @property
    def population_reference_date(self) -> str | None:
        """The one 基準日 of the population counted (ISO); None when missing anywhere or not the same."""
        dates = set(self.population_reference_dates.values())
        return next(iter(dates)) if len(dates) == 1 else None

    def is_empty(self) -> bool:
        """Nothing recorded for the scope in the 年度: no gathering, 参加者実人数, promoter activity or
        expense of it. Registered places and promoters (open for years) and the population are the
        masters, not the 年度's records: with only those, every figure would be a zero."""
        return not (self.gatherings or self.members_places or any(self.promoter_activities.values())
                    or self.expense_rows)

    def to_json_dict(self) -> dict[str, Any]:
        """Exactly the `stats --json` keys of ../shared/formats.md."""
        return {
            "fiscal_year": self.fiscal_year,
            "municipality_code": self.municipality_code,
            "places_active": self.places_active,
            "places_survey": self.places_survey,
            "places_by_program": dict(self.places_by_program),
            "places_by_frequency_declared": dict(self.places_by_frequency_declared),
            "places_by_frequency_actual": dict(self.places_by_frequency_actual),
            "places_by_operator": dict(self.places_by_operator),
            "gatherings": self.gatherings,
            "attendance_total": self.attendance_total,
            "members_total": self.members_total,
            "members_65_plus": self.members_65_plus,
            "population_65_plus": self.population_65_plus,
            "participation_rate": self.participation_rate,
            "places_with_professional": self.places_with_professional,
            "promoters_placed": self.promoters_placed,
            "promoter_cap": self.promoter_cap,
            "promoter_activities": dict(self.promoter_activities),
            "promoter_activity_minutes": self.promoter_activity_minutes,
            "subsidy": {"base": self.subsidy.base, "eligible": self.subsidy.eligible,
                        "claim": self.subsidy.claim},
            "survey": self.survey.to_json_dict(),
            "places_with_professional_excluding_promoter": self.places_with_professional_excluding_promoter,
            "professionals_by_kind": dict(self.professionals_by_kind),
            "weekly_participation_rate": self.weekly_participation_rate,
            "population_reference_date": self.population_reference_date,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "complete": self.complete,
        }


class EmptyScope(UserFacingError):
    """A report or export asked for a 年度 and 区市町村 with no records at all."""

    kind = "empty_scope"


def require_records(stats: FiscalYearStats, scope_name: str) -> None:
    """Refuse a report of zeros: the one rule every report, export and screen asks (--allow-empty skips it)."""
    if stats.is_empty():
        raise EmptyScope(
            f"{format_fiscal_year(stats.fiscal_year)}の{scope_name}には、この年度の記録（開催記録・参加者実人数・"
            "推進員の活動・経費）がありません。すべて0の報告書になるため作成しません。年度と区市町村を確かめて"
            "ください。")


def fiscal_year_stats(db: Database, fiscal_year: int, municipality_code: str | None = None,
                      today: date | None = None) -> FiscalYearStats:
    """The 年度's figures as of `today` (the clock when None): a 年度 in progress is counted to the end of
    its last complete month (`as_of`); places, gatherings and activities after it are not counted."""
    settings = settings_service.load(db)
    fy_start, fy_end = fiscal_year_range(fiscal_year)
    as_of, complete = counted_until(fiscal_year, today or date.today())
    year_scope = aggregates.Scope(fy_start, fy_end, municipality_code)
    scope = aggregates.Scope(fy_start, as_of, municipality_code)
    stats = FiscalYearStats(fiscal_year, municipality_code, as_of=as_of, complete=complete,
                            survey_reference_month=settings.survey_reference_month)
    ref_start, ref_end = fiscal_month_range(fiscal_year, settings.survey_reference_month)
    stats.survey.final = ref_end <= as_of

    # Before the first month of the 年度 has ended nothing is counted (an empty period matches no record,
    # but a place without dates would match any period).
    counting = as_of >= fy_start
    places = {row["id"]: row for row in aggregates.active_places(db, scope)} if counting else {}
    stats.places_active = len(places)
    operator_kinds = (*vocabulary(db, "operator_kinds"), UNSET)
    stats.places_by_program = _programs(places.values())
    declared = Counter(row["frequency_declared"] or UNSET for row in places.values())
    stats.places_by_frequency_declared = {label: declared[label] for label in (*FREQUENCY_LABELS, UNSET)}
    stats.places_by_operator = _counted(places.values(), "operator_kind", operator_kinds)

    held = {row["place_id"]: row
            for row in (aggregates.gathering_figures_by_place(db, scope, ref_start, ref_end) if counting else [])
            if row["place_id"] in places}
    stats.gatherings = sum(row["gatherings"] for row in held.values())
    stats.attendance_total = sum(row["attendance"] for row in held.values())
    stats.places_with_professional = sum(1 for row in held.values() if row["with_professional"])
    survey_ids = {place_id for place_id, row in held.items() if row["in_reference_month"]}
    stats.places_survey = len(survey_ids)
    frequency: dict[str, str] = {}
    for place_id, row in places.items():
        end = optional_iso_date(row["end_date"])
        months = rules.open_months_in_fiscal_year(
            optional_iso_date(row["start_date"]), min(end, as_of) if end else as_of, fiscal_year)
        count = held[place_id]["gatherings"] if place_id in held else 0
        frequency[place_id] = rules.actual_frequency(count, months) or FREQUENCY_LABELS[-1]
    actual = Counter(frequency.values())
    stats.places_by_frequency_actual = {label: actual[label] for label in FREQUENCY_LABELS}
    stats.attendance_by_month = _months_filled(
        fiscal_year, aggregates.attendance_by_month(db, scope) if counting else {})

    member_rows = [row for row in aggregates.members(db, fiscal_year) if row["place_id"] in places]
    _add_members(stats, member_rows)

    population = aggregates.population(db, fiscal_year, municipality_code)
    stats.population_65_plus = sum(population.values()) if population else None
    stats.participation_rate = rules.participation_rate(stats.members_65_plus, stats.population_65_plus)
    stats.population_reference_dates = aggregates.population_reference_dates(db, fiscal_year, municipality_code)
    stats.members_65_plus_weekly = sum(
        rules.members_65_plus(row["total"], row["age_65_74"], row["age_75_plus"])
        for row in member_rows if frequency[row["place_id"]] == FREQUENCY_LABELS[0])
    stats.weekly_participation_rate = rules.participation_rate(stats.members_65_plus_weekly,
                                                               stats.population_65_plus)

    _add_professionals(stats, aggregates.professional_kinds_by_place(db, scope) if counting else {}, places)
    _add_survey(db, stats, [places[i] for i in sorted(survey_ids)], held, frequency,
                [row for row in member_rows if row["place_id"] in survey_ids], operator_kinds)

    _add_promoters(db, stats, year_scope, population, settings.subsidy)
    for row in aggregates.activity_totals(db, scope) if counting else []:
        stats.promoter_activities[row["kind"]] = row["activities"]
        stats.promoter_activity_minutes += row["minutes"]
    stats.promoter_activities = {kind: stats.promoter_activities.get(kind, 0)
                                 for kind in vocabulary(db, "activity_kinds")}
    return stats


def promoter_cap_warnings(db: Database, fiscal_year: int) -> list[str]:
    """The 年度's warnings (promoters placed over the cap) without counting the rest of its figures: what
    `check` asks of every 年度 with data."""
    stats = FiscalYearStats(fiscal_year, None)
    fy_start, fy_end = fiscal_year_range(fiscal_year)
    _add_promoters(db, stats, aggregates.Scope(fy_start, fy_end, None), aggregates.population(db, fiscal_year, None),
                   settings_service.load(db).subsidy)
    return stats.warnings


def _programs(places) -> dict[str, int]:
    programs = Counter(code for row in places for code in mask_to_programs(row["programs"]))
    return {code: programs[code] for code in PROGRAM_CODES}


def _counted(places, column: str, labels: tuple[str, ...]) -> dict[str, int]:
    """Places per value of `column`, in the list's order; blank as 未設定."""
    found = Counter(row[column] or UNSET for row in places)
    return {label: found[label] for label in labels}


def _add_professionals(stats: FiscalYearStats, masks: dict[str, int], places: dict) -> None:
    """Places per 専門職 kind, and places with a 専門職 other than 推進員 (推進員 visits shown on their own)."""
    promoter = professionals_to_mask(["推進員"])
    masks = {place_id: mask for place_id, mask in masks.items() if place_id in places}
    stats.places_with_professional_excluding_promoter = sum(1 for mask in masks.values() if mask & ~promoter)
    kinds = Counter(kind for mask in masks.values() for kind in mask_to_professionals(mask))
    stats.professionals_by_kind = {kind: kinds[kind] for kind in PROFESSIONAL_KINDS}


def _add_survey(db: Database, stats: FiscalYearStats, places: list, held: dict, frequency: dict[str, str],
                member_rows: list, operator_kinds: tuple[str, ...]) -> None:
    survey = stats.survey
    survey.places = len(places)
    survey.by_program = _programs(places)
    actual = Counter(frequency[row["id"]] for row in places)
    survey.by_frequency_actual = {label: actual[label] for label in FREQUENCY_LABELS}
    survey.by_operator = _counted(places, "operator_kind", operator_kinds)
    survey.by_venue = _counted(places, "venue_kind", (*vocabulary(db, "venue_kinds"), UNSET))
    survey.by_main_activity = _counted(places, "main_activity_1", (*vocabulary(db, "main_activity_kinds"), UNSET))
    sizes = Counter(rules.session_size_band(held[row["id"]]["reference_attendance"],
                                            held[row["id"]]["in_reference_month"]) for row in places)
    survey.by_session_size = {label: sizes[label] for label in rules.SESSION_SIZE_LABELS}
    for row in member_rows:
        survey.members_total += row["total"]
        survey.members_65_plus += rules.members_65_plus(row["total"], row["age_65_74"], row["age_75_plus"])


def _months_filled(fiscal_year: int, by_month: dict[str, int]) -> dict[str, int]:
    return {f"{y:04d}-{m:02d}": by_month.get(f"{y:04d}-{m:02d}", 0) for y, m in months_of_fiscal_year(fiscal_year)}


def _add_members(stats: FiscalYearStats, rows: list) -> None:
    male = female = under_65 = age_65_74 = age_75_plus = 0
    stats.members_places = len(rows)
    for row in rows:
        stats.members_total += row["total"]
        stats.members_65_plus += rules.members_65_plus(row["total"], row["age_65_74"], row["age_75_plus"])
        male += row["male"] or 0
        female += row["female"] or 0
        under_65 += row["age_under_65"] or 0
        age_65_74 += row["age_65_74"] or 0
        age_75_plus += row["age_75_plus"] or 0
    stats.members_by_sex = {"男性": male, "女性": female, UNKNOWN: stats.members_total - male - female}
    known_age = under_65 + age_65_74 + age_75_plus
    stats.members_by_age = {"65歳未満": under_65, "65～74歳": age_65_74, "75歳以上": age_75_plus,
                            UNKNOWN: stats.members_total - known_age}


def _add_promoters(db: Database, stats: FiscalYearStats, scope: aggregates.Scope,
                   population: dict[str, int], subsidy_settings: rules.SubsidySettings) -> None:
    periods: dict[str, list[rules.EmploymentPeriod]] = {}
    for row in aggregates.promoters_employed(db, scope):
        periods.setdefault(row["municipality_code"], []).append(
            rules.EmploymentPeriod(date.fromisoformat(row["start_date"]), optional_iso_date(row["end_date"])))
    expenses: dict[str, dict[str, int]] = {}
    for row in aggregates.expenses(db, stats.fiscal_year, scope.municipality_code):
        expenses.setdefault(row["municipality_code"], {})[row["category"]] = row["amount"]
        stats.expense_rows += 1
    names = aggregates.municipality_names(db)

    caps = {code: rules.promoter_cap(pop) for code, pop in population.items()}
    stats.promoter_cap = sum(caps.values()) if caps else None
    base = eligible = claim = 0
    for code in sorted(set(periods) | set(expenses)):
        employed = periods.get(code, [])
        cap = caps.get(code)
        subsidy = rules.compute_subsidy(expenses.get(code, {}), employed, stats.fiscal_year, cap,
                                        subsidy_settings)
        entry = MunicipalityPromoters(code, names.get(code, code), population.get(code), cap,
                                      len(employed), subsidy)
        stats.promoters_by_municipality.append(entry)
        stats.promoters_placed += entry.placed
        base, eligible, claim = base + subsidy.base, eligible + subsidy.eligible, claim + subsidy.claim
        warning = rules.cap_exceeded_warning(entry.placed, cap, entry.name, stats.fiscal_year)
        if warning:
            stats.warnings.append(warning)
    stats.subsidy = rules.Subsidy(base, eligible, claim)
