"""Checks before sending: each rule fires on a database built to trigger it and stays silent on a clean one;
completeness counts are checked against an independent SQL count."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest

from kaigo_desktop.domain.records import (
    Expense,
    Gathering,
    Members,
    Place,
    Population,
    Promoter,
)
from kaigo_desktop.services import records
from kaigo_desktop.services.submission_checks import ERROR, WARNING, run_checks
from kaigo_desktop.storage.database import Database

CHIYODA, HINODE = "131016", "133051"
FY = 2024
TODAY = date(2025, 6, 30)  # the 年度 2024 is over: every month counts


def add(db: Database, record):
    return records.add(db, record, today=TODAY)


def codes(db: Database, **kw) -> dict[str, str]:
    report = run_checks(db, FY, today=kw.pop("today", TODAY), **kw)
    return {finding.code: finding.level for finding in report.findings}


@pytest.fixture
def clean(db: Database) -> Database:
    """Two places that meet every rule: population, 実人数 within the 延べ, a gathering every month, a promoter
    within the cap with expenses, a steady attendance."""
    for name in ("すこやか体操", "ふれあいサロン"):
        place = add(db, Place(CHIYODA, name, programs=("motor",), start_date=date(2020, 4, 1)))
        for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
            add(db, Gathering(place.id, date(FY if month >= 4 else FY + 1, month, 10), attendance_total=12))
        add(db, Members(place.id, FY, total=20, age_under_65=2, age_65_74=8, age_75_plus=10))
    add(db, Population(CHIYODA, FY, 12_000))
    add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1)))
    add(db, Expense(CHIYODA, FY, "給料", 3_000_000))
    return db


def place_id(db: Database, name: str) -> str:
    return db.scalar("SELECT id FROM places WHERE name = ?", (name,))


def test_a_clean_database_passes_every_rule(clean: Database) -> None:
    report = run_checks(clean, FY, today=TODAY)
    assert report.findings == [] and report.ok


def test_population_missing_is_an_error(clean: Database) -> None:
    records.remove(clean, Population, clean.scalar("SELECT id FROM population"))
    assert codes(clean)["POPULATION_MISSING"] == ERROR


def test_participation_over_30_percent_is_a_warning_and_over_100_an_error(clean: Database) -> None:
    population = records.get(clean, Population, clean.scalar("SELECT id FROM population"))
    records.update(clean, dataclasses.replace(population, population_65_plus=100), today=TODAY)  # 36 / 100
    assert codes(clean)["PARTICIPATION_OVER_30"] == WARNING
    records.update(clean, dataclasses.replace(records.get(clean, Population, population.id),
                                              population_65_plus=30), today=TODAY)  # 36 / 30
    found = codes(clean)
    assert found["PARTICIPATION_OVER_100"] == ERROR and "PARTICIPATION_OVER_30" not in found


def test_members_missing_for_a_place_with_gatherings(clean: Database) -> None:
    members_id = clean.scalar("SELECT m.id FROM members m JOIN places p ON p.id = m.place_id"
                              " WHERE p.name = 'すこやか体操'")
    records.remove(clean, Members, members_id)
    report = run_checks(clean, FY, today=TODAY)
    (finding,) = [f for f in report.findings if f.code == "MEMBERS_MISSING"]
    assert finding.level == ERROR and [r.label for r in finding.records] == ["すこやか体操"]


def test_members_above_the_places_attendance(clean: Database) -> None:
    members = records.get(clean, Members, clean.scalar(
        "SELECT m.id FROM members m JOIN places p ON p.id = m.place_id WHERE p.name = 'ふれあいサロン'"))
    records.update(clean, dataclasses.replace(members, total=145, age_under_65=None, age_65_74=None, age_75_plus=None),
                   today=TODAY)  # 12 gatherings × 12 = 144
    assert codes(clean)["MEMBERS_ABOVE_ATTENDANCE"] == ERROR
    records.update(clean, dataclasses.replace(records.get(clean, Members, members.id), total=144), today=TODAY)
    assert "MEMBERS_ABOVE_ATTENDANCE" not in codes(clean)


def test_no_gathering_in_the_reference_month(clean: Database) -> None:
    march = clean.scalar("SELECT g.id FROM gatherings g JOIN places p ON p.id = g.place_id"
                         " WHERE p.name = 'すこやか体操' AND g.held_on = '2025-03-10'")
    records.remove(clean, Gathering, march)
    report = run_checks(clean, FY, today=TODAY)
    (finding,) = [f for f in report.findings if f.code == "NO_GATHERING_IN_REFERENCE_MONTH"]
    assert finding.level == WARNING and [r.label for r in finding.records] == ["すこやか体操"]
    # Until the reference month is over, its gatherings may still come.
    assert "NO_GATHERING_IN_REFERENCE_MONTH" not in codes(clean, today=date(2025, 3, 31))
    assert "NO_GATHERING_IN_REFERENCE_MONTH" in codes(clean, today=date(2025, 4, 1))


def test_gatherings_outside_the_places_open_period(clean: Database) -> None:
    place = records.get(clean, Place, place_id(clean, "ふれあいサロン"))
    records.update(clean, dataclasses.replace(place, end_date=date(2025, 1, 31)), today=TODAY)
    report = run_checks(clean, FY, today=TODAY)
    (finding,) = [f for f in report.findings if f.code == "GATHERING_OUTSIDE_OPEN_PERIOD"]
    days = sorted(clean.scalar("SELECT held_on FROM gatherings WHERE id = ?", (r.id,))
                  for r in finding.records if r.kind == "gatherings")
    assert finding.level == ERROR and days == ["2025-02-10", "2025-03-10"]


def test_promoters_over_the_cap_and_without_expenses(clean: Database) -> None:
    add(clean, Promoter(CHIYODA, "佐藤一郎", "社会福祉士", date(2024, 4, 1)))
    add(clean, Promoter(CHIYODA, "鈴木三郎", "社会福祉士", date(2024, 4, 1)))  # 3 > cap 2
    add(clean, Promoter(HINODE, "田中四郎", "保健師", date(2024, 4, 1)))  # no expenses, no population
    report = run_checks(clean, FY, today=TODAY)
    over = [f for f in report.findings if f.code == "PROMOTERS_OVER_CAP"]
    without = [f for f in report.findings if f.code == "PROMOTERS_WITHOUT_EXPENSES"]
    assert [(f.municipality_code, f.level) for f in over] == [(CHIYODA, WARNING)]
    assert [(f.municipality_code, f.level) for f in without] == [(HINODE, WARNING)]


def test_attendance_far_from_the_places_pattern(clean: Database) -> None:
    gathering = records.get(clean, Gathering, clean.scalar(
        "SELECT g.id FROM gatherings g JOIN places p ON p.id = g.place_id"
        " WHERE p.name = 'すこやか体操' AND g.held_on = '2024-07-10'"))
    records.update(clean, dataclasses.replace(gathering, attendance_total=120), today=TODAY)  # 12 → 120
    report = run_checks(clean, FY, today=TODAY)
    (finding,) = [f for f in report.findings if f.code == "ATTENDANCE_OUTLIER"]
    assert finding.level == WARNING and gathering.id in {r.id for r in finding.records}
    records.update(clean, dataclasses.replace(records.get(clean, Gathering, gathering.id), attendance_total=20),
                   today=TODAY)  # a busy day, not a slip
    assert "ATTENDANCE_OUTLIER" not in codes(clean)


def test_attendance_far_below_a_busy_places_pattern(clean: Database) -> None:
    salon = place_id(clean, "ふれあいサロン")
    with clean.write():  # a busy place: 30 a time (set up directly; the rule reads what is stored)
        clean.conn.execute("UPDATE gatherings SET attendance_total = 30 WHERE place_id = ?", (salon,))
    assert "ATTENDANCE_OUTLIER" not in codes(clean)
    with clean.write():
        clean.conn.execute("UPDATE gatherings SET attendance_total = 3 WHERE place_id = ? AND held_on = '2024-09-10'",
                           (salon,))  # 3 typed for 30
    assert codes(clean)["ATTENDANCE_OUTLIER"] == WARNING
    with clean.write():
        clean.conn.execute("UPDATE gatherings SET attendance_total = 5 WHERE place_id = ? AND held_on = '2024-09-10'",
                           (salon,))  # a rainy day
    assert "ATTENDANCE_OUTLIER" not in codes(clean)


def test_records_of_the_year_in_the_trash(clean: Database) -> None:
    extra = add(clean, Gathering(place_id(clean, "すこやか体操"), date(2024, 4, 11), attendance_total=12))
    records.remove(clean, Gathering, extra.id)
    report = run_checks(clean, FY, today=TODAY)
    (finding,) = [f for f in report.findings if f.code == "TRASH_NOT_EMPTY"]
    assert finding.level == WARNING and "開催記録1件" in finding.message
    assert "TRASH_NOT_EMPTY" not in {f.code for f in run_checks(clean, FY + 1, today=TODAY).findings}


def test_open_exchange_conflicts_block(clean: Database) -> None:
    with clean.write():
        clean.conn.execute(
            "INSERT INTO conflicts (id, table_name, row_id, reason, incoming_json, detected_at)"
            " VALUES (?, 'places', ?, 'both_changed', '{}', '2025-06-01T00:00:00')",
            (str(uuid.uuid4()), place_id(clean, "すこやか体操")))
    assert codes(clean)["OPEN_CONFLICTS"] == ERROR
    with clean.write():
        clean.conn.execute("UPDATE conflicts SET resolved_at = '2025-06-02T00:00:00', resolution = 'local'")
    assert "OPEN_CONFLICTS" not in codes(clean)


def test_completeness_by_center_and_month_equals_an_independent_count(clean: Database) -> None:
    records.remove(clean, Gathering, clean.scalar(
        "SELECT g.id FROM gatherings g JOIN places p ON p.id = g.place_id"
        " WHERE p.name = 'ふれあいサロン' AND g.held_on = '2024-08-10'"))
    late = add(clean, Place(CHIYODA, "秋からの会", start_date=date(2024, 10, 1)))
    add(clean, Gathering(late.id, date(2024, 10, 5), attendance_total=8))
    completeness = run_checks(clean, FY, today=TODAY).completeness
    expected, reporting = completeness.totals()
    for month in completeness.months:
        first, last = f"{month}-01", f"{month}-31"
        assert expected[month] == clean.scalar(
            "SELECT COUNT(*) FROM places WHERE deleted_at IS NULL AND (start_date IS NULL OR start_date <= ?)"
            " AND (end_date IS NULL OR end_date >= ?)", (last, first))
        assert reporting[month] == clean.scalar(
            "SELECT COUNT(DISTINCT place_id) FROM gatherings WHERE deleted_at IS NULL"
            " AND held_on BETWEEN ? AND ?", (first, last))
    assert expected["2024-08"] == 2 and reporting["2024-08"] == 1 and expected["2024-10"] == 3
    # Months still to come are not listed: nobody is late for them.
    assert run_checks(clean, FY, today=date(2024, 9, 15)).completeness.months[-1] == "2024-09"


def test_json_lists_errors_warnings_and_completeness(clean: Database) -> None:
    records.remove(clean, Population, clean.scalar("SELECT id FROM population"))
    data = run_checks(clean, FY, today=TODAY).to_json_dict()
    assert set(data) == {"fiscal_year", "municipality_code", "errors", "warnings", "completeness",
                         "ready_for_approval"}
    assert data["ready_for_approval"] is False
    assert data["errors"][0]["code"] == "POPULATION_MISSING" and data["errors"][0]["records"][0]["id"] == CHIYODA
    assert set(data["completeness"]) == {"months", "centers", "total"}


def test_a_municipality_scope_sees_only_its_own_records(clean: Database) -> None:
    other = add(clean, Place(HINODE, "日の出の会", start_date=date(2020, 4, 1)))
    add(clean, Gathering(other.id, date(2024, 5, 1), attendance_total=10))
    assert {"MEMBERS_MISSING", "POPULATION_MISSING"} <= set(codes(clean))
    assert codes(clean, municipality_code=CHIYODA) == {}


def test_text_lists_each_finding_with_its_level_and_records(clean: Database) -> None:
    from kaigo_desktop.services.submission_checks_text import format_checks

    assert format_checks(run_checks(clean, FY, today=TODAY)).endswith("エラーはありません。承認できます。")
    records.remove(clean, Population, clean.scalar("SELECT id FROM population"))
    text = format_checks(run_checks(clean, FY, today=TODAY))
    assert "[エラー] POPULATION_MISSING" in text and "エラー 1件　注意 1件" in text  # the population is in the trash
    assert "3月 2/2" in text and text.endswith("エラーを直してから提出してください。")


def test_acknowledged_warnings_are_kept_until_their_records_change(clean: Database) -> None:
    from kaigo_desktop.services import acknowledging

    records.remove(clean, Expense, clean.scalar("SELECT id FROM expenses"))  # PROMOTERS_WITHOUT_EXPENSES
    report = run_checks(clean, FY, today=TODAY)
    assert [f.code for f in report.warnings] == ["PROMOTERS_WITHOUT_EXPENSES"] and not report.ready_for_approval
    assert acknowledging.acknowledge(clean, FY, report.warnings, "補助なしで配置") == 1
    again = run_checks(clean, FY, today=TODAY)
    assert again.is_acknowledged(again.warnings[0]) and again.ready_for_approval
    assert clean.scalar("SELECT acknowledged_by || '|' || note FROM warning_acknowledgements") == "テスト担当|補助なしで配置"
    # A second promoter changes the finding's records: it must be looked at again.
    add(clean, Promoter(CHIYODA, "佐藤一郎", "社会福祉士", date(2023, 4, 1)))
    changed = run_checks(clean, FY, today=TODAY)
    assert changed.unacknowledged_warnings and not changed.ready_for_approval
    # エラー cannot be acknowledged away.
    records.remove(clean, Population, clean.scalar("SELECT id FROM population"))
    with pytest.raises(Exception, match="エラーは確認済みにできません"):
        acknowledging.acknowledge(clean, FY, run_checks(clean, FY, today=TODAY).errors)


def test_only_an_administrator_acknowledges(clean: Database) -> None:
    from kaigo_desktop.domain import roles
    from kaigo_desktop.services import acknowledging, rights

    records.remove(clean, Expense, clean.scalar("SELECT id FROM expenses"))
    warnings = run_checks(clean, FY, today=TODAY).warnings
    clean.actor = roles.Actor("鈴木", roles.STAFF, center_id="c" * 36)
    with pytest.raises(rights.Forbidden, match="権限がありません"):
        acknowledging.acknowledge(clean, FY, warnings)
    assert clean.scalar("SELECT COUNT(*) FROM warning_acknowledgements") == 0
