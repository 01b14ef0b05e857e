"""Structured validation errors and the record checks."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.domain.validation import (
    FieldError,
    ValidationFailed,
    check_attendance,
    check_gathering_date,
    check_members,
    check_period,
    require,
)


def fields(errors: list[FieldError]) -> list[str]:
    return [e.field for e in errors]


# ---------------------------------------------------------------- errors

def test_validation_failed_holds_errors_and_joins_messages():
    errors = [FieldError("name", "名称を入力してください。"), FieldError("total", "実人数を入力してください。")]
    failure = ValidationFailed(errors)
    assert failure.errors == tuple(errors)
    assert "名称を入力してください。" in str(failure) and "実人数を入力してください。" in str(failure)
    with pytest.raises(ValidationFailed) as info:
        raise failure
    assert info.value.errors[1].field == "total"


def test_field_error_is_frozen():
    error = FieldError("a", "b")
    with pytest.raises(AttributeError):
        error.field = "c"  # type: ignore[misc]


# ---------------------------------------------------------------- require

@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_require_blank(value):
    assert require(value, "name", "名称") == [FieldError("name", "名称を入力してください。")]


@pytest.mark.parametrize("value", ["a", 0, date(2024, 4, 1)])
def test_require_given(value):
    assert require(value, "name", "名称") == []


# ---------------------------------------------------------------- attendance

def test_attendance_ok():
    assert check_attendance(attendance_total=10) == []
    assert check_attendance(attendance_total=10, male=3, female=7, age_under_65=1, age_65_74=4, age_75_plus=5,
                            new_participants=2) == []
    assert check_attendance(attendance_total=10, male=3) == []  # sex may be partly unknown
    assert check_attendance(attendance_total=10, age_65_74=4, age_75_plus=6) == []
    assert check_attendance(attendance_total=0, male=0, female=0, new_participants=0) == []


def test_attendance_total_required():
    assert check_attendance(attendance_total=None) == [FieldError("attendance_total", "参加者数を入力してください。")]


def test_attendance_negative_counts_name_their_field():
    errors = check_attendance(attendance_total=-1, male=-2, age_75_plus=-3, new_participants=-4)
    assert fields(errors) == ["attendance_total", "male", "age_75_plus", "new_participants"]
    assert all("0以上" in e.message for e in errors)


def test_attendance_sex_exceeds_total():
    errors = check_attendance(attendance_total=10, male=5, female=7)
    assert len(errors) == 1
    assert errors[0].message.startswith("男性と女性の合計（12人）が参加者数（10人）を超えています")


def test_attendance_age_bands_must_sum_to_total():
    errors = check_attendance(attendance_total=10, age_65_74=4, age_75_plus=5)
    assert len(errors) == 1
    assert "9人" in errors[0].message and "10人" in errors[0].message
    assert check_attendance(attendance_total=10, age_under_65=1, age_65_74=4, age_75_plus=6)  # 11 ≠ 10


def test_attendance_new_participants_within_total():
    errors = check_attendance(attendance_total=5, new_participants=6)
    assert fields(errors) == ["new_participants"]
    assert "6人" in errors[0].message and "5人" in errors[0].message
    # reported even when another rule also fails
    assert "new_participants" in fields(check_attendance(attendance_total=5, male=9, new_participants=6))


def test_attendance_rejects_non_integers():
    assert fields(check_attendance(attendance_total=10, male=1.5)) == ["male"]  # type: ignore[arg-type]
    assert fields(check_attendance(attendance_total=True)) == ["attendance_total"]  # type: ignore[arg-type]


# ---------------------------------------------------------------- members

def test_members_same_rules_on_total():
    assert check_members(total=20, male=5, female=15, age_65_74=8, age_75_plus=12) == []
    assert fields(check_members(total=None)) == ["total"]
    errors = check_members(total=10, male=6, female=6)
    assert fields(errors) == ["total"] and "12人" in errors[0].message and "実人数（10人）" in errors[0].message
    assert fields(check_members(total=10, age_65_74=3)) == ["total"]
    assert fields(check_members(total=10, female=-1)) == ["female"]


# ---------------------------------------------------------------- gathering date

TODAY = date(2024, 6, 1)


def test_gathering_date_ok():
    assert check_gathering_date(date(2024, 6, 1), place_start=date(2024, 6, 1), place_end=date(2024, 6, 1),
                                today=TODAY) == []
    assert check_gathering_date(date(2020, 1, 1), place_start=None, place_end=None, today=TODAY) == []


def test_gathering_in_future():
    errors = check_gathering_date(date(2024, 6, 2), place_start=None, place_end=None, today=TODAY)
    assert fields(errors) == ["held_on"]
    assert "令和6年6月2日" in errors[0].message and "令和6年6月1日" in errors[0].message


def test_gathering_outside_open_period():
    before = check_gathering_date(date(2019, 4, 30), place_start=date(2019, 5, 1), place_end=None, today=TODAY)
    assert fields(before) == ["held_on"]
    assert "平成31年4月30日" in before[0].message and "令和元年5月1日" in before[0].message
    after = check_gathering_date(date(2024, 5, 2), place_start=None, place_end=date(2024, 5, 1), today=TODAY)
    assert fields(after) == ["held_on"] and "終了日" in after[0].message


def test_gathering_date_required():
    assert fields(check_gathering_date(None, place_start=None, place_end=None, today=TODAY)) == ["held_on"]


# ---------------------------------------------------------------- periods

def test_check_period():
    assert check_period(date(2024, 4, 1), date(2024, 4, 1)) == []
    assert check_period(None, date(2024, 4, 1)) == []
    assert check_period(date(2024, 4, 1), None) == []
    errors = check_period(date(2024, 4, 2), date(2024, 4, 1))
    assert fields(errors) == ["end_date"]
    assert "令和6年4月1日" in errors[0].message and "令和6年4月2日" in errors[0].message
    errors = check_period(date(2024, 4, 2), date(2024, 4, 1), start_field="start", end_field="end")
    assert fields(errors) == ["end"]


def test_every_count_field_has_one_bound_checked_alike() -> None:
    from kaigo_desktop.domain.validation import FIELD_LIMITS, check_count

    for field, limit in FIELD_LIMITS.items():
        assert check_count(limit, field, "数") == []
        assert check_count(0, field, "数") == [] and check_count(None, field, "数") == []
        assert [e.message for e in check_count(limit + 1, field, "数")] == [
            f"数は{limit:,}以下で入力してください（{limit + 1:,}）。"]
        assert check_count(-1, field, "数")[0].message == "数は0以上で入力してください。"
        assert check_count(True, field, "数")[0].message == "数は整数で入力してください。"
    # A sum over a million records of any of them stays inside SQLite's 64-bit integers.
    assert max(FIELD_LIMITS.values()) * 1_000_000 < 2 ** 63
    assert check_count(10 ** 30, "amount", "金額")[0].message == "金額は100,000,000,000以下で入力してください（31桁の数）。"
