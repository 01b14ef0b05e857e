"""Issue 14: honest about time (a 年度 in progress counted on complete months, labelled everywhere, the survey
count 未確定) and about missing data (empty scopes refused, 未入力 marked, implausible rates flagged). Real
SQLite files, reports and exports read back; the counted figures compared with plain SQL."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from report_checks import after, cells, flat_text, number
from test_report_cli import run

from kaigo_desktop.domain.records import Activity, Assignment, Gathering, Members, Place, Population, Promoter
from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.reports.exports import export
from kaigo_desktop.services import records
from kaigo_desktop.services.stats import EmptyScope, fiscal_year_stats
from kaigo_desktop.services.stats_text import format_stats

BUNKYO, CHUO = "131059", "131024"
FY = 2026
TODAY = date(2026, 12, 3)  # three days into December: not a month the places were open yet
LABEL = "令和8年11月30日現在（年度途中）"
PENDING = "未確定（3月の記録後）"


@pytest.fixture
def weekly(db):
    """One place in 文京区 meeting every week since April 2026 (4 a month), and on 1–3 December too."""
    add = lambda record: records.add(db, record, today=TODAY)  # noqa: E731
    place = add(Place(BUNKYO, "毎週の体操", start_date=date(2026, 4, 1), programs=("motor",),
                      venue_kind="公民館・自治会館・集会所", operator_kind="住民個人", main_activity_1="体操（運動）"))
    for month in range(4, 12):
        for day in (1, 8, 15, 22):
            add(Gathering(place.id, date(FY, month, day), attendance_total=10, professionals=("推進員",)))
    for day in (1, 2, 3):
        add(Gathering(place.id, date(FY, 12, day), attendance_total=10, professionals=("保健師",)))
    add(Members(place.id, FY, total=40, age_65_74=20, age_75_plus=20))
    add(Population(BUNKYO, FY, 8_000, reference_date=date(2026, 1, 1)))
    return db


def counted_by_sql(db, until: str) -> tuple[int, int]:
    """Gatherings and 延べ参加者数 of the 年度 up to `until`, straight from the table."""
    return tuple(db.conn.execute("SELECT COUNT(*), SUM(attendance_total) FROM gatherings WHERE deleted_at IS NULL"
                                 " AND held_on BETWEEN '2026-04-01' AND ?", (until,)).fetchone())


def test_a_year_in_progress_counts_complete_months_only(weekly) -> None:
    stats = fiscal_year_stats(weekly, FY, today=TODAY)
    assert (stats.as_of, stats.complete) == (date(2026, 11, 30), False)
    assert (stats.gatherings, stats.attendance_total) == counted_by_sql(weekly, "2026-11-30") == (32, 320)
    # 32 gatherings in 8 whole months = 4 a month. Counting December's 3 days as a month gave 35 / 9 = 3.9.
    assert stats.places_by_frequency_actual["週1回以上"] == 1
    assert stats.attendance_by_month["2026-12"] == 0
    # The December gatherings' 保健師 is not counted either: only the 推進員 of April–November.
    assert stats.places_with_professional_excluding_promoter == 0 and stats.professionals_by_kind["推進員"] == 1
    assert stats.weekly_participation_rate == 0.5  # 40 ÷ 8,000
    got = stats.to_json_dict()
    assert got["as_of"] == "2026-11-30" and got["complete"] is False
    assert got["survey"]["places"] is None and got["survey"]["final"] is False
    assert got["population_reference_date"] == "2026-01-01"
    text = format_stats(stats)
    assert LABEL in text and f"調査対象: {PENDING}" in text


def test_a_finished_year_is_complete_and_unlabelled(weekly) -> None:
    stats = fiscal_year_stats(weekly, FY, today=date(2027, 4, 1))
    assert (stats.as_of, stats.complete, stats.in_progress_label) == (date(2027, 3, 31), True, None)
    assert stats.gatherings == 35 and stats.survey.final
    assert LABEL not in format_stats(stats)


def test_before_the_first_month_ends_nothing_is_counted_and_the_report_is_refused(weekly, tmp_path: Path) -> None:
    stats = fiscal_year_stats(weekly, FY, today=date(2026, 4, 20))
    assert stats.as_of == date(2026, 3, 31) and stats.gatherings == 0 and stats.places_active == 0
    with pytest.raises(EmptyScope):
        generate("submission", weekly, ReportOptions(fiscal_year=FY, created=date(2026, 4, 20)), tmp_path / "r.pdf")


def test_every_report_and_export_says_in_progress(weekly, tmp_path: Path) -> None:
    options = ReportOptions(fiscal_year=FY, created=TODAY, suppress=False)
    generate("submission", weekly, options, tmp_path / "r1.pdf")
    items = cells(tmp_path / "r1.pdf")
    assert after(items, "集計時点") == [LABEL]
    assert after(items, "調査対象の通いの場（3月に開催あり）（注3）", start="1. 概要")[0] == PENDING
    assert number(after(items, "開催回数（注7）", start="1. 概要")[0]) == 32
    assert "11月末までの完了した月で数えています" in flat_text(tmp_path / "r1.pdf")
    generate("promoters", weekly, options, tmp_path / "r2.pdf")
    assert after(cells(tmp_path / "r2.pdf"), "集計時点") == [LABEL]
    export(weekly, "xlsx", options, tmp_path / "e.xlsx")
    cover = {row[0]: row[1] for row in openpyxl.load_workbook(tmp_path / "e.xlsx")["定義"].iter_rows(values_only=True)}
    assert cover["集計時点"] == LABEL
    # The same report of a finished 年度 carries no such row.
    generate("submission", weekly, ReportOptions(fiscal_year=FY, created=date(2027, 4, 2)), tmp_path / "r3.pdf")
    assert "集計時点" not in cells(tmp_path / "r3.pdf")


def test_missing_population_is_marked_not_blank(db, tmp_path: Path) -> None:
    place = records.add(db, Place(CHUO, "人口のない区の会", start_date=date(2025, 4, 1)), today=TODAY)
    records.add(db, Gathering(place.id, date(2025, 6, 1), attendance_total=12), today=TODAY)
    out = tmp_path / "r.pdf"
    generate("submission", db, ReportOptions(fiscal_year=2025, municipality_code=CHUO, created=TODAY), out)
    items = cells(out)
    assert after(items, "65歳以上人口", start="1. 概要") == ["未入力"]
    assert after(items, "65歳以上人口の基準日", start="1. 概要") == ["未入力"]
    assert after(items, "参加率（注10）", start="1. 概要")[0] == "65歳以上人口 未入力"
    assert after(items, "参加者実人数（注8）", start="1. 概要")[0] == "参加者実人数 未入力"
    generate("submission", db, ReportOptions(fiscal_year=2025, created=TODAY), out)  # all 区市町村
    assert "65歳以上人口 未入力: 中央区。" in flat_text(out)


def test_an_impossible_rate_is_flagged_in_the_report(weekly, tmp_path: Path) -> None:
    weekly.conn.execute("UPDATE population SET population_65_plus = 13")  # 40 participants of 13 residents
    for code, name in ((BUNKYO, "r1.pdf"), (None, "all.pdf")):
        out = tmp_path / name
        generate("submission", weekly, ReportOptions(fiscal_year=FY, municipality_code=code, created=date(2027, 4, 2),
                                                     suppress=False), out)
        text = flat_text(out)
        assert "要確認: 参加率が307.7%で、100%を超えています。" in text
        if code is None:
            assert "要確認: 参加率が100%を超えています（文京区 307.7%）。" in text


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("argv", [("report", "submission"), ("report", "promoters"), ("report", "places"),
                                  ("export", "xlsx")])
def test_empty_scopes_are_refused_with_exit_1_unless_allowed(weekly, db_path: Path, tmp_path: Path, capsys,
                                                            argv) -> None:
    weekly.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = file_hash(db_path)
    for fy, code in (("2018", None), ("2026", CHUO)):  # a 年度 and a 区市町村 without records
        out = tmp_path / f"empty-{fy}.out"
        extra = ("--municipality", code) if code else ()
        assert run(db_path, *argv, "--fy", fy, *extra, "--out", out) == 1
        error = capsys.readouterr().err
        assert "この年度の記録" in error and "--allow-empty" in error, error
        assert not out.exists()
        assert run(db_path, *argv, "--fy", fy, *extra, "--out", out, "--allow-empty") == 0
        assert out.exists()
    assert file_hash(db_path) == before
    assert sqlite3.connect(db_path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ---------------------------------------------------------------- reports 3 and 4 in a 年度 in progress

@pytest.fixture
def lists(weekly):
    """`weekly` plus a promoter of 文京区 with activities in April, on 30 November and on 1–3 December; an
    assignment to 毎週の体操 from December; a place opened on 1 December."""
    add = lambda record: records.add(weekly, record, today=TODAY)  # noqa: E731
    place_id = weekly.scalar("SELECT id FROM places WHERE name = '毎週の体操'")
    promoter = add(Promoter(BUNKYO, "文京太郎", "保健師", date(2025, 4, 1), kana="ブンキョウタロウ"))
    for day, minutes in ((date(2026, 4, 10), 60), (date(2026, 11, 30), 45), (date(2026, 12, 1), 30),
                         (date(2026, 12, 3), 90)):
        add(Activity(promoter.id, day, "通いの場の継続支援", place_id=place_id, minutes=minutes))
    add(Assignment(promoter.id, place_id, date(2026, 12, 1)))
    add(Place(BUNKYO, "師走からの会", start_date=date(2026, 12, 1), programs=("social",)))
    return weekly


def activities_by_sql(db, start: str, end: str) -> tuple[int, int]:
    """Activities and minutes of the promoter between the two days, straight from the table."""
    return tuple(db.conn.execute("SELECT COUNT(*), SUM(minutes) FROM activities WHERE deleted_at IS NULL"
                                 " AND done_on BETWEEN ? AND ?", (start, end)).fetchone())


def totals(items: list[str]) -> list[str]:
    """Report 3's 「活動件数・時間」 cell in its two parts (pypdf reads the ideographic space between as two)."""
    return after(items, "活動件数・時間")[0].split()


