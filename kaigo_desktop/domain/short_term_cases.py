"""短期集中予防サービス (C) cases (issue 19): one participant's referral, initial assessment, about three months of
service, re-assessment, 地域ケア会議, outcome and follow-ups at 6 and 12 months — the record, its rules (bounded
measures, the order of its dates, in Japanese) and the one definition of the 事項3 figures computed from cases.

"Improved" (改善) is defined once, here (`improved`): the frailty level of the re-assessment's 基本チェックリスト is
better than the initial assessment's (checklist.level_change == "improved"). A case whose two checks are not both
linked and decided is not evaluated (it counts in neither the improved nor the evaluated figure). The physical
measures (握力, 5m歩行, TUG) are recorded and shown, never used to decide it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain.small_counts import is_small
from kaigo_desktop.domain.records import RecordMeta
from kaigo_desktop.domain.validation import FieldError, require
from kaigo_desktop.domain.text import is_digits

REFERRAL_SOURCES = ("地域包括支援センター", "基本チェックリスト", "通いの場", "医療機関", "ケアマネジャー",
                    "本人・家族", "民生委員", "その他")
TO_PLACE = "通いの場へ"
CARE_APPLICATION = "要介護認定申請"
OUTCOMES = ("自立", TO_PLACE, "一般介護予防", "継続", CARE_APPLICATION)

# The measures, with their bounds (one decimal, like checklist.parse_measure reads height and weight).
GRIP_KG_RANGE = (Decimal("1"), Decimal("80"))
WALK_5M_S_RANGE = (Decimal("1"), Decimal("120"))
TUG_S_RANGE = (Decimal("2"), Decimal("180"))
MEASURES: dict[str, tuple[str, tuple[Decimal, Decimal], str]] = {
    "grip_kg": ("握力", GRIP_KG_RANGE, "kg"),
    "walk_5m_s": ("5m歩行時間", WALK_5M_S_RANGE, "秒"),
    "tug_s": ("TUG", TUG_S_RANGE, "秒"),
}
SESSIONS_MAX = 200
DECISION_MAX_CHARS = 200
# "About three months": a service period outside these days is warned about, never refused.
SERVICE_DAYS_USUAL = (60, 120)


@dataclass
class ShortTermCase:
    participant_id: str
    referred_on: date
    referral_source: str  # one of REFERRAL_SOURCES
    assessed_on: date | None = None
    initial_check_id: str | None = None  # the participant's 基本チェックリスト (frailty_checks) of the assessment
    initial_grip_kg: float | None = None
    initial_walk_5m_s: float | None = None
    initial_tug_s: float | None = None
    service_start_on: date | None = None
    service_end_on: date | None = None
    sessions: int | None = None
    reassessed_on: date | None = None
    final_check_id: str | None = None  # the re-assessment's 基本チェックリスト
    final_grip_kg: float | None = None
    final_walk_5m_s: float | None = None
    final_tug_s: float | None = None
    meeting_on: date | None = None  # 地域ケア会議
    meeting_decision: str = ""
    outcome: str = ""  # one of OUTCOMES, "" until decided
    outcome_place_id: str | None = None  # the 通いの場 (only with TO_PLACE)
    followup6_on: date | None = None
    followup6_attending: int | None = None  # still attending a 通いの場: 1 yes, 0 no
    followup6_level: str | None = None  # checklist.LEVELS
    followup12_on: date | None = None
    followup12_attending: int | None = None
    followup12_level: str | None = None
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


DATE_FIELDS = ("referred_on", "assessed_on", "service_start_on", "service_end_on", "reassessed_on", "meeting_on",
               "followup6_on", "followup12_on")
# The dates in the order they must come (each on or after the one before it, when both are given).
DATE_ORDER: tuple[tuple[str, str], ...] = (
    ("referred_on", "紹介日"), ("assessed_on", "初回アセスメント日"), ("service_start_on", "サービス開始日"),
    ("service_end_on", "サービス終了日"), ("reassessed_on", "再アセスメント日"), ("meeting_on", "地域ケア会議の日"),
    ("followup6_on", "6か月後の追跡日"), ("followup12_on", "12か月後の追跡日"),
)
DATE_LABELS = dict(DATE_ORDER)


def parse_measure(text: str, name: str) -> Decimal | None:
    """A typed or imported measure (`name` a key of MEASURES); blank → None. checklist.parse_measure's rules."""
    label, bounds, unit = MEASURES[name]
    return checklist.parse_measure(text, label, bounds, unit)


def parse_sessions(text: str) -> int:
    """実施回数 as typed or imported (「12」「12回」); ValueError (Japanese) otherwise. Its bound: check_case."""
    text = text.strip().removesuffix("回").strip()
    if not is_digits(text):
        raise ValueError(f"実施回数は0以上の整数で入力してください: {text}")
    return int(text)


def parse_choice(text: str, choices: tuple[str, ...], label: str) -> str:
    text = text.strip()
    if text not in choices:
        raise ValueError(f"{label}は {'・'.join(choices)} のいずれかで入力してください: {text}")
    return text


