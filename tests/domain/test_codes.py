"""全国地方公共団体コード: check digit, validation, normalisation, and all 62 Tokyo municipalities."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaigo_desktop.domain.codes import (
    is_valid_municipality_code,
    municipality_check_digit,
    normalize_municipality_code,
)

MUNICIPALITIES_CSV = Path(__file__).resolve().parents[2] / "db" / "reference" / "municipalities.csv"


def _municipalities() -> list[dict[str, str]]:
    with MUNICIPALITIES_CSV.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_reference_has_62_municipalities():
    rows = _municipalities()
    assert len(rows) == 62
    kinds = [row["kind"] for row in rows]
    assert (kinds.count("特別区"), kinds.count("市"), kinds.count("町"), kinds.count("村")) == (23, 26, 5, 8)


@pytest.mark.parametrize("row", _municipalities(), ids=lambda row: row["name"])
def test_every_tokyo_code_checks(row):
    code = row["code"]
    assert is_valid_municipality_code(code)
    assert municipality_check_digit(code[:5]) == int(code[5])
    assert normalize_municipality_code(code) == code
    assert normalize_municipality_code(code[:5]) == code
    assert normalize_municipality_code(int(code)) == code


@pytest.mark.parametrize(("first5", "digit"), [
    ("13101", 6),  # 千代田区 131016
    ("13102", 4),  # 中央区 131024
    ("13201", 2),  # 八王子市 132012
    ("00000", 1),  # S mod 11 = 0 → 11 → 1
    ("00006", 0),  # S = 12, S mod 11 = 1 → 10 → 0
])
def test_check_digit_known_values(first5, digit):
    assert municipality_check_digit(first5) == digit


def test_check_digit_formula_by_hand():
    # 1,3,1,0,1: S = 6 + 15 + 4 + 0 + 2 = 27; 27 mod 11 = 5; 11 − 5 = 6.
    assert municipality_check_digit("13101") == 6


@pytest.mark.parametrize("first5", ["1310", "131011", "1310a", "１３１０１", ""])
def test_check_digit_needs_five_ascii_digits(first5):
    with pytest.raises(ValueError):
        municipality_check_digit(first5)


@pytest.mark.parametrize("code", ["131017", "13101", "1310160", "13101a", "１３１０１６", " 131016", "", "abcdef"])
def test_is_valid_rejects(code):
    assert not is_valid_municipality_code(code)


@pytest.mark.parametrize(("value", "expected"), [
    ("131016", "131016"), ("13101", "131016"), (131016, "131016"), (13101, "131016"), (131016.0, "131016"),
    ("１３１０１６", "131016"), ("１３１０１", "131016"), (" 131016 ", "131016"), ("13101\u3000", "131016"),
])
def test_normalize_accepts(value, expected):
    assert normalize_municipality_code(value) == expected


@pytest.mark.parametrize("value", ["1310", "1310160", "13101a", "", "abc", None, True, 1310.5, "13-101"])
def test_normalize_rejects(value):
    with pytest.raises(ValueError, match="区市町村コードが正しくありません"):
        normalize_municipality_code(value)


def test_normalize_names_the_check_digit():
    with pytest.raises(ValueError, match="検査数字") as info:
        normalize_municipality_code("131017")
    assert "131016" in str(info.value)  # tells the user the right code


@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_check_digit_round_trip(first5):
    code = normalize_municipality_code(first5)
    assert code[:5] == first5 and len(code) == 6
    assert is_valid_municipality_code(code)
    assert normalize_municipality_code(code) == code
    wrong = code[:5] + str((int(code[5]) + 1) % 10)
    assert not is_valid_municipality_code(wrong)
    with pytest.raises(ValueError):
        normalize_municipality_code(wrong)
