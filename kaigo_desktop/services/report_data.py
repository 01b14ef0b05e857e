"""What reports 1 (実施状況報告書) and 2 (推進員 配置・活動実績報告書) and the Excel/CSV exports show, as plain
dataclasses: the 年度 aggregation plus the figures per 区市町村 and per promoter it does not carry."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from kaigo_desktop.domain import rules
from kaigo_desktop.domain.fiscal import fiscal_month_range, fiscal_year_range, optional_iso_date
from kaigo_desktop.domain.vocab import EXCLUDED_EXPENSE_CATEGORY, professionals_to_mask
from kaigo_desktop.services import settings as settings_service
from kaigo_desktop.services.settings import ComputationSettings
from kaigo_desktop.services.stats import FiscalYearStats, MunicipalityPromoters, fiscal_year_stats
from kaigo_desktop.storage import aggregates, lookups, report_queries
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import StorageError


class ReportInputError(StorageError):
    """A report asked for something that is not in the database (unknown promoter, place, 区市町村)."""

    kind = "report_input"


def municipality_label(db: Database, municipality_code: str | None) -> str:
    """"文京区" for a code, "全区市町村" for all; raises ReportInputError for a code not in Tokyo's list."""
    if municipality_code is None:
        return "全区市町村"
    municipality = lookups.municipality(db, municipality_code)
    if municipality is None:
        raise ReportInputError(f"区市町村コード {municipality_code} は東京都の62区市町村にありません。")
    return municipality.name


# ---------------------------------------------------------------- report 1

@dataclass
class MunicipalityFigures:
    """One row of the per-区市町村 table of report 1 (same definitions as the 年度 aggregation)."""

    code: str
    name: str
    places_active: int = 0
    places_survey: int = 0
    gatherings: int = 0
    attendance_total: int = 0
    members_total: int = 0
    members_65_plus: int = 0
    population_65_plus: int | None = None
    participation_rate: float | None = None
    places_with_professional: int = 0
    places_with_professional_excluding_promoter: int = 0
    places_with_promoter: int = 0
    recorded: bool = False  # any place, gathering or participant count in the 年度 (else データなし)


@dataclass
class SubmissionData:
    fiscal_year: int
    municipality_code: str | None
    municipality_name: str
    stats: FiscalYearStats
    settings: ComputationSettings
    municipalities: list[MunicipalityFigures] = field(default_factory=list)  # only when all are reported


def municipality_figures(db: Database, fiscal_year: int, settings: ComputationSettings,
                         as_of: date | None = None) -> list[MunicipalityFigures]:
    """Report 1's figures for all 62 区市町村 in code order, counted to `as_of` (the 年度's end when None);
    each row follows the definitions of the 年度 aggregation, and `recorded` is False for a 区市町村 with
    no place, gathering or participant count in the 年度."""
    start, end = fiscal_year_range(fiscal_year)
    end = min(end, as_of) if as_of else end
    rows = {code: MunicipalityFigures(code, name) for code, name in aggregates.municipality_names(db).items()}

    def row(code: str) -> MunicipalityFigures:
        if code not in rows:
            rows[code] = MunicipalityFigures(code, code)
        return rows[code]

    counting = end >= start  # before the first month has ended nothing is counted
    for code, count in (report_queries.active_places_by_municipality(db, start, end).items() if counting else ()):
        row(code).places_active = count
    ref_start, ref_end = fiscal_month_range(fiscal_year, settings.survey_reference_month)
    promoter_bit = professionals_to_mask(["推進員"])
    for figures in (report_queries.gathering_figures_by_municipality(db, start, end, ref_start, ref_end, promoter_bit)
                    if counting else ()):
        target = row(figures["municipality_code"])
        target.gatherings = figures["gatherings"]
        target.attendance_total = figures["attendance"]
        target.places_with_professional = figures["with_professional"]
        target.places_with_professional_excluding_promoter = figures["with_professional_excluding_promoter"]
        target.places_with_promoter = figures["with_promoter"]
        target.places_survey = figures["survey"]
    for member in (report_queries.members_of_active_places(db, start, end, fiscal_year) if counting else ()):
        target = row(member["municipality_code"])
        target.members_total += member["total"]
        target.members_65_plus += rules.members_65_plus(member["total"], member["age_65_74"], member["age_75_plus"])
    for code, population in aggregates.population(db, fiscal_year, None).items():
        row(code).population_65_plus = population
    for figures in rows.values():
        figures.recorded = bool(figures.places_active or figures.gatherings or figures.members_total)
        figures.participation_rate = rules.participation_rate(figures.members_65_plus, figures.population_65_plus)
    return [rows[code] for code in sorted(rows)]


def submission_data(db: Database, fiscal_year: int, municipality_code: str | None = None,
                    today: date | None = None) -> SubmissionData:
    name = municipality_label(db, municipality_code)
    settings = settings_service.load(db)
    stats = fiscal_year_stats(db, fiscal_year, municipality_code, today)
    data = SubmissionData(fiscal_year, municipality_code, name, stats, settings)
    if municipality_code is None:
        data.municipalities = municipality_figures(db, fiscal_year, settings, stats.as_of)
    return data


