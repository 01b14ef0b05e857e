"""基本チェックリスト scoring against hand-scored cases: every item's risk answer, each cut-off one below and at
its edge, BMI at 18.5, blank answers, the ≥ 7 variant; and the 後期高齢者の質問票 answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaigo_desktop.domain import checklist as c

# The answer with no risk for every yes/no item (いいえ for the はい-risk items and vice versa).
SAFE = {n: (n in c.RISK_WHEN_NO) for n in c.YES_NO_ITEMS}
HEALTHY_BMI = {"height_cm": 160, "weight_kg": 55}  # BMI 21.5


def answers(risky: set[int] = frozenset(), **measures) -> c.ChecklistAnswers:
    yes = {n: (not SAFE[n]) if n in risky else SAFE[n] for n in c.YES_NO_ITEMS}
    return c.ChecklistAnswers(yes, **(measures or HEALTHY_BMI))


def test_wording_covers_25_items_and_questionnaire_15():
    assert list(c.CHECKLIST_ITEMS) == list(range(1, 26))
    assert c.CHECKLIST_ITEMS[1] == "バスや電車で1人で外出していますか"
    assert c.CHECKLIST_ITEMS[25] == "（ここ2週間）わけもなく疲れたような感じがする"
    assert list(c.QUESTIONNAIRE_ITEMS) == list(range(1, 16))
    assert c.QUESTIONNAIRE_ITEMS[12][2] == ("吸っている", "吸っていない", "やめた")


# Hand-scored from the form: items 1–8, 16, 19 score for いいえ; 9–11, 13–15, 17, 18, 20–25 for はい.
@pytest.mark.parametrize("item, risk_answer", [
    (1, False), (2, False), (3, False), (4, False), (5, False), (6, False), (7, False), (8, False),
    (9, True), (10, True), (11, True), (13, True), (14, True), (15, True), (16, False), (17, True),
    (18, True), (19, False), (20, True), (21, True), (22, True), (23, True), (24, True), (25, True),
])
def test_each_item_scores_one_only_for_its_risk_answer(item, risk_answer):
    assert c.item_scores(c.ChecklistAnswers({item: risk_answer}))[item] == 1
    assert c.item_scores(c.ChecklistAnswers({item: not risk_answer}))[item] == 0
    assert c.item_scores(c.ChecklistAnswers({}))[item] is None


def test_all_healthy_is_robust_with_no_domain():
    result = c.score(answers())
    assert result.total == 0 and result.unanswered == 0 and result.level == c.ROBUST
    assert not any(d.at_risk for d in result.domains.values())


def test_all_risky_is_frail_with_every_domain():
    result = c.score(answers(set(c.YES_NO_ITEMS), height_cm=160, weight_kg=40))  # BMI 15.6
    assert result.total == 25 and result.level == c.FRAIL
    assert all(d.at_risk for d in result.domains.values())


@pytest.mark.parametrize("weight, expected", [
    (Decimal("47.36"), 0),  # 47.36 / 1.6² = 18.5 exactly: not below the cut-off
    (Decimal("47.35"), 1),  # 18.496…
    (47.36, 0),  # a float from a spreadsheet: still exact
])
def test_bmi_edge_18_5(weight, expected):
    assert c.item_scores(c.ChecklistAnswers({}, height_cm=160, weight_kg=weight))[12] == expected


def test_bmi_value_and_text():
    assert c.bmi(160, Decimal("47.36")) == Decimal("18.5")
    assert c.bmi_text(c.bmi(150, 50)) == "22.2"
    assert c.bmi(None, 50) is None


# Domains: (code, items to make risky one below the cut-off, and at it).
@pytest.mark.parametrize("code, below, at", [
    ("overall", set(range(1, 10)), set(range(1, 11))),  # 9 / 10 of items 1–20
    ("motor", {6, 7}, {6, 7, 10}),  # 2 / 3
    ("oral", {13}, {13, 15}),  # 1 / 2
    ("housebound", set(), {16}),
    ("cognition", set(), {19}),
    ("depression", {21}, {24, 25}),
])
def test_domain_cutoff_edges(code, below, at):
    assert c.score(answers(below)).domains[code].at_risk is False
    assert c.score(answers(at)).domains[code].at_risk is True


def test_housebound_is_item_16_only_not_17():
    assert c.score(answers({17})).domains["housebound"].at_risk is False


def test_nutrition_needs_both_weight_loss_and_low_bmi():
    assert c.score(answers({11})).domains["nutrition"].at_risk is False
    assert c.score(answers(set(), height_cm=160, weight_kg=40)).domains["nutrition"].at_risk is False
    assert c.score(answers({11}, height_cm=160, weight_kg=40)).domains["nutrition"].at_risk is True


@pytest.mark.parametrize("risky_count, level", [(0, c.ROBUST), (3, c.ROBUST), (4, c.PRE_FRAIL), (7, c.PRE_FRAIL),
                                                (8, c.FRAIL), (25, c.FRAIL)])
def test_frailty_level_edges_standard(risky_count, level):
    items = set(list(c.YES_NO_ITEMS)[:risky_count])
    measures = {"height_cm": 160, "weight_kg": 40} if risky_count == 25 else HEALTHY_BMI
    result = c.score(answers(items, **measures))
    assert result.total == risky_count and result.level == level


def test_frail_from_seven_variant():
    variant = c.ChecklistCutoffs(frail_from=7)
    seven = answers(set(list(c.YES_NO_ITEMS)[:7]))
    six = answers(set(list(c.YES_NO_ITEMS)[:6]))
    assert c.score(seven).level == c.PRE_FRAIL
    assert c.score(seven, variant).level == c.FRAIL
    assert c.score(six, variant).level == c.PRE_FRAIL


def test_configurable_domain_cutoff():
    assert c.score(answers({6, 7}), c.ChecklistCutoffs(motor=2)).domains["motor"].at_risk is True


@pytest.mark.parametrize("kwargs", [dict(pre_frail_from=8, frail_from=8), dict(motor=0), dict(motor=6),
                                    dict(frail_from=26)])
def test_cutoffs_refused_when_impossible(kwargs):
    with pytest.raises(c.ChecklistCutoffError):
        c.ChecklistCutoffs(**kwargs)


def test_blank_answers_decide_only_what_they_cannot_change():
    # 2 risky + 1 blank of 5 motor items: 2 or 3 → undecided; 3 risky + blanks: at risk whatever they are.
    yes = {n: SAFE[n] for n in c.YES_NO_ITEMS}
    yes.update({6: False, 7: False, 8: None})
    result = c.score(c.ChecklistAnswers(yes, **HEALTHY_BMI))
    assert result.domains["motor"].at_risk is None and result.domains["motor"].unanswered == 1
    assert result.level == c.ROBUST  # total 2 or 3: robust either way
    yes[9] = True
    assert c.score(c.ChecklistAnswers(yes, **HEALTHY_BMI)).domains["motor"].at_risk is True


def test_blank_answers_that_cannot_change_the_level():
    yes = {n: SAFE[n] for n in c.YES_NO_ITEMS}
    yes[1] = None
    result = c.score(c.ChecklistAnswers(yes, **HEALTHY_BMI))
    assert result.unanswered == 1 and result.level == c.ROBUST  # 0 or 1: robust either way
    yes.update({2: False, 3: False, 4: False})  # 3 risky + 1 blank: 3 or 4
    assert c.score(c.ChecklistAnswers(yes, **HEALTHY_BMI)).level is None
    assert c.score(c.ChecklistAnswers(yes, **HEALTHY_BMI)).level_label == c.UNDECIDED_LABEL


def test_level_change():
    assert c.level_change(c.FRAIL, c.PRE_FRAIL) == "improved"
    assert c.level_change(c.ROBUST, c.ROBUST) == "same"
    assert c.level_change(c.ROBUST, c.FRAIL) == "worse"
    assert c.level_change(None, c.FRAIL) is None


def test_parse_yes_no_refuses_digits():
    assert c.parse_yes_no("はい", 1) is True and c.parse_yes_no("いいえ", 1) is False
    assert c.parse_yes_no("", 1) is None
    with pytest.raises(ValueError, match="No.3"):
        c.parse_yes_no("0", 3)


def test_parse_measure_bounds_and_decimals():
    assert c.parse_measure("160.5", "身長", c.HEIGHT_CM_RANGE, "cm") == Decimal("160.5")
    assert c.parse_measure("55kg", "体重", c.WEIGHT_KG_RANGE, "kg") == Decimal("55")
    for bad in ("99.9", "220.1", "160.55", "abc", "nan"):
        with pytest.raises(ValueError):
            c.parse_measure(bad, "身長", c.HEIGHT_CM_RANGE, "cm")


def test_questionnaire_choices():
    assert c.questionnaire_choice(1, "ふつう") == 3
    assert c.questionnaire_choice(12, "2") == 2
    assert c.questionnaire_choice(3, "") is None
    assert c.questionnaire_answer_label(2, 4) == "不満"
    with pytest.raises(ValueError):
        c.questionnaire_choice(3, "3")
