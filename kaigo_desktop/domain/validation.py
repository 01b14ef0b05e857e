"""Structured validation errors and the record checks shared by the GUI and the CLI."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.fiscal import format_wareki


@dataclass(frozen=True)
class FieldError:
    """One problem with one field; field is the record attribute name, message is Japanese for users."""

    field: str
    message: str


class ValidationFailed(UserFacingError):
    """A record was refused; errors says which fields and why (field is the first error's)."""

    kind = "invalid"

    def __init__(self, errors: Iterable[FieldError] | FieldError):
        self.errors: tuple[FieldError, ...] = (errors,) if isinstance(errors, FieldError) else tuple(errors)
        super().__init__("\n".join(error.message for error in self.errors),
                         field=self.errors[0].field if self.errors else "")

    def __str__(self) -> str:
        return "\n".join(error.message for error in self.errors)


def _show(d: date) -> str:
    try:
        return format_wareki(d)
    except ValueError:  # before 昭和: no 和暦 form, show it as stored
        return d.isoformat()


def require(value: object, field: str, label: str) -> list[FieldError]:
    """「{label}を入力してください。」 when value is None or blank text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return [FieldError(field, f"{label}を入力してください。")]
    return []


# The largest figure each count or amount may hold, by record field. Far above anything real, and small
# enough that a sum over a million records stays far inside SQLite's 64-bit integers, so `stats` and the
# reports never overflow. Every path that stores a record (forms, imports, exchange) checks through here.
MAX_PEOPLE = 9_999  # one gathering's participants, one place's members in a 年度 (the forms take 4 digits)
FIELD_LIMITS: dict[str, int] = {
    **dict.fromkeys(("attendance_total", "new_participants", "total", "male", "female", "age_under_65",
                     "age_65_74", "age_75_plus"), MAX_PEOPLE),
    "capacity": 100_000,  # 定員 of one place
    "minutes": 24 * 60,  # one activity on one day
    "population_65_plus": 20_000_000,  # one 区市町村 (all of Tokyo has about 3.2 million)
    "population_75_plus": 20_000_000,
    "amount": 100_000_000_000,  # one expense category in one 年度: 1,000億円
}


# The units people write after a figure of each field ("20人", "20名", "90分", "1,234円"); text.parse_count
# takes them.
_FIELD_UNITS: dict[str, tuple[str, ...]] = {"minutes": ("分",), "amount": ("円",)}
_PEOPLE_UNITS = ("人", "名")


def count_units(field: str) -> tuple[str, ...]:
    """The units a count of `field` may be typed with: 分 for minutes, 円 for amounts, 人 or 名 for the rest."""
    return _FIELD_UNITS.get(field, _PEOPLE_UNITS)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PEOPLE


def check_count(value: object, field: str, label: str) -> list[FieldError]:
    """A count or amount: blank (None) is fine; otherwise an integer from 0 to FIELD_LIMITS[field]."""
    if value is None:
        return []
    if isinstance(value, bool) or not isinstance(value, int):
        return [FieldError(field, f"{label}は整数で入力してください。")]
    if value < 0:
        return [FieldError(field, f"{label}は0以上で入力してください。")]
    limit = FIELD_LIMITS[field]
    if value > limit:
        return [FieldError(field, f"{label}は{limit:,}以下で入力してください（{_short(value)}）。")]
    return []


def _short(value: int) -> str:
    """A number as it can be shown in a message: 1e30 typed by mistake is not printed in full."""
    text = f"{value:,}"
    return text if len(text) <= 20 else f"{len(str(value))}桁の数"


def _counts(values: dict[str, int | None], labels: dict[str, str]) -> list[FieldError]:
    errors = []
    for field, value in values.items():
        # (the usual case first, cheaply: bundles and bulk entry check hundreds of thousands of these)
        if value is not None and not (type(value) is int and 0 <= value <= FIELD_LIMITS[field]):
            errors += check_count(value, field, labels[field])
    return errors


_SEX_AND_AGE_LABELS = {
    "male": "男性", "female": "女性",
    "age_under_65": "65歳未満", "age_65_74": "65～74歳", "age_75_plus": "75歳以上",
}
_ATTENDANCE_LABELS = {"attendance_total": "参加者数", "new_participants": "新規参加者数", **_SEX_AND_AGE_LABELS}
_MEMBERS_LABELS = {"total": "実人数", **_SEX_AND_AGE_LABELS}


def _breakdown(total_field: str, total_label: str, total: int | None, parts: dict[str, int | None],
               labels: dict[str, str]) -> list[FieldError]:
    """Counts ≥ 0, total required, 男性+女性 ≤ total, given age bands sum to total. Sum problems are
    reported on the total field; the message names both numbers."""
    errors = require(total, total_field, total_label)
    errors += _counts({total_field: total, **parts}, labels)
    if errors:
        return errors  # the sums mean nothing until every count is a valid number
    male, female = parts["male"], parts["female"]
    sex = (male or 0) + (female or 0)
    if sex > total:
        errors.append(FieldError(
            total_field, f"男性と女性の合計（{sex}人）が{total_label}（{total}人）を超えています。"))
    ages = [value for value in (parts["age_under_65"], parts["age_65_74"], parts["age_75_plus"]) if value is not None]
    if ages and sum(ages) != total:
        errors.append(FieldError(
            total_field, f"年齢区分の合計（{sum(ages)}人）が{total_label}（{total}人）と一致しません。"))
    return errors


def check_attendance(*, attendance_total: int | None, male: int | None = None, female: int | None = None,
                     age_under_65: int | None = None, age_65_74: int | None = None,
                     age_75_plus: int | None = None, new_participants: int | None = None) -> list[FieldError]:
    """Attendance of one gathering: counts ≥ 0, total required, 男性+女性 ≤ total, given age bands sum to
    the total (reported on attendance_total), new participants ≤ total (on new_participants)."""
    counts = (attendance_total, male, female, age_under_65, age_65_74, age_75_plus, new_participants)
    try:
        return list(_attendance_problems(*counts))
    except TypeError:  # a value that cannot be remembered (not a number at all): checked afresh
        return list(_attendance_problems.__wrapped__(*counts))


# A pure function of a few small numbers that bundles and bulk entry meet again and again (typed: True is not 1).
@functools.lru_cache(maxsize=65_536, typed=True)
def _attendance_problems(attendance_total: int | None, male: int | None, female: int | None,
                         age_under_65: int | None, age_65_74: int | None, age_75_plus: int | None,
                         new_participants: int | None) -> tuple[FieldError, ...]:
    parts = {"male": male, "female": female, "age_under_65": age_under_65, "age_65_74": age_65_74,
             "age_75_plus": age_75_plus}
    errors = _breakdown("attendance_total", "参加者数", attendance_total, parts, _ATTENDANCE_LABELS)
    new_errors = _counts({"new_participants": new_participants}, _ATTENDANCE_LABELS)
    errors += new_errors
    if (not new_errors and new_participants is not None and _is_count(attendance_total)
            and new_participants > attendance_total):
        errors.append(FieldError(
            "new_participants", f"新規参加者数（{new_participants}人）が参加者数（{attendance_total}人）を超えています。"))
    return tuple(errors)


def check_members(*, total: int | None, male: int | None = None, female: int | None = None,
                  age_under_65: int | None = None, age_65_74: int | None = None,
                  age_75_plus: int | None = None) -> list[FieldError]:
    """参加者実人数 of a place and 年度: the same rules as attendance, the total field being "total"."""
    parts = {"male": male, "female": female, "age_under_65": age_under_65, "age_65_74": age_65_74,
             "age_75_plus": age_75_plus}
    return _breakdown("total", "実人数", total, parts, _MEMBERS_LABELS)


def check_gathering_date(held_on: date | None, *, place_start: date | None, place_end: date | None,
                         today: date) -> list[FieldError]:
    """開催日: required, not in the future, inside the place's open period (field "held_on")."""
    if held_on is None:
        return require(None, "held_on", "開催日")
    errors = []
    if held_on > today:
        errors.append(FieldError("held_on", f"開催日（{_show(held_on)}）が今日（{_show(today)}）より後です。"))
    if place_start is not None and held_on < place_start:
        errors.append(FieldError(
            "held_on", f"開催日（{_show(held_on)}）が通いの場の開始日（{_show(place_start)}）より前です。"))
    if place_end is not None and held_on > place_end:
        errors.append(FieldError(
            "held_on", f"開催日（{_show(held_on)}）が通いの場の終了日（{_show(place_end)}）より後です。"))
    return errors


def check_period(start: date | None, end: date | None, *, start_field: str = "start_date",
                 end_field: str = "end_date", start_label: str = "開始日", end_label: str = "終了日"
                 ) -> list[FieldError]:
    """end ≥ start when both are given; the error is on end_field (start_field is accepted so callers can
    name both fields alike)."""
    if start is not None and end is not None and end < start:
        return [FieldError(end_field, f"{end_label}（{_show(end)}）が{start_label}（{_show(start)}）より前です。")]
    return []