# ---------------------------------------------------------------- report 2

@dataclass
class PromoterRow:
    id: str
    name: str
    qualification: str
    start_date: date
    end_date: date | None
    center_name: str
    assigned_places: int = 0
    activities: int = 0
    minutes: int = 0
    supported_places: int = 0


@dataclass
class SupportedPlace:
    place_id: str
    name: str
    activities: int
    promoters: list[str]
    members: int | None  # 参加者実人数 of the 年度; None when not recorded


@dataclass
class ExpenseLine:
    category: str
    amount: int
    eligible: bool


@dataclass
class PromoterSection(MunicipalityPromoters):
    """One 区市町村 of report 2: its placement and subsidy (as the 年度 aggregation has them) and the lists."""

    promoters: list[PromoterRow] = field(default_factory=list)
    activities_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (count, minutes)
    supported_places: list[SupportedPlace] = field(default_factory=list)
    expenses: list[ExpenseLine] = field(default_factory=list)


@dataclass
class PromotersData:
    fiscal_year: int
    municipality_code: str | None
    municipality_name: str
    stats: FiscalYearStats
    settings: ComputationSettings
    activity_kinds: list[str]
    sections: list[PromoterSection] = field(default_factory=list)


def promoters_data(db: Database, fiscal_year: int, municipality_code: str | None = None,
                   today: date | None = None) -> PromotersData:
    name = municipality_label(db, municipality_code)
    settings = settings_service.load(db)
    stats = fiscal_year_stats(db, fiscal_year, municipality_code, today)
    kinds = lookups.vocabulary(db, "activity_kinds")
    data = PromotersData(fiscal_year, municipality_code, name, stats, settings, kinds)
    start, end = fiscal_year_range(fiscal_year)

    entries: dict[str, MunicipalityPromoters] = {e.code: e for e in stats.promoters_by_municipality}
    if municipality_code is not None and municipality_code not in entries:
        # Nothing placed and no expenses: still a page that says so, with the cap.
        population = aggregates.population(db, fiscal_year, municipality_code).get(municipality_code)
        entries[municipality_code] = MunicipalityPromoters(
            municipality_code, name, population, rules.promoter_cap(population), 0, rules.Subsidy(0, 0, 0))
    sections = {code: PromoterSection(code, e.name, e.population_65_plus, e.cap, e.placed, e.subsidy)
                for code, e in sorted(entries.items())}

    # Activities count to the day the 年度 aggregation counts to (a 年度 in progress: its last complete
    # month); employment and assignments, like the subsidy, cover the whole 年度.
    counted_end = min(end, stats.as_of) if stats.as_of else end
    figures = {row["promoter_id"]: row
               for row in report_queries.activity_figures_by_promoter(db, start, counted_end, municipality_code)}
    assigned = report_queries.assigned_places_by_promoter(db, start, end, municipality_code)
    for row in report_queries.promoters_employed(db, start, end, municipality_code):
        section = sections.get(row["municipality_code"])
        if section is None:
            continue
        activity = figures.get(row["id"])
        section.promoters.append(PromoterRow(
            row["id"], row["name"], row["qualification"], date.fromisoformat(row["start_date"]),
            optional_iso_date(row["end_date"]), row["center_name"], assigned.get(row["id"], 0),
            activity["activities"] if activity else 0, activity["minutes"] if activity else 0,
            activity["places"] if activity else 0))

    by_kind: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in report_queries.activity_figures_by_municipality_and_kind(db, start, counted_end,
                                                                          municipality_code):
        by_kind[row["municipality_code"]][row["kind"]] = (row["activities"], row["minutes"])
    for code, section in sections.items():
        found = by_kind.get(code, {})
        section.activities_by_kind = {kind: found.get(kind, (0, 0)) for kind in kinds}
        section.activities_by_kind.update({k: v for k, v in found.items() if k not in section.activities_by_kind})

    places: dict[tuple[str, str], SupportedPlace] = {}
    for row in report_queries.supported_places(db, start, counted_end, fiscal_year, municipality_code):
        section = sections.get(row["municipality_code"])
        if section is None:
            continue
        key = (row["municipality_code"], row["place_id"])
        if key not in places:
            places[key] = SupportedPlace(row["place_id"], row["place_name"], 0, [], row["members"])
            section.supported_places.append(places[key])
        places[key].activities += row["activities"]
        places[key].promoters.append(row["promoter_name"])

    for row in aggregates.expenses(db, fiscal_year, municipality_code):
        section = sections.get(row["municipality_code"])
        if section is not None:
            section.expenses.append(ExpenseLine(row["category"], row["amount"],
                                                row["category"] != EXCLUDED_EXPENSE_CATEGORY))
    data.sections = list(sections.values())
    return data
