"""Outcome figures per place and 年度 against an independent SQL query that scores the checklist itself, and
their publication with small counts suppressed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.records import Center, Place
from kaigo_desktop.reports import outcome_tables
from kaigo_desktop.reports.model import Hidden
from kaigo_desktop.services import outcomes, participants, records
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
TODAY = date(2025, 6, 1)
# The checklist scored in SQL alone: the lowest possible total (blank answers scoring 0) and the count of blanks; a
# level is given only when the highest possible total (every blank risky) falls in the same band.
_RISKS = ([f"(q{n} = 0)" if n in checklist.RISK_WHEN_NO else f"(q{n} = 1)" for n in checklist.YES_NO_ITEMS]
          + ["(weight_kg * 10000.0 / (height_cm * height_cm) < 18.5)"])
LOW_SQL = " + ".join(f"coalesce({risk}, 0)" for risk in _RISKS)
BLANKS_SQL = " + ".join([f"(q{n} IS NULL)" for n in checklist.YES_NO_ITEMS] + ["(height_cm IS NULL)"])


def _band(total: str) -> str:
    return f"CASE WHEN {total} >= 8 THEN 'frail' WHEN {total} >= 4 THEN 'pre_frail' ELSE 'robust' END"


LEVEL_SQL = (f"CASE WHEN {_band(f'({LOW_SQL})')} = {_band(f'({LOW_SQL} + {BLANKS_SQL})')}"
             f" THEN {_band(f'({LOW_SQL})')} ELSE 'undecided' END")


def _random_check(rng: random.Random, person: str, day: date, frailty: float) -> pr.FrailtyCheck:
    answers = {}
    for n in checklist.YES_NO_ITEMS:
        risky = rng.random() < frailty
        answers[f"q{n}"] = int(not risky) if n in checklist.RISK_WHEN_NO else int(risky)
    weight = rng.choice([38.0, 45.5, 52.0, 60.0, 71.5])  # BMI at 155 cm: 15.8 … 29.8, never 18.5 itself
    return pr.FrailtyCheck(person, day, height_cm=155.0, weight_kg=weight, **answers)


@pytest.fixture
def world(tmp_path: Path):
    db = Database.open(tmp_path / "outcomes.sqlite3", create=True, user="テスト")
    rng = random.Random(7)
    center = records.add(db, Center(CHIYODA, "北センター"))
    places = [records.add(db, Place(CHIYODA, f"会{i}", center_id=center.id, start_date=date(2022, 4, 1)))
              for i in range(3)]
    for i in range(60):
        person = participants.add_participant(db, pr.Participant(center.id, "", 1940 + i % 15, 1 + i % 12,
                                                                 "女性" if i % 4 else "男性"), today=TODAY)
        start = date(2022, 4, 1) + timedelta(days=rng.randrange(0, 900))
        end = start + timedelta(days=rng.randrange(100, 700)) if i % 5 == 0 else None
        for place in rng.sample(places, 1 if i % 3 else 2):
            records.add(db, pr.Attendance(person.id, place.id, start, end), today=TODAY)
        day, frailty = start, rng.random() * 0.5
        while day < date(2025, 5, 1):
            if rng.random() < 0.85:
                participants.add_check(db, _random_check(rng, person.id, day, frailty), today=TODAY)
            day += timedelta(days=rng.randrange(200, 420))
            frailty = min(1.0, max(0.0, frailty + rng.uniform(-0.15, 0.15)))
    yield db
    db.close()


def _expected(db: Database, fy: int) -> dict[str, dict]:
    """Per place (and '' for each person once): checked, first/latest level counts, changes — by SQL alone."""
    start, end = f"{fy}-04-01", f"{fy + 1}-03-31"
    attending = (f"SELECT DISTINCT a.place_id, a.participant_id FROM participant_places a WHERE a.deleted_at IS NULL"
                 f" AND a.start_date <= '{end}' AND (a.end_date IS NULL OR a.end_date >= '{start}')")
    rows = db.query(
        f"WITH att AS ({attending}),"
        f" scored AS (SELECT participant_id, checked_on, {LEVEL_SQL} AS level FROM frailty_checks"
        f"  WHERE deleted_at IS NULL AND checked_on <= '{end}'),"
        " firsts AS (SELECT participant_id, min(checked_on) AS d FROM scored GROUP BY participant_id),"
        f" latests AS (SELECT participant_id, max(checked_on) AS d FROM scored WHERE checked_on >= '{start}'"
        "  GROUP BY participant_id),"
        " people AS (SELECT f.participant_id, f.d AS first_on, l.d AS latest_on,"
        "  (SELECT level FROM scored s WHERE s.participant_id = f.participant_id AND s.checked_on = f.d) AS first,"
        "  (SELECT level FROM scored s WHERE s.participant_id = l.participant_id AND s.checked_on = l.d) AS latest"
        "  FROM firsts f JOIN latests l USING (participant_id))"
        " SELECT att.place_id, p.* FROM att JOIN people p USING (participant_id)"
        " UNION ALL SELECT '' AS place_id, p.* FROM people p"
        f" WHERE p.participant_id IN (SELECT participant_id FROM att)")
    order = {level: i for i, level in enumerate(checklist.LEVELS)}
    expected: dict[str, dict] = {}
    for row in rows:
        e = expected.setdefault(row["place_id"], {"checked": 0, "first": Counter(), "latest": Counter(),
                                                  "changes": Counter()})
        e["checked"] += 1
        e["first"][row["first"]] += 1
        e["latest"][row["latest"]] += 1
        if row["first_on"] < row["latest_on"]:
            if "undecided" in (row["first"], row["latest"]):
                e["changes"]["undecided"] += 1
                continue
            step = order[row["latest"]] - order[row["first"]]
            e["changes"]["improved" if step < 0 else "worse" if step > 0 else "same"] += 1
    return expected


@pytest.mark.parametrize("fy", [2023, 2024])
def test_figures_match_independent_sql(world, fy):
    found = outcomes.outcomes(world, fy)
    expected = _expected(world, fy)
    assert found.total.checked == expected[""]["checked"] > 10
    for outcome in (*found.places, found.total):
        e = expected.get(outcome.place_id, {"checked": 0, "first": Counter(), "latest": Counter(),
                                            "changes": Counter()})
        assert outcome.checked == e["checked"]
        assert +outcome.first_levels == e["first"]
        assert +outcome.latest_levels == e["latest"]
        assert +outcome.changes == e["changes"]
        assert outcome.compared == sum(e["changes"].values())
    assert sum(found.total.changes.values()) > 0 and len(found.total.changes) >= 2  # not all one kind


def test_one_place_and_the_cutoff_variant(world):
    whole = outcomes.outcomes(world, 2024)
    one = outcomes.outcomes(world, 2024, place_id=whole.places[0].place_id)
    assert [p.to_json() for p in one.places] == [whole.places[0].to_json()]
    stricter = outcomes.outcomes(world, 2024, cutoffs=checklist.ChecklistCutoffs(frail_from=7))
    assert stricter.total.latest_levels["frail"] >= whole.total.latest_levels["frail"]


def test_published_rows_hide_small_counts_and_what_gives_them_away(world):
    found = outcomes.outcomes(world, 2024)
    rows, suppressor = outcome_tables.outcome_rows(found)
    plain, _ = outcome_tables.outcome_rows(found, suppress=False)
    assert all(not isinstance(v, Hidden) for row in plain for v in (*row.first_levels.values(), row.checked))
    cells = [(raw, shown) for row, raw_row in zip(rows, plain)
             for raw, shown in zip((*raw_row.first_levels.values(), *raw_row.latest_levels.values(),
                                    *raw_row.changes.values()),
                                   (*row.first_levels.values(), *row.latest_levels.values(),
                                    *row.changes.values()))]
    assert any(1 <= raw <= 4 for raw, _ in cells)
    for raw, shown in cells:
        if 1 <= raw <= 4:
            assert isinstance(shown, Hidden)
        elif not isinstance(shown, Hidden):
            assert shown == raw
    assert suppressor.hidden  # listed for the note under the table
