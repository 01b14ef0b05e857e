"""Rights enforced in the services (issue 13): each role allowed or refused per action on real database files,
and a refusal writes nothing (the whole database dumps the same before and after)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.records import Activity, Center, Gathering, Members, Place, Population, Promoter
from kaigo_desktop.services import (
    bulk,
    demo,
    duplicates,
    exchange,
    gatherings_view,
    importing,
    records,
    rights,
    settings,
    users,
)
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
TODAY = date(2025, 1, 15)


@pytest.fixture
def world(tmp_path: Path):
    db = Database.open(tmp_path / "rights.sqlite3", create=True, user="設定者")
    north = records.add(db, Center(CHIYODA, "北センター"))
    south = records.add(db, Center(CHIYODA, "南センター"))
    mine = records.add(db, Place(CHIYODA, "北のさくら会", center_id=north.id, start_date=date(2024, 4, 1)))
    theirs = records.add(db, Place(CHIYODA, "南のひまわり会", center_id=south.id, start_date=date(2024, 4, 1)))
    yamada = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    sato = records.add(db, Promoter(CHIYODA, "佐藤一郎", "保健師", date(2024, 4, 1)))
    their_gathering = records.add(db, Gathering(theirs.id, date(2024, 6, 1), 10), today=TODAY)
    users.add_user(db, "田中", roles.ADMIN)
    users.add_user(db, "鈴木", roles.STAFF, center_id=north.id)
    users.add_user(db, "山田", roles.PROMOTER, promoter_id=yamada.id)
    yield dict(db=db, north=north, south=south, mine=mine, theirs=theirs, yamada=yamada, sato=sato,
               their_gathering=their_gathering, path=tmp_path / "rights.sqlite3")
    db.close()


def _as(db: Database, name: str) -> Database:
    users.login(db, name, "")
    return db


def _content(db: Database) -> list[str]:
    return list(db.conn.iterdump())


def _refused(db: Database, attempt, text: str | None = None) -> None:
    """Refused with a Forbidden, and every row of the database as it was (change counter included)."""
    before = _content(db)
    with pytest.raises(rights.Forbidden, match=text):
        attempt()
    assert _content(db) == before


def test_staff_write_their_centers_places_gatherings_and_members_and_nothing_else(world) -> None:
    db = _as(world["db"], "鈴木")
    mine, theirs = world["mine"], world["theirs"]
    records.add(db, Place(CHIYODA, "北の新しい会", center_id=world["north"].id))
    records.add(db, Gathering(mine.id, date(2024, 6, 2), 8), today=TODAY)
    records.add(db, Members(mine.id, 2024, 12), today=TODAY)
    mine.notes = "雨天中止"
    records.update(db, mine, today=TODAY)
    records.remove(db, Place, mine.id)
    records.restore(db, Place, mine.id)
    other = "自分のセンター以外"
    _refused(db, lambda: records.add(db, Place(CHIYODA, "南の新しい会", center_id=world["south"].id)), other)
    _refused(db, lambda: records.add(db, Place(CHIYODA, "センターなしの会")), other)
    _refused(db, lambda: records.add(db, Gathering(theirs.id, date(2024, 6, 2), 8), today=TODAY), other)
    _refused(db, lambda: records.add(db, Members(theirs.id, 2024, 12), today=TODAY), other)
    _refused(db, lambda: records.add_many(db, [Gathering(mine.id, date(2024, 6, 3), 8),
                                                Gathering(theirs.id, date(2024, 6, 3), 8)], today=TODAY))
    _refused(db, lambda: records.remove(db, Gathering, world["their_gathering"].id), other)
    _refused(db, lambda: records.remove(db, Place, theirs.id), other)
    theirs.notes = "書き換え"
    _refused(db, lambda: records.update(db, theirs, today=TODAY), other)
    moved = records.get(db, Place, mine.id)
    moved.center_id = world["south"].id  # moving one's own place to another center
    _refused(db, lambda: records.update(db, moved, today=TODAY), other)
    taken = records.get(db, Place, theirs.id)
    taken.center_id = world["north"].id  # taking another center's place
    _refused(db, lambda: records.update(db, taken, today=TODAY), other)
    for admin_only in (lambda: records.add(db, Promoter(CHIYODA, "新人", "保健師", date(2024, 4, 1))),
                       lambda: records.add(db, Population(CHIYODA, 2024, 9000)),
                       lambda: records.add(db, Center(CHIYODA, "東センター")),
                       lambda: records.add(db, Activity(world["yamada"].id, date(2024, 6, 1), "その他"),
                                           today=TODAY),
                       lambda: settings.save(db, settings.load(db))):
        _refused(db, admin_only, "権限がありません")


def test_promoters_write_only_their_own_activities(world) -> None:
    db = _as(world["db"], "山田")
    own = records.add(db, Activity(world["yamada"].id, date(2024, 6, 1), "その他"), today=TODAY)
    records.remove(db, Activity, own.id)
    records.restore(db, Activity, own.id)
    _refused(db, lambda: records.add(db, Activity(world["sato"].id, date(2024, 6, 1), "その他"), today=TODAY),
             "自分以外の推進員")
    own = records.get(db, Activity, own.id)
    own.promoter_id = world["sato"].id
    _refused(db, lambda: records.update(db, own, today=TODAY))
    _refused(db, lambda: records.add(db, Gathering(world["mine"].id, date(2024, 6, 2), 8), today=TODAY))
    _refused(db, lambda: records.add(db, Place(CHIYODA, "推進員の会", center_id=world["north"].id)))


def test_the_bulk_path_and_the_list_trash_obey_the_center(world) -> None:
    db = _as(world["db"], "鈴木")
    mine, theirs = world["mine"], world["theirs"]
    assert bulk.add_gatherings(db, [Gathering(mine.id, date(2024, 7, d), 5) for d in (1, 2)], today=TODAY) == 2
    _refused(db, lambda: bulk.add_gatherings(
        db, [Gathering(mine.id, date(2024, 7, 3), 5), Gathering(theirs.id, date(2024, 7, 3), 5)], today=TODAY))
    keys = gatherings_view.list_keys(db, gatherings_view.ListQuery())
    mine_keys = gatherings_view.list_keys(db, gatherings_view.ListQuery(place_id=mine.id))
    _refused(db, lambda: gatherings_view.move_to_trash(db, list(keys)), "自分のセンター以外")
    assert gatherings_view.move_to_trash(db, list(mine_keys)) == 2


def test_masters_exchange_and_merges_are_the_administrators(world, tmp_path: Path) -> None:
    db = _as(world["db"], "鈴木")
    out = tmp_path / "out.kaigo"
    _refused(db, lambda: exchange.export_bundle(db, out), "データの受け渡し")
    assert not out.exists()
    _refused(db, lambda: duplicates.merge_places(db, world["mine"].id, world["theirs"].id), "権限がありません")
    _refused(db, lambda: exchange.give_new_database_id(db))
    _refused(db, lambda: demo.create_demo(db, places=1, years=1, today=TODAY), "権限がありません")
    users.login(db, "田中", "")
    exchange.export_bundle(db, out)
    assert out.exists()


def test_nobody_logged_in_reads_but_writes_nothing(world) -> None:
    db = world["db"]
    db.close()
    with Database.open(world["path"]) as reader:
        assert reader.actor == roles.NOBODY
        assert records.get(reader, Place, world["mine"].id).name == "北のさくら会"
        _refused(reader, lambda: records.add(reader, Gathering(world["mine"].id, date(2024, 6, 2), 8), today=TODAY),
                 "ログインが必要")
        _refused(reader, lambda: records.remove(reader, Place, world["mine"].id))
    world["db"] = Database.open(world["path"])  # for the fixture's close


def test_a_staff_import_with_a_row_of_another_center_is_refused_whole(world, tmp_path: Path) -> None:
    db = _as(world["db"], "鈴木")
    csv_file = tmp_path / "gatherings.csv"
    csv_file.write_text("通いの場ID,開催日,参加者数\n"
                        f"{world['mine'].id},2024-08-01,5\n"
                        f"{world['theirs'].id},2024-08-01,6\n", encoding="utf-8")
    before = _content(db)
    result = importing.import_file(db, "gatherings", csv_file, today=TODAY)
    assert [error.line for error in result.errors] == [3]
    assert "自分のセンター以外" in result.errors[0].message
    assert _content(db) == before
    places_file = tmp_path / "places.csv"
    places_file.write_text("名称,区市町村コード,地域包括支援センター\n北の会,131016,北センター\n南の会,131016,南センター\n",
                           encoding="utf-8")
    result = importing.import_file(db, "places", places_file, today=TODAY)
    assert [error.line for error in result.errors] == [3]
    assert _content(db) == before
    ok = importing.import_file(db, "gatherings", csv_file.write_text(
        f"通いの場ID,開催日,参加者数\n{world['mine'].id},2024-08-01,5\n", encoding="utf-8") and csv_file,
        today=TODAY)
    assert ok.ok and ok.added == 1
