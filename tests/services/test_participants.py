"""Participants and checks through the services (issue 19): who sees identities (a 推進員 never reads a name,
through the list, a record or the audit trail), who may write, every view audited, validation by the domain
rules, generated numbers, and nothing personal in an exchange bundle."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import checklist, roles
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.records import Center, Place, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import audit, exchange, participants, records, rights, users
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.rows import EXCHANGED_TABLES, PERSONAL_TABLES

CHIYODA = "131016"
TODAY = date(2025, 3, 10)
SECRET_NAME = "秘密野花子"


@pytest.fixture
def world(tmp_path: Path):
    path = tmp_path / "people.sqlite3"
    db = Database.open(path, create=True, user="設定者")
    north = records.add(db, Center(CHIYODA, "北センター"))
    south = records.add(db, Center(CHIYODA, "南センター"))
    place = records.add(db, Place(CHIYODA, "北のさくら会", center_id=north.id, start_date=date(2023, 4, 1)))
    promoter = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    person = participants.add_participant(
        db, pr.Participant(north.id, "A-1", 1944, 5, "女性", name=SECRET_NAME, kana="ひみつのはなこ"), today=TODAY)
    records.add(db, pr.Attendance(person.id, place.id, date(2024, 4, 1)), today=TODAY)
    participants.add_check(db, pr.FrailtyCheck(person.id, date(2024, 5, 1), q1=0, q2=0, q3=0, q4=0, q5=0,
                                               height_cm=150, weight_kg=50), today=TODAY)
    users.add_user(db, "管理", roles.ADMIN)
    users.add_user(db, "北職員", roles.STAFF, center_id=north.id)
    users.add_user(db, "南職員", roles.STAFF, center_id=south.id)
    users.add_user(db, "推進", roles.PROMOTER, promoter_id=promoter.id)
    yield dict(db=db, path=path, north=north, south=south, place=place, person=person)
    db.close()


def _as(db: Database, name: str) -> Database:
    users.login(db, name, "")
    return db


def _everything_shown(db: Database, person_id: str) -> str:
    """All a user can read about the participant through the services, as text."""
    listed = participants.list_participants(db)
    record = participants.show_participant(db, person_id)
    trail = audit.entries(db, record_id=person_id)
    return repr(listed) + repr(record) + audit.as_json(trail)


@pytest.mark.parametrize("user", ["推進", "南職員"])
def test_who_may_not_see_identities_gets_numbers_only(world, user):
    db = _as(world["db"], user)
    shown = _everything_shown(db, world["person"].id)
    assert SECRET_NAME not in shown and "ひみつのはなこ" not in shown
    assert "A-1" in shown
    [summary] = participants.list_participants(db)
    assert summary.name is None and "name" not in summary.to_json()
    insert = [e for e in audit.entries(db, record_id=world["person"].id) if e.action == "insert"][0]
    assert insert.changes["name"] == audit.HIDDEN_IDENTITY


@pytest.mark.parametrize("user", ["北職員", "管理"])
def test_center_staff_and_admin_see_identities(world, user):
    db = _as(world["db"], user)
    record = participants.show_participant(db, world["person"].id)
    assert record.summary.name == SECRET_NAME and record.summary.kana == "ひみつのはなこ"
    assert SECRET_NAME in audit.as_json(audit.entries(db, record_id=world["person"].id))


def test_every_view_is_audited_with_who(world):
    db = _as(world["db"], "推進")
    before = db.scalar("SELECT count(*) FROM audit_log WHERE action = 'view'")
    participants.show_participant(db, world["person"].id)
    participants.show_participant(db, world["person"].id)
    rows = db.query("SELECT l.record_id, l.detail, s.user_name FROM audit_log l JOIN audit_seals s ON s.id = l.tx"
                    " WHERE l.action = 'view' ORDER BY l.seq")
    assert len(rows) == before + 2
    assert rows[-1]["record_id"] == world["person"].id and rows[-1]["user_name"] == "推進"
    assert json.loads(rows[-1]["detail"]) == {"what": "show", "identities": False}
    assert [e.action_label for e in audit.entries(db, record_id=world["person"].id)][0] == "閲覧"
    # a list with identities is a view of each person on it
    _as(db, "北職員")
    participants.list_participants(db)
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'view'") == before + 3


def test_view_on_a_read_only_file_is_refused(world):
    world["db"].close()
    with Database.open(world["path"], readonly=True) as db:
        with pytest.raises(participants.ViewNotRecordable):
            participants.show_participant(db, world["person"].id)


def test_only_own_center_staff_and_admin_write(world):
    db = world["db"]
    north, south = world["north"], world["south"]
    _as(db, "推進")
    with pytest.raises(rights.Forbidden):
        participants.add_participant(db, pr.Participant(north.id, "", 1950, 1, "男性"), today=TODAY)
    with pytest.raises(rights.Forbidden):
        participants.add_check(db, pr.FrailtyCheck(world["person"].id, date(2025, 1, 5)), today=TODAY)
    _as(db, "南職員")
    with pytest.raises(rights.Forbidden, match="自分のセンター以外"):
        participants.add_check(db, pr.FrailtyCheck(world["person"].id, date(2025, 1, 5)), today=TODAY)
    participants.add_participant(db, pr.Participant(south.id, "", 1950, 1, "男性"), today=TODAY)
    _as(db, "北職員")
    check = participants.add_check(db, pr.FrailtyCheck(world["person"].id, date(2025, 1, 5)), today=TODAY)
    assert check.entered_by == "北職員"
    moved = pr.Participant(**{**world["person"].__dict__, "center_id": south.id})
    with pytest.raises(rights.Forbidden):  # moving a participant to another center is not a center's to do
        participants.update_participant(db, moved, today=TODAY)


def test_generated_numbers_follow_the_centers_digits(world):
    db = world["db"]
    north = world["north"].id
    first = participants.add_participant(db, pr.Participant(north, "", 1950, 1, "男性"), today=TODAY)
    second = participants.add_participant(db, pr.Participant(north, " ", 1950, 2, "女性"), today=TODAY)
    assert (first.number, second.number) == ("000001", "000002")
    participants.add_participant(db, pr.Participant(north, "120", 1950, 2, "女性"), today=TODAY)
    assert participants.next_number(db, north) == "000121"
    assert participants.next_number(db, world["south"].id) == "000001"


def test_domain_rules_refuse_bad_records(world):
    db = world["db"]
    north, person = world["north"].id, world["person"].id
    cases = [
        (pr.Participant(north, "x" * 21, 1950, 1, "男性"), "number"),
        (pr.Participant(north, "B-2", 1950, 13, "男性"), "birth_month"),
        (pr.Participant(north, "B-2", 2025, 4, "男性"), "birth_month"),  # after TODAY
        (pr.Participant(north, "B-2", 1950, 1, "おとこ"), "sex"),
        (pr.FrailtyCheck(person, date(2025, 4, 1)), "checked_on"),  # future
        (pr.FrailtyCheck(person, date(1944, 4, 1)), "checked_on"),  # before birth (1944-05)
        (pr.FrailtyCheck(person, date(2025, 1, 1), q3=2), "q3"),
        (pr.FrailtyCheck(person, date(2025, 1, 1), height_cm=150), "weight_kg"),
        (pr.FrailtyCheck(person, date(2025, 1, 1), height_cm=99.9, weight_kg=50), "height_cm"),
        (pr.Questionnaire(person, date(2025, 1, 1), a1=6), "a1"),
        (pr.Attendance(person, world["place"].id, date(2025, 1, 1), date(2024, 1, 1)), "end_date"),
    ]
    for record, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            records.add(db, record, today=TODAY)
        assert field in [e.field for e in refused.value.errors], (record, refused.value.errors)


def test_record_shows_each_check_scored_with_the_databases_cutoffs(world):
    db = world["db"]
    record = participants.show_participant(db, world["person"].id)
    [view] = record.checks
    assert view.result.total == 5 and view.result.level is None  # 5 risky + 19 blank: undecided
    participants.save_cutoffs(db, checklist.ChecklistCutoffs(pre_frail_from=3, frail_from=5))
    assert participants.show_participant(db, world["person"].id).checks[0].result.level == checklist.FRAIL
    _as(db, "北職員")
    with pytest.raises(rights.Forbidden):
        participants.save_cutoffs(db, checklist.STANDARD_CUTOFFS)


def test_no_personal_record_leaves_in_a_plain_bundle(world, tmp_path):
    assert set(PERSONAL_TABLES) == {"participants", "participant_places", "frailty_checks", "questionnaires",
                                   "gathering_participants", "short_term_cases"}
    assert set(PERSONAL_TABLES) <= set(EXCHANGED_TABLES)  # they travel, encrypted (tests/exchange)
    out = tmp_path / "all.kaigo"
    with pytest.raises(exchange.BundleError, match="暗号化"):
        exchange.export_bundle(world["db"], out, since="all")
    assert not out.exists()
    exchange.export_bundle(world["db"], out, since="all", passphrase="aikotoba-1234")
    assert exchange.is_encrypted(out) and SECRET_NAME.encode() not in out.read_bytes()
