"""年度 (fiscal years) and 和暦 (Japanese eras): computing, formatting and parsing the dates users type."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from calendar import monthrange
from datetime import date, datetime, timedelta

FISCAL_YEAR_MIN = 1989  # 平成元年度: nothing this app records is older
FISCAL_YEAR_MAX = 2100


class DateParseError(ValueError):
    """A value that cannot be read as a date; the message is shown to users as is."""


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    start: date


# Newest first, so the first era whose start is on or before a date is the era of that date.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
)
_ERA_BY_TOKEN: dict[str, Era] = {token: era for era in ERAS for token in (era.name, era.letter)}


def _era_end(era: Era) -> date | None:
    """Last day of an era, None for the current one."""
    index = ERAS.index(era)
    return None if index == 0 else ERAS[index - 1].start - timedelta(days=1)


# ---------------------------------------------------------------- 年度

def fiscal_year_of(d: date) -> int:
    """The 年度 containing d: April to March, named by the year it starts in."""
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_range(fy: int) -> tuple[date, date]:
    """First and last day of the 年度."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def month_of_fiscal_year(fy: int, month: int) -> tuple[int, int]:
    """(year, month) of a month of the 年度: April to December are in its first calendar year, January to
    March in the next."""
    if not 1 <= month <= 12:
        raise ValueError(f"月は1〜12で指定してください: {month}")
    return (fy + 1 if month <= 3 else fy), month


