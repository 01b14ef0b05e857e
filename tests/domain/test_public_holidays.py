"""The one holiday rule of the month grid and the attendance sheet: Japan's 祝日, 振替休日 and 国民の休日, offline."""

from __future__ import annotations

from datetime import date

from kaigo_desktop.domain.public_holidays import holiday_name, is_day_off, is_holiday, is_saturday, weekday_mark


def test_holidays_of_japan_with_their_names() -> None:
    assert holiday_name(date(2026, 5, 3)) == "憲法記念日"
    assert holiday_name(date(2026, 5, 6)) == "振替休日"  # 5/3 fell on a Sunday
    assert holiday_name(date(2026, 9, 22)) == "国民の休日"  # between 敬老の日 and 秋分の日
    assert holiday_name(date(2026, 5, 7)) is None and not is_holiday(date(2026, 5, 7))


def test_weekday_mark_and_calendar_colours() -> None:
    assert weekday_mark(date(2026, 5, 6)) == "水・祝"
    assert weekday_mark(date(2026, 5, 7)) == "木"
    assert is_day_off(date(2026, 5, 10)) and is_day_off(date(2026, 5, 6)) and not is_day_off(date(2026, 5, 7))
    assert is_saturday(date(2026, 5, 9)) and not is_saturday(date(2026, 5, 10))
