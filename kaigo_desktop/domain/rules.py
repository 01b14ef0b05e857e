"""Program rules: promoter cap and subsidy, active places, actual frequency, participation rate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from kaigo_desktop.domain.fiscal import fiscal_year_range, format_fiscal_year
from kaigo_desktop.domain.vocab import EXCLUDED_EXPENSE_CATEGORY, frequency_bucket

# ---------------------------------------------------------------- promoters and subsidy

PROMOTER_CAP_POPULATION_THRESHOLD = 10_000
SUBSIDY_RATE = (10, 10)  # 補助率 10/10 as (numerator, denominator): integer yen arithmetic, no floats


def promoter_cap(population_65_plus: int | None) -> int | None:
    """Promoters the subsidy pays for: 2 where the 65+ population is 10,000 or more, else 1; None when the
    population is unknown."""
    if population_65_plus is None:
        return None
    if population_65_plus < 0:
        raise ValueError(f"65歳以上人口は0以上で指定してください: {population_65_plus}")
    return 2 if population_65_plus >= PROMOTER_CAP_POPULATION_THRESHOLD else 1


@dataclass(frozen=True)
class SubsidySettings:
    """The two *(unsure)* points of domain.md as settings: round the claim down (default to 1,000 yen;
    0 = no rounding) and pro-rate the base by months employed (default off: whole years)."""

    base_per_promoter: int = 5_500_000
    round_down_unit: int = 1_000
    prorate_by_month: bool = False


@dataclass(frozen=True)
class EmploymentPeriod:
    """A promoter's placement: start .. end inclusive, end None while still employed."""

    start: date
    end: date | None


@dataclass(frozen=True)
class Subsidy:
    base: int  # 基準額 (within the cap)
    eligible: int  # 対象経費
    claim: int  # 補助所要額


def open_months_in_fiscal_year(start: date | None, end: date | None, fy: int) -> int:
    """Months of the 年度 with at least one day inside start .. end (start None = open since forever,
    end None = still open). A period ending before it starts has no months."""
    if start is not None and end is not None and end < start:
        return 0
    fy_start, fy_end = fiscal_year_range(fy)
    first, last = max(start or fy_start, fy_start), min(end or fy_end, fy_end)
    if first > last:
        return 0
    return (last.year - first.year) * 12 + last.month - first.month + 1


def is_active_in_fiscal_year(start: date | None, end: date | None, fy: int) -> bool:
    """True when the open period start .. end overlaps the 年度."""
    fy_start, fy_end = fiscal_year_range(fy)
    if start is not None and end is not None and end < start:
        return False
    return (start is None or start <= fy_end) and (end is None or end >= fy_start)


def placed_promoters(periods: Iterable[EmploymentPeriod], fy: int) -> int:
    """Promoters employed at any time in the 年度."""
    return sum(1 for p in periods if is_active_in_fiscal_year(p.start, p.end, fy))


def _effective_cap(cap: int | None) -> int:
    # Population unknown: count one promoter, the smaller cap, so the claim is never overstated.
    return 1 if cap is None else cap


def counted_promoters(placed: int, cap: int | None) -> int:
    """Promoters the 基準額 counts (whole years): the placed ones within the cap, 1 at most when the cap is
    unknown."""
    return min(placed, _effective_cap(cap))


def cap_exceeded(placed: int, cap: int | None) -> bool:
    """More promoters placed than the subsidy pays for; False when the cap (the 65+ population) is unknown."""
    return cap is not None and placed > cap


def subsidy_base(periods: Iterable[EmploymentPeriod], fy: int, cap: int | None, settings: SubsidySettings) -> int:
    """基準額 of a municipality for the 年度. Whole years: base × min(placed, cap). Pro-rated: each promoter
    is worth base × months employed / 12 (a month counts if employed on any day of it), the cap promoters
    with most months count, the sum is floored to the yen. cap None (65+ population unknown) is taken as 1
    so the figure is never overstated."""
    limit = _effective_cap(cap)
    periods = list(periods)
    if not settings.prorate_by_month:
        return settings.base_per_promoter * counted_promoters(placed_promoters(periods, fy), cap)
    months = sorted((open_months_in_fiscal_year(p.start, p.end, fy) for p in periods), reverse=True)
    counted = sum(m for m in months[:limit] if m > 0)
    return settings.base_per_promoter * counted // 12


