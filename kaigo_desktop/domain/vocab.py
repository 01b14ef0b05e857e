"""Fixed vocabularies the rules depend on; db/reference/*.csv holds the same lists for the database
(tests/domain/test_vocab.py keeps the two equal)."""

from __future__ import annotations

from collections.abc import Iterable

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
