"""A participant to the trash and back (issue 19): refused to a 推進員 and to another center's staff; their
periods, checks and cases stay attached and come back; the outcome, roster and case figures leave a trashed
participant out — each checked against the test's own SQL; audited as delete and restore. And an attendance
period ended (participants_view.end_period) by the domain's period rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.domain.records import Center, Gathering, Place, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import (
    audit,
    outcomes,
    participants,
    participants_view,
    records,
    rights,
    rosters,
    short_term_cases,
    stats,
    users,
)
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
TODAY = date(2025, 6, 1)
FY = 2024


@pytest.fixture
def world(tmp_path: Path):
    db = Database.open(tmp_path / "trash.sqlite3", create=True, user="設定者")
    north = records.add(db, Center(CHIYODA, "北センター"))
    south = records.add(db, Center(CHIYODA, "南センター"))
    place = records.add(db, Place(CHIYODA, "北のさくら会", center_id=north.id, start_date=date(2023, 4, 1)))
    promoter = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    people = []
    for i in range(6):
        person = participants.add_participant(db, pr.Participant(north.id, f"N-{i}", 1945, 1 + i, "女性"),
                                              today=TODAY)
        records.add(db, pr.Attendance(person.id, place.id, date(2024, 4, 1)), today=TODAY)
        for day, risky in ((date(2024, 5, 1), 1), (date(2025, 2, 1), 0)):
            participants.add_check(db, pr.FrailtyCheck(person.id, day, q1=risky, q2=risky, q3=risky, q4=risky,
                                                       q5=risky, q6=0, q7=1, q8=1, q9=1, q10=0),
                                   today=TODAY)
        people.append(person)
    gathering = records.add(db, Gathering(place.id, date(2024, 6, 10), 10), today=TODAY)
    rosters.record_roster(db, gathering.id, [p.id for p in people], today=TODAY)
    participants.add_questionnaire(db, pr.Questionnaire(people[0].id, date(2024, 5, 1), a1=2), today=TODAY)
    short_term_cases.add_case(db, stc.ShortTermCase(
        people[0].id, date(2024, 5, 1), stc.REFERRAL_SOURCES[0], service_start_on=date(2024, 5, 10),
        service_end_on=date(2024, 8, 10)), today=TODAY)
    users.add_user(db, "管理", roles.ADMIN)
    users.add_user(db, "北職員", roles.STAFF, center_id=north.id)
    users.add_user(db, "南職員", roles.STAFF, center_id=south.id)
    users.add_user(db, "推進", roles.PROMOTER, promoter_id=promoter.id)
    yield dict(db=db, place=place, people=people, north=north)
    db.close()


def _as(db: Database, name: str) -> Database:
    users.login(db, name, "")
    return db


def _attached(db: Database, person_id: str) -> tuple[int, int, int, int, int]:
    """The live rows hanging on the participant: periods, checks, 質問票, roster entries, cases."""
    return tuple(db.scalar(f"SELECT count(*) FROM {table} WHERE participant_id = ? AND deleted_at IS NULL",
                           (person_id,))
                 for table in ("participant_places", "frailty_checks", "questionnaires", "gathering_participants",
                               "short_term_cases"))


def _independent_counts(db: Database) -> tuple[int, int, int]:
    """(attending the place in the 年度, checked in the 年度, on the roster), live participants only — the test's
    own SQL, not the app's."""
    live = "JOIN participants p ON p.id = x.participant_id AND p.deleted_at IS NULL"
    attending = db.scalar(
        f"SELECT count(DISTINCT x.participant_id) FROM participant_places x {live}"
        " WHERE x.deleted_at IS NULL AND x.start_date <= ? AND (x.end_date IS NULL OR x.end_date >= ?)",
        (f"{FY + 1}-03-31", f"{FY}-04-01"))
    checked = db.scalar(
        f"SELECT count(DISTINCT x.participant_id) FROM frailty_checks x {live}"
        " WHERE x.deleted_at IS NULL AND x.checked_on BETWEEN ? AND ?", (f"{FY}-04-01", f"{FY + 1}-03-31"))
    on_roster = db.scalar(f"SELECT count(DISTINCT x.participant_id) FROM gathering_participants x {live}"
                          " WHERE x.deleted_at IS NULL")
    return attending, checked, on_roster