def eligible_expenses(amounts: Mapping[str, int]) -> int:
    """対象経費: all categories except 備品購入費."""
    return sum(amount for category, amount in amounts.items() if category != EXCLUDED_EXPENSE_CATEGORY)


def _round_down(amount: int, unit: int) -> int:
    return amount if unit <= 0 else amount // unit * unit


def compute_subsidy(expenses: Mapping[str, int], periods: Iterable[EmploymentPeriod], fy: int, cap: int | None,
                    settings: SubsidySettings = SubsidySettings()) -> Subsidy:
    """補助所要額 = min(対象経費, 基準額) × 10/10, rounded down to settings.round_down_unit (never negative)."""
    base = subsidy_base(periods, fy, cap, settings)
    eligible = eligible_expenses(expenses)
    numerator, denominator = SUBSIDY_RATE
    claim = max(0, min(eligible, base)) * numerator // denominator
    return Subsidy(base=base, eligible=eligible, claim=_round_down(claim, settings.round_down_unit))


def cap_exceeded_warning(placed: int, cap: int | None, municipality_name: str, fy: int) -> str | None:
    """A warning (never a block) when more promoters are placed than the subsidy pays for; None otherwise,
    including when the cap is unknown."""
    if not cap_exceeded(placed, cap):
        return None
    return (f"{municipality_name}の{format_fiscal_year(fy)}の推進員（{placed}人）が補助対象の上限（{cap}人）を"
            f"超えています。補助基準額は上限の人数で計算します。")


# ---------------------------------------------------------------- places and participation

def actual_frequency(gatherings: int, open_months: int) -> str | None:
    """Frequency bucket of gatherings per open month; None when the place was open no month."""
    if open_months <= 0:
        return None
    return frequency_bucket(gatherings / open_months)


def members_65_plus(total: int | None, age_65_74: int | None, age_75_plus: int | None) -> int:
    """参加者実人数 (65歳以上): 65～74歳 + 75歳以上 when either is given, else the whole count."""
    if age_65_74 is None and age_75_plus is None:
        return total or 0
    return (age_65_74 or 0) + (age_75_plus or 0)


_ONE_DECIMAL = Decimal("0.1")


# 参加率 above these is impossible (more participants than residents) or worth a second look; the report's
# flags and the `validate` rules read the same bounds.
RATE_IMPOSSIBLE = 100.0
RATE_UNUSUAL = 30.0


def implausible_rate_note(label: str, rate: float | None) -> str | None:
    """The note a report prints beside a rate that cannot be right (over 100 %); None for a plausible one."""
    if rate is None or rate <= RATE_IMPOSSIBLE:
        return None
    return (f"要確認: {label}が{rate:.1f}%で、100%を超えています。"
            "参加者実人数（65歳以上）か65歳以上人口の入力を確かめてください。")


# 1箇所1回あたりの参加者数: the survey's bands, (label, highest average in the band), lowest first.
SESSION_SIZE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("1～20人", 20), ("21～40人", 40), ("41～60人", 60), ("61～80人", 80), ("81～100人", 100), ("100人超", None),
)
SESSION_SIZE_LABELS: tuple[str, ...] = tuple(label for label, _ in SESSION_SIZE_BANDS)


def session_size_band(attendance: int, gatherings: int) -> str | None:
    """The band of a place's average attendance per gathering (rounded half up to a whole person; an
    average of 0 falls in the lowest band); None without a gathering."""
    if gatherings <= 0:
        return None
    average = (2 * attendance + gatherings) // (2 * gatherings)
    for label, highest in SESSION_SIZE_BANDS:
        if highest is None or average <= highest:
            return label
    raise AssertionError("the last band is open")


def participation_rate(members_65_plus: int, population_65_plus: int | None) -> float | None:
    """参加率 in percent with one decimal, rounded half up; None when the population is unknown or 0."""
    if not population_65_plus or population_65_plus <= 0:
        return None
    percent = Decimal(members_65_plus) * 100 / Decimal(population_65_plus)
    return float(percent.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))
