"""vocab.py and the reference CSVs in db/reference/ hold the same lists."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kaigo_desktop.domain import vocab

REFERENCE = Path(__file__).resolve().parents[2] / "db" / "reference"


def rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_program_types_match_csv():
    table = sorted(rows("program_types.csv"), key=lambda r: int(r["sort"]))
    assert [(r["code"], r["name"]) for r in table] == list(vocab.PROGRAM_TYPES)
    for r in table:
        assert int(r["bit"]) == vocab.program_bit(r["code"])
    assert [int(r["sort"]) for r in table] == list(range(1, len(table) + 1))


def test_professional_kinds_match_csv():
    table = sorted(rows("professional_kinds.csv"), key=lambda r: int(r["sort"]))
    assert tuple(r["name"] for r in table) == vocab.PROFESSIONAL_KINDS
    for r in table:
        assert int(r["bit"]) == vocab.professionals_to_mask([r["name"]])


def test_frequency_buckets_match_csv():
    table = sorted(rows("frequency_buckets.csv"), key=lambda r: int(r["sort"]))
    assert [(r["name"], float(r["min_per_month"])) for r in table] == [(n, float(m)) for n, m in vocab.FREQUENCY_BUCKETS]
    assert tuple(r["name"] for r in table) == vocab.FREQUENCY_LABELS


def test_expense_categories_match_csv():
    table = sorted(rows("expense_categories.csv"), key=lambda r: int(r["sort"]))
    assert tuple(r["name"] for r in table if r["eligible"] == "1") == vocab.ELIGIBLE_EXPENSE_CATEGORIES
    assert [r["name"] for r in table if r["eligible"] == "0"] == [vocab.EXCLUDED_EXPENSE_CATEGORY]


def test_program_masks_round_trip():
    for n in range(1 << len(vocab.PROGRAM_CODES)):
        assert vocab.programs_to_mask(vocab.mask_to_programs(n)) == n
    assert vocab.mask_to_programs(vocab.programs_to_mask(["social", "motor"])) == ("motor", "social")
    with pytest.raises(ValueError, match="不明なプログラム種別です: walking"):
        vocab.programs_to_mask(["walking"])


def test_professional_masks_round_trip():
    kinds = ("保健師", "その他")
    assert vocab.mask_to_professionals(vocab.professionals_to_mask(kinds)) == kinds
    with pytest.raises(ValueError, match="不明な専門職種別です"):
        vocab.professionals_to_mask(["占い師"])


@pytest.mark.parametrize(("per_month", "label"), [
    (4, "週1回以上"), (3.99, "月2回以上4回未満"), (2, "月2回以上4回未満"), (1.5, "月1回以上2回未満"),
    (1, "月1回以上2回未満"), (0.99, "月1回未満"), (0, "月1回未満"),
])
def test_frequency_bucket(per_month, label):
    assert vocab.frequency_bucket(per_month) == label


# ---------------------------------------------------------------- choices as typed

OPERATORS = tuple(r["name"] for r in sorted(rows("operator_kinds.csv"), key=lambda r: int(r["sort"])))


@pytest.mark.parametrize(("typed", "expected"), [
    ("住民団体（自治会・NPO法人等）", "住民団体（自治会・NPO法人等）"),
    ("住民団体", "住民団体（自治会・NPO法人等）"),
    ("  住民団体 ", "住民団体（自治会・NPO法人等）"),
    ("住民団体(自治会・ＮＰＯ法人等)", "住民団体（自治会・NPO法人等）"),  # half-width brackets, full-width letters
    ("住民団体 （自治会・NPO法人等）", "住民団体（自治会・NPO法人等）"),
    ("行政（介護予防担当部局以外）", "行政（介護予防担当部局以外）"),
    ("社会福祉協議会", "社会福祉協議会"), ("　社会福祉協議会　", "社会福祉協議会"),
    ("", None), ("  ", None), (None, None),
])
def test_a_choice_is_matched_by_its_label_or_its_short_form_in_any_width(typed, expected):
    assert vocab.match_choice(typed, OPERATORS, label="運営主体") == expected


def test_half_width_katakana_matches_its_full_width_label():
    assert vocab.match_choice("ﾘﾊﾋﾞﾘﾃｰｼｮﾝ専門職", vocab.PROFESSIONAL_KINDS, label="職種") == "リハビリテーション専門職"


def test_an_unknown_choice_names_every_choice():
    with pytest.raises(ValueError) as raised:
        vocab.match_choice("町内会", OPERATORS, label="運営主体")
    assert str(raised.value) == ("運営主体「町内会」は選択肢にありません（" + "、".join(f"「{o}」" for o in OPERATORS)
                                 + "のいずれか）。")


def test_a_short_form_two_labels_share_is_refused_naming_both():
    with pytest.raises(ValueError) as raised:
        vocab.match_choice("行政", OPERATORS, label="運営主体")
    assert str(raised.value) == ("運営主体「行政」では「行政（介護予防担当部局）」、「行政（介護予防担当部局以外）」の"
                                 "どれか決まりません。括弧の中まで入力してください。")


def test_short_forms_of_the_reference_lists():
    assert vocab.short_form("体操（運動）") == "体操"
    assert vocab.short_form("その他") == "その他"
    assert vocab.short_form("（括弧だけ）") == "（括弧だけ）"  # nothing before the bracket: the label itself