def parse_level(text: str, label: str) -> str | None:
    """A frailty level by its label (ロバスト / プレフレイル / フレイル) or code; blank → None."""
    text = text.strip()
    if text == "":
        return None
    by_label = {v.split("（")[0]: k for k, v in checklist.LEVEL_LABELS.items()}
    by_label.update({v: k for k, v in checklist.LEVEL_LABELS.items()}, **{k: k for k in checklist.LEVELS})
    if text not in by_label:
        raise ValueError(f"{label}は ロバスト・プレフレイル・フレイル のいずれか（空欄可）で入力してください: {text}")
    return by_label[text]


# ---------------------------------------------------------------- the rules

def _measure_errors(case: ShortTermCase, stage: str) -> list[FieldError]:
    errors = []
    for name, (label, bounds, unit) in MEASURES.items():
        value = getattr(case, f"{stage}_{name}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not bounds[0] <= Decimal(str(value)) <= bounds[1]:
            errors.append(FieldError(f"{stage}_{name}", f"{label}は{bounds[0]}〜{bounds[1]}{unit}の範囲で入力してください。"))
    return errors


def check_date_order(case: ShortTermCase) -> list[FieldError]:
    """Each given date on or after every given date before it in DATE_ORDER."""
    errors = []
    for position, (later, later_label) in enumerate(DATE_ORDER):
        day = getattr(case, later)
        if day is None:
            continue
        for earlier, earlier_label in reversed(DATE_ORDER[:position]):
            before = getattr(case, earlier)
            if before is not None:
                if day < before:
                    errors.append(FieldError(later, f"{later_label}が{earlier_label}より前です。"))
                break  # the nearest given date before it decides; the rest were checked through it
    return errors


def check_case(case: ShortTermCase, today: date) -> list[FieldError]:
    errors = require(case.participant_id, "participant_id", "参加者") + require(case.referred_on, "referred_on", "紹介日")
    if case.referral_source not in REFERRAL_SOURCES:
        errors.append(FieldError("referral_source",
                                 f"紹介元は {'・'.join(REFERRAL_SOURCES)} のいずれかです: {case.referral_source}"))
    for name in DATE_FIELDS:
        day = getattr(case, name)
        if day is not None and day > today:
            errors.append(FieldError(name, f"{DATE_LABELS[name]}が未来の日付です。"))
    errors += check_date_order(case)
    if case.service_end_on is not None and case.service_start_on is None:
        errors.append(FieldError("service_start_on", "サービス終了日があるときはサービス開始日も入力してください。"))
    if case.sessions is not None and (isinstance(case.sessions, bool) or not isinstance(case.sessions, int)
                                      or not 0 <= case.sessions <= SESSIONS_MAX):
        errors.append(FieldError("sessions", f"実施回数は0〜{SESSIONS_MAX}回で入力してください。"))
    errors += _measure_errors(case, "initial") + _measure_errors(case, "final")
    if len(case.meeting_decision or "") > DECISION_MAX_CHARS:
        errors.append(FieldError("meeting_decision", f"地域ケア会議の決定は{DECISION_MAX_CHARS}文字以内で入力してください。"))
    if case.outcome and case.outcome not in OUTCOMES:
        errors.append(FieldError("outcome", f"結果は {'・'.join(OUTCOMES)} のいずれかです: {case.outcome}"))
    if case.outcome == TO_PLACE and not case.outcome_place_id:
        errors.append(FieldError("outcome_place_id", "結果が「通いの場へ」のときはつないだ通いの場を入力してください。"))
    if case.outcome != TO_PLACE and case.outcome_place_id:
        errors.append(FieldError("outcome_place_id", "通いの場は結果が「通いの場へ」のときだけ入力します。"))
    for months in (6, 12):
        attending, level = getattr(case, f"followup{months}_attending"), getattr(case, f"followup{months}_level")
        if attending not in (None, 0, 1) or isinstance(attending, float):
            errors.append(FieldError(f"followup{months}_attending", f"{months}か月後の通いの場への参加は はい・いいえ です。"))
        if level is not None and level not in checklist.LEVELS:
            errors.append(FieldError(f"followup{months}_level", f"{months}か月後の状態は ロバスト・プレフレイル・フレイル です。"))
        if getattr(case, f"followup{months}_on") is None and (attending is not None or level is not None):
            errors.append(FieldError(f"followup{months}_on", f"{months}か月後の追跡日を入力してください。"))
    return errors


def service_period_warning(case: ShortTermCase) -> str | None:
    """A warning (never a refusal) when the service period is far from about three months."""
    if case.service_start_on is None or case.service_end_on is None:
        return None
    days = (case.service_end_on - case.service_start_on).days
    if SERVICE_DAYS_USUAL[0] <= days <= SERVICE_DAYS_USUAL[1]:
        return None
    return (f"サービス期間が{days}日です。短期集中予防サービスはおおむね3か月"
            f"（{SERVICE_DAYS_USUAL[0]}〜{SERVICE_DAYS_USUAL[1]}日）です。確認してください。")


# ---------------------------------------------------------------- the figures (事項3)

def improved(initial_level: str | None, final_level: str | None) -> bool | None:
    """The one definition of 改善: the re-assessment's frailty level better than the initial one's.
    None: not evaluated (a check missing or its level undecided)."""
    change = checklist.level_change(initial_level, final_level)
    return None if change is None else change == "improved"


def latest_followup_attending(case: ShortTermCase) -> int | None:
    """Still attending a 通いの場 at the latest follow-up recorded (12 months, else 6); None: none yet."""
    for months in (12, 6):
        if getattr(case, f"followup{months}_on") is not None and getattr(case, f"followup{months}_attending") is not None:
            return getattr(case, f"followup{months}_attending")
    return None


def is_user_in(case: ShortTermCase, start: date, end: date) -> bool:
    """A user of the service in start..end: the service period (begun; open while no end) overlaps it."""
    return (case.service_start_on is not None and case.service_start_on <= end
            and (case.service_end_on is None or case.service_end_on >= start))


def in_fiscal_year(case: ShortTermCase, start: date, end: date) -> bool:
    """A case belongs to the 年度 start..end (the lists' 年度 filter) when it was referred in it or its service
    period overlaps it (is_user_in): a case referred in March and served from April shows in both years."""
    return start <= case.referred_on <= end or is_user_in(case, start, end)


# How a list shows `improved` (None: the two checks are not both linked and decided).
IMPROVED_LABELS = {True: "改善", False: "維持・悪化", None: "未評価"}


@dataclass(frozen=True)
class CaseFigures:
    """事項3 from the cases of a 年度 (per participant, not per case):
    users — participants whose service period overlaps the 年度;
    evaluated / improved — of them, those with both checks decided / with a better level (`improved`);
    connected / attending — of them, those whose outcome is 通いの場へ / and still attending a 通いの場 at their
    latest follow-up."""

    users: int
    evaluated: int
    improved: int
    connected: int
    attending: int

    @property
    def improved_share(self) -> float | None:
        return share(self.improved, self.evaluated)

    @property
    def attending_share(self) -> float | None:
        return share(self.attending, self.connected)


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal (四捨五入), None over nothing."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP"))


