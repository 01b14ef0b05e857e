"""基本チェックリスト (the 25-item frailty check) and 後期高齢者の質問票 (15 items): their wording, the risk score of
each answer, each domain's result and the frailty level, with the cut-offs configurable (domain.md).

An answer left blank (未回答) is allowed: a domain (or the level) is decided when the blank answers could not
change it, and is None (判定不能) otherwise — never guessed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from kaigo_desktop.domain.text import is_digits

YES, NO = "はい", "いいえ"

# 厚生労働省「基本チェックリスト」の設問（No.21–25 は「（ここ2週間）」で始まる）.
CHECKLIST_ITEMS: dict[int, str] = {
    1: "バスや電車で1人で外出していますか",
    2: "日用品の買物をしていますか",
    3: "預貯金の出し入れをしていますか",
    4: "友人の家を訪ねていますか",
    5: "家族や友人の相談にのっていますか",
    6: "階段を手すりや壁をつたわらずに昇っていますか",
    7: "椅子に座った状態から何もつかまらずに立ち上がっていますか",
    8: "15分位続けて歩いていますか",
    9: "この1年間に転んだことがありますか",
    10: "転倒に対する不安は大きいですか",
    11: "6ヵ月間で2～3kg以上の体重減少がありましたか",
    12: "身長・体重（BMI＝体重(kg)÷身長(m)÷身長(m)）",
    13: "半年前に比べて固いものが食べにくくなりましたか",
    14: "お茶や汁物等でむせることがありますか",
    15: "口の渇きが気になりますか",
    16: "週に1回以上は外出していますか",
    17: "昨年と比べて外出の回数が減っていますか",
    18: "周りの人から「いつも同じ事を聞く」などの物忘れがあると言われますか",
    19: "自分で電話番号を調べて、電話をかけることをしていますか",
    20: "今日が何月何日かわからない時がありますか",
    21: "（ここ2週間）毎日の生活に充実感がない",
    22: "（ここ2週間）これまで楽しんでやれていたことが楽しめなくなった",
    23: "（ここ2週間）以前は楽にできていたことが今ではおっくうに感じられる",
    24: "（ここ2週間）自分が役に立つ人間だと思えない",
    25: "（ここ2週間）わけもなく疲れたような感じがする",
}
BMI_ITEM = 12
# The yes/no items (all but 12, which is computed from height and weight).
YES_NO_ITEMS: tuple[int, ...] = tuple(n for n in CHECKLIST_ITEMS if n != BMI_ITEM)
# Items where いいえ is the risk answer; for the other yes/no items it is はい.
RISK_WHEN_NO = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 16, 19})

# Domains: code → (label, items, the cut-off's field in ChecklistCutoffs).
DOMAINS: dict[str, tuple[str, tuple[int, ...]]] = {
    "overall": ("生活機能全般", tuple(range(1, 21))),
    "motor": ("運動機能", tuple(range(6, 11))),
    "nutrition": ("栄養", (11, 12)),
    "oral": ("口腔機能", (13, 14, 15)),
    "housebound": ("閉じこもり", (16,)),
    "cognition": ("認知機能", (18, 19, 20)),
    "depression": ("うつ", tuple(range(21, 26))),
}

ROBUST, PRE_FRAIL, FRAIL = "robust", "pre_frail", "frail"
LEVELS = (ROBUST, PRE_FRAIL, FRAIL)  # in order of worsening
LEVEL_LABELS = {ROBUST: "ロバスト（健常）", PRE_FRAIL: "プレフレイル", FRAIL: "フレイル"}
UNDECIDED_LABEL = "判定不能（未回答あり）"

HEIGHT_CM_RANGE = (Decimal("100"), Decimal("220"))
WEIGHT_KG_RANGE = (Decimal("20"), Decimal("200"))


class ChecklistCutoffError(ValueError):
    pass


@dataclass(frozen=True)
class ChecklistCutoffs:
    """A domain is at risk when its score reaches its cut-off; the frailty level comes from the total of items
    1–25: below `pre_frail_from` robust, from `frail_from` frail (Satake et al. 2016: 4 and 8; another study
    uses frail from 7). Item 12 scores when BMI is below `bmi_below`."""

    overall: int = 10
    motor: int = 3
    nutrition: int = 2
    oral: int = 2
    housebound: int = 1
    cognition: int = 1
    depression: int = 2
    pre_frail_from: int = 4
    frail_from: int = 8
    bmi_below: Decimal = Decimal("18.5")

    def __post_init__(self) -> None:
        for code, (label, items) in DOMAINS.items():
            value = getattr(self, code)
            if not 1 <= value <= len(items):
                raise ChecklistCutoffError(f"{label}の基準は1〜{len(items)}点で指定してください: {value}")
        if not 1 <= self.pre_frail_from < self.frail_from <= 25:
            raise ChecklistCutoffError(
                f"フレイルの基準は 1 ≦ プレフレイル（{self.pre_frail_from}点〜）< フレイル（{self.frail_from}点〜）≦ 25 "
                "で指定してください。")

    def domain_cutoff(self, code: str) -> int:
        return getattr(self, code)


STANDARD_CUTOFFS = ChecklistCutoffs()


def bmi(height_cm: Decimal | float | int | None, weight_kg: Decimal | float | int | None) -> Decimal | None:
    """BMI = kg ÷ m², exact (decimal arithmetic, so 47.36 kg at 160 cm is 18.5, not 18.4999…)."""
    if height_cm is None or weight_kg is None:
        return None
    height, weight = _decimal(height_cm), _decimal(weight_kg)
    if height <= 0:
        return None
    return weight * 10000 / (height * height)


def _decimal(value: Decimal | float | int) -> Decimal:
    # str() first: a float's shortest repr (47.36), not its binary expansion
    return value if isinstance(value, Decimal) else Decimal(str(value))


def bmi_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(Decimal('0.1'))}"


@dataclass(frozen=True)
class ChecklistAnswers:
    """One check's answers: `yes[n]` True for はい, False for いいえ, missing or None for 未回答 (n in
    YES_NO_ITEMS); height in cm and weight in kg for item 12."""

    yes: Mapping[int, bool | None] = field(default_factory=dict)
    height_cm: Decimal | float | None = None
    weight_kg: Decimal | float | None = None

    def __post_init__(self) -> None:
        unknown = set(self.yes) - set(YES_NO_ITEMS)
        if unknown:
            raise ValueError(f"基本チェックリストにない設問番号です: {sorted(unknown)}")


def item_scores(answers: ChecklistAnswers, cutoffs: ChecklistCutoffs = STANDARD_CUTOFFS) -> dict[int, int | None]:
    """Each item's risk score (1 or 0), None when unanswered."""
    scores: dict[int, int | None] = {}
    for number in YES_NO_ITEMS:
        answer = answers.yes.get(number)
        if answer is None:
            scores[number] = None
        else:
            risky_answer = (not answer) if number in RISK_WHEN_NO else answer
            scores[number] = int(risky_answer)
    value = bmi(answers.height_cm, answers.weight_kg)
    scores[BMI_ITEM] = None if value is None else int(value < cutoffs.bmi_below)
    return dict(sorted(scores.items()))


