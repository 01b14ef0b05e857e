"""What the 参加者 screen reads and writes through services/participants_view.py (issue 19): each person's latest
level and current places, the level filter, and a new participant saved with their place in one transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import checklist, roles
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.records import Center, Place
from kaigo_desktop.services import participants, participants_view, records, users
from kaigo_desktop.services.participants_view import NOT_CHECKED, ParticipantFilter
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
TODAY = date(2025, 3, 10)
SAFE = {f"q{n}": (1 if n in checklist.RISK_WHEN_NO else 0) for n in checklist.YES_NO_ITEMS}


@pytest.fixture
def world(tmp_path: Path):
    db = Database.open(tmp_path / "people.sqlite3", create=True, user="設定者")
    center = records.add(db, Center(CHIYODA, "北センター"))
    sakura = records.add(db, Place(CHIYODA, "さくら会", center_id=center.id, start_date=date(2023, 4, 1)))
    ume = records.add(db, Place(CHIYODA, "うめ会", center_id=center.id, start_date=date(2023, 4, 1)))
    checked = participants.add_participant(db, pr.Participant(center.id, "1", 1944, 5, "女性", name="花子"),
                                           today=TODAY)
    records.add(db, pr.Attendance(checked.id, sakura.id, date(2024, 4, 1)), today=TODAY)
    records.add(db, pr.Attendance(checked.id, ume.id, date(2023, 4, 1), date(2024, 3, 31)), today=TODAY)
    participants.add_check(db, pr.FrailtyCheck(checked.id, date(2024, 5, 1), **SAFE), today=TODAY)
    participants.add_check(db, pr.FrailtyCheck(checked.id, date(2025, 2, 1), **{**SAFE, "q1": 0, "q2": 0, "q3": 0,
                                                                               "q4": 0}), today=TODAY)
    unchecked = participants.add_participant(db, pr.Participant(center.id, "2", 1950, 1, "男性"), today=TODAY)
    users.add_user(db, "管理", roles.ADMIN)
    users.login(db, "管理", "")
    yield dict(db=db, center=center, sakura=sakura, checked=checked, unchecked=unchecked)
    db.close()


def test_latest_level_and_places_attended_today(world):
    rows = {r.summary.number: r for r in participants_view.participant_list(world["db"], ParticipantFilter(),
                                                                            today=TODAY)}
    assert rows["1"].latest_level == checklist.PRE_FRAIL and rows["1"].latest_level_label == "プレフレイル"
    assert rows["1"].places == ("さくら会",)  # うめ会 ended before today
    assert rows["2"].latest_level == NOT_CHECKED and rows["2"].places == ()


def test_the_level_filter(world):
    def numbers(level):
        return [r.summary.number for r in participants_view.participant_list(
            world["db"], ParticipantFilter(level=level), today=TODAY)]

    assert numbers(checklist.PRE_FRAIL) == ["1"]
    assert numbers(NOT_CHECKED) == ["2"]
    assert numbers(checklist.ROBUST) == []


def test_a_new_participant_and_their_place_are_saved_together_or_not_at_all(world):
    db = world["db"]
    before = db.scalar("SELECT count(*) FROM participants")
    future = pr.Attendance("", world["sakura"].id, date(2030, 1, 1))  # refused: a start in the future
    with pytest.raises(UserFacingError):
        participants_view.save_participant(db, pr.Participant(world["center"].id, "", 1951, 2, "女性"), future,
                                           today=TODAY)
    assert db.scalar("SELECT count(*) FROM participants") == before
    saved = participants_view.save_participant(
        db, pr.Participant(world["center"].id, "", 1951, 2, "女性"),
        pr.Attendance("", world["sakura"].id, date(2025, 1, 6)), today=TODAY)
    assert saved.number == "000003"  # after the numbers 1 and 2
    assert db.scalar("SELECT place_id FROM participant_places WHERE participant_id = ?", (saved.id,)) \
        == world["sakura"].id


def test_an_edit_keeps_what_the_form_does_not_carry(world):
    db = world["db"]
    edited = pr.Participant(world["center"].id, "1", 1944, 6, "女性", name="花子", id=world["checked"].id)
    saved = participants_view.save_participant(db, edited, None, today=TODAY)
    assert saved.birth_month == 6 and saved.name == "花子"
    assert saved.meta.created_at == db.scalar("SELECT created_at FROM participants WHERE id = ?", (saved.id,))
