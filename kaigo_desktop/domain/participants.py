"""Participants and their frailty checks (issue 19), as plain dataclasses: the minimum personal data — a number
(the center's own or generated), birth year and month, sex, the center, the places attended (from–to) and, only
if the center wants it, name and よみ. No address, no insurance number. Storage maps them to the tables of
db/0015 (storage/rows.py); their rows travel only in encrypted exchange bundles (services/exchange.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from decimal import Decimal

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain.records import RecordMeta
from kaigo_desktop.domain.validation import FieldError, check_period, require

SEXES = ("男性", "女性", "不明")
NUMBER_MAX_CHARS = 20
NAME_MAX_CHARS = 60


@dataclass
class Participant:
    center_id: str
    number: str  # the center's own participant number, or one generated (services/participants.py)
    birth_year: int
    birth_month: int
    sex: str  # one of SEXES
    name: str = ""  # only if the center keeps it; shown only to who may see identities (domain/roles.py)
    kana: str = ""  # よみ
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class Attendance:
    """A participant attends a place from `start_date` (to `end_date`, open when None)."""

    participant_id: str
    place_id: str
    start_date: date
    end_date: date | None = None
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class FrailtyCheck:
    """One 基本チェックリスト: q1…q25 (no q12) 1 = はい, 0 = いいえ, None = 未回答; item 12 from height and
    weight. Results are computed (domain/checklist.py), never stored."""

    participant_id: str
    checked_on: date
    entered_by: str = ""  # who entered it (the audit trail also keeps the login name)
    q1: int | None = None
    q2: int | None = None
    q3: int | None = None
    q4: int | None = None
    q5: int | None = None
    q6: int | None = None
    q7: int | None = None
    q8: int | None = None
    q9: int | None = None
    q10: int | None = None
    q11: int | None = None
    q13: int | None = None
    q14: int | None = None
    q15: int | None = None
    q16: int | None = None
    q17: int | None = None
    q18: int | None = None
    q19: int | None = None
    q20: int | None = None
    q21: int | None = None
    q22: int | None = None
    q23: int | None = None
    q24: int | None = None
    q25: int | None = None
    height_cm: float | None = None
    weight_kg: float | None = None
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)

    def answers(self) -> checklist.ChecklistAnswers:
        yes = {n: None if getattr(self, f"q{n}") is None else bool(getattr(self, f"q{n}"))
               for n in checklist.YES_NO_ITEMS}
        return checklist.ChecklistAnswers(yes, self.height_cm, self.weight_kg)

    def result(self, cutoffs: checklist.ChecklistCutoffs = checklist.STANDARD_CUTOFFS) -> checklist.ChecklistResult:
        return checklist.score(self.answers(), cutoffs)


ANSWER_FIELDS = tuple(f"q{n}" for n in checklist.YES_NO_ITEMS)


@dataclass
class Questionnaire:
    """後期高齢者の質問票: a1…a15 the chosen answer's number (1 = the first choice), None = 未回答."""

    participant_id: str
    answered_on: date
    entered_by: str = ""
    a1: int | None = None
    a2: int | None = None
    a3: int | None = None
    a4: int | None = None
    a5: int | None = None
    a6: int | None = None
    a7: int | None = None
    a8: int | None = None
    a9: int | None = None
    a10: int | None = None
    a11: int | None = None
    a12: int | None = None
    a13: int | None = None
    a14: int | None = None
    a15: int | None = None
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


@dataclass
class RosterEntry:
    """A participant recorded as present at a gathering (a place that keeps a roster). One per gathering and
    participant: unticking moves the entry to the trash, ticking again brings the same entry back."""

    gathering_id: str
    participant_id: str
    id: str = ""
    meta: RecordMeta = field(default_factory=RecordMeta, compare=False)


QUESTIONNAIRE_FIELDS = tuple(f"a{n}" for n in checklist.QUESTIONNAIRE_ITEMS)
assert set(QUESTIONNAIRE_FIELDS) <= {f.name for f in fields(Questionnaire)}
assert set(ANSWER_FIELDS) <= {f.name for f in fields(FrailtyCheck)}


# ---------------------------------------------------------------- the rules on their own fields

ENTERED_BY_MAX_CHARS = 40


def _too_long(value: str, limit: int, field_name: str, label: str) -> list[FieldError]:
    if len(value or "") > limit:
        return [FieldError(field_name, f"{label}は{limit}文字以内で入力してください。")]
    return []


def _not_future(day: date | None, field_name: str, label: str, today: date) -> list[FieldError]:
    if day is not None and day > today:
        return [FieldError(field_name, f"{label}が未来の日付です。")]
    return []


