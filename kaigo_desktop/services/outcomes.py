"""Outcome figures per 通いの場 and 年度 (issue 19): participants checked, their frailty level at the first and at
the latest check, and how it changed (改善 / 維持 / 悪化). Raw counts of people: whatever publishes them
suppresses small ones (reports/outcome_tables.py, with reports/suppression.py).

Definitions (docs/formats.md, 「outcomes」):
- a place's participants in a 年度: those whose attendance period at it overlaps the 年度;
- checked: those of them with a check dated in the 年度;
- first level: at their first check ever (up to the 年度's end); latest level: at their last check in the 年度;
- change: for those checked at least twice (first check before the latest), latest level against first;
  a level undecided because of blank answers (判定不能) is counted as such and not compared;
- 全体: each person once, however many places they attend (the places' figures count them at each)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from kaigo_desktop.domain import checklist, roles
from kaigo_desktop.domain.fiscal import fiscal_year_range
from kaigo_desktop.services import participants, rights
from kaigo_desktop.storage import participant_queries
from kaigo_desktop.storage.database import Database

UNDECIDED = "undecided"
LEVEL_KEYS = (*checklist.LEVELS, UNDECIDED)
CHANGE_KEYS = ("improved", "same", "worse", UNDECIDED)
ALL_PLACES = ""  # the place_id of the 全体 row


@dataclass
class PlaceOutcome:
    place_id: str  # ALL_PLACES for the whole 区市町村
    place_name: str
    attending: int = 0
    checked: int = 0
    first_levels: Counter = field(default_factory=Counter)  # LEVEL_KEYS → people
    latest_levels: Counter = field(default_factory=Counter)
    compared: int = 0  # checked at least twice
    changes: Counter = field(default_factory=Counter)  # CHANGE_KEYS → people

    def to_json(self) -> dict:
        return {"place_id": self.place_id or None, "place": self.place_name, "attending": self.attending,
                "checked": self.checked,
                "first_levels": {key: self.first_levels[key] for key in LEVEL_KEYS},
                "latest_levels": {key: self.latest_levels[key] for key in LEVEL_KEYS},
                "compared": self.compared, "changes": {key: self.changes[key] for key in CHANGE_KEYS}}


@dataclass(frozen=True)
class Outcomes:
    fiscal_year: int
    cutoffs: checklist.ChecklistCutoffs
    places: list[PlaceOutcome]  # by place name
    total: PlaceOutcome


def _level(check, cutoffs) -> str:
    return check.result(cutoffs).level or UNDECIDED


def _count(outcome: PlaceOutcome, checks: list, fy_start: date, cutoffs: checklist.ChecklistCutoffs,
           memo: dict) -> None:
    outcome.attending += 1
    in_year = [c for c in checks if c.checked_on >= fy_start]
    if not in_year:
        return
    first, latest = checks[0], in_year[-1]
    first_level, latest_level = memo.setdefault(first.id, _level(first, cutoffs)), \
        memo.setdefault(latest.id, _level(latest, cutoffs))
    outcome.checked += 1
    outcome.first_levels[first_level] += 1
    outcome.latest_levels[latest_level] += 1
    if first.checked_on < latest.checked_on:
        outcome.compared += 1
        change = checklist.level_change(None if first_level == UNDECIDED else first_level,
                                        None if latest_level == UNDECIDED else latest_level)
        outcome.changes[change or UNDECIDED] += 1


def outcomes(db: Database, fiscal_year: int, *, place_id: str | None = None, municipality_code: str | None = None,
             cutoffs: checklist.ChecklistCutoffs | None = None) -> Outcomes:
    rights.require(db, roles.READ)
    cutoffs = cutoffs or participants.cutoffs(db)
    fy_start, fy_end = fiscal_year_range(fiscal_year)
    attending = participant_queries.attending_in(db, fy_start, fy_end, place_id=place_id,
                                                 municipality_code=municipality_code)
    people = sorted({a.participant_id for a in attending})
    checks = participant_queries.checks_until(db, people, fy_end)
    memo: dict[str, str] = {}
    by_place: dict[str, PlaceOutcome] = {}
    for a in attending:
        outcome = by_place.setdefault(a.place_id, PlaceOutcome(a.place_id, a.place_name))
        _count(outcome, checks[a.participant_id], fy_start, cutoffs, memo)
    total = PlaceOutcome(ALL_PLACES, "全体")
    for person in people:
        _count(total, checks[person], fy_start, cutoffs, memo)
    return Outcomes(fiscal_year, cutoffs, list(by_place.values()), total)
