"""Checks a record against the domain rules and against what the database holds (the place exists, the
kind is a known one …). Returns structured errors; the GUI and CLI show them the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import records as r
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import FISCAL_YEAR_MAX, FISCAL_YEAR_MIN
from kaigo_desktop.domain.place_details import check_place_details
from kaigo_desktop.domain.validation import (
    FieldError,
    check_attendance,
    check_count,
    check_gathering_date,
    check_members,
    check_period,
    require,
)
from kaigo_desktop.domain.vocab import PLACE_STATUSES, unknown_choice_message
from kaigo_desktop.storage import lookups, roster_queries
from kaigo_desktop.storage.database import Database


def _known(db: Database, table: str, value: str | None, field: str, label: str) -> list[FieldError]:
    return _one_of(value, lookups.vocabulary(db, table), field, label)


def _one_of(value: str | None, choices: Sequence[str], field: str, label: str) -> list[FieldError]:
    """A stored choice is exactly one of the labels (typed forms were matched before: vocab.match_choice)."""
    if value is None or value in choices:
        return []
    return [FieldError(field, unknown_choice_message(label, value, choices))]


def _municipality(db: Database, code: str) -> list[FieldError]:
    if lookups.municipality(db, code) is None:
        return [FieldError("municipality_code", f"区市町村コード {code} は東京都の区市町村にありません。")]
    return []


def _live(db: Database, table: str, record_id: str | None, field: str, label: str) -> list[FieldError]:
    if record_id and not lookups.is_live(db, table, record_id):
        return [FieldError(field, words.not_found(label))]
    return []


def _times(start: str | None, end: str | None) -> list[FieldError]:
    if start and end and end < start:
        return [FieldError("end_time", "終了時刻が開始時刻より前です。")]
    return []


def _fiscal_year(value: object) -> list[FieldError]:
    if isinstance(value, bool) or not isinstance(value, int) or not FISCAL_YEAR_MIN <= value <= FISCAL_YEAR_MAX:
        return [FieldError("fiscal_year", f"年度は{FISCAL_YEAR_MIN}〜{FISCAL_YEAR_MAX}年度で入力してください。")]
    return []


@dataclass(frozen=True)
class FieldsRule:
    """One rule on a few fields of a record, a function of their values alone (and of the reference lists and
    today): (db, today, *the fields' values) → its errors. A record's rules written as such are run one after
    the other on a record (_checked_by), or once per distinct combination of the values over many records
    (received_rows: a bundle's million gatherings share a few hundred dates and counts)."""
    fields: tuple[str, ...]
    check: Callable[..., list[FieldError]]


def _checked_by(rules: tuple[FieldsRule, ...]) -> Callable[[Database, Any, date], list[FieldError]]:
    """A record's rules on its own fields, from its FieldsRules in order."""
    def fields(db: Database, record: Any, today: date) -> list[FieldError]:
        errors: list[FieldError] = []
        for rule in rules:
            errors += rule.check(db, today, *[getattr(record, name) for name in rule.fields])
        return errors
    return fields


# Each kind of record has two sets of rules: those on its own fields (with the reference lists), and those
# comparing it with other records here (the place it names is live, the gathering lies in the place's open
# period). A record typed here meets both; one that arrived from another PC meets the first (see
# validate_received).

def _center_fields(db: Database, c: r.Center, today: date) -> list[FieldError]:
    return require(c.name, "name", "センター名") + _municipality(db, c.municipality_code)


def _place_fields(db: Database, p: r.Place, today: date) -> list[FieldError]:
    errors = require(p.name, "name", "通いの場の名称") + _municipality(db, p.municipality_code)
    errors += _known(db, "venue_kinds", p.venue_kind, "venue_kind", "会場種別")
    errors += _known(db, "operator_kinds", p.operator_kind, "operator_kind", "運営主体")
    errors += _known(db, "main_activity_kinds", p.main_activity_1, "main_activity_1", "主な活動内容")
    errors += _known(db, "main_activity_kinds", p.main_activity_2, "main_activity_2", "主な活動内容")
    errors += _known(db, "frequency_buckets", p.frequency_declared, "frequency_declared", "開催頻度")
    errors += check_period(p.start_date, p.end_date, start_label="開始日", end_label="終了日")
    errors += check_count(p.capacity, "capacity", "定員")
    errors += check_place_details(p.postal_code, p.latitude, p.longitude)
    errors += _one_of("" if p.status is None else p.status, PLACE_STATUSES, "status", "状態")  # never blank
    return errors


def _place_links(db: Database, p: r.Place, today: date) -> list[FieldError]:
    if not p.center_id:
        return []
    center_municipality = lookups.record_municipality(db, "centers", p.center_id)
    errors = _live(db, "centers", p.center_id, "center_id", words.CENTER)
    if center_municipality and center_municipality != p.municipality_code:
        errors.append(FieldError("center_id", "地域包括支援センターが別の区市町村のものです。"))
    return errors


def _promoter_fields(db: Database, p: r.Promoter, today: date) -> list[FieldError]:
    errors = require(p.name, "name", "推進員の氏名") + _municipality(db, p.municipality_code)
    errors += require(p.qualification, "qualification", "職種")
    errors += _known(db, "qualifications", p.qualification or None, "qualification", "職種")
    errors += require(p.start_date, "start_date", "配置開始日")
    return errors + check_period(p.start_date, p.end_date, start_label="配置開始日", end_label="配置終了日")


def _promoter_links(db: Database, p: r.Promoter, today: date) -> list[FieldError]:
    return _live(db, "centers", p.center_id, "center_id", words.CENTER)


def _assignment_fields(db: Database, a: r.Assignment, today: date) -> list[FieldError]:
    errors = require(a.start_date, "start_date", "担当開始日")
    return errors + check_period(a.start_date, a.end_date, start_label="担当開始日", end_label="担当終了日")


def _assignment_links(db: Database, a: r.Assignment, today: date) -> list[FieldError]:
    return (_live(db, "promoters", a.promoter_id, "promoter_id", words.PROMOTER)
            + _live(db, "places", a.place_id, "place_id", words.PLACE))


def _gathering_place(db: Database, today: date, place_id: str | None) -> list[FieldError]:
    return require(place_id, "place_id", words.PLACE)


def _gathering_attendance(db: Database, today: date, *counts: int | None) -> list[FieldError]:
    return check_attendance(**dict(zip(_ATTENDANCE_FIELDS, counts)))


def _gathering_date(db: Database, today: date, held_on: date | None) -> list[FieldError]:
    return check_gathering_date(held_on, place_start=None, place_end=None, today=today)


def _gathering_times(db: Database, today: date, start: str | None, end: str | None) -> list[FieldError]:
    return _times(start, end)


_ATTENDANCE_FIELDS = ("attendance_total", "male", "female", "age_under_65", "age_65_74", "age_75_plus",
                      "new_participants")
_GATHERING_RULES = (FieldsRule(("place_id",), _gathering_place), FieldsRule(_ATTENDANCE_FIELDS, _gathering_attendance),
                    FieldsRule(("held_on",), _gathering_date), FieldsRule(("start_time", "end_time"), _gathering_times))
_gathering_fields = _checked_by(_GATHERING_RULES)


def _gathering_links(db: Database, g: r.Gathering, today: date) -> list[FieldError]:
    errors = _live(db, "places", g.place_id, "place_id", words.PLACE)
    period = lookups.place_period(db, g.place_id) if g.place_id and g.held_on else None
    if period is not None:  # the place's open period (today was checked with the fields)
        errors += check_gathering_date(g.held_on, place_start=period[0], place_end=period[1], today=date.max)
    if g.id:  # a stored gathering with a roster: 参加者数 ≥ the participants recorded present
        errors += pr.check_roster_size(g.attendance_total, roster_queries.roster_size(db, g.id))
    return errors + _live(db, "promoters", g.promoter_id, "promoter_id", words.PROMOTER)


def _members_year(db: Database, today: date, fiscal_year: int) -> list[FieldError]:
    return _fiscal_year(fiscal_year)


def _members_counts(db: Database, today: date, *counts: int | None) -> list[FieldError]:
    return check_members(**dict(zip(_MEMBERS_FIELDS, counts)))


_MEMBERS_FIELDS = ("total", "male", "female", "age_under_65", "age_65_74", "age_75_plus")
_MEMBERS_RULES = (FieldsRule(("fiscal_year",), _members_year), FieldsRule(_MEMBERS_FIELDS, _members_counts))
_members_fields = _checked_by(_MEMBERS_RULES)


def _members_links(db: Database, m: r.Members, today: date) -> list[FieldError]:
    errors = _live(db, "places", m.place_id, "place_id", words.PLACE)
    if m.place_id and isinstance(m.fiscal_year, int) and roster_queries.keeps_roster(db, m.place_id, m.fiscal_year):
        errors.append(FieldError("total", pr.ROSTER_COMPUTED))  # computed there (storage/member_figures.py)
    return errors


def _population_fields(db: Database, p: r.Population, today: date) -> list[FieldError]:
    errors = _municipality(db, p.municipality_code) + _fiscal_year(p.fiscal_year)
    errors += require(p.population_65_plus, "population_65_plus", "65歳以上人口")
    errors += check_count(p.population_65_plus, "population_65_plus", "65歳以上人口")
    errors += check_count(p.population_75_plus, "population_75_plus", "75歳以上人口")
    if not errors and p.population_75_plus is not None and p.population_75_plus > p.population_65_plus:
        errors.append(FieldError("population_75_plus", "75歳以上人口が65歳以上人口を超えています。"))
    return errors


def _activity_kind(db: Database, today: date, kind: str | None) -> list[FieldError]:
    return _known(db, "activity_kinds", kind, "kind", "活動区分")


def _activity_minutes(db: Database, today: date, minutes: int | None) -> list[FieldError]:
    return check_count(minutes, "minutes", "時間（分）")


def _activity_date(db: Database, today: date, done_on: date | None) -> list[FieldError]:
    errors = require(done_on, "done_on", "活動日")
    if done_on is not None and done_on > today:
        errors.append(FieldError("done_on", "活動日が未来の日付です。"))
    return errors


_ACTIVITY_RULES = (FieldsRule(("kind",), _activity_kind), FieldsRule(("minutes",), _activity_minutes),
                   FieldsRule(("done_on",), _activity_date))
_activity_fields = _checked_by(_ACTIVITY_RULES)


def _activity_links(db: Database, a: r.Activity, today: date) -> list[FieldError]:
    return (_live(db, "promoters", a.promoter_id, "promoter_id", words.PROMOTER)
            + _live(db, "places", a.place_id, "place_id", words.PLACE))


def _expense_fields(db: Database, e: r.Expense, today: date) -> list[FieldError]:
    errors = _municipality(db, e.municipality_code) + _fiscal_year(e.fiscal_year)
    errors += _known(db, "expense_categories", e.category, "category", "経費区分")
    return errors + check_count(e.amount, "amount", "金額")


def _no_links(db: Database, record: Any, today: date) -> list[FieldError]:
    return []


# Participants (issue 19): the rules on their fields live in domain/participants.py.

def _participant_fields(db: Database, p: pr.Participant, today: date) -> list[FieldError]:
    return pr.check_participant(p, today)


def _participant_links(db: Database, p: pr.Participant, today: date) -> list[FieldError]:
    return _live(db, "centers", p.center_id, "center_id", words.CENTER)


def _attendance_fields(db: Database, a: pr.Attendance, today: date) -> list[FieldError]:
    return pr.check_attendance_period(a, today)


def _attendance_links(db: Database, a: pr.Attendance, today: date) -> list[FieldError]:
    return (_live(db, "participants", a.participant_id, "participant_id", "参加者")
            + _live(db, "places", a.place_id, "place_id", words.PLACE))


def _check_fields(db: Database, c: pr.FrailtyCheck, today: date) -> list[FieldError]:
    return pr.check_frailty_check(c, today)


def _check_links(db: Database, c: pr.FrailtyCheck, today: date) -> list[FieldError]:
    return (_live(db, "participants", c.participant_id, "participant_id", "参加者")
            + pr.check_not_before_birth(c.checked_on, lookups.participant_birth(db, c.participant_id),
                                        "checked_on", "実施日"))


def _questionnaire_fields(db: Database, q: pr.Questionnaire, today: date) -> list[FieldError]:
    return pr.check_questionnaire(q, today)


def _questionnaire_links(db: Database, q: pr.Questionnaire, today: date) -> list[FieldError]:
    return (_live(db, "participants", q.participant_id, "participant_id", "参加者")
            + pr.check_not_before_birth(q.answered_on, lookups.participant_birth(db, q.participant_id),
                                        "answered_on", "回答日"))


def _roster_fields(db: Database, e: pr.RosterEntry, today: date) -> list[FieldError]:
    return require(e.gathering_id, "gathering_id", words.GATHERING) + require(e.participant_id, "participant_id",
                                                                               "参加者")


def _roster_links(db: Database, e: pr.RosterEntry, today: date) -> list[FieldError]:
    """The gathering and participant live, and the participant attending the gathering's place that day. The
    roster's size against the 参加者数 is the whole roster's rule (services/rosters.py, the gathering's own)."""
    gathering = roster_queries.gathering_facts(db, e.gathering_id) if e.gathering_id else None
    if e.gathering_id and (gathering is None or not gathering.live):
        return [FieldError("gathering_id", words.not_found(words.GATHERING))]
    errors = _live(db, "participants", e.participant_id, "participant_id", "参加者")
    if not errors and gathering is not None and e.participant_id and not roster_queries.attends_on(
            db, e.participant_id, gathering.place_id, gathering.held_on):
        errors.append(FieldError("participant_id", f"この参加者は{gathering.held_on:%Y-%m-%d}にこの通いの場の参加者"
                                                   "として登録されていません（参加者の通いの場の期間を確かめてください）。"))
    return errors


# 短期集中予防サービス cases (issue 19): the rules on their fields live in domain/short_term_cases.py.

def _case_fields(db: Database, case: stc.ShortTermCase, today: date) -> list[FieldError]:
    return stc.check_case(case, today)


def _case_links(db: Database, case: stc.ShortTermCase, today: date) -> list[FieldError]:
    errors = (_live(db, "participants", case.participant_id, "participant_id", "参加者")
              + _live(db, "places", case.outcome_place_id, "outcome_place_id", words.PLACE)
              + pr.check_not_before_birth(case.referred_on, lookups.participant_birth(db, case.participant_id),
                                          "referred_on", "紹介日"))
    for name, label in (("initial_check_id", "初回アセスメント"), ("final_check_id", "再アセスメント")):
        check_id = getattr(case, name)
        if check_id and lookups.check_participant(db, check_id) != case.participant_id:
            errors.append(FieldError(name, f"{label}の基本チェックリストがこの参加者の記録にありません。"))
    return errors


Rules = Callable[[Database, Any, date], list[FieldError]]
_RULES: dict[type, tuple[Rules, Rules]] = {
    r.Center: (_center_fields, _no_links),
    r.Place: (_place_fields, _place_links),
    r.Promoter: (_promoter_fields, _promoter_links),
    r.Assignment: (_assignment_fields, _assignment_links),
    r.Gathering: (_gathering_fields, _gathering_links),
    r.Members: (_members_fields, _members_links),
    r.Population: (_population_fields, _no_links),
    r.Activity: (_activity_fields, _activity_links),
    r.Expense: (_expense_fields, _no_links),
    pr.Participant: (_participant_fields, _participant_links),
    pr.Attendance: (_attendance_fields, _attendance_links),
    pr.FrailtyCheck: (_check_fields, _check_links),
    pr.Questionnaire: (_questionnaire_fields, _questionnaire_links),
    pr.RosterEntry: (_roster_fields, _roster_links),
    stc.ShortTermCase: (_case_fields, _case_links),
}


def validate(db: Database, record: Any, today: date | None = None) -> list[FieldError]:
    """Every rule a record saved here meets (forms, CSV/Excel import, bulk entry)."""
    fields, links = _RULES[type(record)]
    today = today or date.today()
    return fields(db, record, today) + links(db, record, today)


def validate_received(db: Database, record: Any, today: date | None = None) -> list[FieldError]:
    """A record that arrived from another PC (exchange bundle): the same rules on its own fields as validate(),
    but not those comparing it with other records here. The PC that made it checked those against what it
    held then, and either side may have changed since (a place closed here while a gathering was entered
    there); a record it names that is not here at all makes it wait for that record (exchange_pending)."""
    fields, _ = _RULES[type(record)]
    return fields(db, record, today or date.today())


# The rules on the fields of a kind of record, when they are written as FieldsRules (the big tables of a bundle).
_FIELDS_RULES: dict[type, tuple[FieldsRule, ...]] = {
    r.Gathering: _GATHERING_RULES, r.Members: _MEMBERS_RULES, r.Activity: _ACTIVITY_RULES}


def received_rules(record_type: type) -> tuple[FieldsRule, ...] | None:
    """The rules validate_received applies to a record of this type, as FieldsRules in the order they run
    (their errors, concatenated, are validate_received's); None when that kind's rules are not written so."""
    return _FIELDS_RULES.get(record_type)
