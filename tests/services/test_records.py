"""Keeping records through the services: validation first, then one stamped transaction."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.domain.records import Activity, Center, Gathering, Place, Population, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database

CHIYODA, MINATO = "131016", "131032"
TODAY = date(2025, 1, 31)


def _fields(error: ValidationFailed) -> set[str]:
    return {e.field for e in error.errors}


@pytest.fixture
def place(db: Database) -> Place:
    return records.add(db, Place(CHIYODA, "さくら体操の会", start_date=date(2024, 4, 1),
                                 end_date=date(2025, 3, 31)), today=TODAY)


def test_inconsistent_attendance_is_refused_with_every_problem_named(db: Database, place: Place) -> None:
    bad = Gathering(place.id, date(2024, 5, 1), attendance_total=10, male=6, female=6, age_65_74=3,
                    age_75_plus=3, new_participants=11)
    with pytest.raises(ValidationFailed) as caught:
        records.add(db, bad, today=TODAY)
    messages = " ".join(e.message for e in caught.value.errors)
    assert "男性と女性の合計（12人）" in messages and "年齢区分の合計（6人）" in messages
    assert "new_participants" in _fields(caught.value)
    assert db.scalar("SELECT COUNT(*) FROM gatherings") == 0


@pytest.mark.parametrize("held_on", [date(2024, 3, 31), date(2025, 2, 1)])
def test_gathering_outside_the_open_period_or_in_the_future_is_refused(db: Database, place: Place,
                                                                       held_on: date) -> None:
    with pytest.raises(ValidationFailed) as caught:
        records.add(db, Gathering(place.id, held_on, attendance_total=3), today=TODAY)
    assert "held_on" in _fields(caught.value)


def test_gathering_at_a_trashed_place_is_refused(db: Database, place: Place) -> None:
    records.remove(db, Place, place.id)
    with pytest.raises(ValidationFailed) as caught:
        records.add(db, Gathering(place.id, date(2024, 5, 1), attendance_total=3), today=TODAY)
    assert "place_id" in _fields(caught.value)


def test_unknown_vocabulary_and_foreign_center_are_explained(db: Database) -> None:
    minato_center = records.add(db, Center(MINATO, "芝地域包括支援センター"))
    with pytest.raises(ValidationFailed) as caught:
        records.add(db, Place(CHIYODA, "会", venue_kind="月面基地", center_id=minato_center.id,
                              start_date=date(2024, 5, 1), end_date=date(2024, 4, 1)))
    assert {"venue_kind", "center_id", "end_date"} <= _fields(caught.value)


def test_update_remove_restore_keep_who_and_when(db: Database, place: Place) -> None:
    place.notes = "雨天中止あり"
    updated = records.update(db, place, today=TODAY)
    assert updated.notes == "雨天中止あり" and updated.meta.updated_by == "テスト担当"
    records.remove(db, Place, place.id)
    assert records.get(db, Place, place.id).meta.deleted_at
    records.restore(db, Place, place.id)
    assert records.get(db, Place, place.id).meta.deleted_at is None


def test_add_many_writes_nothing_when_one_record_is_invalid(db: Database, place: Place) -> None:
    good = Gathering(place.id, date(2024, 5, 1), attendance_total=3)
    bad = Gathering(place.id, date(2024, 5, 2), attendance_total=-3)
    with pytest.raises(ValidationFailed):
        records.add_many(db, [good, bad], today=TODAY)
    assert db.scalar("SELECT COUNT(*) FROM gatherings") == 0


def test_activity_in_the_future_is_refused(db: Database) -> None:
    promoter = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    with pytest.raises(ValidationFailed):
        records.add(db, Activity(promoter.id, date(2025, 2, 1), "その他"), today=TODAY)


def test_cap_warning_is_shown_but_adding_is_not_blocked(db: Database) -> None:
    records.add(db, Population(CHIYODA, 2024, 9_000))  # under 10,000 → cap 1
    first = Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1))
    assert records.promoter_cap_warning(db, first) is None
    records.add(db, first)
    second = Promoter(CHIYODA, "佐藤一郎", "社会福祉士", date(2024, 9, 1))
    warning = records.promoter_cap_warning(db, second)
    assert warning and "千代田区" in warning
    records.add(db, second)
    assert db.scalar("SELECT COUNT(*) FROM promoters") == 2