def figures(cases_with_levels: list[tuple[ShortTermCase, str | None, str | None]], start: date,
            end: date) -> CaseFigures:
    """`cases_with_levels`: (case, initial level, final level). A participant with several cases in the 年度
    counts once: improved if any case improved, connected/attending likewise."""
    users: set[str] = set()
    evaluated: set[str] = set()
    better: set[str] = set()
    connected: set[str] = set()
    attending: set[str] = set()
    for case, initial_level, final_level in cases_with_levels:
        if not is_user_in(case, start, end):
            continue
        users.add(case.participant_id)
        result = improved(initial_level, final_level)
        if result is not None:
            evaluated.add(case.participant_id)
            if result:
                better.add(case.participant_id)
        if case.outcome == TO_PLACE:
            connected.add(case.participant_id)
            if latest_followup_attending(case) == 1:
                attending.add(case.participant_id)
    return CaseFigures(len(users), len(evaluated), len(better), len(connected), len(attending))


@dataclass(frozen=True)
class SuppressedFigures:
    """CaseFigures as shown to 東京都: a count is None when hidden — small (1–4 people), or a part whose
    complement (evaluated − improved, connected − attending) is small or whose whole is hidden, so no hidden
    count can be worked out by subtraction; a share is None when its part is hidden or its whole is 0."""

    users: int | None
    evaluated: int | None
    improved: int | None
    connected: int | None
    attending: int | None
    improved_share: float | None
    attending_share: float | None
    hidden: tuple[str, ...]  # the names of the hidden counts

    @property
    def users_at_least_one(self) -> bool:
        """Whether the service had a user (a hidden users count is 1–4)."""
        return self.users is None or self.users > 0


def _part_hidden(part: int, whole: int, whole_hidden: bool) -> bool:
    return whole_hidden or is_small(part) or is_small(whole - part)


def suppressed(found: CaseFigures) -> SuppressedFigures:
    hidden = {"users": is_small(found.users), "evaluated": is_small(found.evaluated),
              "connected": is_small(found.connected)}
    hidden["improved"] = _part_hidden(found.improved, found.evaluated, hidden["evaluated"])
    hidden["attending"] = _part_hidden(found.attending, found.connected, hidden["connected"])

    def shown(name: str) -> int | None:
        return None if hidden[name] else getattr(found, name)

    return SuppressedFigures(
        shown("users"), shown("evaluated"), shown("improved"), shown("connected"), shown("attending"),
        None if hidden["improved"] else found.improved_share, None if hidden["attending"] else found.attending_share,
        tuple(name for name in ("users", "evaluated", "improved", "connected", "attending") if hidden[name]))
