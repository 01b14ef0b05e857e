"""The 通いの場 screen's services on a real database: search over name, kana and address, filters and sorts
in SQL, the trash, saving with every problem named, restoring, defaults of a new place."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kaigo_desktop.domain.records import Assignment, Center, Place, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import places_view as pv
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database

CHIYODA, SHINJUKU = "131016", "131041"
TODAY = date(2025, 6, 1)


@pytest.fixture
def seeded(db: Database) -> dict[str, object]:
    kanda = records.add(db, Center(CHIYODA, "神田地域包括支援センター", "カンダ"))
    ochiai = records.add(db, Center(SHINJUKU, "落合地域包括支援センター", "オチアイ"))
    places = {
        "sakura": Place(CHIYODA, "さくら体操の会", "サクラタイソウノカイ", center_id=kanda.id,
                        address="千代田区神田1-1", programs=("motor",), start_date=date(2020, 4, 1)),
        "himawari": Place(CHIYODA, "向日葵サロン", "ヒマワリサロン", center_id=kanda.id,
                          address="千代田区神田2-2", programs=("social", "oral"), status="休止中",
                          start_date=date(2021, 4, 1)),
        "ochiai": Place(SHINJUKU, "落合いきいき百歳体操", "オチアイイキイキヒャクサイタイソウ", center_id=ochiai.id,
                        address="新宿区上落合3-3", programs=("motor", "cognition"), start_date=date(2019, 10, 1)),
        "percent": Place(SHINJUKU, "100%元気クラブ", "ヒャクパーセントゲンキクラブ", address="新宿区西落合",
                         programs=("nutrition",), status="終了", start_date=date(2018, 4, 1),
                         end_date=date(2024, 3, 31)),
    }
    saved = {key: records.add(db, place, today=TODAY) for key, place in places.items()}
    return {"kanda": kanda, "ochiai_center": ochiai, **saved}


def names(db: Database, **query) -> list[str]:
    return [row.name for row in pv.find_places(db, pv.PlaceQuery(**query))]


def test_text_is_found_in_name_kana_or_address(db: Database, seeded) -> None:
    assert names(db, text="体操") == ["落合いきいき百歳体操", "さくら体操の会"]  # kana order
    assert names(db, text="ヒマワリ") == ["向日葵サロン"]  # kana only
    assert names(db, text="上落合") == ["落合いきいき百歳体操"]  # address only
    assert names(db, text="ひまわり") == ["向日葵サロン"]  # hiragana typed finds the katakana kana
    assert names(db, text="ﾋﾏﾜﾘ") == ["向日葵サロン"]  # half-width katakana too


def test_every_word_must_match_and_wildcards_are_literal(db: Database, seeded) -> None:
    assert names(db, text="落合　体操") == ["落合いきいき百歳体操"]  # full-width space from the IME
    assert names(db, text="新宿区 元気") == ["100%元気クラブ"]
    assert names(db, text="100%") == ["100%元気クラブ"]
    assert names(db, text="%") == ["100%元気クラブ"]
    assert names(db, text="_") == []


def test_filters_by_municipality_center_program_and_status(db: Database, seeded) -> None:
    assert names(db, municipality_code=CHIYODA) == ["さくら体操の会", "向日葵サロン"]
    assert names(db, center_id=seeded["ochiai_center"].id) == ["落合いきいき百歳体操"]
    assert names(db, program="motor") == ["落合いきいき百歳体操", "さくら体操の会"]
    assert names(db, program="oral") == ["向日葵サロン"]
    assert names(db, status="終了") == ["100%元気クラブ"]
    assert names(db, municipality_code=SHINJUKU, program="motor", text="いきいき") == ["落合いきいき百歳体操"]


def test_list_rows_carry_what_the_table_shows(db: Database, seeded) -> None:
    (row,) = pv.find_places(db, pv.PlaceQuery(text="向日葵"))
    assert (row.municipality_name, row.center_name, row.programs, row.status, row.start_date, row.end_date) == (
        "千代田区", "神田地域包括支援センター", ("oral", "social"), "休止中", date(2021, 4, 1), None)


@pytest.mark.parametrize(("order_by", "expected"), [
    ("name", ["100%元気クラブ", "さくら体操の会", "向日葵サロン", "落合いきいき百歳体操"]),
    ("municipality", ["さくら体操の会", "向日葵サロン", "落合いきいき百歳体操", "100%元気クラブ"]),
    ("status", ["落合いきいき百歳体操", "さくら体操の会", "向日葵サロン", "100%元気クラブ"]),
    ("start_date", ["100%元気クラブ", "落合いきいき百歳体操", "さくら体操の会", "向日葵サロン"]),
])
def test_sorting_happens_in_sql_both_ways(db: Database, seeded, order_by: str, expected: list[str]) -> None:
    assert names(db, order_by=order_by) == expected
    assert names(db, order_by=order_by, descending=True) == list(reversed(expected))


def test_an_unknown_sort_key_is_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        pv.find_places(db, pv.PlaceQuery(order_by="name; DROP TABLE places"))


def test_removed_places_are_listed_only_in_the_trash_and_come_back(db: Database, seeded) -> None:
    pv.remove_place(db, seeded["sakura"].id)
    assert "さくら体操の会" not in names(db)
    (row,) = pv.find_places(db, pv.PlaceQuery(deleted=True))
    assert row.name == "さくら体操の会" and row.deleted_at
    restored = pv.restore_place(db, row.id)
    assert restored.meta.deleted_at is None
    assert "さくら体操の会" in names(db) and names(db, deleted=True) == []


def test_restore_is_refused_when_the_name_was_taken_meanwhile(db: Database, seeded) -> None:
    pv.remove_place(db, seeded["sakura"].id)
    pv.save_place(db, Place(CHIYODA, "さくら体操の会"), today=TODAY)
    with pytest.raises(ValidationFailed) as refused:
        pv.restore_place(db, seeded["sakura"].id)
    assert "元に戻せません" in str(refused.value)
    assert names(db, deleted=True) == ["さくら体操の会"]


def test_saving_names_every_problem_in_japanese(db: Database, seeded) -> None:
    bad = Place("", "  ", start_date=date(2024, 4, 1), end_date=date(2024, 3, 1))
    with pytest.raises(ValidationFailed) as refused:
        pv.save_place(db, bad, today=TODAY)
    by_field = {e.field: e.message for e in refused.value.errors}
    assert by_field == {
        "name": "通いの場の名称を入力してください。",
        "municipality_code": "区市町村を選んでください。",
        "end_date": "終了日（令和6年3月1日）が開始日（令和6年4月1日）より前です。",
    }


def test_a_name_already_used_in_the_municipality_is_named_on_the_name_field(db: Database, seeded) -> None:
    with pytest.raises(ValidationFailed) as refused:
        pv.save_place(db, Place(CHIYODA, " さくら体操の会 "), today=TODAY)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("name", "同じ区市町村に「さくら体操の会」という通いの場が既にあります。")]
    # The same name in another municipality is a different place.
    assert pv.save_place(db, Place(SHINJUKU, "さくら体操の会"), today=TODAY).id


def test_save_adds_then_updates_the_same_record(db: Database) -> None:
    added = pv.save_place(db, Place(CHIYODA, "ひだまりカフェ", "ひだまりｶﾌｪ ", start_date=date(2024, 4, 1)),
                          today=TODAY)
    assert added.kana == "ヒダマリカフェ"  # stored as katakana so the list sorts by reading
    updated = pv.save_place(db, replace(added, capacity=20, programs=("social",)), today=TODAY)
    assert updated.id == added.id and updated.capacity == 20 and updated.programs == ("social",)
    assert db.scalar("SELECT COUNT(*) FROM places") == 1


def test_detail_lists_the_promoters_assigned_over_time(db: Database, seeded) -> None:
    place = seeded["sakura"]
    first = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2020, 4, 1), kana="ヤマダハナコ"))
    second = records.add(db, Promoter(CHIYODA, "佐藤一郎", "社会福祉士", date(2022, 4, 1), kana="サトウイチロウ"))
    records.add(db, Assignment(first.id, place.id, date(2020, 4, 1), date(2022, 3, 31)))
    records.add(db, Assignment(second.id, place.id, date(2022, 4, 1)))
    detail = pv.place_detail(db, place.id)
    assert detail.center_name == "神田地域包括支援センター"
    assert [(p.name, p.start_date, p.end_date) for p in detail.promoters] == [
        ("佐藤一郎", date(2022, 4, 1), None), ("山田花子", date(2020, 4, 1), date(2022, 3, 31))]
    assert pv.place_with_promoters(db, pv.PlaceQuery()) == place.id


def test_a_new_place_takes_the_users_defaults_by_code_or_name(db: Database, seeded) -> None:
    choices = pv.place_choices(db)
    by_code = pv.new_place(choices, default_municipality=CHIYODA, default_center=seeded["kanda"].id, today=TODAY)
    assert (by_code.municipality_code, by_code.center_id, by_code.start_date, by_code.status) == (
        CHIYODA, seeded["kanda"].id, TODAY, "活動中")
    by_name = pv.new_place(choices, default_municipality="新宿区", default_center="落合地域包括支援センター")
    assert (by_name.municipality_code, by_name.center_id) == (SHINJUKU, seeded["ochiai_center"].id)
    center_only = pv.new_place(choices, default_center="落合地域包括支援センター")
    assert center_only.municipality_code == SHINJUKU
    wrong_center = pv.new_place(choices, default_municipality=CHIYODA, default_center="落合地域包括支援センター")
    # Not the other 区市町村's center: 千代田区's only one (issue 15: the only center, not 「（なし）」).
    assert (wrong_center.municipality_code, wrong_center.center_id) == (CHIYODA, seeded["kanda"].id)
    assert pv.new_place(choices).municipality_code == ""


def test_choices_offer_live_centers_by_municipality(db: Database, seeded) -> None:
    records.remove(db, Center, seeded["ochiai_center"].id)
    choices = pv.place_choices(db)
    assert [c.name for c in choices.centers_of(CHIYODA)] == ["神田地域包括支援センター"]
    assert choices.centers_of(SHINJUKU) == []
    assert len(choices.municipalities) == 62 and "公園" in choices.venue_kinds
    # A place still pointing at the deleted center shows its name, marked.
    assert pv.place_detail(db, seeded["ochiai"].id).center_name == "落合地域包括支援センター（削除済み）"


def test_list_rows_are_built_from_the_storage_columns_in_order() -> None:
    from dataclasses import fields

    from kaigo_desktop.storage.place_queries import LIST_COLUMNS

    assert tuple(f.name for f in fields(pv.PlaceListRow)) == LIST_COLUMNS
