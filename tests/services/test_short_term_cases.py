"""短期集中予防サービス cases through the services: who writes (the participant's center and the 区市町村管理者),
who sees identities (a 推進員 or another center's staff sees numbers only, through list and show), every view
audited, domain rules and links enforced, the period warning, the 事項3 figures against independent SQL, and the
cases only in encrypted bundles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.domain.records import Center, Place, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import exchange, participants, records, rights, short_term_cases, users
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
TODAY = date(2026, 3, 31)
SECRET_NAME = "秘密野花子"
FRAIL = dict.fromkeys(("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"), 0)  # 8 risky answers


def _all_answered(risky: dict) -> dict:
    """Every item answered: the risky ones as given, the rest not risky (so the level is decided)."""
    safe = {f"q{n}": (1 if n in (1, 2, 3, 4, 5, 6, 7, 8, 16, 19) else 0) for n in range(1, 26) if n != 12}
    return {**safe, **risky, "height_cm": 150, "weight_kg": 50}


@pytest.fixture
def world(tmp_path: Path):
    path = tmp_path / "cases.sqlite3"
    db = Database.open(path, create=True, user="設定者")
    north = records.add(db, Center(CHIYODA, "北センター"))
    south = records.add(db, Center(CHIYODA, "南センター"))
    place = records.add(db, Place(CHIYODA, "北のさくら会", center_id=north.id, start_date=date(2023, 4, 1)))
    promoter = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    person = participants.add_participant(
        db, pr.Participant(north.id, "A-1", 1944, 5, "女性", name=SECRET_NAME, kana="ひみつのはなこ"), today=TODAY)
    first = participants.add_check(db, pr.FrailtyCheck(person.id, date(2025, 4, 10), **_all_answered(FRAIL)),
                                   today=TODAY)
    again = participants.add_check(db, pr.FrailtyCheck(person.id, date(2025, 7, 20), **_all_answered({})),
                                   today=TODAY)
    case = short_term_cases.add_case(db, stc.ShortTermCase(
        person.id, date(2025, 4, 1), "地域包括支援センター", assessed_on=date(2025, 4, 10), initial_check_id=first.id,
        initial_grip_kg=18.5, service_start_on=date(2025, 4, 15), service_end_on=date(2025, 7, 14), sessions=12,
        reassessed_on=date(2025, 7, 20), final_check_id=again.id, meeting_on=date(2025, 7, 25),
        meeting_decision=f"{SECRET_NAME}さんは北のさくら会へ", outcome=stc.TO_PLACE, outcome_place_id=place.id, followup6_on=date(2026, 1, 14), followup6_attending=1),
        today=TODAY).case
    users.add_user(db, "管理", roles.ADMIN)
    users.add_user(db, "北職員", roles.STAFF, center_id=north.id)
    users.add_user(db, "南職員", roles.STAFF, center_id=south.id)
    users.add_user(db, "推進", roles.PROMOTER, promoter_id=promoter.id)
    yield dict(db=db, path=path, north=north, south=south, place=place, person=person, case=case,
               checks=(first, again))
    db.close()


def _as(db: Database, name: str) -> Database:
    users.login(db, name, "")
    return db


@pytest.mark.parametrize("user", ["推進", "南職員"])
def test_who_may_not_see_identities_reads_numbers_only(world, user):
    db = _as(world["db"], user)
    listed = short_term_cases.list_cases(db)
    shown = short_term_cases.show_case(db, world["case"].id)
    text = repr(listed) + repr(shown)
    # the 地域ケア会議's decision is free text: a name typed into it must not reach them either
    assert SECRET_NAME not in text and "ひみつのはなこ" not in text
    assert [v.number for v in listed] == ["A-1"] and shown.name is None and shown.kana is None
    assert shown.case.meeting_decision == participants.HIDDEN


@pytest.mark.parametrize("user", ["北職員", "管理"])
def test_center_staff_and_admin_see_identities_and_the_improvement(world, user):
    db = _as(world["db"], user)
    shown = short_term_cases.show_case(db, world["case"].id)
    assert shown.name == SECRET_NAME and shown.place_name == "北のさくら会"
    assert shown.case.meeting_decision == f"{SECRET_NAME}さんは北のさくら会へ"
    assert (shown.initial_level, shown.final_level, shown.improved) == ("frail", "robust", True)


def test_every_view_is_audited(world):
    db = _as(world["db"], "推進")
    count = "SELECT count(*) FROM audit_log WHERE action = 'view' AND record_id = ?"
    before = db.scalar(count, (world["person"].id,))
    short_term_cases.show_case(db, world["case"].id)
    short_term_cases.list_cases(db)
    assert db.scalar(count, (world["person"].id,)) == before + 2
    details = [json.loads(r[0]) for r in db.query("SELECT detail FROM audit_log WHERE action = 'view' ORDER BY seq")]
    assert details[-2:] == [{"what": "case", "identities": False}, {"what": "cases list", "identities": False}]
    world["db"].close()
    with Database.open(world["path"], readonly=True) as readonly:
        with pytest.raises(participants.ViewNotRecordable):
            short_term_cases.show_case(readonly, world["case"].id)


def test_only_the_participants_center_and_admin_write(world):
    db = world["db"]
    case = stc.ShortTermCase(world["person"].id, date(2026, 1, 5), "医療機関")
    for user in ("推進", "南職員"):
        _as(db, user)
        with pytest.raises(rights.Forbidden):
            short_term_cases.add_case(db, case, today=TODAY)
    _as(db, "北職員")
    saved = short_term_cases.add_case(db, case, today=TODAY)
    _as(db, "南職員")
    with pytest.raises(rights.Forbidden):
        short_term_cases.remove_case(db, saved.case.id)
    _as(db, "管理")
    short_term_cases.remove_case(db, saved.case.id)
    assert [v.case.id for v in short_term_cases.list_cases(db)] == [world["case"].id]


def test_rules_links_and_the_period_warning(world):
    db = world["db"]
    person, (first, _) = world["person"], world["checks"]
    other = participants.add_participant(db, pr.Participant(world["south"].id, "B-1", 1940, 1, "男性"), today=TODAY)
    refused = [
        (stc.ShortTermCase(person.id, date(2025, 4, 1), "通いの場", assessed_on=date(2025, 3, 31)), "assessed_on"),
        (stc.ShortTermCase(other.id, date(2025, 4, 1), "通いの場", initial_check_id=first.id), "initial_check_id"),
        (stc.ShortTermCase(person.id, date(2025, 4, 1), "通いの場", outcome=stc.TO_PLACE,
                           outcome_place_id="01900000-0000-7000-8000-0000000000ff"), "outcome_place_id"),
        (stc.ShortTermCase(person.id, date(1944, 4, 1), "通いの場"), "referred_on"),  # before birth
    ]
    for case, field in refused:
        with pytest.raises(ValidationFailed) as error:
            short_term_cases.add_case(db, case, today=TODAY)
        assert field in [e.field for e in error.value.errors], error.value.errors
    long = short_term_cases.add_case(db, stc.ShortTermCase(
        person.id, date(2025, 9, 1), "通いの場", service_start_on=date(2025, 9, 1), service_end_on=date(2026, 3, 1)),
        today=TODAY)
    assert long.warnings and "181日" in long.warnings[0]
    assert short_term_cases.add_case(db, stc.ShortTermCase(person.id, date(2025, 9, 1), "通いの場"),
                                     today=TODAY).warnings == []


def test_figures_match_an_independent_query(world):
    db = world["db"]
    north = world["north"].id
    # a second user not yet evaluated, and a third whose service ended before the 年度
    for number, start, end in (("A-2", date(2025, 10, 1), None), ("A-3", date(2024, 12, 1), date(2025, 3, 1))):
        person = participants.add_participant(db, pr.Participant(north, number, 1945, 1, "男性"), today=TODAY)
        short_term_cases.add_case(db, stc.ShortTermCase(person.id, start, "通いの場", service_start_on=start,
                                                        service_end_on=end), today=TODAY)
    found = short_term_cases.case_figures(db, 2025, CHIYODA)
    users_sql = db.scalar(
        "SELECT count(DISTINCT k.participant_id) FROM short_term_cases k JOIN participants p ON p.id = k.participant_id"
        " JOIN centers c ON c.id = p.center_id WHERE c.municipality_code = ? AND k.deleted_at IS NULL"
        " AND k.service_start_on <= '2026-03-31' AND coalesce(k.service_end_on, '9999') >= '2025-04-01'", (CHIYODA,))
    connected_sql = db.scalar("SELECT count(DISTINCT participant_id) FROM short_term_cases WHERE outcome = '通いの場へ'"
                              " AND coalesce(followup12_attending, followup6_attending) = 1")
    assert (found.users, found.connected, found.attending) == (users_sql, 1, connected_sql) == (2, 1, 1)
    assert (found.evaluated, found.improved, found.improved_share) == (1, 1, 100.0)
    assert short_term_cases.case_figures(db, 2023, CHIYODA).users == 0


def test_cases_leave_only_in_encrypted_bundles(world, tmp_path):
    db = world["db"]
    out = tmp_path / "all.kaigo"
    with pytest.raises(exchange.BundleError, match="暗号化"):
        exchange.export_bundle(db, out, since="all")
    exchange.export_bundle(db, out, since="all", passphrase="aikotoba-1234")
    assert exchange.is_encrypted(out)


def test_a_promoter_cannot_take_cases_out_in_a_bundle(world, tmp_path):
    db = _as(world["db"], "推進")
    out = tmp_path / "mine.kaigo"
    with pytest.raises(rights.Forbidden):
        exchange.export_bundle(db, out, since="all", passphrase="aikotoba-1234")
    assert not out.exists()


def test_a_list_of_a_fiscal_year_holds_the_cases_referred_or_served_in_it(world):
    """The lists' 年度 filter (domain in_fiscal_year): a case referred in March and served from April is in both
    years; one referred and served in 2025 is not in 2026 even with a follow-up there."""
    db = _as(world["db"], "管理")
    march = short_term_cases.add_case(db, stc.ShortTermCase(
        world["person"].id, date(2025, 3, 20), "通いの場", service_start_on=date(2025, 4, 2),
        service_end_on=date(2025, 6, 30)), today=TODAY).case

    def listed(fiscal_year: int | None) -> set[str]:
        return {v.case.id for v in short_term_cases.list_cases(db, fiscal_year=fiscal_year)}

    assert listed(2024) == {march.id}
    assert listed(2025) == {march.id, world["case"].id}
    assert listed(2026) == set()
    assert listed(None) == {march.id, world["case"].id}
    assert {v.center_id for v in short_term_cases.list_cases(db)} == {world["north"].id}


def test_sessions_are_read_as_typed_or_imported():
    assert stc.parse_sessions(" 12回 ") == 12 and stc.parse_sessions("0") == 0
    for bad in ("", "十二", "-1", "1.5"):
        with pytest.raises(ValueError, match="実施回数は0以上の整数"):
            stc.parse_sessions(bad)
