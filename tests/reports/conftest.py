"""Fixtures of the report tests: one demo database per session (read only), and a small hand-made one whose
counts of people are under 5 where the 秘匿処理 tests need them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from report_checks import CHIYODA, DEMO_TODAY, FY, HINODE, SHINJUKU

from kaigo_desktop.domain.records import (
    Activity, Assignment, Expense, Gathering, Members, Place, Population, Promoter,
)
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database



@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kaigo_desktop.services.demo import create_demo

    path = tmp_path_factory.mktemp("reports-demo") / "demo.sqlite3"
    with Database.open(path, create=True, user="デモ") as db:
        create_demo(db, places=120, years=2, seed=11, today=DEMO_TODAY)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def demo(demo_path: Path):
    db = Database.open(demo_path, user="テスト")
    yield db
    db.close()


@pytest.fixture
def small(db: Database) -> Database:
    """Two places in 千代田区 with few participants in some groups (3 men, 1 under 65 …), one in 日の出町 with 2;
    and records no figure of the 年度 may count (see add_out_of_scope)."""
    today = date(2026, 5, 1)
    add = lambda record: records.add(db, record, today=today)  # noqa: E731
    big = add(Place(CHIYODA, "大きな体操の会", "オオキナタイソウノカイ", programs=("motor",), start_date=date(2020, 4, 1),
                    frequency_declared="週1回以上", operator_kind="住民団体（自治会・NPO法人等）",
                    contact="山本（世話人） 03-1111-2222"))
    tiny = add(Place(CHIYODA, "小さなお茶会", "チイサナオチャカイ", programs=("social",), start_date=date(2021, 4, 1),
                     operator_kind="住民個人", contact="佐藤（代表） 090-3333-4444"))
    village = add(Place(HINODE, "村の集い", "ムラノツドイ", programs=("social", "oral"), start_date=date(2019, 4, 1)))
    for month in range(4, 13):
        add(Gathering(big.id, date(FY, month, 10), attendance_total=30, male=5, female=25, notes="雨天のため短縮"))
    add(Gathering(big.id, date(FY + 1, 3, 10), attendance_total=28, professionals=("保健師",)))
    add(Gathering(tiny.id, date(FY, 6, 5), attendance_total=3))
    add(Gathering(village.id, date(FY, 7, 7), attendance_total=2))
    add(Members(big.id, FY, total=40, male=3, female=37, age_under_65=1, age_65_74=9, age_75_plus=30))
    add(Members(tiny.id, FY, total=3, male=0, female=3))
    add(Members(village.id, FY, total=2, male=0, female=2, age_65_74=0, age_75_plus=2))
    add(Population(CHIYODA, FY, 12_000))
    add(Population(HINODE, FY, 900))
    hanako = add(Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1), kana="ヤマダハナコ"))
    add(Promoter(HINODE, "日野一郎", "社会福祉士", date(2024, 4, 1), kana="ヒノイチロウ"))
    add(Promoter(HINODE, "日野二郎", "社会福祉士", date(2025, 10, 1), kana="ヒノジロウ"))
    add(Activity(hanako.id, date(FY, 6, 5), "通いの場の継続支援", place_id=tiny.id, minutes=60, summary="会の運営を相談"))
    add(Activity(hanako.id, date(FY, 7, 1), "通いの場の立ち上げ支援", place_id=big.id, minutes=90))
    add(Expense(CHIYODA, FY, "給料", 4_000_500))
    add(Expense(CHIYODA, FY, "備品購入費", 200_000))
    add(Expense(HINODE, FY, "報酬", 7_000_000))
    add_out_of_scope(db, today, big.id, village.id)
    return db


def add_out_of_scope(db: Database, today: date, chiyoda_place: str, hinode_place: str) -> None:
    """Places and promoters outside the 年度 FY by each of the three ways (trashed; closed before it; not yet
    open), each with gatherings, members, activities or assignments inside it, as the app can hold them
    (a 終了日 or 開始日 moved after the gatherings were logged, a record put in the trash). 新宿区 has only
    such records, so it has no row or section in any report of FY."""
    add = lambda record: records.add(db, record, today=today)  # noqa: E731
    during, march = date(FY, 9, 9), date(FY + 1, 3, 9)

    def place(code: str, name: str, start: date | None, end: date | None, *, trash: bool = False) -> Place:
        record = add(Place(code, name, "ハンイガイ", programs=("motor", "nutrition"), start_date=date(2019, 4, 1),
                           frequency_declared="月1回以上2回未満", operator_kind="社会福祉協議会", address=f"{name}の住所"))
        for held_on in (during, march):
            add(Gathering(record.id, held_on, attendance_total=11, professionals=("保健師",)))
        add(Members(record.id, FY, total=13, male=4, female=9, age_65_74=5, age_75_plus=8))
        if trash:
            records.remove(db, Place, record.id)
        else:
            record.start_date, record.end_date = start, end
            records.update(db, record, today=today)
        return record

    place(CHIYODA, "ゴミ箱の体操教室", None, None, trash=True)
    place(CHIYODA, "閉じた茶話会", date(2019, 4, 1), date(FY, 3, 31))
    place(HINODE, "これからの会", date(FY + 1, 4, 1), None)
    place(SHINJUKU, "新宿のゴミ箱の会", None, None, trash=True)

    def promoter(code: str, name: str, start: date, end: date | None, done_on: date, *,
                 trash: bool = False) -> Promoter:
        record = add(Promoter(code, name, "保健師", start, end_date=end, kana="ハンイガイ"))
        add(Activity(record.id, done_on, "通いの場の継続支援", place_id=chiyoda_place, minutes=45))
        add(Assignment(record.id, chiyoda_place if code == CHIYODA else hinode_place, start, end))
        if trash:
            records.remove(db, Promoter, record.id)
        return record

    # Activities count by the day they were done: inside the 年度 only the trashed promoter's (never counted).
    promoter(CHIYODA, "削除済み推進員", date(2024, 4, 1), None, during, trash=True)
    promoter(CHIYODA, "退職した推進員", date(2022, 4, 1), date(FY, 3, 31), date(FY, 3, 31))
    promoter(HINODE, "来年度の推進員", date(FY + 1, 4, 1), None, date(FY + 1, 4, 10))
    promoter(SHINJUKU, "新宿の退職した推進員", date(2022, 4, 1), date(FY, 3, 31), date(FY, 3, 31))
    hanako = db.scalar("SELECT id FROM promoters WHERE name = '山田花子'")
    add(Assignment(hanako, hinode_place, date(2022, 4, 1), date(FY, 3, 31)))  # ended before the 年度
    add(Expense(SHINJUKU, FY - 1, "給料", 1_000_000))  # another 年度
    add(Population(SHINJUKU, FY - 1, 80_000))