def test_activity_report_of_a_year_in_progress_counts_complete_months_and_says_so(lists, tmp_path: Path) -> None:
    promoter_id = lists.scalar("SELECT id FROM promoters")
    out = tmp_path / "r3.pdf"
    generate("activity", lists, ReportOptions(fiscal_year=FY, promoter_id=promoter_id, created=TODAY), out)
    items = cells(out)
    assert after(items, "集計時点") == [LABEL]
    count, minutes = activities_by_sql(lists, "2026-04-01", "2026-11-30")
    assert (count, minutes) == (2, 105)  # not December's 1st and 3rd
    assert totals(items) == [f"{count}件", f"{minutes}分（1時間45分）"]
    assert "R8.12.1（火）" not in items and "R8.11.30（月）" in items
    # The same activities as report 2 counts for the 年度 (its rule, stats' as_of).
    assert sum(fiscal_year_stats(lists, FY, BUNKYO, today=TODAY).promoter_activities.values()) == count
    # A month that has ended is whole and final: no label; the month in progress is refused, nothing written.
    generate("activity", lists, ReportOptions(promoter_id=promoter_id, month=(2026, 11), created=TODAY), out)
    assert "集計時点" not in cells(out) and totals(cells(out)) == ["1件", "45分（0時間45分）"]
    december = tmp_path / "december.pdf"
    with pytest.raises(ValueError, match="2026年12月はまだ終わっていない"):
        generate("activity", lists, ReportOptions(promoter_id=promoter_id, month=(2026, 12), created=TODAY), december)
    assert not december.exists()
    # Once the 年度 has ended: every activity, no label.
    generate("activity", lists, ReportOptions(fiscal_year=FY, promoter_id=promoter_id, created=date(2027, 4, 1)),
             out)
    assert "集計時点" not in cells(out)
    assert totals(cells(out)) == ["4件", "225分（3時間45分）"]
    assert activities_by_sql(lists, "2026-04-01", "2027-03-31") == (4, 225)


