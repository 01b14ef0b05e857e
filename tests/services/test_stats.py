"""The 年度 aggregation against figures computed independently: by hand on a small set, and by plain SQL
over a demo database."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.domain.records import Activity, Expense, Gathering, Members, Place, Population, Promoter
from kaigo_desktop.services import records
from kaigo_desktop.services.stats import fiscal_year_stats
from kaigo_desktop.storage.database import Database

CHIYODA, HINODE = "131016", "133051"  # 日の出町 has under 10,000 people aged 65+ in this test
TODAY = date(2025, 6, 30)


@pytest.fixture
def small(db: Database) -> Database:
    add = lambda record: records.add(db, record, today=TODAY)  # noqa: E731
    weekly = add(Place(CHIYODA, "週一の会", programs=("motor", "oral"), frequency_declared="週1回以上",
                       operator_kind="住民個人", start_date=date(2020, 1, 1)))
    monthly = add(Place(CHIYODA, "月一の会", programs=("social",), start_date=date(2024, 10, 15)))
    closed = add(Place(HINODE, "閉じた会", programs=("motor",), start_date=date(2018, 1, 1),
                       end_date=date(2024, 3, 31)))
    deleted = add(Place(HINODE, "消した会", programs=("nutrition",), start_date=date(2018, 1, 1)))
    # 週一の会: 4 gatherings a month from April to March → 48; one in March with a 保健師.
    for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
        year = 2024 if month >= 4 else 2025
        for day in (1, 8, 15, 22):
            add(Gathering(weekly.id, date(year, month, day), attendance_total=10,
                          professionals=("保健師",) if (month, day) == (3, 1) else ()))
    # 月一の会 opened mid-October: Oct..Mar = 6 open months, 6 gatherings, none in March.
    for month in (10, 11, 12, 1, 2):
        add(Gathering(monthly.id, date(2024 if month >= 4 else 2025, month, 20), attendance_total=7))
    add(Gathering(monthly.id, date(2024, 11, 21), attendance_total=5))
    add(Gathering(deleted.id, date(2024, 5, 1), attendance_total=99))
    add(Gathering(weekly.id, date(2023, 5, 1), attendance_total=50))  # previous 年度
    records.remove(db, Place, deleted.id)
    add(Members(weekly.id, 2024, total=30, male=5, female=20, age_65_74=8, age_75_plus=20, age_under_65=2))
    add(Members(monthly.id, 2024, total=12))
    add(Population(CHIYODA, 2024, 12_000))
    add(Population(HINODE, 2024, 6_000))
    hanako = add(Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1)))
    add(Promoter(CHIYODA, "佐藤一郎", "社会福祉士", date(2024, 10, 1)))
    add(Promoter(CHIYODA, "鈴木次郎", "その他関連業務経験者", date(2020, 4, 1), end_date=date(2024, 3, 31)))
    add(Promoter(HINODE, "田中三郎", "保健師", date(2024, 4, 1)))
    add(Promoter(HINODE, "高橋四郎", "保健師", date(2024, 6, 1)))
    add(Activity(hanako.id, date(2024, 6, 1), "通いの場の継続支援", place_id=weekly.id, minutes=90))
    add(Activity(hanako.id, date(2024, 7, 1), "通いの場の継続支援", minutes=30))
    add(Activity(hanako.id, date(2025, 4, 1), "その他", minutes=30))  # next 年度
    add(Expense(CHIYODA, 2024, "給料", 8_000_500))
    add(Expense(CHIYODA, 2024, "備品購入費", 300_000))
    add(Expense(HINODE, 2024, "報酬", 9_000_000))
    return db


def test_hand_computed_figures_for_one_fiscal_year(small: Database) -> None:
    s = fiscal_year_stats(small, 2024)
    assert s.places_active == 2  # closed before the 年度, deleted one excluded
    assert s.places_by_program == {"motor": 1, "nutrition": 0, "oral": 1, "cognition": 0, "social": 1}
    assert s.gatherings == 48 + 6
    assert s.attendance_total == 480 + 5 * 7 + 5
    assert s.places_survey == 1
    assert s.places_with_professional == 1
    assert s.places_by_frequency_actual == {"週1回以上": 1, "月2回以上4回未満": 0, "月1回以上2回未満": 1,
                                            "月1回未満": 0}
    assert s.places_by_frequency_declared["週1回以上"] == 1 and s.places_by_frequency_declared["未設定"] == 1
    assert s.places_by_operator["住民個人"] == 1 and s.places_by_operator["未設定"] == 1
    assert s.members_total == 42
    assert s.members_65_plus == 28 + 12
    assert s.population_65_plus == 18_000
    assert s.participation_rate == 0.2  # 40 / 18,000 = 0.222… %
    assert s.promoters_placed == 4  # 鈴木 left before the 年度
    assert s.promoter_cap == 2 + 1
    assert s.promoter_activities["通いの場の継続支援"] == 2 and s.promoter_activities["その他"] == 0
    assert s.promoter_activity_minutes == 120
    # 千代田区: 2 placed, cap 2 → base 11,000,000; eligible 8,000,500 → claim 8,000,000.
    # 日の出町: 2 placed, cap 1 → base 5,500,000; eligible 9,000,000 → claim 5,500,000.
    assert (s.subsidy.base, s.subsidy.eligible, s.subsidy.claim) == (16_500_000, 17_000_500, 13_500_000)
    assert any("日の出町" in warning for warning in s.warnings)
    assert sum(s.attendance_by_month.values()) == s.attendance_total


def test_current_fiscal_year_is_judged_on_the_months_so_far(db: Database) -> None:
    place = records.add(db, Place(CHIYODA, "週一の会", start_date=date(2020, 1, 1)), today=TODAY)
    for month in (4, 5, 6):
        for day in (2, 9, 16, 23):
            records.add(db, Gathering(place.id, date(2025, month, day), attendance_total=5), today=TODAY)
    assert fiscal_year_stats(db, 2025, today=TODAY).places_by_frequency_actual["週1回以上"] == 1
    later = fiscal_year_stats(db, 2025, today=date(2026, 5, 1))  # the 年度 is over: 12 open months
    assert later.places_by_frequency_actual["月1回以上2回未満"] == 1


def test_one_municipality_scope(small: Database) -> None:
    s = fiscal_year_stats(small, 2024, HINODE)
    assert (s.places_active, s.gatherings, s.promoters_placed, s.promoter_cap) == (0, 0, 2, 1)
    assert s.subsidy.claim == 5_500_000


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory):
    from kaigo_desktop.services.demo import create_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    database = Database.open(path, create=True, user="デモ")
    create_demo(database, places=60, years=2, seed=3, today=date(2026, 11, 27))
    yield database
    database.close()


@pytest.mark.parametrize("municipality", [None, "first"])
def test_demo_figures_equal_independent_sql(demo_db: Database, municipality: str | None) -> None:
    db, fy = demo_db, 2025
    code = db.scalar("SELECT municipality_code FROM places ORDER BY municipality_code LIMIT 1") \
        if municipality else None
    start, end = "2025-04-01", "2026-03-31"
    scope = "(:code IS NULL OR p.municipality_code = :code)"
    active = ("p.deleted_at IS NULL AND (p.start_date IS NULL OR p.start_date <= :end)"
              " AND (p.end_date IS NULL OR p.end_date >= :start)")
    params = {"code": code, "start": start, "end": end}
    one = lambda sql: db.scalar(sql, params)  # noqa: E731
    s = fiscal_year_stats(db, fy, code)
    assert s.places_active == one(f"SELECT COUNT(*) FROM places p WHERE {active} AND {scope}")
    assert s.places_by_program["motor"] == one(
        f"SELECT COUNT(*) FROM places p WHERE {active} AND {scope} AND p.programs & 1")
    in_year = (f"FROM gatherings g JOIN places p ON p.id = g.place_id WHERE g.deleted_at IS NULL AND {active}"
               f" AND {scope} AND g.held_on BETWEEN :start AND :end")
    assert s.gatherings == one(f"SELECT COUNT(*) {in_year}")
    assert s.attendance_total == one(f"SELECT COALESCE(SUM(g.attendance_total), 0) {in_year}")
    assert s.places_with_professional == one(f"SELECT COUNT(DISTINCT g.place_id) {in_year} AND g.professionals")
    assert s.places_survey == one(f"SELECT COUNT(DISTINCT g.place_id) {in_year} AND g.held_on >= '2026-03-01'")
    # typed 実人数, except for places that recorded who came in the 年度: their distinct participants (issue 19)
    present = ("FROM gathering_participants gp JOIN gatherings g ON g.id = gp.gathering_id"
               " JOIN participants pa ON pa.id = gp.participant_id JOIN places p ON p.id = g.place_id"
               " WHERE gp.deleted_at IS NULL AND g.deleted_at IS NULL AND pa.deleted_at IS NULL"
               " AND g.held_on BETWEEN :start AND :end")
    rostered = one(f"SELECT COUNT(DISTINCT g.place_id || '|' || pa.id) {present} AND {active} AND {scope}")
    assert s.members_total == one(
        "SELECT COALESCE(SUM(m.total), 0) FROM members m JOIN places p ON p.id = m.place_id"
        f" WHERE m.deleted_at IS NULL AND m.fiscal_year = {fy} AND {active} AND {scope}"
        f" AND m.place_id NOT IN (SELECT g.place_id {present})") + rostered
    assert rostered > 0 or municipality
    assert s.promoters_placed == one(
        "SELECT COUNT(*) FROM promoters p WHERE p.deleted_at IS NULL AND p.start_date <= :end"
        f" AND (p.end_date IS NULL OR p.end_date >= :start) AND {scope}")
    assert s.promoter_activity_minutes == one(
        "SELECT COALESCE(SUM(a.minutes), 0) FROM activities a JOIN promoters p ON p.id = a.promoter_id"
        f" WHERE a.deleted_at IS NULL AND p.deleted_at IS NULL AND a.done_on BETWEEN :start AND :end AND {scope}")
    assert s.population_65_plus == one(
        f"SELECT SUM(population_65_plus) FROM population p WHERE fiscal_year = {fy} AND p.deleted_at IS NULL"
        f" AND {scope}")
    assert s.gatherings > 0 and s.members_total > 0
