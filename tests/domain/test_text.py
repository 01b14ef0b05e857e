"""Normalising spreadsheet cells: text, flags, lists, counts, times, name keys."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaigo_desktop.domain.text import (
    is_digits,
    name_key,
    normalize_cell,
    parse_count,
    parse_flag,
    parse_list,
    parse_time,
    to_katakana,
)


# ---------------------------------------------------------------- normalize_cell

@pytest.mark.parametrize(("value", "expected"), [
    (None, ""),
    ("", ""),
    ("  abc  ", "abc"),
    ("Ｆｕｌｌ", "Full"),
    ("１２３", "123"),
    ("東京都\u3000港区", "東京都 港区"),
    ("a \t\n  b", "a b"),
    ("ｶﾀｶﾅ", "カタカナ"),
    ("ｶﾞｯｺｳ ﾊﾟﾝ", "ガッコウ パン"),
    ("漢字とカタカナ", "漢字とカタカナ"),
    ("住民団体（自治会・NPO法人等）", "住民団体（自治会・NPO法人等）"),  # vocabulary keeps its brackets
    ("65～74歳", "65～74歳"),
    ("①", "①"),  # only full-width ASCII is touched, not every NFKC compatibility form
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
    ("１－２－３", "1-2-3"),
    (12, "12"),
    (12.0, "12"),
    (12.5, "12.5"),
    (-3.0, "-3"),
    (Decimal("7.00"), "7"),
    (True, "TRUE"),
    (date(2024, 4, 1), "2024-04-01"),
    (datetime(2024, 4, 1), "2024-04-01"),
    (time(9, 5), "09:05"),
])
def test_normalize_cell(value, expected):
    assert normalize_cell(value) == expected


@given(st.text())
def test_normalize_cell_is_idempotent(s):
    once = normalize_cell(s)
    assert normalize_cell(once) == once
    assert once == once.strip()
    assert "  " not in once and "\u3000" not in once


# ---------------------------------------------------------------- parse_flag

@pytest.mark.parametrize("value", ["○", "◯", "〇", "1", 1, 1.0, "はい", "TRUE", "true", "True", "有", "あり", "✓",
                                   " ○ ", "１", True])
def test_flag_yes(value):
    assert parse_flag(value) is True


@pytest.mark.parametrize("value", [None, "", "  ", "0", 0, "×", "✕", "いいえ", "FALSE", "false", "無", "なし", "-",
                                   "－", False])
def test_flag_no(value):
    assert parse_flag(value) is False


@pytest.mark.parametrize("value", ["2", 2, "yes?", "△", "多分"])
def test_flag_rejects(value):
    with pytest.raises(ValueError, match="はい/いいえとして読めません"):
        parse_flag(value)


# ---------------------------------------------------------------- parse_list

@pytest.mark.parametrize(("value", "expected"), [
    (None, []),
    ("", []),
    ("運動機能向上", ["運動機能向上"]),
    ("運動機能向上、口腔機能向上", ["運動機能向上", "口腔機能向上"]),
    ("医師, 保健師，看護師;歯科医師；薬剤師", ["医師", "保健師", "看護師", "歯科医師", "薬剤師"]),
    ("管理栄養士・栄養士、医師", ["管理栄養士・栄養士", "医師"]),
    (" 、医師、、 ,", ["医師"]),
    ("ﾘﾊﾋﾞﾘﾃｰｼｮﾝ専門職", ["リハビリテーション専門職"]),
])
def test_parse_list(value, expected):
    assert parse_list(value) == expected


# ---------------------------------------------------------------- parse_count

@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("  ", None), (0, 0), (12, 12), ("12", 12), ("１２", 12), ("1,234", 1234),
    ("1,234,567", 1234567), ("１，２３４", 1234), (12.0, 12), ("12.0", 12), (Decimal("5"), 5), (" 7 ", 7),
])
def test_parse_count(value, expected):
    assert parse_count(value, field_label="参加者数") == expected


@pytest.mark.parametrize("value", [-1, "-1", 1.5, "1.5", "abc", "12人", "1,23", "12,34,567", True, float("nan"),
                                   float("inf"), Decimal("NaN")])
def test_parse_count_rejects(value):
    with pytest.raises(ValueError, match="^参加者数は0以上の整数で入力してください"):
        parse_count(value, field_label="参加者数")


@pytest.mark.parametrize(("value", "unit", "expected"), [
    ("20人", "人", 20), ("２０人", "人", 20), (" 20 人 ", "人", 20), ("1,234人", "人", 1234), ("90分", "分", 90),
    ("９０分", "分", 90), ("1,234円", "円", 1234), ("¥1,234", "円", 1234), ("￥１，２３４円", "円", 1234),
    ("12", "人", 12), ("", "人", None),
])
def test_parse_count_takes_the_unit_of_its_field(value, unit, expected):
    assert parse_count(value, field_label="x", units=(unit,)) == expected


@pytest.mark.parametrize(("value", "unit"), [
    ("20分", "人"), ("20人", "分"), ("20人", ""), ("人", "人"), ("20人人", "人"), ("-5人", "人"), ("1.5人", "人"),
    ("¥20", "人"), ("円", "円"), ("1,23円", "円"),
])
def test_parse_count_refuses_another_unit_and_what_is_no_count(value, unit):
    with pytest.raises(ValueError, match=f"^参加者数は0以上の整数で入力してください: {value}$"):
        parse_count(value, field_label="参加者数", units=(unit,) if unit else ())


def test_the_units_of_each_field():
    from kaigo_desktop.domain.validation import count_units

    assert [parse_count(text, field_label="x", units=count_units(field)) for field, text in [
        ("total", "20人"), ("total", "20名"), ("capacity", "２０名"), ("minutes", "90分"), ("amount", "1,234円"),
    ]] == [20, 20, 20, 90, 1234]
    with pytest.raises(ValueError, match="^時間（分）は0以上の整数で入力してください: 90名$"):
        parse_count("90名", field_label="時間（分）", units=count_units("minutes"))


def test_parse_count_of_thousands_of_digits_is_refused_without_making_the_number():
    with pytest.raises(ValueError, match="^定員の数が大きすぎます（5,000桁）。$"):
        parse_count("9" * 5000, field_label="定員")
    assert parse_count("0" * 5000 + "7", field_label="定員") == 7


@given(st.integers(min_value=0, max_value=10**9))
def test_parse_count_round_trip(n):
    assert parse_count(str(n), field_label="x") == n
    assert parse_count(f"{n:,}", field_label="x") == n
    assert parse_count(float(n), field_label="x") == n


# ---------------------------------------------------------------- parse_time

@pytest.mark.parametrize(("value", "expected"), [
    ("9:30", "09:30"), ("09:30", "09:30"), ("９：３０", "09:30"), (" 9:30 ", "09:30"), ("9:30:00", "09:30"),
    ("0:00", "00:00"), ("23:59", "23:59"), ("9時30分", "09:30"), ("14時", "14:00"), (time(9, 30), "09:30"),
    (datetime(2024, 4, 1, 13, 5), "13:05"), (0.5, "12:00"), (None, None), ("", None),
])
def test_parse_time(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["24:00", "9:60", "930", "9.30", "abc", "9:3", 9, 1.5, True])
def test_parse_time_rejects(value):
    with pytest.raises(ValueError, match="時刻として読めません"):
        parse_time(value)


# ---------------------------------------------------------------- katakana and name keys

def test_to_katakana():
    assert to_katakana("やまだ たろう") == "ヤマダ タロウ"
    assert to_katakana("ぁゔゖ") == "ァヴヶ"
    assert to_katakana("山田タロウabc") == "山田タロウabc"


@pytest.mark.parametrize(("a", "b"), [
    ("山田 太郎", "山田　太郎"),
    ("やまだ たろう", "ヤマダタロウ"),
    ("ﾔﾏﾀﾞ ﾀﾛｳ", "やまだたろう"),
    ("髙橋", "高橋"),
    ("山﨑", "山崎"),
    ("渡邊", "渡辺"),
    ("渡邉", "渡辺"),
    ("齋藤", "斉藤"),
    ("齊藤", "斉藤"),
    ("霞ヶ関", "霞ケ関"),
    ("霞ヵ関", "霞ケ関"),
    ("かすみがせき", "カスミガセキ"),
    ("ＳＭＩＴＨ", "smith"),
])
def test_name_key_meets(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(("a", "b"), [("山田太郎", "山田次郎"), ("佐藤", "斉藤"), ("カ", "ガ")])
def test_name_key_keeps_different_names_apart(a, b):
    assert name_key(a) != name_key(b)


@given(st.text())
def test_name_key_is_idempotent(s):
    assert name_key(name_key(s)) == name_key(s)


@pytest.mark.parametrize("text", ["²", "①", "١٢", "12²", "", " 1", "1.0", "－1"])
def test_only_the_digits_0_to_9_are_digits(text: str) -> None:
    """str.isdigit() says yes to ² and ①, which int() refuses: a traceback where a Japanese message was due."""
    assert not is_digits(text)


@pytest.mark.parametrize("text", ["0", "7", "2026", "0012"])
def test_digits(text: str) -> None:
    assert is_digits(text) and int(text) >= 0


@pytest.mark.parametrize("text", ["²", "①"])
def test_a_superscript_or_circled_digit_is_a_japanese_refusal_wherever_a_whole_number_is_read(text: str) -> None:
    from kaigo_desktop.domain import checklist, short_term_cases

    with pytest.raises(ValueError, match="実施回数"):
        short_term_cases.parse_sessions(text)
    with pytest.raises(ValueError, match="回答"):
        checklist.questionnaire_choice(1, text)
