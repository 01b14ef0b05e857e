"""The 開催記録 screen's services: list keys filtered and sorted as an independent query says, rows by key,
the trash, 「前回と同じ」, the next-date suggestion and month sheets saved all or nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from kaigo_desktop.domain.records import Gathering, Place, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import gatherings_view as gv
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database

TODAY = date(2024, 6, 30)


@pytest.fixture
def places(db: Database) -> list[Place]:
    return [records.add(db, p, today=TODAY) for p in (
        Place("131016", "さくら体操の会", "サクラタイソウノカイ", start_date=date(2020, 4, 1), programs=("motor",)),
        Place("131016", "青葉茶話会", "アオバサワカイ", start_date=date(2020, 4, 1), programs=("social", "oral")),
        Place("132012", "ひまわりサロン", "ヒマワリサロン", start_date=date(2020, 4, 1)),
    )]


@pytest.fixture
def filled(db: Database, places: list[Place]) -> Database:
    rng = random.Random(3)
    records.add_many(db, [
        Gathering(rng.choice(places).id, date(2024, 4, 1) + timedelta(days=rng.randrange(80)), rng.randrange(40))
        for _ in range(300)
    ], today=TODAY)
    return db


def _independent(db: Database, query: gv.ListQuery) -> list[int]:
    """The expected order, worked out in Python from one plain query of everything."""
    rows = db.query(
        "SELECT g.rowid, g.held_on, g.attendance_total, g.updated_at, g.place_id, g.deleted_at, p.kana, p.name,"
        " p.municipality_code, g.professionals FROM gatherings g JOIN places p ON p.id = g.place_id")
    kept = [r for r in rows
            if (r["deleted_at"] is not None) == query.trash
            and query.municipality_code in (None, r["municipality_code"])
            and query.place_id in (None, r["place_id"])
            and (query.date_from is None or r["held_on"] >= query.date_from.isoformat())
            and (query.date_to is None or r["held_on"] <= query.date_to.isoformat())]
    def in_place_order(r):  # a place's gatherings of one day (two sessions) by attendance
        return r["kana"], r["name"], r["place_id"], r["held_on"], r["attendance_total"], r["professionals"], r[0]

    key = {
        "held_on": lambda r: (r["held_on"], r[0]),
        "municipality": lambda r: (r["municipality_code"], *in_place_order(r)),
        "place": in_place_order,
        "attendance_total": lambda r: (r["attendance_total"], r[0]),
        "updated_at": lambda r: (r["updated_at"], r[0]),
    }[query.sort_key]
    return [r[0] for r in sorted(kept, key=key, reverse=query.descending)]


@pytest.mark.parametrize("sort_key", gv.SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_list_keys_are_sorted_in_sql_as_an_independent_query_says(filled: Database, sort_key: str,
                                                                  descending: bool) -> None:
    query = gv.ListQuery(sort_key=sort_key, descending=descending)
    keys = list(gv.list_keys(filled, query))
    assert len(keys) == 300
    assert keys == _independent(filled, query)


@pytest.mark.parametrize("sort_key", gv.SORT_KEYS)
def test_list_start_gives_the_count_and_the_first_and_last_keys_of_the_whole_list(filled: Database,
                                                                                   sort_key: str) -> None:
    for query in (gv.ListQuery(sort_key=sort_key), gv.ListQuery(sort_key=sort_key, descending=False,
                                                                municipality_code="131016")):
        whole = _independent(filled, query)
        start = gv.list_start(filled, query, 7)
        assert (start.total, list(start.keys), list(start.last_keys)) == (len(whole), whole[:7], whole[-7:])
        assert [row.key for row in start.rows] == [*whole[:7], *whole[-7:]] and not start.complete
    few = gv.list_start(filled, gv.ListQuery(sort_key=sort_key, date_from=date(2024, 6, 19)), 50)
    assert few.complete and list(few.keys) == _independent(filled, gv.ListQuery(sort_key=sort_key,
                                                                                  date_from=date(2024, 6, 19)))
    assert 0 < len(few.keys) == few.total < 50 and not few.last_keys


def test_list_keys_filter_by_municipality_place_dates_and_trash(filled: Database, places: list[Place]) -> None:
    some = list(gv.list_keys(filled, gv.ListQuery()))[:7]
    assert gv.move_to_trash(filled, some) == 7
    for query in (
        gv.ListQuery(municipality_code="131016"),
        gv.ListQuery(municipality_code="132012", sort_key="place", descending=False),
        gv.ListQuery(place_id=places[1].id),
        gv.ListQuery(date_from=date(2024, 5, 1), date_to=date(2024, 5, 31), sort_key="attendance_total"),
        gv.ListQuery(trash=True),
        gv.ListQuery(municipality_code="131016", place_id=places[2].id),  # a place of another 区市町村: none
    ):
        assert list(gv.list_keys(filled, query)) == _independent(filled, query), query
    assert sorted(gv.list_keys(filled, gv.ListQuery(trash=True))) == sorted(some)


def test_list_rows_keep_the_order_asked_for_and_skip_unknown_keys(filled: Database, places: list[Place]) -> None:
    keys = list(gv.list_keys(filled, gv.ListQuery()))[:20][::-1]
    rows = gv.list_rows(filled, [*keys[:5], 999_999, *keys[5:]])
    assert [row.key for row in rows] == keys
    first = rows[0]
    stored = records.get(filled, Gathering, first.id)
    assert (first.held_on, first.attendance_total, first.place_id) == (
        stored.held_on, stored.attendance_total, stored.place_id)
    assert first.place_name in {p.name for p in places}
    assert first.municipality_name in {"千代田区", "八王子市"}


def test_trash_and_restore_move_only_what_was_asked(filled: Database) -> None:
    keys = list(gv.list_keys(filled, gv.ListQuery()))[:3]
    assert gv.move_to_trash(filled, keys) == 3
    assert gv.move_to_trash(filled, keys) == 0  # already there
    assert len(gv.list_keys(filled, gv.ListQuery())) == 297
    assert gv.restore_from_trash(filled, keys[:2]) == 2
    assert list(gv.list_keys(filled, gv.ListQuery(trash=True))) == keys[2:]
    row = gv.list_rows(filled, keys[2:])[0]
    assert row.deleted_at is not None and row.updated_by == "テスト担当"


def test_same_as_last_time_copies_the_latest_gathering(db: Database, places: list[Place]) -> None:
    promoter = records.add(db, Promoter("131016", "佐藤花子", "保健師", date(2022, 4, 1)), today=TODAY)
    place = places[0]
    records.add(db, Gathering(place.id, date(2024, 5, 1), 10, "10:00", "11:30", ("motor",)), today=TODAY)
    latest = records.add(db, Gathering(place.id, date(2024, 5, 8), 12, "13:30", "15:00", ("motor", "oral"),
                                       professionals=("歯科衛生士", "推進員"), promoter_id=promoter.id),
                         today=TODAY)
    prefill = gv.same_as_last_time(db, place.id)
    assert prefill == gv.Prefill(("motor", "oral"), "13:30", "15:00", ("歯科衛生士", "推進員"), promoter.id,
                                 date(2024, 5, 8))
    assert gv.same_as_last_time(db, place.id, exclude_id=latest.id).from_date == date(2024, 5, 1)


def test_same_as_last_time_without_history_takes_the_place_programs(db: Database, places: list[Place]) -> None:
    assert gv.same_as_last_time(db, places[1].id) == gv.Prefill(("oral", "social"), None, None, (), None, None)
    assert gv.same_as_last_time(db, "00000000-0000-0000-0000-000000000000") is None


def test_next_date_follows_the_place_rhythm(db: Database, places: list[Place]) -> None:
    weekly, fortnightly, new = places
    records.add_many(db, [Gathering(weekly.id, date(2024, 4, 2) + timedelta(days=7 * i), 10) for i in range(5)]
                     + [Gathering(fortnightly.id, date(2024, 4, 3) + timedelta(days=14 * i), 10)
                        for i in range(4)], today=TODAY)
    assert gv.next_date(db, weekly.id, date(2024, 4, 30), TODAY) == date(2024, 5, 7)
    assert gv.next_date(db, fortnightly.id, date(2024, 5, 15), TODAY) == date(2024, 5, 29)
    assert gv.next_date(db, new.id, date(2024, 5, 1), TODAY) == date(2024, 5, 8)
    assert gv.next_date(db, weekly.id, date(2024, 6, 28), TODAY) == TODAY  # never in the future


def test_promoter_choices_are_the_live_promoters_of_the_municipality(db: Database) -> None:
    kept = records.add(db, Promoter("131016", "佐藤花子", "保健師", date(2022, 4, 1), kana="サトウハナコ"))
    gone = records.add(db, Promoter("131016", "鈴木一郎", "保健師", date(2022, 4, 1), kana="スズキイチロウ"))
    records.add(db, Promoter("132012", "田中誠", "社会福祉士", date(2022, 4, 1)))
    records.remove(db, Promoter, gone.id)
    assert [p.name for p in gv.promoter_choices(db, "131016")] == [kept.name]


def test_place_choices_label_names_the_municipality(db: Database, places: list[Place]) -> None:
    choices = gv.place_choices(db)
    assert [c.kana for c in choices] == sorted(p.kana for p in places)
    assert next(c for c in choices if c.id == places[2].id).label == "ひまわりサロン（八王子市）"


def test_month_gatherings_are_one_month_of_one_place(db: Database, places: list[Place]) -> None:
    records.add_many(db, [Gathering(places[0].id, d, 10) for d in (
        date(2024, 4, 30), date(2024, 5, 1), date(2024, 5, 31), date(2024, 6, 1))]
        + [Gathering(places[1].id, date(2024, 5, 2), 10)], today=TODAY)
    assert [g.held_on for g in gv.month_gatherings(db, places[0].id, 2024, 5)] == [date(2024, 5, 1),
                                                                                  date(2024, 5, 31)]


def test_save_gatherings_adds_and_updates_in_one_go(db: Database, places: list[Place]) -> None:
    existing = records.add(db, Gathering(places[0].id, date(2024, 5, 7), 10), today=TODAY)
    changed = Gathering(**{**existing.__dict__, "attendance_total": 15, "female": 12})
    saved = gv.save_gatherings(db, [changed, Gathering(places[0].id, date(2024, 5, 14), 11, notes="雨天")],
                               today=TODAY)
    assert [g.attendance_total for g in saved] == [15, 11]
    assert saved[0].id == existing.id and saved[1].id
    assert records.get(db, Gathering, saved[1].id).notes == "雨天"
    assert [g.held_on for g in gv.month_gatherings(db, places[0].id, 2024, 5)] == [date(2024, 5, 7),
                                                                                  date(2024, 5, 14)]


def test_save_gatherings_with_a_bad_row_saves_none_and_names_every_bad_row(db: Database,
                                                                          places: list[Place]) -> None:
    existing = records.add(db, Gathering(places[0].id, date(2024, 5, 7), 10), today=TODAY)
    rows = [
        Gathering(places[0].id, date(2024, 5, 14), 11),
        Gathering(**{**existing.__dict__, "attendance_total": 3, "male": 2, "female": 2}),
        Gathering(places[0].id, date(2024, 7, 1), 11),
    ]
    with pytest.raises(ValidationFailed) as failure:
        gv.save_gatherings(db, rows, today=TODAY)
    fields = [e.field for e in failure.value.errors]
    assert fields == ["1.attendance_total", "2.held_on"]
    assert "男性と女性の合計（4人）が参加者数（3人）を超えています。" in str(failure.value)
    assert [(g.held_on, g.attendance_total) for g in gv.month_gatherings(db, places[0].id, 2024, 5)] == [
        (date(2024, 5, 7), 10)]


def test_month_sheet_suggests_the_usual_weekdays_and_names_the_promoter(db: Database, places: list[Place]) -> None:
    promoter = records.add(db, Promoter("131016", "佐藤花子", "保健師", date(2022, 4, 1)), today=TODAY)
    tuesdays = [date(2024, 4, 2) + timedelta(days=7 * i) for i in range(4)]  # every Tuesday of April
    records.add_many(db, [Gathering(places[0].id, d, 10, promoter_id=promoter.id) for d in tuesdays]
                     + [Gathering(places[0].id, date(2024, 4, 5), 8)], today=TODAY)  # one Friday only
    records.add(db, Gathering(places[0].id, date(2024, 5, 7), 12, promoter_id=promoter.id), today=TODAY)
    sheet = gv.month_sheet(db, places[0].id, 2024, 5)
    assert sheet.suggested_days == [7, 14, 21, 28]
    assert [g.held_on for g in sheet.gatherings] == [date(2024, 5, 7)]
    assert sheet.promoter_name == "佐藤花子" and sheet.prefill.from_date == date(2024, 5, 7)


def test_suggested_days_stop_at_today(db: Database, places: list[Place]) -> None:
    records.add_many(db, [Gathering(places[0].id, date(2024, 5, 7) + timedelta(days=7 * i), 10) for i in range(4)],
                     today=TODAY)
    assert gv.suggested_days(db, places[0].id, 2024, 6, today=date(2024, 6, 18)) == [4, 11, 18]
    assert gv.suggested_days(db, places[0].id, 2024, 7, today=date(2024, 6, 18)) == []