def _app_counts(db: Database) -> tuple[int, int, int]:
    total = outcomes.outcomes(db, FY, municipality_code=CHIYODA).total
    return total.attending, total.checked, stats.fiscal_year_stats(db, FY, CHIYODA, today=TODAY).members_total


@pytest.mark.parametrize("user", ["北職員", "管理"])
def test_trash_and_restore_with_everything_attached_and_the_figures(world, user):
    db = _as(world["db"], user)
    person = world["people"][0]
    attached = _attached(db, person.id)
    assert attached == (1, 2, 1, 1, 1)
    assert _app_counts(db) == _independent_counts(db) == (6, 6, 6)
    assert short_term_cases.case_figures(db, FY, CHIYODA).users == 1

    participants.remove_participant(db, person.id)
    assert person.id not in {s.id for s in participants.list_participants(db)}
    assert [s.id for s in participants.list_participants(db, deleted=True)] == [person.id]
    assert _attached(db, person.id) == attached  # nothing of theirs was deleted with them
    assert _app_counts(db) == _independent_counts(db) == (5, 5, 5)
    assert short_term_cases.case_figures(db, FY, CHIYODA).users == db.scalar(
        "SELECT count(DISTINCT k.participant_id) FROM short_term_cases k JOIN participants p"
        " ON p.id = k.participant_id AND p.deleted_at IS NULL WHERE k.deleted_at IS NULL") == 0
    assert short_term_cases.list_cases(db) == []

    restored = participants.restore_participant(db, person.id)
    assert restored.meta.deleted_at is None
    record = participants.show_participant(db, person.id)
    assert (len(record.attendance), len(record.checks), len(record.questionnaires)) == (1, 2, 1)
    assert _app_counts(db) == _independent_counts(db) == (6, 6, 6)
    assert short_term_cases.case_figures(db, FY, CHIYODA).users == 1
    actions = [e.action for e in audit.entries(db, record_id=person.id) if e.action != participants.VIEW]
    assert actions == ["restore", "delete", "insert"]  # newest first


@pytest.mark.parametrize("user", ["推進", "南職員"])
def test_who_may_not_write_the_participant_can_neither_trash_nor_restore(world, user):
    db = world["db"]
    person = world["people"][1]
    _as(db, user)
    with pytest.raises(rights.Forbidden):
        participants.remove_participant(db, person.id)
    assert db.scalar("SELECT deleted_at FROM participants WHERE id = ?", (person.id,)) is None
    _as(db, "北職員")
    participants.remove_participant(db, person.id)
    _as(db, user)
    with pytest.raises(rights.Forbidden):
        participants.restore_participant(db, person.id)
    assert db.scalar("SELECT deleted_at FROM participants WHERE id = ?", (person.id,)) is not None


def test_a_number_taken_meanwhile_refuses_the_restore_and_generated_numbers_skip_the_trash(world):
    db = _as(world["db"], "北職員")
    person = world["people"][2]
    participants.remove_participant(db, person.id)
    participants.add_participant(db, pr.Participant(world["north"].id, person.number, 1950, 1, "男性"), today=TODAY)
    with pytest.raises(ValidationFailed, match=f"参加者番号 {person.number} の参加者が既にいるため"):
        participants.restore_participant(db, person.id)
    assert db.scalar("SELECT deleted_at FROM participants WHERE id = ?", (person.id,)) is not None


def test_ending_a_period_by_the_domain_rule(world):
    db = _as(world["db"], "北職員")
    person = world["people"][3]
    [(period, _)] = participants.show_participant(db, person.id).attendance
    with pytest.raises(ValidationFailed, match="参加終了日（.*）が参加開始日（.*）より前です"):
        participants_view.end_period(db, period.id, date(2024, 3, 31), today=TODAY)
    ended = participants_view.end_period(db, period.id, date(2025, 3, 31), today=TODAY)
    assert ended.end_date == date(2025, 3, 31)
    assert db.scalar("SELECT end_date FROM participant_places WHERE id = ?", (period.id,)) == "2025-03-31"
    assert db.scalar("SELECT start_date FROM participant_places WHERE id = ?", (period.id,)) == "2024-04-01"
    _as(db, "推進")
    with pytest.raises(rights.Forbidden):
        participants_view.end_period(db, period.id, date(2025, 4, 30), today=TODAY)
    assert db.scalar("SELECT end_date FROM participant_places WHERE id = ?", (period.id,)) == "2025-03-31"
