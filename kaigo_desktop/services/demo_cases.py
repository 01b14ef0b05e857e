"""Demo 短期集中予防サービス (C) cases (issue 19): some of the demo's pre-frail or frail participants are referred
after a check, assessed with it, served about three months, re-assessed with a new check (most improve), and
decided on at a 地域ケア会議 — most go to a 通いの場 (their own), some to 自立 or 一般介護予防, a few keep the
service or apply for 要介護認定 — with follow-ups at 6 and 12 months where those have come. Cases still running
today stop where today is. Its own random stream, so the rest of the demo is the same for a seed."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import date, timedelta

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.services import records
from kaigo_desktop.services.demo_participants import _answers, _level_score
from kaigo_desktop.storage import participant_queries
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.ids import new_id

MAX_CASES = 16
SHARE_REFERRED = 0.4  # of the pre-frail or frail participants
# After the service: (improve, stay); the rest worsen.
REASSESSED = (0.6, 0.35)
OUTCOME_WEIGHTS = {stc.TO_PLACE: 0.45, "自立": 0.2, "一般介護予防": 0.15, "継続": 0.1, stc.CARE_APPLICATION: 0.1}
SOURCE_WEIGHTS = {"地域包括支援センター": 0.35, "基本チェックリスト": 0.3, "通いの場": 0.15, "医療機関": 0.1,
                  "ケアマネジャー": 0.05, "本人・家族": 0.05}


@dataclass(frozen=True)
class DemoCases:
    cases: int
    checks: int  # the re-assessments' checks added


def _better(rng: random.Random, level: str) -> str:
    index = checklist.LEVELS.index(level)
    roll = rng.random()
    if roll < REASSESSED[0]:
        return checklist.LEVELS[max(index - 1, 0)]
    if roll < sum(REASSESSED):
        return level
    return checklist.LEVELS[min(index + 1, len(checklist.LEVELS) - 1)]


def _measures(rng: random.Random, stage: str, gain: float) -> dict:
    return {f"{stage}_grip_kg": round(rng.uniform(12, 26) + 2 * gain, 1),
            f"{stage}_walk_5m_s": round(rng.uniform(4.5, 9.0) - gain, 1),
            f"{stage}_tug_s": round(rng.uniform(8.5, 16.0) - 1.5 * gain, 1)}


def _within(day: date, until: date | None) -> date | None:
    return day if until is None or day <= until else None


def add_demo_cases(db: Database, *, seed: int, today: date) -> DemoCases:
    rng = random.Random(seed * 104729 + 23)
    cases: list[stc.ShortTermCase] = []
    new_checks: list[pr.FrailtyCheck] = []
    for row in participant_queries.participants(db):
        if len(cases) >= MAX_CASES:
            break
        person = row.participant
        checks = participant_queries.checks_of(db, person.id)
        attendance = participant_queries.attendance_of(db, person.id)
        if not checks or not attendance:
            continue
        first = checks[0]
        level = first.result().level
        if level not in (checklist.PRE_FRAIL, checklist.FRAIL) or rng.random() > SHARE_REFERRED:
            continue
        place, left = attendance[0][0].place_id, attendance[0][0].end_date
        last_day = min(today, left or today)
        taken = {c.checked_on for c in checks}
        assessed = first.checked_on
        referred = max(assessed - timedelta(days=rng.randint(3, 20)), attendance[0][0].start_date)
        start = _within(assessed + timedelta(days=rng.randint(3, 10)), last_day)
        end = _within(start + timedelta(days=rng.randint(80, 100)), last_day) if start else None
        reassessed = _within(end + timedelta(days=rng.randint(1, 10)), last_day) if end else None
        if reassessed in taken:
            reassessed = None
        final_check = None
        if reassessed:
            after = _better(rng, level)
            height = first.height_cm or 155.0
            final_check = pr.FrailtyCheck(person.id, reassessed, entered_by="デモ", id=new_id(),
                                          **{**_answers(rng, _level_score(rng, after), height), "height_cm": height})
            new_checks.append(final_check)
        meeting = _within(reassessed + timedelta(days=rng.randint(3, 14)), today) if reassessed else None
        outcome = rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()))[0] if meeting else ""
        case = stc.ShortTermCase(
            person.id, referred, rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0],
            assessed_on=assessed, initial_check_id=first.id, **_measures(rng, "initial", 0.0),
            service_start_on=start, service_end_on=end, sessions=rng.randint(8, 12) if end else None,
            reassessed_on=reassessed, final_check_id=final_check.id if final_check else None,
            **(_measures(rng, "final", rng.uniform(0, 1.5)) if reassessed else {}),
            meeting_on=meeting, meeting_decision={"": "", stc.TO_PLACE: "通いの場へつなぐ", "自立": "終了（セルフケア）",
                                                  "一般介護予防": "一般介護予防事業へ", "継続": "サービスを継続",
                                                  stc.CARE_APPLICATION: "要介護認定の申請を支援"}[outcome],
            outcome=outcome, outcome_place_id=place if outcome == stc.TO_PLACE else None, id=new_id())
        for months, days in ((6, 182), (12, 365)):
            on = _within(end + timedelta(days=days), today) if end and meeting else None
            if on is None or on < meeting:
                break
            stays = rng.random() < (0.8 if outcome == stc.TO_PLACE else 0.3)
            case = dataclasses.replace(case, **{
                f"followup{months}_on": on, f"followup{months}_attending": int(stays),
                f"followup{months}_level": rng.choice(checklist.LEVELS[:2] if stays else checklist.LEVELS[1:])})
        cases.append(case)
    records.add_many(db, new_checks, today=today)
    records.add_many(db, cases, today=today)
    return DemoCases(len(cases), len(new_checks))
