"""The 年度 aggregation every report and the dashboard use: one function, one plain dataclass.
Definitions are those of ../shared/domain.md (printed as footnotes by the reports)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kaigo_desktop.domain import rules
from kaigo_desktop.domain.fiscal import (
    fiscal_month_range, fiscal_year_range, months_of_fiscal_year, optional_iso_date,
)
from kaigo_desktop.domain.vocab import FREQUENCY_LABELS, PROGRAM_CODES, mask_to_programs
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
        }


def fiscal_year_stats(db: Database, fiscal_year: int, municipality_code: str | None = None,
                      today: date | None = None) -> FiscalYearStats:
    settings = settings_service.load(db)
    fy_start, fy_end = fiscal_year_range(fiscal_year)
    # Months still to come are not months the place was open: the current 年度 is judged on its past.
    until = min(fy_end, today or date.today())
    scope = aggregates.Scope(fy_start, fy_end, municipality_code)
    stats = FiscalYearStats(fiscal_year, municipality_code)

    places = {row["id"]: row for row in aggregates.active_places(db, scope)}
    stats.places_active = len(places)
    programs = Counter(code for row in places.values() for code in mask_to_programs(row["programs"]))
    stats.places_by_program = {code: programs[code] for code in PROGRAM_CODES}
    declared = Counter(row["frequency_declared"] or UNSET for row in places.values())
    stats.places_by_frequency_declared = {label: declared[label] for label in (*FREQUENCY_LABELS, UNSET)}
    operators = Counter(row["operator_kind"] or UNSET for row in places.values())
    stats.places_by_operator = {kind: operators[kind]
                                for kind in (*vocabulary(db, "operator_kinds"), UNSET)}

    ref_start, ref_end = fiscal_month_range(fiscal_year, settings.survey_reference_month)
    held = {row["place_id"]: row
            for row in aggregates.gathering_figures_by_place(db, scope, ref_start, ref_end)
            if row["place_id"] in places}
    stats.gatherings = sum(row["gatherings"] for row in held.values())
    stats.attendance_total = sum(row["attendance"] for row in held.values())
    stats.places_with_professional = sum(1 for row in held.values() if row["with_professional"])
    stats.places_survey = sum(1 for row in held.values() if row["in_reference_month"])
    actual: Counter[str] = Counter()
    for place_id, row in places.items():
        end = optional_iso_date(row["end_date"])
        months = rules.open_months_in_fiscal_year(
            optional_iso_date(row["start_date"]), min(end, until) if end else until, fiscal_year)
        count = held[place_id]["gatherings"] if place_id in held else 0
        actual[rules.actual_frequency(count, months) or FREQUENCY_LABELS[-1]] += 1
    stats.places_by_frequency_actual = {label: actual[label] for label in FREQUENCY_LABELS}
    stats.attendance_by_month = _months_filled(fiscal_year, aggregates.attendance_by_month(db, scope))

    _add_members(stats, [row for row in aggregates.members(db, fiscal_year) if row["place_id"] in places])

    population = aggregates.population(db, fiscal_year, municipality_code)
    stats.population_65_plus = sum(population.values()) if population else None
    stats.participation_rate = rules.participation_rate(stats.members_65_plus, stats.population_65_plus)

    _add_promoters(db, stats, scope, population, settings.subsidy)
    for row in aggregates.activity_totals(db, scope):
        stats.promoter_activities[row["kind"]] = row["activities"]
        stats.promoter_activity_minutes += row["minutes"]
    stats.promoter_activities = {kind: stats.promoter_activities.get(kind, 0)
                                 for kind in vocabulary(db, "activity_kinds")}
    return stats


def _months_filled(fiscal_year: int, by_month: dict[str, int]) -> dict[str, int]:
    return {f"{y:04d}-{m:02d}": by_month.get(f"{y:04d}-{m:02d}", 0) for y, m in months_of_fiscal_year(fiscal_year)}


def _add_members(stats: FiscalYearStats, rows: list) -> None:
    male = female = under_65 = age_65_74 = age_75_plus = 0
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