def places_by_sql(db, end: str) -> list[str]:
    """Names of the live places active at some day of 2026-04-01 … `end`, straight from the table."""
    return [row[0] for row in db.conn.execute(
        "SELECT name FROM places WHERE deleted_at IS NULL AND (start_date IS NULL OR start_date <= ?)"
        " AND (end_date IS NULL OR end_date >= '2026-04-01') ORDER BY name", (end,))]


def test_place_directory_of_a_year_in_progress_lists_the_places_counted_and_says_so(lists, tmp_path: Path) -> None:
    out = tmp_path / "r4.pdf"
    generate("places", lists, ReportOptions(fiscal_year=FY, created=TODAY), out)
    items = cells(out)
    assert after(items, "集計時点") == [LABEL]
    listed = places_by_sql(lists, "2026-11-30")
    assert listed == ["毎週の体操"] and places_by_sql(lists, "2027-03-31") == ["師走からの会", "毎週の体操"]
    assert after(items, "掲載") == [f"{len(listed)}か所（年度内に活動中の通いの場）"]
    assert len(listed) == fiscal_year_stats(lists, FY, today=TODAY).places_active  # the places report 1 counts
    flat = flat_text(out)
    assert "師走からの会" not in flat and "文京太郎" not in flat  # opened, and assigned, in December
    # Once the 年度 has ended: both places, the December assignment, no label.
    generate("places", lists, ReportOptions(fiscal_year=FY, created=date(2027, 4, 1)), out)
    flat = flat_text(out)
    assert "集計時点" not in cells(out) and "師走からの会" in flat and "文京太郎" in flat
    # Before April has ended nothing is counted, not even a place without dates (which any period matches).
    records.add(lists, Place(BUNKYO, "日付のない会"), today=TODAY)
    generate("places", lists, ReportOptions(fiscal_year=FY, created=date(2026, 4, 20), allow_empty=True), out)
    assert after(cells(out), "掲載") == ["0か所（年度内に活動中の通いの場）"]
    assert fiscal_year_stats(lists, FY, today=date(2026, 4, 20)).places_active == 0


def test_cli_refuses_an_activity_report_of_a_month_not_yet_ended(lists, db_path: Path, tmp_path: Path,
                                                                 capsys) -> None:
    promoter_id = lists.scalar("SELECT id FROM promoters")
    lists.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = file_hash(db_path)
    out = tmp_path / "future.pdf"
    from kaigo_desktop.cli import main

    assert main(["--db", str(db_path), "report", "activity", "--promoter", promoter_id, "--month", "2099-04",
                 "--out", str(out)]) == 2
    assert "2099年4月はまだ終わっていない" in capsys.readouterr().err
    assert not out.exists() and file_hash(db_path) == before
