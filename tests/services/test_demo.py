"""Demo data checked with independent SQL: every table filled, dates inside periods and before today, age
bands summing to attendance, a promoter-cap excess, and the same seed giving the same records."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.services.demo import DemoSummary, create_demo, kana_number
from kaigo_desktop.services.stats import fiscal_year_stats
from kaigo_desktop.storage.database import Database
from tests.table_state import TABLES

TODAY = date(2026, 11, 27)
SEED = 7


def _demo(path: Path) -> tuple[Database, DemoSummary]:
    db = Database.open(path, create=True, user="テスト")
    return db, create_demo(db, places=30, years=2, seed=SEED, today=TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    db, summary = _demo(tmp_path_factory.mktemp("demo") / "d.sqlite3")
    yield db, summary
    db.close()


def test_every_table_has_rows_and_the_summary_matches(demo) -> None:
    db, summary = demo
    counts = {table: db.scalar(f"SELECT COUNT(*) FROM {table}") for table in TABLES}
    assert all(count > 0 for count in counts.values()), counts
    assert summary.fiscal_years == [2025, 2026]
    assert 3 <= summary.municipalities == db.scalar("SELECT COUNT(DISTINCT municipality_code) FROM places") <= 6
    assert (summary.places, summary.centers, summary.promoters, summary.gatherings, summary.activities,
            summary.members) == (counts["places"], counts["centers"], counts["promoters"], counts["gatherings"],
                                 counts["activities"], counts["members"])
    assert db.scalar("SELECT COUNT(*) FROM expenses WHERE category = '備品購入費'") == 1
    assert db.scalar("SELECT COUNT(DISTINCT kind) FROM activities") == db.scalar("SELECT COUNT(*) FROM activity_kinds")
    assert db.scalar("SELECT MIN(minutes) >= 30 AND MAX(minutes) <= 180 FROM activities") == 1


def test_centers_per_municipality_and_unique_place_names(demo) -> None:
    db, _ = demo
    per_municipality = [row[0] for row in db.query("SELECT COUNT(*) FROM centers GROUP BY municipality_code")]
    assert all(2 <= n <= 4 for n in per_municipality)
    assert db.scalar("SELECT COUNT(*) FROM centers WHERE name NOT LIKE '%地域包括支援センター'") == 0
    assert db.scalar("SELECT COUNT(*) FROM (SELECT 1 FROM places GROUP BY municipality_code, name"
                     " HAVING COUNT(*) > 1)") == 0
    # Kana is katakana (plus the long-vowel mark and spaces).
    for (kana,) in db.query("SELECT kana FROM places UNION ALL SELECT kana FROM centers"):
        assert kana and all("\u30a0" <= ch <= "\u30ff" or ch == " " for ch in kana), kana


def test_no_gathering_in_the_future_or_outside_its_place_period(demo) -> None:
    db, _ = demo
    assert db.scalar("SELECT MAX(held_on) FROM gatherings") <= TODAY.isoformat()
    assert db.scalar("SELECT MAX(done_on) FROM activities") <= TODAY.isoformat()
    assert db.scalar("SELECT MIN(held_on) FROM gatherings") >= "2025-04-01"
    assert db.scalar(
        "SELECT COUNT(*) FROM gatherings g JOIN places p ON p.id = g.place_id"
        " WHERE (p.start_date IS NOT NULL AND g.held_on < p.start_date)"
        " OR (p.end_date IS NOT NULL AND g.held_on > p.end_date)") == 0


def test_breakdowns_add_up(demo) -> None:
    db, _ = demo
    for table, total in (("gatherings", "attendance_total"), ("members", "total")):
        assert db.scalar(
            f"SELECT COUNT(*) FROM {table} WHERE age_75_plus IS NOT NULL"
            f" AND age_under_65 + age_65_74 + age_75_plus != {total}") == 0
        assert db.scalar(f"SELECT COUNT(*) FROM {table} WHERE male IS NOT NULL AND male + female != {total}") == 0
        assert db.scalar(f"SELECT COUNT(*) FROM {table} WHERE age_75_plus IS NOT NULL") > 0
    assert db.scalar("SELECT COUNT(*) FROM gatherings WHERE new_participants > attendance_total") == 0
    women = db.scalar("SELECT 1.0 * SUM(female) / SUM(male + female) FROM members WHERE male IS NOT NULL")
    old = db.scalar("SELECT 1.0 * SUM(age_75_plus) / SUM(total) FROM members WHERE age_75_plus IS NOT NULL")
    assert 0.7 < women < 0.9 and 0.6 < old < 0.85


def test_gatherings_follow_the_seasons(demo) -> None:
    db, _ = demo
    by_month = dict(db.query("SELECT substr(held_on, 6, 2), COUNT(*) FROM gatherings"
                             " WHERE held_on BETWEEN '2025-04-01' AND '2026-03-31' GROUP BY 1"))
    assert by_month["08"] < by_month["07"] and by_month["08"] < by_month["09"]
    assert db.scalar("SELECT COUNT(*) FROM gatherings WHERE substr(held_on, 6, 5) BETWEEN '12-29' AND '12-31'"
                     " OR substr(held_on, 6, 5) BETWEEN '01-01' AND '01-03'") == 0
    assert db.scalar("SELECT COUNT(*) FROM gatherings WHERE professionals != 0") > 0
    assert db.scalar("SELECT COUNT(*) FROM gatherings WHERE promoter_id IS NOT NULL") > 0


def test_both_population_caps_and_a_cap_excess(demo) -> None:
    db, _ = demo
    assert db.scalar("SELECT COUNT(*) FROM population WHERE population_65_plus >= 10000") > 0
    assert db.scalar("SELECT COUNT(*) FROM population WHERE population_65_plus < 10000") > 0
    excess = db.scalar(
        "SELECT COUNT(*) FROM population po WHERE ("
        " SELECT COUNT(*) FROM promoters pr WHERE pr.municipality_code = po.municipality_code"
        " AND pr.start_date <= (po.fiscal_year + 1) || '-03-31'"
        " AND (pr.end_date IS NULL OR pr.end_date >= po.fiscal_year || '-04-01')"
        ") > CASE WHEN po.population_65_plus >= 10000 THEN 2 ELSE 1 END")
    assert excess >= 1


def test_same_seed_same_records(demo, tmp_path: Path) -> None:
    first, _ = demo
    second, _ = _demo(tmp_path / "d.sqlite3")
    try:
        sql = ("SELECT p.name, g.held_on, g.attendance_total FROM gatherings g JOIN places p ON p.id = g.place_id")
        assert Counter(map(tuple, first.query(sql))) == Counter(map(tuple, second.query(sql)))
        names = "SELECT name, kana, address, start_date, end_date, programs FROM places ORDER BY name"
        assert list(map(tuple, first.query(names))) == list(map(tuple, second.query(names)))
    finally:
        second.close()


def test_stats_run_on_the_demo(demo) -> None:
    db, summary = demo
    for fy in summary.fiscal_years:
        stats = fiscal_year_stats(db, fy)
        assert stats.places_active > 0 and stats.gatherings > 0
        code = db.scalar("SELECT MIN(municipality_code) FROM places")
        assert fiscal_year_stats(db, fy, code).places_active > 0
    assert any(fiscal_year_stats(db, fy).warnings for fy in summary.fiscal_years)


def test_failure_leaves_nothing(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "d.sqlite3", create=True, user="テスト")
    try:
        def fail(stage: str, done: int, total: int) -> None:
            if stage == "開催記録" and done:
                raise RuntimeError("stop")
        with pytest.raises(RuntimeError):
            create_demo(db, places=30, years=1, seed=1, today=TODAY, progress=fail)
        assert all(db.scalar(f"SELECT COUNT(*) FROM {table}") == 0 for table in TABLES)
    finally:
        db.close()


def test_kana_number() -> None:
    assert [kana_number(n) for n in (2, 10, 13, 300, 1608)] == [
        "ニ", "ジュウ", "ジュウサン", "サンビャク", "センロッピャクハチ"]


@pytest.mark.parametrize("seed", [SEED, 2, 3])
def test_no_members_above_the_places_attendance(tmp_path: Path, seed: int) -> None:
    """The demo's 実人数 never exceeds the place's 延べ参加者数 of the 年度 (validate's MEMBERS_ABOVE_ATTENDANCE);
    seeds 2 and 3 at 60 places made such places before the rule."""
    db = Database.open(tmp_path / "d.sqlite3", create=True, user="テスト")
    try:
        create_demo(db, places=60, years=2, seed=seed, today=TODAY)
        above = db.scalar(
            "SELECT COUNT(*) FROM members m WHERE m.deleted_at IS NULL AND m.total > (SELECT"
            " COALESCE(SUM(g.attendance_total), 0) FROM gatherings g WHERE g.place_id = m.place_id"
            " AND g.deleted_at IS NULL AND g.held_on BETWEEN m.fiscal_year || '-04-01' AND (m.fiscal_year + 1) || '-03-31')")
        assert above == 0 and db.scalar("SELECT COUNT(*) FROM members") > 0
    finally:
        db.close()