@dataclass(frozen=True)
class DomainResult:
    code: str
    label: str
    score: int  # of the answered items
    unanswered: int
    cutoff: int
    at_risk: bool | None  # None: the unanswered items could change it

    @property
    def result_label(self) -> str:
        return {True: "該当", False: "非該当", None: "判定不能"}[self.at_risk]


@dataclass(frozen=True)
class ChecklistResult:
    scores: dict[int, int | None]
    domains: dict[str, DomainResult]
    total: int  # risk score of the answered items 1–25
    unanswered: int
    level: str | None  # ROBUST / PRE_FRAIL / FRAIL; None when the unanswered items could change it
    bmi: Decimal | None

    @property
    def level_label(self) -> str:
        return UNDECIDED_LABEL if self.level is None else LEVEL_LABELS[self.level]


def _level_of(total: int, cutoffs: ChecklistCutoffs) -> str:
    if total >= cutoffs.frail_from:
        return FRAIL
    if total >= cutoffs.pre_frail_from:
        return PRE_FRAIL
    return ROBUST


def score(answers: ChecklistAnswers, cutoffs: ChecklistCutoffs = STANDARD_CUTOFFS) -> ChecklistResult:
    """Every domain's result and the frailty level of one check."""
    scores = item_scores(answers, cutoffs)
    domains = {}
    for code, (label, items) in DOMAINS.items():
        known = [scores[n] for n in items if scores[n] is not None]
        points, missing, cutoff = sum(known), len(items) - len(known), cutoffs.domain_cutoff(code)
        at_risk = True if points >= cutoff else (False if points + missing < cutoff else None)
        domains[code] = DomainResult(code, label, points, missing, cutoff, at_risk)
    known_all = [s for s in scores.values() if s is not None]
    total, missing = sum(known_all), len(scores) - len(known_all)
    lowest, highest = _level_of(total, cutoffs), _level_of(total + missing, cutoffs)
    return ChecklistResult(scores, domains, total, missing, lowest if lowest == highest else None,
                           bmi(answers.height_cm, answers.weight_kg))


