"""`check`: objects our migrations did not make are reported (computed from a fresh database of the same
version), every 年度 with data is checked, and numbers stored beyond their bounds are reported, not summed."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.domain.records import Gathering, Place, Population, Promoter
from kaigo_desktop.services import records
from kaigo_desktop.services.checking import check_database
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database

HINODE = "133051"  # under 10,000 people aged 65+ here: a cap of one promoter
TODAY = date(2025, 6, 30)


def raw(path: Path, *statements: str) -> None:
    """Someone else's SQL, written straight into the file."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


def test_a_fresh_database_and_an_upgraded_one_have_no_foreign_objects(db: Database, tmp_path: Path) -> None:
    assert check_database(db, 2024).ok
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old, isolation_level=None)
    for migration in migrations.available_migrations()[:2]:
        migrations.apply_migration(conn, migration)
    conn.close()
    with Database.open(old) as upgraded:
        report = check_database(upgraded, 2024)
    assert report.ok, report.findings


def test_objects_our_migrations_did_not_make_are_reported(db_path: Path, capsys) -> None:
    raw(db_path,
        "CREATE TABLE stolen (x TEXT)",
        "CREATE VIEW every_place AS SELECT name FROM places",
        "CREATE INDEX places_notes ON places(notes)",
        "CREATE TRIGGER wipe AFTER INSERT ON gatherings BEGIN DELETE FROM places; END",
        "DROP INDEX places_kana")
    with Database.open(db_path) as db:
        report = check_database(db, 2024)
    messages = [f.message for f in report.findings if f.severity == "error"]
    assert messages == [
        "このアプリが作成していないインデックスがあります: places_notes",
        "このアプリが作成していないテーブルがあります: stolen",
        "このアプリが作成していないトリガーがあります: wipe",
        "このアプリが作成していないビューがあります: every_place",
        "このアプリのインデックスがありません: places_kana",
    ]
    assert not report.ok
    assert main(["--db", str(db_path), "check"]) == 1
    out = capsys.readouterr().out
    assert "エラー: このアプリが作成していないトリガーがあります: wipe（1件）" in out and "問題が見つかりました" in out


def test_every_fiscal_year_with_data_is_checked(db: Database) -> None:
    add = lambda record: records.add(db, record, today=TODAY)  # noqa: E731
    add(Population(HINODE, 2022, 6_000))
    add(Promoter(HINODE, "田中三郎", "保健師", date(2022, 4, 1), end_date=date(2023, 3, 31)))
    add(Promoter(HINODE, "高橋四郎", "保健師", date(2022, 6, 1), end_date=date(2023, 3, 31)))
    warnings = [f.message for f in check_database(db, today_fiscal_year=2025).findings if f.severity == "warning"]
    assert len(warnings) == 1 and "令和4年度" in warnings[0] and "日の出町" in warnings[0]


def test_numbers_stored_beyond_their_bounds_are_reported_not_summed(db_path: Path, capsys) -> None:
    with Database.open(db_path) as db:
        place = records.add(db, Place("131016", "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)
        for day in (1, 2):
            records.add(db, Gathering(place.id, date(2025, 5, day), 10), today=TODAY)
    # As an older version or another program could have stored them: two that overflow any sum.
    raw(db_path, "UPDATE gatherings SET attendance_total = 9223372036854775807")
    assert main(["--db", str(db_path), "check"]) == 1
    captured = capsys.readouterr()
    assert "エラー: 上限を超える数値がある開催記録（2件）" in captured.out
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("years", [[2019, 2024]])
def test_years_with_data_skip_nothing_between_far_apart_records(db: Database, years: list[int]) -> None:
    from kaigo_desktop.storage.consistency import fiscal_years_with_data

    place = records.add(db, Place("131016", "さくら体操クラブ", start_date=date(2010, 4, 1)), today=TODAY)
    for year in years:
        records.add(db, Gathering(place.id, date(year + 1, 3, 31), 5), today=TODAY)  # the last day of the 年度
    assert fiscal_years_with_data(db, 2025) == years
