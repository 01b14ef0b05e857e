"""Demo participants and their yearly 基本チェックリスト (issue 19): a few places keep a roster — who came at each of
their gatherings is recorded (most of the people attending then, never more than the 参加者数), so their
参加者実人数 is computed (storage/member_figures.py) and the demo types none for them; each person is
checked on joining and about yearly after, and most stay at their level, some improve (more often in the first
year at a place), some worsen. Small (a dozen places at most) so the demo is not noticeably slower; its own
random stream, so the rest of the demo is the same for a seed whether or not participants are made."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.records import Place
from kaigo_desktop.services import records
from kaigo_desktop.storage import roster_queries
from kaigo_desktop.storage.ids import new_id

MAX_PLACES = 12
PRESENT_SHARE = 0.75  # of the people attending a roster place, the share who come to a given gathering
PEOPLE_PER_PLACE = (8, 20)
# Level at joining (robust, pre-frail, frail) and a typical total score for each.
START_SHARES = (0.5, 0.35, 0.15)
SCORE_RANGES = {checklist.ROBUST: (0, 3), checklist.PRE_FRAIL: (4, 7), checklist.FRAIL: (8, 14)}
# A year later: (improve, worsen); the rest stay. The first year at a place helps most.
FIRST_YEAR = (0.30, 0.08)
LATER_YEARS = (0.12, 0.15)
HEIGHT_CM = {"男性": (158, 172), "女性": (145, 158), "不明": (150, 165)}


@dataclass(frozen=True)
class DemoParticipants:
    participants: int
    checks: int
    present: int = 0  # roster entries: people recorded at gatherings


def _answers(rng: random.Random, score: int, height: float) -> dict:
    """A check whose total risk score is `score` (item 12 among the risky ones possibly); one in 30 has a blank."""
    risky = set(rng.sample(range(1, 26), score))
    values: dict = {}
    for n in checklist.YES_NO_ITEMS:
        is_risky = n in risky
        values[f"q{n}"] = int(not is_risky) if n in checklist.RISK_WHEN_NO else int(is_risky)
    if rng.random() < 0.03:
        values[f"q{rng.choice(checklist.YES_NO_ITEMS)}"] = None  # 未回答
    bmi = rng.uniform(16.5, 18.3) if checklist.BMI_ITEM in risky else rng.uniform(18.7, 24.5)
    values.update(height_cm=height, weight_kg=round(bmi * height * height / 10000, 1))
    return values


def _level_score(rng: random.Random, level: str) -> int:
    return rng.randint(*SCORE_RANGES[level])


def _next_level(rng: random.Random, level: str, first_year: bool) -> str:
    improve, worsen = FIRST_YEAR if first_year else LATER_YEARS
    index = checklist.LEVELS.index(level)
    roll = rng.random()
    if roll < improve and index > 0:
        return checklist.LEVELS[index - 1]
    if roll > 1 - worsen and index < len(checklist.LEVELS) - 1:
        return checklist.LEVELS[index + 1]
    return level


def add_demo_participants(db, places: list[Place], *, seed: int, first_day: date, today: date,
                          names: list[tuple[str, str]]) -> DemoParticipants:
    """Participants of up to MAX_PLACES of `places` (those with a center), joining between `first_day` − 1 year
    and today, checked yearly; `names` (氏名, よみ) for the centers that keep them."""
    rng = random.Random(seed * 7919 + 19)
    rostered = [p for p in places if p.center_id and p.start_date and p.start_date <= today][:MAX_PLACES]
    people: list[pr.Participant] = []
    attendance: list[pr.Attendance] = []
    checks: list[pr.FrailtyCheck] = []
    questionnaires: list[pr.Questionnaire] = []
    numbers: dict[str, int] = {}
    for place in rostered:
        keeps_names = rng.random() < 0.5
        for _ in range(rng.randint(*PEOPLE_PER_PLACE)):
            sex = rng.choices(("女性", "男性", "不明"), (0.78, 0.21, 0.01))[0]
            numbers[place.center_id] = numbers.get(place.center_id, 0) + 1
            name, kana = rng.choice(names) if keeps_names and names else ("", "")
            person = pr.Participant(place.center_id, f"{numbers[place.center_id]:06d}", rng.randint(1930, 1958),
                                    rng.randint(1, 12), sex, name=name, kana=kana, id=new_id())
            earliest = max(place.start_date, first_day - timedelta(days=365))
            if earliest >= today:
                continue
            joined = earliest + timedelta(days=rng.randrange((today - earliest).days))
            left = None
            if rng.random() < 0.1 and (today - joined).days > 120:
                left = joined + timedelta(days=rng.randrange(90, (today - joined).days))
            people.append(person)
            attendance.append(pr.Attendance(person.id, place.id, joined, left, id=new_id()))
            level = rng.choices(checklist.LEVELS, START_SHARES)[0]
            height = round(rng.uniform(*HEIGHT_CM[sex]), 1)
            day, first_year = joined + timedelta(days=rng.randrange(0, 14)), True
            while day <= min(today, left or today):
                checks.append(pr.FrailtyCheck(person.id, day, entered_by="デモ",
                                              **_answers(rng, _level_score(rng, level), height), id=new_id()))
                if rng.random() < 0.25:  # the 後期高齢者の質問票 taken the same day (health check-up season)
                    questionnaires.append(pr.Questionnaire(person.id, day, entered_by="デモ", id=new_id(), **{
                        f"a{n}": rng.randint(1, len(choices))
                        for n, (_, _, choices) in checklist.QUESTIONNAIRE_ITEMS.items()}))
                level = _next_level(rng, level, first_year)
                first_year = False
                day += timedelta(days=rng.randrange(330, 400))
    records.add_many(db, people, today=today)
    records.add_many(db, attendance, today=today)
    records.add_many(db, checks, today=today)
    records.add_many(db, questionnaires, today=today)
    present = _record_rosters(db, rng, attendance, today)
    return DemoParticipants(len(people), len(checks), present)


def _record_rosters(db, rng: random.Random, attendance: list[pr.Attendance], today: date) -> int:
    """Who came at each gathering of the roster places: a share of those attending that day, at most the
    gathering's 参加者数 (the rule a roster meets)."""
    by_place: dict[str, list[pr.Attendance]] = {}
    for period in attendance:
        by_place.setdefault(period.place_id, []).append(period)
    entries: list[pr.RosterEntry] = []
    for place_id, periods in by_place.items():
        for gathering_id, day, attendance_total in roster_queries.gatherings_of(db, place_id):
            if day > today:
                continue
            there = [p.participant_id for p in periods
                     if p.start_date <= day and (p.end_date is None or p.end_date >= day)]
            came = [pid for pid in there if rng.random() < PRESENT_SHARE]
            came = rng.sample(came, min(len(came), attendance_total or 0))
            entries += [pr.RosterEntry(gathering_id, pid) for pid in came]
    records.add_many(db, entries, today=today)
    return len(entries)
