"""The 推進員 screen's service: listing (filter and sort in SQL), saving with cap warnings, assignments."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.domain.records import Assignment, Center, Place, Population, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import promoters_view as pv
from kaigo_desktop.services import records

CHIYODA, MINATO = "131016", "131032"
TODAY = date(2024, 6, 1)


@pytest.fixture
def places(db):
    return {
        "さくら": records.add(db, Place(CHIYODA, "さくら体操の会", kana="サクラタイソウノカイ")),
        "ひまわり": records.add(db, Place(CHIYODA, "ひまわりサロン", kana="ヒマワリサロン")),
        "港": records.add(db, Place(MINATO, "港いきいき広場", kana="ミナトイキイキヒロバ")),
    }


def _promoter(name: str, kana: str, start: date = date(2023, 4, 1), end: date | None = None,
              municipality: str = CHIYODA) -> Promoter:
    return Promoter(municipality, name, "保健師", start, end, kana=kana)


def test_list_filters_by_text_kana_and_municipality_and_sorts_in_sql(db) -> None:
    for name, kana, code in (("山田花子", "ヤマダハナコ", CHIYODA), ("佐藤一郎", "サトウイチロウ", CHIYODA),
                             ("鈴木次郎", "スズキジロウ", MINATO)):
        records.add(db, _promoter(name, kana, municipality=code))
    names = lambda rows: [row.promoter.name for row in rows]  # noqa: E731
    assert names(pv.list_promoters(db, pv.PromoterFilter(), today=TODAY)) == ["佐藤一郎", "鈴木次郎", "山田花子"]
    assert names(pv.list_promoters(db, pv.PromoterFilter(), today=TODAY, order_by="kana", descending=True)) == [
        "山田花子", "鈴木次郎", "佐藤一郎"]
    assert names(pv.list_promoters(db, pv.PromoterFilter(text="やまだ"), today=TODAY)) == ["山田花子"]
    assert names(pv.list_promoters(db, pv.PromoterFilter(text="一郎"), today=TODAY)) == ["佐藤一郎"]
    assert names(pv.list_promoters(db, pv.PromoterFilter(municipality_code=MINATO), today=TODAY)) == ["鈴木次郎"]
    assert names(pv.list_promoters(db, pv.PromoterFilter(text="%"), today=TODAY)) == []
    assert [c.label for c in pv.filter_municipalities(db)] == ["千代田区", "港区"]


def test_list_counts_places_assigned_today_and_shows_the_trash(db, places) -> None:
    promoter = records.add(db, _promoter("山田花子", "ヤマダハナコ"))
    records.add(db, Assignment(promoter.id, places["さくら"].id, date(2023, 4, 1)))
    records.add(db, Assignment(promoter.id, places["ひまわり"].id, date(2023, 4, 1), date(2024, 3, 31)))
    [row] = pv.list_promoters(db, pv.PromoterFilter(), today=TODAY)
    assert row.place_count == 1 and row.municipality_name == "千代田区"
    records.remove(db, Promoter, promoter.id)
    assert pv.list_promoters(db, pv.PromoterFilter(), today=TODAY) == []
    assert [r.promoter.id for r in pv.list_promoters(db, pv.PromoterFilter(deleted=True), today=TODAY)] == [
        promoter.id]


def test_choices_are_of_one_municipality(db, places) -> None:
    center = records.add(db, Center(CHIYODA, "千代田高齢者あんしんセンター"))
    assert [c.label for c in pv.place_choices(db, CHIYODA)] == ["さくら体操の会", "ひまわりサロン"]
    assert [c.id for c in pv.center_choices(db, CHIYODA)] == [center.id]
    assert pv.center_choices(db, MINATO) == []
    records.add(db, _promoter("山田花子", "ヤマダハナコ"))
    assert [c.label for c in pv.promoter_choices(db)] == ["山田花子（千代田区）"]


def test_a_second_promoter_under_the_small_cap_is_saved_with_a_warning(db) -> None:
    records.add(db, Population(CHIYODA, 2024, 9_500))
    first = pv.save_promoter(db, _promoter("山田花子", "ヤマダハナコ", date(2024, 4, 1)), today=TODAY)
    assert first.warnings == ()
    second = pv.save_promoter(db, _promoter("佐藤一郎", "サトウイチロウ", date(2024, 5, 1)), today=TODAY)
    assert second.promoter.id
    assert len(second.warnings) == 1 and "上限（1人）" in second.warnings[0] and "千代田区" in second.warnings[0]
    # Editing the notes changes no period: no warning again.
    again = pv.save_promoter(db, Promoter(**{**second.promoter.__dict__, "notes": "メモ"}), today=TODAY)
    assert again.warnings == ()


def test_extending_a_period_into_a_new_year_warns_for_that_year_only(db) -> None:
    records.add(db, Population(CHIYODA, 2024, 9_500))
    records.add(db, _promoter("山田花子", "ヤマダハナコ", date(2024, 4, 1)))
    ended = pv.save_promoter(db, _promoter("佐藤一郎", "サトウイチロウ", date(2022, 4, 1), date(2023, 3, 31)),
                             today=TODAY)
    assert ended.warnings == ()
    preview = pv.preview_cap_warnings(db, Promoter(**{**ended.promoter.__dict__, "end_date": None}), TODAY)
    assert len(preview) == 1 and "令和6年度" in preview[0]
    extended = pv.save_promoter(db, Promoter(**{**ended.promoter.__dict__, "end_date": None}), today=TODAY)
    assert extended.warnings == tuple(preview)


def test_assignments_over_time_add_end_and_list(db, places) -> None:
    promoter = records.add(db, _promoter("山田花子", "ヤマダハナコ"))
    first = pv.add_assignment(db, Assignment(promoter.id, places["さくら"].id, date(2023, 4, 1)))
    pv.end_assignment(db, first.id, date(2024, 3, 31))
    pv.add_assignment(db, Assignment(promoter.id, places["ひまわり"].id, date(2024, 4, 1)))
    rows = pv.assignments_of(db, promoter.id)
    assert [(r.place_name, r.assignment.start_date, r.assignment.end_date) for r in rows] == [
        ("ひまわりサロン", date(2024, 4, 1), None),
        ("さくら体操の会", date(2023, 4, 1), date(2024, 3, 31)),
    ]


def test_assignment_checks(db, places) -> None:
    promoter = records.add(db, _promoter("山田花子", "ヤマダハナコ", end=date(2025, 3, 31)))
    first = pv.add_assignment(db, Assignment(promoter.id, places["さくら"].id, date(2023, 4, 1)))
    cases = [
        (Assignment(promoter.id, places["港"].id, date(2023, 4, 1)), "同じ区市町村"),
        (Assignment(promoter.id, places["さくら"].id, date(2023, 6, 1)), "既に担当"),
        (Assignment(promoter.id, places["ひまわり"].id, date(2022, 4, 1)), "配置開始日"),
        (Assignment(promoter.id, places["ひまわり"].id, date(2025, 4, 1)), "配置終了日"),
        (Assignment(promoter.id, "", date(2023, 4, 1)), "通いの場を入力してください"),
    ]
    for assignment, expected in cases:
        with pytest.raises(ValidationFailed) as failed:
            pv.add_assignment(db, assignment)
        assert expected in str(failed.value)
    with pytest.raises(ValidationFailed) as failed:
        pv.end_assignment(db, first.id, date(2023, 3, 1))
    assert failed.value.errors[0].field == "end_date" and "担当終了日" in failed.value.errors[0].message


def test_reference_lists_group_choices_by_municipality(db, places) -> None:
    center = records.add(db, Center(CHIYODA, "千代田高齢者あんしんセンター"))
    records.add(db, _promoter("山田花子", "ヤマダハナコ"))
    reference = pv.reference_lists(db)
    assert len(reference.municipalities) == 62 and reference.qualifications[0] == "リハビリテーション専門職"
    assert reference.activity_kinds[-1] == "その他"
    assert [c.label for c in reference.places[CHIYODA]] == ["さくら体操の会", "ひまわりサロン"]
    assert [c.id for c in reference.centers[CHIYODA]] == [center.id] and MINATO not in reference.centers
    assert [c.label for c in reference.promoters] == ["山田花子（千代田区）"]


def test_restoring_a_promoter_brings_its_cap_warnings_back(db) -> None:
    records.add(db, Population(CHIYODA, 2024, 9_500))
    first = records.add(db, _promoter("山田花子", "ヤマダハナコ", date(2024, 4, 1)))
    records.remove(db, Promoter, first.id)
    records.add(db, _promoter("佐藤一郎", "サトウイチロウ", date(2024, 4, 1)))
    warnings = pv.restore_promoter(db, first.id, today=TODAY)
    assert len(warnings) == 1 and "（2人）" in warnings[0]
    assert records.get(db, Promoter, first.id).meta.deleted_at is None
