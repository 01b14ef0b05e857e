"""年度 and 和暦: boundaries, formatting, parsing and round trips."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaigo_desktop.domain.fiscal import (
    DateParseError,
    era_of,
    fiscal_year_of,
    fiscal_year_range,
    format_fiscal_year,
    format_iso,
    format_wareki,
    format_wareki_short,
    format_wareki_month,
    fiscal_month_range,
    month_of_fiscal_year,
    month_range,
    months_of_fiscal_year,
    parse_date,
    parse_fiscal_year,
)

dates_1927_2100 = st.dates(min_value=date(1927, 1, 1), max_value=date(2100, 12, 31))


# ---------------------------------------------------------------- 年度

@pytest.mark.parametrize(("d", "fy"), [
    (date(2024, 4, 1), 2024), (date(2025, 3, 31), 2024), (date(2024, 3, 31), 2023),
    (date(2024, 12, 31), 2024), (date(2025, 1, 1), 2024),
])
def test_fiscal_year_of(d, fy):
    assert fiscal_year_of(d) == fy


def test_fiscal_year_range():
    assert fiscal_year_range(2024) == (date(2024, 4, 1), date(2025, 3, 31))


def test_months_of_fiscal_year():
    months = months_of_fiscal_year(2024)
    assert len(months) == 12
    assert months[0] == (2024, 4) and months[8] == (2024, 12) and months[9] == (2025, 1)
    assert months[-1] == (2025, 3)


@pytest.mark.parametrize(("year", "month", "last"), [
    (2024, 2, date(2024, 2, 29)), (2025, 2, date(2025, 2, 28)), (2100, 2, date(2100, 2, 28)),
    (2025, 3, date(2025, 3, 31)), (2024, 4, date(2024, 4, 30)), (2024, 12, date(2024, 12, 31)),
])
def test_month_range(year, month, last):
    assert month_range(year, month) == (date(year, month, 1), last)


def test_months_of_the_fiscal_year_and_their_ranges():
    assert month_of_fiscal_year(2024, 4) == (2024, 4) and month_of_fiscal_year(2024, 12) == (2024, 12)
    assert month_of_fiscal_year(2024, 1) == (2025, 1) and month_of_fiscal_year(2024, 3) == (2025, 3)
    assert fiscal_month_range(2024, 3) == (date(2025, 3, 1), date(2025, 3, 31))  # the survey's reference month
    assert fiscal_month_range(2023, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    with pytest.raises(ValueError):
        month_of_fiscal_year(2024, 13)


@given(st.integers(1989, 2100), st.integers(1, 12))
def test_a_month_of_the_fiscal_year_lies_inside_it(fy, month):
    first, last = fiscal_month_range(fy, month)
    start, end = fiscal_year_range(fy)
    assert start <= first <= last <= end and fiscal_year_of(first) == fy


@given(dates_1927_2100)
def test_fiscal_year_of_is_in_its_range(d):
    start, end = fiscal_year_range(fiscal_year_of(d))
    assert start <= d <= end
    assert (d.year, d.month) in months_of_fiscal_year(fiscal_year_of(d))


# ---------------------------------------------------------------- 和暦 formatting

@pytest.mark.parametrize(("d", "long", "short", "era"), [
    (date(2019, 4, 30), "平成31年4月30日", "H31.4.30", ("平成", 31)),
    (date(2019, 5, 1), "令和元年5月1日", "R1.5.1", ("令和", 1)),
    (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7", ("昭和", 64)),
    (date(1989, 1, 8), "平成元年1月8日", "H1.1.8", ("平成", 1)),
    (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25", ("昭和", 1)),
    (date(2024, 4, 1), "令和6年4月1日", "R6.4.1", ("令和", 6)),
])
def test_wareki(d, long, short, era):
    assert format_wareki(d) == long
    assert format_wareki_short(d) == short
    assert era_of(d) == era


def test_before_showa_is_refused():
    with pytest.raises(ValueError):
        era_of(date(1926, 12, 24))
    with pytest.raises(ValueError):
        format_wareki(date(1900, 1, 1))


@pytest.mark.parametrize(("fy", "text"), [
    (2019, "令和元年度"), (2018, "平成30年度"), (1989, "平成元年度"), (2024, "令和6年度"), (2020, "令和2年度"),
    (1988, "昭和63年度"),
])
def test_format_fiscal_year(fy, text):
    assert format_fiscal_year(fy) == text


def test_format_iso():
    assert format_iso(date(2024, 4, 1)) == "2024-04-01"


# ---------------------------------------------------------------- parse_date

@pytest.mark.parametrize("value", [
    date(2024, 4, 1), datetime(2024, 4, 1, 13, 45), "2024-04-01", "2024/4/1", "2024.4.1", "2024年4月1日",
    "令和6年4月1日", "R6.4.1", "R06/04/01", "r6.4.1", "R6-4-1", "２０２４／４／１", "  2024/04/01\t",
    "令和６年４月１日", "令和 6年 4月 1日", "20240401", "2024/4/1 0:00:00", "2024-04-01T00:00:00", 45383, 45383.75,
])
def test_parse_date_accepts(value):
    assert parse_date(value) == date(2024, 4, 1)


@pytest.mark.parametrize(("value", "expected"), [
    ("H31.4.30", date(2019, 4, 30)), ("平成31年4月30日", date(2019, 4, 30)),
    ("令和元年5月1日", date(2019, 5, 1)), ("R1.5.1", date(2019, 5, 1)), ("S64.1.7", date(1989, 1, 7)),
    ("㍻元年1月8日", date(1989, 1, 8)),
    (1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (61, date(1900, 3, 1)), (43586, date(2019, 5, 1)),
])
def test_parse_date_edges(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [
    "2024-02-30", "2023/2/29", "R1.4.30", "H31.5.1", "令和0年1月1日", "R0.1.1", "S64.1.8", "H1.1.7",
    "abc", "", "   ", "2024/13/1", "20241301", "2024-04", "2024-04/01", "T1.1.1", 60, 0, -5, True, None,
    float("nan"), "45383",
])
def test_parse_date_rejects(value):
    with pytest.raises(DateParseError):
        parse_date(value)


def test_parse_date_error_is_value_error_with_japanese_message():
    with pytest.raises(ValueError, match="日付として読めません: xyz"):
        parse_date("xyz")
    with pytest.raises(DateParseError, match="令和は2019年5月1日から"):
        parse_date("R1.4.30")
    with pytest.raises(DateParseError, match="平成は2019年4月30日まで"):
        parse_date("H31.5.1")
    with pytest.raises(DateParseError, match="存在しない日付"):
        parse_date("2024-02-30")


@given(dates_1927_2100)
def test_wareki_round_trip(d):
    assert parse_date(format_wareki(d)) == d
    assert parse_date(format_wareki_short(d)) == d
    assert parse_date(format_iso(d)) == d
    assert parse_date(d.strftime("%Y%m%d")) == d


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)))
def test_excel_serial_matches_excel_epoch(d):
    serial = (d - date(1899, 12, 30)).days
    assert parse_date(serial) == d
    assert parse_date(float(serial) + 0.5) == d


# ---------------------------------------------------------------- parse_fiscal_year

@pytest.mark.parametrize(("value", "fy"), [
    (2024, 2024), ("2024", 2024), ("2024年度", 2024), ("令和6年度", 2024), ("令和元年度", 2019), ("R6", 2024),
    ("R6年度", 2024), ("r6", 2024), ("平成30年度", 2018), ("２０２４年度", 2024), ("令和６年度", 2024),
    (" 2024 ", 2024), ("H1", 1989), ("平成元年度", 1989), ("平成31年度", 2019), (2024.0, 2024), (1989, 1989),
    (2100, 2100),
])
def test_parse_fiscal_year(value, fy):
    assert parse_fiscal_year(value) == fy


@pytest.mark.parametrize("value", [
    1988, 2101, "1988", "昭和63年度", "令和0年度", "平成32年度", "R", "2024年度度", "abc", "", None, True, 2024.5,
])
def test_parse_fiscal_year_rejects(value):
    with pytest.raises(ValueError, match="年度"):
        parse_fiscal_year(value)


@given(st.integers(min_value=1989, max_value=2100))
def test_fiscal_year_round_trip(fy):
    assert parse_fiscal_year(format_fiscal_year(fy)) == fy
    assert parse_fiscal_year(f"{fy}年度") == fy


# ---- issue 15: 和暦 typed into the forms, and month pickers in 和暦

@pytest.mark.parametrize(("typed", "expected"), [
    ("8.4.1", date(2026, 4, 1)), ("８．４．１", date(2026, 4, 1)), ("8/4/1", date(2026, 4, 1)),
    ("8年4月1日", date(2026, 4, 1)), ("元.5.1", date(2019, 5, 1)), ("R8.4.1", date(2026, 4, 1)),
    ("令和8年4月1日", date(2026, 4, 1)), ("2026/4/1", date(2026, 4, 1)),
])
def test_a_form_reads_a_year_without_era_as_the_current_era(typed, expected) -> None:
    assert parse_date(typed, era_less_is_current=True) == expected


@pytest.mark.parametrize("typed", ["8.4.1", "24/4/1", "元.5.1"])
def test_files_never_read_a_year_without_era(typed) -> None:
    with pytest.raises(DateParseError):  # "24/4/1" in a spreadsheet may be a two-digit western year
        parse_date(typed)


def test_an_era_less_date_before_reiwa_began_is_refused() -> None:
    with pytest.raises(DateParseError, match="令和は2019年5月1日からです"):
        parse_date("1.4.30", era_less_is_current=True)


@pytest.mark.parametrize(("year", "month", "shown"), [
    (2026, 4, "令和8年4月"), (2019, 4, "平成31年4月"), (2019, 5, "令和元年5月"), (1989, 1, "平成元年1月"),
])
def test_month_pickers_show_wareki(year, month, shown) -> None:
    assert format_wareki_month(year, month) == shown


@pytest.mark.parametrize("typed, expected", [
    ("令和8年4月", (2026, 4)), ("R8.4", (2026, 4)), ("r8/4", (2026, 4)), ("２０２６年４月", (2026, 4)),
    ("2026/4", (2026, 4)), ("2026-04", (2026, 4)), ("202604", (2026, 4)), ("令和元年5月", (2019, 5)),
    ("H31.4", (2019, 4)),
])
def test_a_month_typed_into_a_month_picker(typed: str, expected: tuple[int, int]) -> None:
    from kaigo_desktop.domain.fiscal import parse_typed_month

    assert parse_typed_month(typed) == expected


@pytest.mark.parametrize("typed", ["10", "", "令和8年13月", "あ"])
def test_a_month_that_cannot_be_read_is_refused_in_japanese(typed: str) -> None:
    from kaigo_desktop.domain.fiscal import DateParseError, parse_typed_month

    with pytest.raises(DateParseError, match="月として読めません"):
        parse_typed_month(typed)
