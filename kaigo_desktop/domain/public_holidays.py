"""Japan's public holidays (祝日, 振替休日, 国民の休日) and the weekday mark printed after a date (「水」, 「金・祝」):
the one rule the month grid and the attendance sheet both use. The `holidays` package carries the rules inside
itself, so this works offline."""

from __future__ import annotations

import functools
from datetime import date

import holidays

WEEKDAYS = "月火水木金土日"
HOLIDAY_MARK = "祝"


@functools.lru_cache(maxsize=32)
def _holidays_of(year: int) -> dict[date, str]:
    # One year at a time, kept: a grid repaints its days on every keystroke.
    return dict(holidays.country_holidays("JP", years=year, language="ja"))


def holiday_name(day: date) -> str | None:
    """The holiday's Japanese name (「憲法記念日」, 「振替休日」), None on an ordinary day."""
    return _holidays_of(day.year).get(day)


def is_holiday(day: date) -> bool:
    return holiday_name(day) is not None


def weekday_mark(day: date) -> str:
    """「水」, or 「金・祝」 on a public holiday."""
    weekday = WEEKDAYS[day.weekday()]
    return f"{weekday}・{HOLIDAY_MARK}" if is_holiday(day) else weekday


def is_day_off(day: date) -> bool:
    """Sunday or a public holiday: shown in red as on a Japanese calendar (Saturday is blue, see is_saturday)."""
    return day.weekday() == 6 or is_holiday(day)


def is_saturday(day: date) -> bool:
    return day.weekday() == 5 and not is_holiday(day)
