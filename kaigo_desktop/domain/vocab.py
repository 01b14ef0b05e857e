"""Fixed vocabularies the rules depend on; db/reference/*.csv holds the same lists for the database
(tests/domain/test_vocab.py keeps the two equal)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# (code, label) in display order; bit = 1 << index is how a set of them is stored.
PROGRAM_TYPES: tuple[tuple[str, str], ...] = (
    ("motor", "運動機能向上"),
    ("nutrition", "低栄養予防"),
    ("oral", "口腔機能向上"),
    ("cognition", "認知機能低下予防"),
    ("social", "社会参加促進"),
)
PROGRAM_CODES: tuple[str, ...] = tuple(code for code, _ in PROGRAM_TYPES)
PROGRAM_LABELS: dict[str, str] = dict(PROGRAM_TYPES)
PROGRAM_BY_LABEL: dict[str, str] = {label: code for code, label in PROGRAM_TYPES}

PROFESSIONAL_KINDS: tuple[str, ...] = (
    "医師", "歯科医師", "薬剤師", "保健師", "看護師", "管理栄養士・栄養士", "歯科衛生士",
    "リハビリテーション専門職", "社会福祉士", "主任介護支援専門員", "生活支援コーディネーター", "推進員", "その他",
)

# Actual-frequency buckets: (label, minimum gatherings per open month), highest first.
FREQUENCY_BUCKETS: tuple[tuple[str, float], ...] = (
    ("週1回以上", 4),
    ("月2回以上4回未満", 2),
    ("月1回以上2回未満", 1),
    ("月1回未満", 0),
)
FREQUENCY_LABELS: tuple[str, ...] = tuple(label for label, _ in FREQUENCY_BUCKETS)

PLACE_STATUSES: tuple[str, ...] = ("活動中", "休止中", "終了")

EXCLUDED_EXPENSE_CATEGORY = "備品購入費"
# 補助対象経費 of the promoter subsidy (domain.md), in display order; EXCLUDED_EXPENSE_CATEGORY is recorded
# after them but never counted.
ELIGIBLE_EXPENSE_CATEGORIES: tuple[str, ...] = (
    "報酬", "給料", "職員手当等", "共済費", "報償費", "旅費", "需用費", "役務費", "委託料", "使用料及賃借料", "負担金",
)


def _mask(items: Iterable[str], order: tuple[str, ...], what: str) -> int:
    mask = 0
    for item in items:
        try:
            mask |= 1 << order.index(item)
        except ValueError:
            raise ValueError(f"不明な{what}です: {item}") from None
    return mask


def _members(mask: int, order: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(item for index, item in enumerate(order) if mask & (1 << index))


def programs_to_mask(codes: Iterable[str]) -> int:
    return _mask(codes, PROGRAM_CODES, "プログラム種別")


def mask_to_programs(mask: int) -> tuple[str, ...]:
    return _members(mask, PROGRAM_CODES)


def program_bit(code: str) -> int:
    return programs_to_mask([code])


def professionals_to_mask(kinds: Iterable[str]) -> int:
    return _mask(kinds, PROFESSIONAL_KINDS, "専門職種別")


def mask_to_professionals(mask: int) -> tuple[str, ...]:
    return _members(mask, PROFESSIONAL_KINDS)


def frequency_bucket(gatherings_per_open_month: float) -> str:
    for label, minimum in FREQUENCY_BUCKETS:
        if gatherings_per_open_month >= minimum:
            return label
    return FREQUENCY_BUCKETS[-1][0]


# ---- choices as people type them ----------------------------------------------------------------

_SHORT_FORM_END = re.compile(r"[（(]")


def _choice_key(text: str) -> str:
    """What two spellings of one choice share: width (NFKC: ｶﾅ, ＡＢＣ, （）) and blanks do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def short_form(label: str) -> str:
    """「住民団体」 for 「住民団体（自治会・NPO法人等）」: the label before its parenthesis (the label itself when
    it has none)."""
    return _SHORT_FORM_END.split(label, maxsplit=1)[0].strip() or label


def choices_text(choices: Sequence[str]) -> str:
    return "、".join(f"「{choice}」" for choice in choices)


def unknown_choice_message(label: str, value: str, choices: Sequence[str]) -> str:
    """What every path says about a value that is none of the choices: the choices named."""
    return f"{label}「{value}」は選択肢にありません（{choices_text(choices)}のいずれか）。"


def match_choice(value: str | None, choices: Sequence[str], *, label: str) -> str | None:
    """The choice `value` stands for; the one matcher of every path that reads a typed choice (import, the
    forms' typed text). Blank → None. Accepted: the full label or its short form before the parenthesis
    (「住民団体」), in full- or half-width, with blanks around or inside. ValueError (Japanese) for anything
    else, naming the choices; a short form two labels share (「行政」) is refused, naming both."""
    text = (value or "").strip()
    if not text:
        return None
    key = _choice_key(text)
    exact = [choice for choice in choices if _choice_key(choice) == key]
    if exact:
        return exact[0]
    short = [choice for choice in choices if _choice_key(short_form(choice)) == key]
    if len(short) == 1:
        return short[0]
    if short:
        raise ValueError(f"{label}「{text}」では{choices_text(short)}のどれか決まりません。括弧の中まで入力してください。")
    raise ValueError(unknown_choice_message(label, text, choices))
