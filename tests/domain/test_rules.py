"""Program rules: promoter cap, subsidy, active places, actual frequency, participation rate."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaigo_desktop.domain import vocab
from kaigo_desktop.domain.rules import (
    PROMOTER_CAP_POPULATION_THRESHOLD,
    EmploymentPeriod,
    Subsidy,
    SubsidySettings,
    actual_frequency,
    cap_exceeded,
    cap_exceeded_warning,
    compute_subsidy,
    counted_promoters,
    eligible_expenses,
    is_active_in_fiscal_year,
    members_65_plus,
    open_months_in_fiscal_year,
    participation_rate,
    placed_promoters,
    promoter_cap,
    subsidy_base,
)

WHOLE = SubsidySettings()
PRORATED = SubsidySettings(prorate_by_month=True)


def whole_year() -> EmploymentPeriod:
    return EmploymentPeriod(date(2020, 4, 1), None)


# ---------------------------------------------------------------- cap

@pytest.mark.parametrize(("population", "cap"), [
    (None, None), (0, 1), (9_999, 1), (10_000, 2), (10_001, 2), (250_000, 2),
])
def test_promoter_cap(population, cap):
    assert promoter_cap(population) == cap


def test_cap_threshold_constant():
    assert PROMOTER_CAP_POPULATION_THRESHOLD == 10_000


def test_cap_rejects_negative_population():
    with pytest.raises(ValueError):
        promoter_cap(-1)


@pytest.mark.parametrize(("placed", "cap", "counted", "exceeded"), [
    (0, 2, 0, False), (2, 2, 2, False), (3, 2, 2, True), (2, 1, 1, True),
    (0, None, 0, False), (1, None, 1, False), (3, None, 1, False),  # unknown population: count 1, never "over"
])
def test_counted_promoters_and_cap_exceeded(placed, cap, counted, exceeded):
    assert counted_promoters(placed, cap) == counted
    assert cap_exceeded(placed, cap) is exceeded
    assert (cap_exceeded_warning(placed, cap, "千代田区", 2024) is not None) is exceeded
    assert subsidy_base([whole_year()] * placed, 2024, cap, WHOLE) == 5_500_000 * counted


def test_default_settings_follow_domain():
    assert WHOLE == SubsidySettings(base_per_promoter=5_500_000, round_down_unit=1_000, prorate_by_month=False)


# ---------------------------------------------------------------- placed promoters

def test_placed_promoters_counts_any_overlap():
    periods = [
        EmploymentPeriod(date(2020, 4, 1), None),  # throughout
        EmploymentPeriod(date(2025, 3, 31), None),  # last day only
        EmploymentPeriod(date(2023, 1, 1), date(2024, 4, 1)),  # first day only
        EmploymentPeriod(date(2023, 1, 1), date(2024, 3, 31)),  # ended the day before
        EmploymentPeriod(date(2025, 4, 1), None),  # starts the next 年度
        EmploymentPeriod(date(2024, 10, 1), date(2024, 9, 1)),  # ends before it starts: nothing
    ]
    assert placed_promoters(periods, 2024) == 3


# ---------------------------------------------------------------- subsidy base

def test_whole_years_base_is_capped():
    three = [whole_year()] * 3
    assert subsidy_base(three, 2024, 2, WHOLE) == 11_000_000
    assert subsidy_base(three, 2024, 1, WHOLE) == 5_500_000
    assert subsidy_base(three[:1], 2024, 2, WHOLE) == 5_500_000
    assert subsidy_base([], 2024, 2, WHOLE) == 0


def test_unknown_cap_counts_one_promoter():
    assert subsidy_base([whole_year()] * 2, 2024, None, WHOLE) == 5_500_000
    assert subsidy_base([whole_year()] * 2, 2024, None, PRORATED) == 5_500_000


def test_whole_years_counts_a_part_year_promoter_fully():
    assert subsidy_base([EmploymentPeriod(date(2025, 3, 31), None)], 2024, 1, WHOLE) == 5_500_000


def test_prorated_base_counts_months():
    # October..March: 6 months (October counts although employment starts on the 31st).
    half = EmploymentPeriod(date(2024, 10, 31), None)
    assert subsidy_base([half], 2024, 1, PRORATED) == 2_750_000
    # One month: 5,500,000 / 12 = 458,333.33… floored.
    one = EmploymentPeriod(date(2025, 3, 1), None)
    assert subsidy_base([one], 2024, 1, PRORATED) == 458_333
    assert subsidy_base([whole_year()], 2024, 1, PRORATED) == 5_500_000


def test_prorated_base_takes_promoters_with_most_months():
    periods = [
        EmploymentPeriod(date(2025, 3, 1), None),  # 1 month
        EmploymentPeriod(date(2024, 4, 1), date(2024, 9, 30)),  # 6 months
        EmploymentPeriod(date(2024, 7, 15), None),  # 9 months
    ]
    assert subsidy_base(periods, 2024, 2, PRORATED) == 5_500_000 * 15 // 12
    assert subsidy_base(periods, 2024, 1, PRORATED) == 5_500_000 * 9 // 12


# ---------------------------------------------------------------- expenses and claim

def test_eligible_expenses_exclude_equipment():
    assert eligible_expenses({"給料": 100, "旅費": 20, vocab.EXCLUDED_EXPENSE_CATEGORY: 1_000}) == 120
    assert eligible_expenses({}) == 0


def test_domain_example():
    subsidy = compute_subsidy({"給料": 8_000_500, "備品購入費": 300_000}, [whole_year(), whole_year()], 2024, 2)
    assert subsidy == Subsidy(base=11_000_000, eligible=8_000_500, claim=8_000_000)


def test_claim_limited_by_base():
    subsidy = compute_subsidy({"給料": 20_000_000}, [whole_year()] * 3, 2024, 2)
    assert subsidy == Subsidy(base=11_000_000, eligible=20_000_000, claim=11_000_000)


def test_rounding_can_be_switched_off():
    expenses = {"給料": 1_234_567}
    assert compute_subsidy(expenses, [whole_year()], 2024, 1).claim == 1_234_000
    assert compute_subsidy(expenses, [whole_year()], 2024, 1, SubsidySettings(round_down_unit=0)).claim == 1_234_567


def test_no_promoter_no_claim():
    assert compute_subsidy({"給料": 1_000_000}, [], 2024, 2) == Subsidy(base=0, eligible=1_000_000, claim=0)


def test_prorated_claim_is_rounded_down():
    one_month = [EmploymentPeriod(date(2025, 3, 1), None)]
    assert compute_subsidy({"給料": 9_999_999}, one_month, 2024, 1, PRORATED) == Subsidy(458_333, 9_999_999, 458_000)


amounts = st.integers(min_value=0, max_value=30_000_000)
expense_maps = st.dictionaries(
    st.sampled_from((*vocab.ELIGIBLE_EXPENSE_CATEGORIES, vocab.EXCLUDED_EXPENSE_CATEGORY)), amounts, max_size=6)
period_dates = st.dates(min_value=date(2022, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def employment_periods(draw):
    start = draw(period_dates)
    end = draw(st.none() | st.dates(min_value=start, max_value=date(2027, 12, 31)))
    return EmploymentPeriod(start, end)


@given(expense_maps, st.lists(employment_periods(), max_size=4), st.sampled_from([None, 1, 2]), st.booleans())
def test_claim_properties(expenses, periods, cap, prorate):
    settings = SubsidySettings(prorate_by_month=prorate)
    subsidy = compute_subsidy(expenses, periods, 2024, cap, settings)
    assert subsidy.claim <= subsidy.base
    assert subsidy.claim <= subsidy.eligible
    assert subsidy.claim % 1_000 == 0
    assert min(subsidy.base, subsidy.eligible) - subsidy.claim < 1_000
    assert subsidy.eligible == sum(v for k, v in expenses.items() if k != "備品購入費")
    assert subsidy.base <= 5_500_000 * (cap or 1)
    assert subsidy.base <= 5_500_000 * placed_promoters(periods, 2024)


# ---------------------------------------------------------------- cap warning

def test_cap_warning():
    warning = cap_exceeded_warning(3, 2, "八王子市", 2024)
    assert warning is not None
    assert "八王子市" in warning and "令和6年度" in warning and "3人" in warning and "2人" in warning
    assert "令和元年度" in cap_exceeded_warning(2, 1, "檜原村", 2019)


@pytest.mark.parametrize(("placed", "cap"), [(2, 2), (1, 2), (0, 1), (5, None)])
def test_no_cap_warning(placed, cap):
    assert cap_exceeded_warning(placed, cap, "港区", 2024) is None


# ---------------------------------------------------------------- places

@pytest.mark.parametrize(("start", "end", "months"), [
    (None, None, 12),
    (date(2020, 1, 1), None, 12),
    (date(2024, 4, 30), None, 12),
    (date(2024, 5, 1), None, 11),
    (date(2025, 3, 31), None, 1),
    (date(2025, 4, 1), None, 0),
    (None, date(2024, 3, 31), 0),
    (None, date(2024, 4, 1), 1),
    (date(2024, 6, 15), date(2024, 8, 1), 3),
    (date(2024, 12, 31), date(2025, 1, 1), 2),
    (date(2024, 8, 1), date(2024, 6, 1), 0),
])
def test_open_months(start, end, months):
    assert open_months_in_fiscal_year(start, end, 2024) == months
    assert is_active_in_fiscal_year(start, end, 2024) == (months > 0)


@given(st.none() | period_dates, st.none() | period_dates, st.integers(min_value=2021, max_value=2026))
def test_active_iff_some_open_month(start, end, fy):
    months = open_months_in_fiscal_year(start, end, fy)
    assert 0 <= months <= 12
    assert is_active_in_fiscal_year(start, end, fy) == (months > 0)


@pytest.mark.parametrize(("gatherings", "months", "bucket"), [
    (48, 12, "週1回以上"), (47, 12, "月2回以上4回未満"), (24, 12, "月2回以上4回未満"), (23, 12, "月1回以上2回未満"),
    (12, 12, "月1回以上2回未満"), (11, 12, "月1回未満"), (0, 12, "月1回未満"), (4, 1, "週1回以上"), (5, 0, None),
])
def test_actual_frequency(gatherings, months, bucket):
    assert actual_frequency(gatherings, months) == bucket


# ---------------------------------------------------------------- participation

@pytest.mark.parametrize(("total", "a", "b", "expected"), [
    (30, 10, 15, 25), (30, None, 15, 15), (30, 10, None, 10), (30, None, None, 30), (30, 0, 0, 0),
])
def test_members_65_plus(total, a, b, expected):
    assert members_65_plus(total, a, b) == expected


@pytest.mark.parametrize(("members", "population", "rate"), [
    (1, 2000, 0.1),  # 0.05 → 0.1: half up, not half even
    (3, 2000, 0.2),  # 0.15 → 0.2 (binary floats would give 0.1)
    (1, 3, 33.3),
    (2, 3, 66.7),
    (0, 100, 0.0),
    (150, 100, 150.0),
    (5, None, None),
    (5, 0, None),
])
def test_participation_rate(members, population, rate):
    assert participation_rate(members, population) == rate


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**7))
def test_participation_rate_matches_exact_half_up(members, population):
    tenths = Fraction(members * 1000, population)
    expected = int(tenths + Fraction(1, 2)) / 10
    assert participation_rate(members, population) == expected