def level_change(before: str | None, after: str | None) -> str | None:
    """'improved' / 'same' / 'worse' between two levels; None when either is undecided."""
    if before is None or after is None:
        return None
    step = LEVELS.index(after) - LEVELS.index(before)
    return "improved" if step < 0 else ("worse" if step > 0 else "same")


CHANGE_LABELS = {"improved": "改善", "same": "維持", "worse": "悪化"}


def parse_yes_no(text: str, item: int) -> bool | None:
    """A typed or imported answer: はい → True, いいえ → False, blank → None (未回答). Digits are refused: the
    paper form numbers はい 0 and いいえ 1, the reverse of a yes flag, so a digit is ambiguous."""
    text = text.strip()
    if text == "":
        return None
    if text == YES:
        return True
    if text == NO:
        return False
    raise ValueError(f"基本チェックリスト No.{item} の回答は「はい」か「いいえ」（未回答は空欄）で入力してください: {text}")


def parse_measure(text: str, label: str, bounds: tuple[Decimal, Decimal], unit: str) -> Decimal | None:
    """Height (cm) or weight (kg) with at most one decimal, inside `bounds`; blank → None."""
    text = text.strip().removesuffix(unit).strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value.as_tuple().exponent < -1:
        raise ValueError(f"{label}は数字（小数点以下1桁まで、{unit}）で入力してください: {text}")
    if not bounds[0] <= value <= bounds[1]:
        raise ValueError(f"{label}は{bounds[0]}〜{bounds[1]}{unit}の範囲で入力してください: {text}")
    return value


# ---------------------------------------------------------------- 後期高齢者の質問票

_YES_NO_CHOICES = ("はい", "いいえ")
# 厚生労働省「後期高齢者の質問票」: number → (類型, 質問文, 回答の選択肢 in order 1, 2, …). Recorded as answers only.
QUESTIONNAIRE_ITEMS: dict[int, tuple[str, str, tuple[str, ...]]] = {
    1: ("健康状態", "あなたの現在の健康状態はいかがですか",
        ("よい", "まあよい", "ふつう", "あまりよくない", "よくない")),
    2: ("心の健康状態", "毎日の生活に満足していますか", ("満足", "やや満足", "やや不満", "不満")),
    3: ("食習慣", "1日3食きちんと食べていますか", _YES_NO_CHOICES),
    4: ("口腔機能", "半年前に比べて固いもの（さきいか、たくあんなど）が食べにくくなりましたか", _YES_NO_CHOICES),
    5: ("口腔機能", "お茶や汁物等でむせることがありますか", _YES_NO_CHOICES),
    6: ("体重変化", "6カ月間で2～3kg以上の体重減少がありましたか", _YES_NO_CHOICES),
    7: ("運動・転倒", "以前に比べて歩く速度が遅くなってきたと思いますか", _YES_NO_CHOICES),
    8: ("運動・転倒", "この1年間に転んだことがありますか", _YES_NO_CHOICES),
    9: ("運動・転倒", "ウォーキング等の運動を週に1回以上していますか", _YES_NO_CHOICES),
    10: ("認知機能", "周りの人から「いつも同じことを聞く」などの物忘れがあると言われていますか", _YES_NO_CHOICES),
    11: ("認知機能", "今日が何月何日かわからない時がありますか", _YES_NO_CHOICES),
    12: ("喫煙", "あなたはたばこを吸いますか", ("吸っている", "吸っていない", "やめた")),
    13: ("社会参加", "週に1回以上は外出していますか", _YES_NO_CHOICES),
    14: ("社会参加", "ふだんから家族や友人と付き合いがありますか", _YES_NO_CHOICES),
    15: ("ソーシャルサポート", "体調が悪いときに、身近に相談できる人がいますか", _YES_NO_CHOICES),
}


def questionnaire_choice(item: int, text: str) -> int | None:
    """The answer's number (1-based, as stored) from its wording or its number; blank → None."""
    choices = QUESTIONNAIRE_ITEMS[item][2]
    text = text.strip()
    if text == "":
        return None
    if text in choices:
        return choices.index(text) + 1
    if is_digits(text) and 1 <= int(text) <= len(choices):
        return int(text)
    raise ValueError(f"後期高齢者の質問票 No.{item} の回答は {'・'.join(choices)}（または 1〜{len(choices)}）で"
                     f"入力してください: {text}")


def questionnaire_answer_label(item: int, choice: int | None) -> str:
    return "未回答" if choice is None else QUESTIONNAIRE_ITEMS[item][2][choice - 1]