def months_of_fiscal_year(fy: int) -> list[tuple[int, int]]:
    """(year, month) of the twelve months of the 年度, April first."""
    return [month_of_fiscal_year(fy, m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def month_range(year: int, month: int) -> tuple[date, date]:
    """First and last day of a calendar month."""
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def fiscal_month_range(fy: int, month: int) -> tuple[date, date]:
    """First and last day of a month of the 年度, e.g. the survey's reference month (March = next year)."""
    return month_range(*month_of_fiscal_year(fy, month))


def counted_until(fy: int, today: date) -> tuple[date, bool]:
    """The last day a 年度's figures count, and whether the 年度 has ended. A 年度 in progress is counted to
    the end of the last complete month before today (a month of 3 days is not a month the places were open
    in); before its first month ends, the day before it starts (nothing is counted)."""
    fy_start, fy_end = fiscal_year_range(fy)
    if today > fy_end:
        return fy_end, True
    return max(date(today.year, today.month, 1), fy_start) - timedelta(days=1), False


def in_progress_label(as_of: date) -> str:
    """What every output of a 年度 in progress says: 「令和8年11月30日現在（年度途中）」."""
    return f"{format_wareki(as_of)}現在（年度途中）"


def survey_pending_label(reference_month: int) -> str:
    """The survey count before its reference month is recorded: 「未確定（3月の記録後）」."""
    return f"未確定（{reference_month}月の記録後）"


# ---------------------------------------------------------------- 和暦

def _era_and_year(d: date) -> tuple[Era, int]:
    for era in ERAS:
        if d >= era.start:
            return era, d.year - era.start.year + 1
    raise ValueError(f"昭和より前の日付は和暦で表せません: {d.isoformat()}")


def era_of(d: date) -> tuple[str, int]:
    """(era name, year of the era), e.g. ("令和", 6); ValueError before 昭和."""
    era, year = _era_and_year(d)
    return era.name, year


def _year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def format_wareki(d: date) -> str:
    """"令和6年4月1日"; the first year of an era is written 元年."""
    era, year = _era_and_year(d)
    return f"{era.name}{_year_text(year)}年{d.month}月{d.day}日"


def format_wareki_short(d: date) -> str:
    """"R6.4.1", the form spreadsheets use (the first year is written 1, not 元)."""
    era, year = _era_and_year(d)
    return f"{era.letter}{year}.{d.month}.{d.day}"


def format_wareki_month(year: int, month: int) -> str:
    """"令和8年4月", what every month picker shows (元年 for an era's first year)."""
    era, era_year = _era_and_year(date(year, month, monthrange(year, month)[1]))
    return f"{era.name}{_year_text(era_year)}年{month}月"


def format_fiscal_year(fy: int) -> str:
    """"令和6年度". The one place that holds the convention: a 年度 takes the era in force at the end of
    the calendar year it starts in, so 2019年度 = 令和元年度, 1989年度 = 平成元年度, 2018年度 = 平成30年度."""
    era, year = _era_and_year(date(fy, 12, 31))
    return f"{era.name}{_year_text(year)}年度"


def format_iso(d: date) -> str:
    """"2024-04-01", the stored form."""
    return d.isoformat()


def optional_iso_date(text: str | None) -> date | None:
    """A stored date back ("2024-04-01"), None for an empty one (an open end)."""
    return date.fromisoformat(text) if text else None


# ---------------------------------------------------------------- parsing

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 = 1900-03-01 counts from here
_EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31

_ERA_TOKEN = "|".join(sorted(_ERA_BY_TOKEN, key=len, reverse=True))
_TIME_SUFFIX = re.compile(r"^(?P<date>.+?)(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_WESTERN = re.compile(
    r"^(?P<y>\d{4})(?:年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日|(?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))$")
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_WAREKI = re.compile(
    rf"^(?P<era>{_ERA_TOKEN})(?P<y>元|\d{{1,2}})"
    r"(?:年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日|(?P<sep>[-/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))$")
# 8.4.1 / 8/4/1 / 8年4月1日 typed into a form: the year of the current era (never read so in files, where
# "24/4/1" may be a two-digit western year).
_ERA_LESS = re.compile(
    r"^(?P<y>元|\d{1,2})(?:年(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日|(?P<sep>[/.])(?P<m2>\d{1,2})(?P=sep)(?P<d2>\d{1,2}))$")


def _clean(text: str) -> str:
    # NFKC turns full-width digits and punctuation into ASCII (and ㍻/㋿ into 平成/令和); era letters are
    # case-insensitive, so upper-case them, while kanji are unaffected by upper().
    return unicodedata.normalize("NFKC", text).strip().upper()


def _from_excel_serial(value: int | float, original: object) -> date:
    # Excel's 1900 system: serial 1 = 1900-01-01, and it believes 1900-02-29 exists (serial 60).
    if value != value or value in (float("inf"), float("-inf")):
        raise DateParseError(f"日付として読めません: {original}")
    serial = int(value // 1)  # a fraction is the time of day
    if serial == 60:
        raise DateParseError(f"存在しない日付です（Excelの1900年2月29日）: {original}")
    if serial < 1 or serial > _EXCEL_MAX_SERIAL:
        raise DateParseError(f"日付として読めません: {original}")
    if serial < 60:
        return _EXCEL_EPOCH + timedelta(days=serial + 1)
    return _EXCEL_EPOCH + timedelta(days=serial)


def _make_date(year: int, month: int, day: int, original: object) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateParseError(f"存在しない日付です: {original}") from None


def _wareki_date(era: Era, era_year_text: str, month: int, day: int, original: object) -> date:
    era_year = 1 if era_year_text == "元" else int(era_year_text)
    if era_year < 1:
        raise DateParseError(f"{era.name}0年はありません: {original}")
    d = _make_date(era.start.year + era_year - 1, month, day, original)
    if d < era.start:
        raise DateParseError(f"{era.name}は{era.start.year}年{era.start.month}月{era.start.day}日からです: {original}")
    end = _era_end(era)
    if end is not None and d > end:
        raise DateParseError(f"{era.name}は{end.year}年{end.month}月{end.day}日までです: {original}")
    return d


def parse_date(value: object, *, era_less_is_current: bool = False) -> date:
    """A date from whatever a user or a spreadsheet gives: date, datetime, an Excel serial (int or float
    only: digit strings are read as YYYYMMDD), ISO and slash/dot/年月日 forms, 和暦 (令和6年4月1日, R6.4.1,
    R06/04/01, H31.4.30), full-width or not. With `era_less_is_current` (date fields of the forms) a year of
    one or two digits without an era is a year of the current era: 8.4.1 = 令和8年4月1日. Raises
    DateParseError with a Japanese message."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):  # bool is an int, but True is no date
        raise DateParseError(f"日付として読めません: {value}")
    if isinstance(value, (int, float)):
        return _from_excel_serial(value, value)
    if not isinstance(value, str):
        raise DateParseError(f"日付として読めません: {value}")
    text = _clean(value)
    if not text:
        raise DateParseError("日付が入力されていません")
    timed = _TIME_SUFFIX.match(text)
    if timed:  # "2024/4/1 0:00:00" as spreadsheets export date cells
        text = timed.group("date")
    text = re.sub(r"\s+", "", text)

    if m := _WESTERN.match(text):
        month, day = (m.group("m1"), m.group("d1")) if m.group("m1") else (m.group("m2"), m.group("d2"))
        return _make_date(int(m.group("y")), int(month), int(day), value)
    if m := _COMPACT.match(text):
        return _make_date(int(m.group("y")), int(m.group("m")), int(m.group("d")), value)
    if m := _WAREKI.match(text):
        month, day = (m.group("m1"), m.group("d1")) if m.group("m1") else (m.group("m2"), m.group("d2"))
        return _wareki_date(_ERA_BY_TOKEN[m.group("era")], m.group("y"), int(month), int(day), value)
    if era_less_is_current and (m := _ERA_LESS.match(text)):
        month, day = (m.group("m1"), m.group("d1")) if m.group("m1") else (m.group("m2"), m.group("d2"))
        return _wareki_date(ERAS[0], m.group("y"), int(month), int(day), value)
    raise DateParseError(f"日付として読めません: {value}")


def parse_typed_date(text: str) -> date:
    """A date typed by hand into any field or cell of the app: parse_date, with 8.4.1 in the current era."""
    return parse_date(text, era_less_is_current=True)


def parse_typed_month(text: str) -> tuple[int, int]:
    """(year, month) typed into a month picker, in the forms a date field reads without its day: 令和8年4月,
    R8.4, 8.4 (the current era), 2026/4, 2026年4月, 2026-04, 202604 (full-width too). Raises DateParseError."""
    cleaned = re.sub(r"\s+", "", _clean(text))
    if re.fullmatch(r"\d{6}", cleaned):
        candidate = f"{cleaned[:4]}/{cleaned[4:]}/1"
    elif cleaned.endswith("月"):
        candidate = cleaned + "1日"
    else:
        separator = next((s for s in "./-" if s in cleaned), None)
        candidate = cleaned + separator + "1" if separator else cleaned
    try:
        day = parse_typed_date(candidate)
    except DateParseError as error:
        raise DateParseError(f"月として読めません: {text.strip()}（例: 令和8年4月、R8.4、2026/4）") from error
    return day.year, day.month


_FY_WESTERN = re.compile(r"^(?:FY)?(?P<y>\d{4})(?:年度?)?$")
_FY_WAREKI = re.compile(rf"^(?P<era>{_ERA_TOKEN})(?P<y>元|\d{{1,2}})(?:年度?)?$")


def _checked_fiscal_year(fy: int, original: object) -> int:
    if not FISCAL_YEAR_MIN <= fy <= FISCAL_YEAR_MAX:
        raise ValueError(f"年度は{FISCAL_YEAR_MIN}〜{FISCAL_YEAR_MAX}の範囲で指定してください: {original}")
    return fy


def parse_fiscal_year(value: object) -> int:
    """A 年度 as its start year, from 2024, "2024", "2024年度", "令和6年度", "令和元年度", "R6", "R6年度",
    "平成30年度" (full-width too). "平成31年度" is read as 2019, as budgets drawn up before 令和 wrote it.
    Raises ValueError (Japanese) outside 1989..2100 or when unreadable."""
    if isinstance(value, bool):
        raise ValueError(f"年度として読めません: {value}")
    if isinstance(value, int):
        return _checked_fiscal_year(value, value)
    if isinstance(value, float) and value.is_integer():  # a spreadsheet number cell
        return _checked_fiscal_year(int(value), value)
    if not isinstance(value, str):
        raise ValueError(f"年度として読めません: {value}")
    text = re.sub(r"\s+", "", _clean(value))
    if m := _FY_WESTERN.match(text):
        return _checked_fiscal_year(int(m.group("y")), value)
    if m := _FY_WAREKI.match(text):
        era = _ERA_BY_TOKEN[m.group("era")]
        era_year = 1 if m.group("y") == "元" else int(m.group("y"))
        end = _era_end(era)
        last_year = None if end is None else end.year - era.start.year + 1
        if era_year < 1 or (last_year is not None and era_year > last_year):
            raise ValueError(f"{era.name}{era_year}年度はありません: {value}")
        return _checked_fiscal_year(era.start.year + era_year - 1, value)
    raise ValueError(f"年度として読めません: {value}")
