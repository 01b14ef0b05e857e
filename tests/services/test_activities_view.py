"""The 活動記録 screen's service: filtering by promoter, 年度 and kind, sorting in SQL, totals, saving."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.domain.records import Activity, Place, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import activities_view as av
from kaigo_desktop.services import records

CHIYODA, MINATO = "131016", "131032"
TODAY = date(2024, 6, 1)


@pytest.fixture
def setup(db):
    yamada = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2022, 4, 1), kana="ヤマダハナコ"))
    sato = records.add(db, Promoter(MINATO, "佐藤一郎", "社会福祉士", date(2022, 4, 1), kana="サトウイチロウ"))
    place = records.add(db, Place(CHIYODA, "さくら体操の会", kana="サクラタイソウノカイ"))
    minato_place = records.add(db, Place(MINATO, "港いきいき広場"))
    for promoter, done_on, kind, minutes in (
        (yamada, date(2024, 4, 10), "通いの場の継続支援", 90),
        (yamada, date(2024, 5, 20), "研修・会議への参加", 120),
        (yamada, date(2024, 3, 5), "通いの場の継続支援", 60),  # 令和5年度
        (sato, date(2024, 4, 15), "通いの場の立ち上げ支援", None),
    ):
        records.add(db, Activity(promoter.id, done_on, kind, minutes=minutes), today=TODAY)
    return {"yamada": yamada, "sato": sato, "place": place, "minato_place": minato_place}


def test_filters_and_totals(db, setup) -> None:
    listed = av.list_activities(db, av.ActivityFilter(fiscal_year=2024))
    assert (listed.count, listed.minutes) == (3, 210)
    assert [r.activity.done_on for r in listed.rows] == [date(2024, 5, 20), date(2024, 4, 15), date(2024, 4, 10)]
    mine = av.list_activities(db, av.ActivityFilter(promoter_id=setup["yamada"].id, fiscal_year=2024))
    assert (mine.count, mine.minutes) == (2, 210)
    kind = av.list_activities(db, av.ActivityFilter(kind="通いの場の継続支援"))
    assert (kind.count, kind.minutes) == (2, 150)
    by_minutes = av.list_activities(db, av.ActivityFilter(), order_by="minutes", descending=False)
    assert [r.activity.minutes for r in by_minutes.rows] == [None, 60, 90, 120]
    limited = av.list_activities(db, av.ActivityFilter(), limit=1)
    assert len(limited.rows) == 1 and limited.count == 4


def test_fiscal_years_run_from_the_first_activity_to_now(db, setup) -> None:
    assert av.activity_fiscal_years(db, date(2025, 5, 1)) == [2025, 2024, 2023]


def test_format_minutes() -> None:
    assert [av.format_minutes(m) for m in (0, 45, 60, 1110)] == ["0分", "45分", "1時間", "18時間30分"]


def test_save_checks_required_future_period_and_municipality(db, setup) -> None:
    yamada = setup["yamada"]
    saved = av.save_activity(db, Activity(yamada.id, date(2024, 6, 1), "その他", setup["place"].id, 30),
                             today=TODAY)
    assert saved.id and records.get(db, Activity, saved.id).place_id == setup["place"].id
    cases = [
        (Activity("", TODAY, "その他"), "推進員を入力してください"),
        (Activity(yamada.id, TODAY, ""), "活動区分を入力してください"),
        (Activity(yamada.id, date(2024, 6, 2), "その他"), "未来"),
        (Activity(yamada.id, date(2022, 3, 31), "その他"), "配置期間"),
        (Activity(yamada.id, TODAY, "その他", setup["minato_place"].id), "同じ区市町村"),
    ]
    for activity, expected in cases:
        with pytest.raises(ValidationFailed) as failed:
            av.save_activity(db, activity, today=TODAY)
        assert expected in str(failed.value)
