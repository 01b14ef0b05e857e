"""Create, read, update, trash and restore records on a real database file."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.domain.records import Center, Expense, Gathering, Members, Place, Population, Promoter
from kaigo_desktop.storage import repository
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import ConstraintError, RecordNotFoundError

CHIYODA = "131016"


def _place(name: str = "さくら体操の会", **changes) -> Place:
    values = dict(municipality_code=CHIYODA, name=name, kana="サクラタイソウノカイ",
                  start_date=date(2020, 4, 1), programs=("motor", "social"),
                  venue_kind="公民館・自治会館・集会所", frequency_declared="週1回以上")
    values.update(changes)
    return Place(**values)


def test_place_round_trips_with_programs_dates_and_stamps(db: Database) -> None:
    stored = repository.insert(db, _place())
    assert len(stored.id) == 36
    assert stored.programs == ("motor", "social")
    assert stored.start_date == date(2020, 4, 1)
    assert stored.meta.updated_by == "テスト担当"
    row = db.query("SELECT programs, start_date, origin_db, change_seq FROM places WHERE id = ?", (stored.id,))[0]
    assert row["programs"] == 1 | 16
    assert row["start_date"] == "2020-04-01"
    assert row["origin_db"] == db.database_id
    assert row["change_seq"] > 0


def test_update_changes_fields_and_advances_change_seq(db: Database) -> None:
    stored = repository.insert(db, _place())
    before = db.scalar("SELECT change_seq FROM places WHERE id = ?", (stored.id,))
    stored.address = "千代田区神田1-1-1"
    updated = repository.update(db, stored)
    assert updated.address == "千代田区神田1-1-1"
    assert db.scalar("SELECT change_seq FROM places WHERE id = ?", (stored.id,)) > before


def test_trash_and_restore(db: Database) -> None:
    stored = repository.insert(db, _place())
    repository.soft_delete(db, Place, stored.id)
    assert repository.get(db, Place, stored.id).meta.deleted_at is not None
    with pytest.raises(RecordNotFoundError):
        repository.get(db, Place, stored.id, include_deleted=False)
    with pytest.raises(RecordNotFoundError):
        repository.update(db, stored)
    repository.restore(db, Place, stored.id)
    assert repository.get(db, Place, stored.id).meta.deleted_at is None
    with pytest.raises(RecordNotFoundError):
        repository.restore(db, Place, stored.id)


def test_name_is_unique_among_live_places_only(db: Database) -> None:
    first = repository.insert(db, _place())
    with pytest.raises(ConstraintError, match="同じ名前"):
        repository.insert(db, _place())
    repository.soft_delete(db, Place, first.id)
    repository.insert(db, _place())  # the name is free again once the old one is in the trash
    with pytest.raises(ConstraintError):
        repository.restore(db, Place, first.id)
    assert db.scalar("SELECT COUNT(*) FROM places WHERE deleted_at IS NULL") == 1


def test_unknown_municipality_or_kind_is_refused(db: Database) -> None:
    with pytest.raises(ConstraintError):
        repository.insert(db, _place(municipality_code="131017"))
    with pytest.raises(ConstraintError):
        repository.insert(db, _place(venue_kind="宇宙ステーション"))
    assert db.scalar("SELECT COUNT(*) FROM places") == 0


def test_natural_key_records_are_one_per_key_even_after_deletion(db: Database) -> None:
    first = repository.insert(db, Population(CHIYODA, 2024, 15000, 8000))
    second = repository.insert(db, Population(CHIYODA, 2024, 15100, 8100))
    assert first.id == second.id
    assert db.scalar("SELECT population_65_plus FROM population") == 15100
    repository.soft_delete(db, Population, first.id)
    again = repository.insert(db, Population(CHIYODA, 2024, 15200))
    assert again.id == first.id and again.meta.deleted_at is None
    assert db.scalar("SELECT COUNT(*) FROM population") == 1
    assert repository.insert(db, Expense(CHIYODA, 2024, "旅費", 1000)).id != \
        repository.insert(db, Expense(CHIYODA, 2024, "給料", 1000)).id


def test_insert_many_is_all_or_nothing(db: Database) -> None:
    place = repository.insert(db, _place())
    good = Gathering(place_id=place.id, held_on=date(2024, 5, 1), attendance_total=10)
    bad = Gathering(place_id=place.id, held_on=date(2024, 5, 8), attendance_total=5, male=4, female=4)
    with pytest.raises(ConstraintError):
        repository.insert_many(db, [good, good.__class__(**{**good.__dict__, "id": ""}), bad])
    assert db.scalar("SELECT COUNT(*) FROM gatherings") == 0


def test_check_constraints_back_up_the_domain_rules(db: Database) -> None:
    place = repository.insert(db, _place())
    with pytest.raises(ConstraintError):
        repository.insert(db, Gathering(place_id=place.id, held_on=date(2024, 5, 1), attendance_total=-1))
    with pytest.raises(ConstraintError):
        repository.insert(db, Members(place_id=place.id, fiscal_year=2024, total=3, male=2, female=2))
    with pytest.raises(ConstraintError):
        repository.insert(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1), end_date=date(2024, 3, 1)))


def test_every_record_kind_round_trips(db: Database) -> None:
    center = repository.insert(db, Center(CHIYODA, "神田地域包括支援センター", kana="カンダ"))
    place = repository.insert(db, _place(center_id=center.id))
    promoter = repository.insert(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    gathering = repository.insert(db, Gathering(
        place_id=place.id, held_on=date(2024, 5, 1), attendance_total=12, start_time="10:00",
        end_time="11:30", programs=("motor",), male=2, female=10, age_65_74=4, age_75_plus=8,
        new_participants=1, professionals=("保健師", "推進員"), promoter_id=promoter.id, notes="雨"))
    fetched = repository.get(db, Gathering, gathering.id)
    assert fetched == gathering
    assert fetched.professionals == ("保健師", "推進員")
