"""`check`'s rules about records, each triggered by rows another program wrote straight into the file (the app
refuses them on entry), and found with its count; a sound database finds nothing. The rules between a record
and its place are counted along an index, never by joining every gathering to its place (EXPLAIN QUERY PLAN),
so `check` stays within seconds on a million gatherings (benchmarks/bench_scale.py)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.domain.records import Activity, Gathering, Members, Place, Promoter
from kaigo_desktop.services import records
from kaigo_desktop.storage import consistency
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 3, 31)


def _sound(db_path: Path) -> dict[str, str]:
    with Database.open(db_path, user="テスト") as db:
        add = lambda record: records.add(db, record, today=TODAY)  # noqa: E731
        place = add(Place("131016", "さくら体操", start_date=date(2024, 4, 1)))
        gathering = add(Gathering(place.id, date(2024, 6, 1), 10, age_under_65=2, age_65_74=4, age_75_plus=4,
                                  new_participants=1))
        members = add(Members(place.id, 2024, total=8, age_under_65=1, age_65_74=3, age_75_plus=4))
        promoter = add(Promoter("131016", "山田花子", "保健師", date(2024, 4, 1), end_date=date(2025, 3, 31)))
        activity = add(Activity(promoter.id, date(2024, 7, 1), "通いの場の立ち上げ支援", place.id, 60))
    return {"place": place.id, "gathering": gathering.id, "members": members.id, "activity": activity.id}


# rule message → the raw SQL that breaks it (ids filled in), and how many rows it then counts
BREAKS = {
    "開催日が未来の開催記録": ("UPDATE gatherings SET held_on = '2999-01-01' WHERE id = :gathering", 1),
    "年齢区分の合計が参加者数と一致しない開催記録": ("UPDATE gatherings SET age_75_plus = 9 WHERE id = :gathering", 1),
    "新規参加者数が参加者数を超える開催記録": ("UPDATE gatherings SET new_participants = 11 WHERE id = :gathering", 1),
    "年齢区分の合計が実人数と一致しない参加者実人数": ("UPDATE members SET total = 9 WHERE id = :members", 1),
    "開催日が通いの場の開設期間の外にある開催記録": ("UPDATE gatherings SET held_on = '2024-03-31' WHERE id = :gathering", 1),
    "削除済みの通いの場に残っている有効な開催記録":
        ("UPDATE places SET deleted_at = '2025-01-01T00:00:00Z' WHERE id = :place", 1),
    "配置期間の外にある推進員の活動記録": ("UPDATE activities SET done_on = '2025-04-01' WHERE id = :activity", 1),
    "上限を超える数値がある開催記録": ("UPDATE gatherings SET male = -1 WHERE id = :gathering", 1),
    "上限を超える数値がある参加者実人数": ("UPDATE members SET female = 100000000 WHERE id = :members", 1),
}


def _found(db_path: Path) -> dict[str, int]:
    with Database.open(db_path) as db:
        rows = consistency.row_findings(db)
    return {f.message: f.count for f in rows.consistency + rows.beyond_bounds}


def test_a_sound_database_breaks_no_rule(db_path: Path) -> None:
    _sound(db_path)
    assert _found(db_path) == {}


@pytest.mark.parametrize("message", list(BREAKS))
def test_each_rule_finds_the_row_written_around_the_app(db_path: Path, message: str) -> None:
    ids = _sound(db_path)
    sql, count = BREAKS[message]
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")  # another program's SQLite, or an older schema
    conn.execute(sql, ids)
    conn.close()
    assert _found(db_path) == {message: count}


def test_rules_between_records_seek_gatherings_along_an_index(db: Database) -> None:
    for _severity, message, sql in consistency._LINK_RULES:
        plan = " / ".join(row["detail"] for row in db.query(f"EXPLAIN QUERY PLAN {sql}"))
        assert "SCAN g " not in f"{plan} " and "SCAN gatherings" not in plan, (message, plan)


def test_check_full_follows_every_table_and_quick_is_the_default(db_path: Path, capsys) -> None:
    _sound(db_path)
    assert main(["--db", str(db_path), "check"]) == 0
    captured = capsys.readouterr()
    assert "問題はありません" in captured.out and "完全検査" not in captured.err
    assert main(["--db", str(db_path), "check", "--full"]) == 0
    captured = capsys.readouterr()
    assert "問題はありません" in captured.out
    with Database.open(db_path) as db:
        tables = db.scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    assert f"完全検査 {tables}/{tables}" in captured.err and "gatherings" in captured.err


def test_a_broken_foreign_key_is_found_by_the_parallel_reader(db_path: Path, capsys) -> None:
    ids = _sound(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)  # foreign keys off, as in any other program
    conn.execute("UPDATE gatherings SET place_id = ? WHERE id = ?", ("c" * 36, ids["gathering"]))
    conn.close()
    assert main(["--db", str(db_path), "check"]) == 1
    assert "エラー: 外部キー違反: gatherings の行" in capsys.readouterr().out
