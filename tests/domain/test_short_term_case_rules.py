"""短期集中予防サービス (C) cases in the domain: each date-order rule at its edge (the same day passes, the day
before is refused), the bounded measures, outcome and follow-up rules, the period warning, and the one
definition of 改善 and of the 事項3 figures."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import short_term_cases as stc

TODAY = date(2026, 3, 31)


def full_case(**changes) -> stc.ShortTermCase:
    case = stc.ShortTermCase(
        "p1", date(2025, 4, 1), "地域包括支援センター", assessed_on=date(2025, 4, 10),
        service_start_on=date(2025, 4, 15), service_end_on=date(2025, 7, 14), sessions=12,
        reassessed_on=date(2025, 7, 20), meeting_on=date(2025, 7, 25), meeting_decision="通いの場へつなぐ",
        outcome=stc.TO_PLACE, outcome_place_id="place", followup6_on=date(2026, 1, 14), followup6_attending=1,
        followup6_level=checklist.ROBUST, followup12_on=date(2026, 3, 30), followup12_attending=1)
    return dataclasses.replace(case, **changes)


def fields_of(case: stc.ShortTermCase) -> list[str]:
    return [e.field for e in stc.check_case(case, TODAY)]


def test_a_complete_case_passes():
    assert stc.check_case(full_case(), TODAY) == []


@pytest.mark.parametrize("position", range(1, len(stc.DATE_ORDER)))
def test_each_date_may_equal_the_one_before_but_not_precede_it(position):
    later, label = stc.DATE_ORDER[position]
    earlier, earlier_label = stc.DATE_ORDER[position - 1]
    base = full_case()
    same = dataclasses.replace(base, **{later: getattr(base, earlier)})
    # everything after `later` moved along so only this pair is at its edge
    for after, _ in stc.DATE_ORDER[position + 1:]:
        same = dataclasses.replace(same, **{after: max(getattr(same, after), getattr(same, later))})
    assert stc.check_case(same, TODAY) == []
    before = dataclasses.replace(same, **{later: getattr(same, earlier) - timedelta(days=1)})
    errors = stc.check_case(before, TODAY)
    assert [(e.field, e.message) for e in errors] == [(later, f"{label}が{earlier_label}より前です。")]


def test_a_missing_date_is_skipped_and_the_nearest_given_one_decides():
    case = full_case(assessed_on=None, service_start_on=date(2025, 3, 31), service_end_on=None,
                     reassessed_on=None)
    assert fields_of(case) == ["service_start_on"]  # before the referral (2025-04-01)
    assert fields_of(full_case(service_start_on=None, service_end_on=None)) == []


def test_future_dates_end_without_start_and_choices():
    assert "followup12_on" in fields_of(full_case(followup12_on=TODAY + timedelta(days=1)))
    assert "followup12_on" not in fields_of(full_case(followup12_on=TODAY))
    assert fields_of(full_case(service_start_on=None)) == ["service_start_on"]
    assert fields_of(full_case(referral_source="近所")) == ["referral_source"]
    assert fields_of(full_case(outcome="入院", outcome_place_id=None)) == ["outcome"]
    assert fields_of(full_case(outcome_place_id=None)) == ["outcome_place_id"]
    assert fields_of(full_case(outcome="自立")) == ["outcome_place_id"]  # a place only with 通いの場へ
    assert fields_of(full_case(sessions=201)) == ["sessions"]
    assert fields_of(full_case(sessions=200)) == []
    assert fields_of(full_case(followup6_on=None)) == ["followup6_on"]
    assert fields_of(full_case(followup6_level="good")) == ["followup6_level"]
    assert fields_of(full_case(followup6_attending=2)) == ["followup6_attending"]


@pytest.mark.parametrize("name", list(stc.MEASURES))
def test_measures_bounded_at_their_edges(name):
    label, (low, high), unit = stc.MEASURES[name]
    for stage in ("initial", "final"):
        field = f"{stage}_{name}"
        assert fields_of(full_case(**{field: float(low)})) == []
        assert fields_of(full_case(**{field: float(high)})) == []
        assert fields_of(full_case(**{field: float(low - Decimal("0.1"))})) == [field]
        assert fields_of(full_case(**{field: float(high + Decimal("0.1"))})) == [field]
    assert stc.parse_measure(f" {high}{unit}", name) == high
    assert stc.parse_measure("", name) is None
    with pytest.raises(ValueError, match=label):
        stc.parse_measure(str(high + 1), name)
    with pytest.raises(ValueError, match="小数点以下1桁"):
        stc.parse_measure("5.25", name)


def test_period_warning_outside_about_three_months():
    start = date(2025, 4, 15)
    assert stc.service_period_warning(full_case(service_end_on=start + timedelta(days=60))) is None
    assert stc.service_period_warning(full_case(service_end_on=start + timedelta(days=120))) is None
    assert "59日" in stc.service_period_warning(full_case(service_end_on=start + timedelta(days=59)))
    assert "121日" in stc.service_period_warning(full_case(service_end_on=start + timedelta(days=121)))
    assert stc.service_period_warning(full_case(service_end_on=None)) is None


def test_improved_is_a_better_checklist_level_only():
    R, P, F = checklist.ROBUST, checklist.PRE_FRAIL, checklist.FRAIL
    assert stc.improved(F, P) is True and stc.improved(P, R) is True and stc.improved(F, R) is True
    assert stc.improved(P, P) is False and stc.improved(R, P) is False
    assert stc.improved(None, R) is None and stc.improved(F, None) is None


def test_levels_parse_by_label_or_code():
    assert stc.parse_level("プレフレイル", "状態") == checklist.PRE_FRAIL
    assert stc.parse_level("ロバスト", "状態") == checklist.ROBUST
    assert stc.parse_level("frail", "状態") == checklist.FRAIL
    assert stc.parse_level("", "状態") is None
    with pytest.raises(ValueError, match="状態"):
        stc.parse_level("元気", "状態")


def test_figures_count_participants_once_in_the_fiscal_year():
    start, end = date(2025, 4, 1), date(2026, 3, 31)
    F, P = checklist.FRAIL, checklist.PRE_FRAIL
    cases = [
        (full_case(participant_id="a"), F, P),  # improved, connected, attending
        (full_case(participant_id="a", referred_on=date(2025, 8, 1), assessed_on=None,
                   service_start_on=date(2025, 8, 1), service_end_on=None, reassessed_on=None, meeting_on=None,
                   outcome="", outcome_place_id=None, followup6_on=None, followup6_attending=None,
                   followup6_level=None, followup12_on=None, followup12_attending=None), None, None),
        (full_case(participant_id="b", followup12_attending=0), P, P),  # connected, stopped attending at 12
        (full_case(participant_id="c", outcome="自立", outcome_place_id=None), None, P),  # not evaluated
        (full_case(participant_id="d", service_start_on=date(2025, 1, 1), service_end_on=date(2025, 3, 31),
                   referred_on=date(2024, 12, 1), assessed_on=date(2024, 12, 10)), F, P),  # ended before the 年度
        (full_case(participant_id="e", service_start_on=None, service_end_on=None), F, P),  # never began
    ]
    found = stc.figures(cases, start, end)
    assert found == stc.CaseFigures(users=3, evaluated=2, improved=1, connected=2, attending=1)
    assert found.improved_share == 50.0 and found.attending_share == 50.0
    assert stc.share(1, 3) == 33.3 and stc.share(2, 3) == 66.7 and stc.share(1, 0) is None


def test_latest_followup_decides_attending():
    assert stc.latest_followup_attending(full_case(followup12_attending=0)) == 0
    assert stc.latest_followup_attending(full_case(followup12_on=None, followup12_attending=None)) == 1
    assert stc.latest_followup_attending(full_case(followup6_on=None, followup6_attending=None,
                                                   followup6_level=None, followup12_on=None,
                                                   followup12_attending=None)) is None
