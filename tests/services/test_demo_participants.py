"""The demo's participants and yearly checks (issue 19): a few places keep a roster, checks fall inside each
person's attendance, and their levels change realistically — most stay, some improve, some worsen."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import checklist
from kaigo_desktop.services import outcomes
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.services.demo_participants import MAX_PLACES
from kaigo_desktop.storage import participant_queries
from kaigo_desktop.storage.database import Database

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    db = Database.open(tmp_path_factory.mktemp("demo") / "d.sqlite3", create=True, user="テスト")
    summary = create_demo(db, places=30, years=2, seed=7, today=TODAY)
    yield db, summary
    db.close()


def test_a_few_places_keep_a_roster(demo):
    db, summary = demo
    assert summary.participants == db.scalar("SELECT count(*) FROM participants") > 0
    assert summary.checks == db.scalar("SELECT count(*) FROM frailty_checks") > summary.participants
    assert db.scalar("SELECT count(DISTINCT place_id) FROM participant_places") <= MAX_PLACES
    # the participant belongs to the center of the place whose roster holds them
    assert db.scalar("SELECT count(*) FROM participant_places a JOIN participants p ON p.id = a.participant_id"
                     " JOIN places pl ON pl.id = a.place_id WHERE pl.center_id <> p.center_id") == 0
    # checks inside the attendance period, never after today
    assert db.scalar("SELECT count(*) FROM frailty_checks f JOIN participant_places a USING (participant_id)"
                     " WHERE f.checked_on < a.start_date OR f.checked_on > coalesce(a.end_date, ?)",
                     (TODAY.isoformat(),)) == 0
    assert db.scalar("SELECT count(*) FROM participants WHERE name <> ''") > 0
    assert db.scalar("SELECT count(*) FROM participants WHERE name = ''") > 0


def test_levels_change_realistically(demo):
    db, _ = demo
    changes: Counter = Counter()
    for person in db.query("SELECT id FROM participants"):
        levels = [c.result().level for c in participant_queries.checks_of(db, person["id"])]
        for before, after in zip(levels, levels[1:]):
            changes[checklist.level_change(before, after)] += 1
    assert changes["same"] > changes["improved"] > 0 and changes["same"] > changes["worse"] > 0
    assert sum(outcomes.outcomes(db, 2026).total.changes.values()) > 0


def test_roster_places_record_who_came_and_their_members_are_computed(demo):
    db, _ = demo
    assert db.scalar("SELECT count(*) FROM gathering_participants") > 0
    # never more recorded than the 参加者数, only people attending the place that day
    assert db.scalar("SELECT count(*) FROM (SELECT g.id FROM gathering_participants gp JOIN gatherings g"
                     " ON g.id = gp.gathering_id GROUP BY g.id HAVING count(*) > g.attendance_total)") == 0
    assert db.scalar("SELECT count(*) FROM gathering_participants gp JOIN gatherings g ON g.id = gp.gathering_id"
                     " WHERE NOT EXISTS (SELECT 1 FROM participant_places a WHERE a.participant_id = gp.participant_id"
                     " AND a.place_id = g.place_id AND a.start_date <= g.held_on"
                     " AND (a.end_date IS NULL OR a.end_date >= g.held_on))") == 0
    # no typed 実人数 for a place and 年度 with a roster (it would be ignored)
    assert db.scalar("SELECT count(*) FROM members m WHERE EXISTS (SELECT 1 FROM gathering_participants gp"
                     " JOIN gatherings g ON g.id = gp.gathering_id WHERE g.place_id = m.place_id"
                     " AND g.held_on BETWEEN m.fiscal_year || '-04-01' AND (m.fiscal_year + 1) || '-03-31')") == 0
