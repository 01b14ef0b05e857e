"""Participant records between PCs (issue 19): carried only in encrypted bundles — an unencrypted export holding
them is refused before anything is written, a plain bundle holding them is refused whole on import — and an
encrypted one brings them across whole (participants, attendance, checks with height and weight, 質問票,
短期集中予防サービス cases)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.records import Center, Place
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.services import bundle_crypto, participants, records, short_term_cases
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage.rows import PERSONAL_TABLES
from tests.exchange.test_exchange import _make, trust_each_other

PASS = "himitsu-no-aikotoba"
TODAY = date(2025, 3, 1)


@pytest.fixture
def pcs(template_db_path: Path, tmp_path: Path):
    made = [_make(template_db_path, tmp_path, name) for name in ("center_a", "town")]
    trust_each_other(*made)
    yield made
    for db in made:
        db.close()


def _people(db) -> dict:
    north = records.add(db, Center("131016", "北センター"))
    south = records.add(db, Center("131016", "南センター"))
    place = records.add(db, Place("131016", "さくら会", center_id=north.id, start_date=date(2023, 4, 1)))
    person = participants.add_participant(db, pr.Participant(north.id, "", 1944, 5, "女性", name="山田花子"),
                                          today=TODAY)
    other = participants.add_participant(db, pr.Participant(south.id, "", 1950, 1, "男性"), today=TODAY)
    records.add(db, pr.Attendance(person.id, place.id, date(2024, 4, 1)), today=TODAY)
    check = participants.add_check(db, pr.FrailtyCheck(person.id, date(2024, 5, 1), q1=0, q9=1, height_cm=150.5,
                                                       weight_kg=41.2), today=TODAY)
    short_term_cases.add_case(db, stc.ShortTermCase(  # 短期集中予防サービス (C): personal too
        person.id, date(2024, 4, 20), "通いの場", assessed_on=date(2024, 5, 1), initial_check_id=check.id,
        initial_tug_s=12.3, service_start_on=date(2024, 5, 7), service_end_on=date(2024, 8, 6), sessions=12,
        meeting_on=date(2024, 8, 20), outcome=stc.TO_PLACE, outcome_place_id=place.id), today=TODAY)
    participants.add_questionnaire(db, pr.Questionnaire(person.id, date(2024, 5, 1), a1=3, a12=2), today=TODAY)
    return dict(north=north, south=south, place=place, person=person, other=other)


def _personal(db) -> dict[str, list[tuple]]:
    skip = ("created_at", "updated_at", "updated_by", "origin_db", "change_seq")
    found = {}
    for table in PERSONAL_TABLES:
        columns = [c[1] for c in db.query(f"PRAGMA table_info({table})") if c[1] not in skip]
        found[table] = [tuple(r) for r in db.query(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")]
    return found


def test_unencrypted_export_with_participants_is_refused_and_sends_them_later(pcs, tmp_path):
    a, town = pcs
    _people(a)
    plain = tmp_path / "plain.kaigo"
    with pytest.raises(ex.BundleError, match="暗号化"):
        ex.export_bundle(a, plain, destination="town")
    assert not plain.exists()
    sealed = tmp_path / "sealed.kaigo"
    summary = ex.export_bundle(a, sealed, destination="town", passphrase=PASS)  # since the last: all of them
    assert summary.counts["participants"] == 2 and summary.counts["frailty_checks"] == 1
    assert summary.counts["short_term_cases"] == 1
    assert ex.is_encrypted(sealed) and "山田花子".encode() not in sealed.read_bytes()
    # nothing personal changed since: a plain bundle may go again
    records.add(a, Place("131016", "ひまわり会", start_date=date(2024, 4, 1)))
    ex.export_bundle(a, tmp_path / "later.kaigo", destination="town")


def test_encrypted_bundle_brings_participants_across(pcs, tmp_path):
    a, town = pcs
    _people(a)
    sealed = tmp_path / "sealed.kaigo"
    ex.export_bundle(a, sealed, destination="town", passphrase=PASS)
    with pytest.raises(ex.PassphraseError):
        ex.import_bundle(town, sealed)
    ex.import_bundle(town, sealed, passphrase=PASS)
    assert _personal(town) == _personal(a)
    assert town.scalar("SELECT height_cm FROM frailty_checks") == 150.5
    assert town.scalar("SELECT initial_tug_s FROM short_term_cases") == 12.3
    # the audit entries about them came too (inside the encrypted file)
    assert town.scalar("SELECT count(*) FROM audit_received WHERE table_name = 'participants'") == 2


def test_plain_bundle_holding_participants_is_refused_whole(pcs, tmp_path):
    a, town = pcs
    _people(a)
    sealed = tmp_path / "sealed.kaigo"
    ex.export_bundle(a, sealed, destination="town", passphrase=PASS)
    plain = tmp_path / "decrypted.kaigo"  # the same signed bundle, its encryption taken off
    plain.write_bytes(bundle_crypto.decrypt(sealed.read_bytes(), PASS))
    before = town.scalar("SELECT count(*) FROM places"), town.scalar("SELECT value FROM db_meta WHERE key = 'change_seq'")
    with pytest.raises(ex.BundleError, match="暗号化されていない"):
        ex.import_bundle(town, plain)
    assert (town.scalar("SELECT count(*) FROM places"),
            town.scalar("SELECT value FROM db_meta WHERE key = 'change_seq'")) == before
    assert all(not rows for rows in _personal(town).values())


def test_a_center_bundle_carries_that_centers_participants_only(pcs, tmp_path):
    a, town = pcs
    made = _people(a)
    sealed = tmp_path / "north.kaigo"
    summary = ex.export_bundle(a, sealed, destination="town", center=made["north"].id, passphrase=PASS)
    assert summary.counts["participants"] == 1
    ex.import_bundle(town, sealed, passphrase=PASS)
    assert [row[0] for row in town.query("SELECT id FROM participants")] == [made["person"].id]


def test_roster_rows_travel_only_encrypted(pcs, tmp_path):
    """Who came at a gathering is personal data too: after the people went across encrypted, a change of a
    roster alone still refuses a plain bundle, an encrypted one brings it, and its 実人数 is the same there."""
    from kaigo_desktop.domain.records import Gathering
    from kaigo_desktop.services import rosters, stats

    a, town = pcs
    made = _people(a)
    gathering = records.add(a, Gathering(made["place"].id, date(2024, 5, 10), 8), today=TODAY)
    ex.export_bundle(a, tmp_path / "first.kaigo", destination="town", passphrase=PASS)
    ex.import_bundle(town, tmp_path / "first.kaigo", passphrase=PASS)
    rosters.record_roster(a, gathering.id, [made["person"].id], today=TODAY)
    plain = tmp_path / "roster-plain.kaigo"
    with pytest.raises(ex.BundleError, match="暗号化"):
        ex.export_bundle(a, plain, destination="town")
    assert not plain.exists()
    sealed = tmp_path / "roster.kaigo"
    summary = ex.export_bundle(a, sealed, destination="town", passphrase=PASS)
    assert summary.counts["gathering_participants"] == 1
    decrypted = tmp_path / "roster-decrypted.kaigo"
    decrypted.write_bytes(bundle_crypto.decrypt(sealed.read_bytes(), PASS))
    with pytest.raises(ex.BundleError, match="暗号化されていない"):
        ex.import_bundle(town, decrypted)
    assert town.scalar("SELECT count(*) FROM gathering_participants") == 0
    ex.import_bundle(town, sealed, passphrase=PASS)
    assert _personal(town) == _personal(a)
    assert (stats.fiscal_year_stats(town, 2024, today=TODAY).members_total
            == stats.fiscal_year_stats(a, 2024, today=TODAY).members_total == 1)
