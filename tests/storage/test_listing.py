"""The list filters count what an independent query counts; the places search matches literally."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from kaigo_desktop.domain.records import Gathering, Place
from kaigo_desktop.storage import listing, repository
from kaigo_desktop.storage.database import Database


@pytest.fixture
def filled(db: Database) -> Database:
    rng = random.Random(7)
    places = [repository.insert(db, Place(municipality_code=code, name=f"会場{i}", kana=f"カイジョウ{i}"))
              for i, code in enumerate(["131016", "131016", "132012"])]
    gatherings = [
        Gathering(place_id=rng.choice(places).id, held_on=date(2024, 4, 1) + timedelta(days=rng.randrange(60)),
                  attendance_total=rng.randrange(30))
        for _ in range(500)
    ]
    repository.insert_many(db, gatherings)
    repository.soft_delete(db, Gathering, db.scalar("SELECT id FROM gatherings LIMIT 1"))
    return db


@pytest.mark.parametrize("municipality", [None, "131016"])
def test_the_count_is_the_live_gatherings_of_the_filter(filled: Database, municipality: str | None) -> None:
    expected = filled.scalar("SELECT COUNT(*) FROM gatherings g JOIN places p ON p.id = g.place_id"
                             " WHERE g.deleted_at IS NULL AND (? IS NULL OR p.municipality_code = ?)",
                             (municipality, municipality))
    assert listing.count_gatherings(filled, listing.GatheringFilter(municipality_code=municipality)) == expected


def test_trash_lists_only_deleted(filled: Database) -> None:
    assert listing.count_gatherings(filled, listing.GatheringFilter(deleted=True)) == 1


def test_place_search_matches_name_kana_and_address_literally(db: Database) -> None:
    repository.insert(db, Place(municipality_code="131016", name="さくら体操", kana="サクラタイソウ",
                                address="千代田区神田1-1", programs=("motor",)))
    repository.insert(db, Place(municipality_code="131016", name="100%サロン", kana="ヒャクパーセント"))
    names = lambda **kw: [r["name"] for r in listing.place_rows(db, listing.PlaceFilter(**kw))]  # noqa: E731
    assert names(text="サクラ") == ["さくら体操"]
    assert names(text="神田") == ["さくら体操"]
    assert names(text="%") == ["100%サロン"]
    assert names(program_bit=1) == ["さくら体操"]