def check_participant(p: Participant, today: date) -> list[FieldError]:
    errors = require(p.number, "number", "参加者番号") + require(p.center_id, "center_id", "地域包括支援センター")
    errors += _too_long(p.number, NUMBER_MAX_CHARS, "number", "参加者番号")
    if p.number and p.number != p.number.strip():
        errors.append(FieldError("number", "参加者番号の前後に空白があります。"))
    if not isinstance(p.birth_year, int) or isinstance(p.birth_year, bool) or not 1900 <= p.birth_year <= today.year:
        errors.append(FieldError("birth_year", f"生まれ年は1900〜{today.year}年で入力してください。"))
    elif not isinstance(p.birth_month, int) or isinstance(p.birth_month, bool) or not 1 <= p.birth_month <= 12:
        errors.append(FieldError("birth_month", "生まれ月は1〜12月で入力してください。"))
    elif (p.birth_year, p.birth_month) > (today.year, today.month):
        errors.append(FieldError("birth_month", "生まれ年月が未来です。"))
    if p.sex not in SEXES:
        errors.append(FieldError("sex", f"性別は{'・'.join(SEXES)}のいずれかで入力してください: {p.sex}"))
    errors += _too_long(p.name, NAME_MAX_CHARS, "name", "氏名")
    return errors + _too_long(p.kana, NAME_MAX_CHARS, "kana", "よみ")


def check_attendance_period(a: Attendance, today: date) -> list[FieldError]:
    errors = require(a.participant_id, "participant_id", "参加者") + require(a.place_id, "place_id", "通いの場")
    errors += require(a.start_date, "start_date", "参加開始日")
    errors += _not_future(a.start_date, "start_date", "参加開始日", today)
    return errors + check_period(a.start_date, a.end_date, start_label="参加開始日", end_label="参加終了日")


def check_not_before_birth(day: date | None, birth: tuple[int, int] | None, field_name: str, label: str
                           ) -> list[FieldError]:
    """A check or 質問票 dated before the participant's birth month (`birth`: (year, month), None: unknown)."""
    if day is not None and birth is not None and (day.year, day.month) < birth:
        return [FieldError(field_name, f"{label}が生まれ年月より前です。")]
    return []


def check_frailty_check(c: FrailtyCheck, today: date) -> list[FieldError]:
    errors = require(c.participant_id, "participant_id", "参加者") + require(c.checked_on, "checked_on", "実施日")
    errors += _not_future(c.checked_on, "checked_on", "実施日", today)
    errors += _too_long(c.entered_by, ENTERED_BY_MAX_CHARS, "entered_by", "記入者")
    for name in ANSWER_FIELDS:
        if getattr(c, name) not in (None, 0, 1) or isinstance(getattr(c, name), float):
            errors.append(FieldError(name, f"基本チェックリスト No.{name[1:]} の回答は「はい」か「いいえ」です。"))
    if (c.height_cm is None) != (c.weight_kg is None):
        errors.append(FieldError("weight_kg" if c.weight_kg is None else "height_cm",
                                 "身長と体重は両方とも入力してください（BMI の計算に使います）。"))
    for name, label, bounds, unit in (("height_cm", "身長", checklist.HEIGHT_CM_RANGE, "cm"),
                                      ("weight_kg", "体重", checklist.WEIGHT_KG_RANGE, "kg")):
        value = getattr(c, name)
        if value is not None and not bounds[0] <= Decimal(str(value)) <= bounds[1]:
            errors.append(FieldError(name, f"{label}は{bounds[0]}〜{bounds[1]}{unit}の範囲で入力してください。"))
    return errors


def check_questionnaire(q: Questionnaire, today: date) -> list[FieldError]:
    errors = require(q.participant_id, "participant_id", "参加者") + require(q.answered_on, "answered_on", "回答日")
    errors += _not_future(q.answered_on, "answered_on", "回答日", today)
    errors += _too_long(q.entered_by, ENTERED_BY_MAX_CHARS, "entered_by", "記入者")
    for number, (_, _, choices) in checklist.QUESTIONNAIRE_ITEMS.items():
        value = getattr(q, f"a{number}")
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 1 <= value <= len(choices)):
            errors.append(FieldError(f"a{number}", f"後期高齢者の質問票 No.{number} の回答は1〜{len(choices)}です。"))
    return errors


# ---------------------------------------------------------------- rosters (who came at a gathering)

FISCAL_YEAR_FIRST_MONTH = 4  # a 年度 starts on 1 April


def age_at_fiscal_year_start(birth_year: int, birth_month: int, fiscal_year: int) -> int:
    """Age in whole years on 1 April of the 年度, from the birth year and month only: a person born in April or
    later of a year has not had that year's birthday by 1 April (the day is unknown; counting April births as
    not yet a year older keeps a 64-year-old out of 65歳以上). storage/member_figures.py writes the same rule in
    SQL; tests/domain/test_rosters.py holds them together."""
    return fiscal_year - birth_year - (1 if birth_month >= FISCAL_YEAR_FIRST_MONTH else 0)


ROSTER_COMPUTED = ("この年度は開催記録で参加者を記録しているため、参加者実人数は記録から計算します"
                   "（入力はできません）。")


def check_roster_size(attendance_total: int | None, roster_size: int, field_name: str = "attendance_total"
                      ) -> list[FieldError]:
    """A gathering's 参加者数 counts everyone who came, so it is never below the participants recorded as present."""
    if roster_size and (attendance_total is None or attendance_total < roster_size):
        shown = "未入力" if attendance_total is None else f"{attendance_total:,}人"
        return [FieldError(field_name, f"参加者数（{shown}）が、参加を記録した参加者の数（{roster_size:,}人）より"
                                       "少なくなっています。参加者数を直すか、参加の記録を見直してください。")]
    return []
