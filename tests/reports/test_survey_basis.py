"""Issue 14: the figures on the survey's own basis (stats --json keys and report 1's new rows and tables),
each compared with plain SQL over the same database — never the code under test — on the demo and on the
small set (trashed, closed and not-yet-open places must not count)."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from report_checks import (
    ACTIVE, CREATED, FY, PROGRAM_BITS, SCOPE, _open_months, after, cells, number, params, rate,
)

from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.services.stats import fiscal_year_stats

SURVEY = (f"{ACTIVE} AND {SCOPE} AND p.id IN (SELECT g.place_id FROM gatherings g WHERE g.deleted_at IS NULL"
          " AND g.held_on BETWEEN :ref_start AND :ref_end)")
BANDS = [(20, "1～20人"), (40, "21～40人"), (60, "41～60人"), (80, "61～80人"), (100, "81～100人")]
MEMBERS_65 = ("CASE WHEN m.age_65_74 IS NULL AND m.age_75_plus IS NULL THEN m.total"
              " ELSE COALESCE(m.age_65_74, 0) + COALESCE(m.age_75_plus, 0) END")


def rows(db, sql: str, p: dict) -> list[tuple]:
    return [tuple(row) for row in db.conn.execute(sql, p).fetchall()]


def frequency_of_places(db, fy: int, code: str | None) -> dict[str, str]:
    """Actual frequency per active place of a finished 年度: gatherings ÷ open months."""
    p = params(fy, code)
    held = dict(rows(db, "SELECT place_id, COUNT(*) FROM gatherings WHERE deleted_at IS NULL"
                         " AND held_on BETWEEN :start AND :end GROUP BY place_id", p))
    result = {}
    for place_id, start, end in rows(db, f"SELECT p.id, p.start_date, p.end_date FROM places p WHERE {ACTIVE}"
                                         f" AND {SCOPE}", p):
        months = _open_months(start, end, fy)
        per_month = held.get(place_id, 0) / months if months else 0
        result[place_id] = ("週1回以上" if per_month >= 4 else "月2回以上4回未満" if per_month >= 2
                            else "月1回以上2回未満" if per_month >= 1 else "月1回未満")
    return result


def survey_figures(db, fy: int, code: str | None) -> dict:
    """Every new figure of issue 14, each by its own query."""
    p = params(fy, code)
    survey_ids = {row[0] for row in rows(db, f"SELECT p.id FROM places p WHERE {SURVEY}", p)}

    def by(column: str) -> dict[str, int]:
        return dict(rows(db, f"SELECT COALESCE(p.{column}, '未設定'), COUNT(*) FROM places p WHERE {SURVEY}"
                             " GROUP BY 1", p))

    sizes: Counter = Counter()
    for _place, attendance, held in rows(db, "SELECT g.place_id, SUM(g.attendance_total), COUNT(*) FROM gatherings g"
                                             " WHERE g.deleted_at IS NULL AND g.held_on BETWEEN :ref_start AND :ref_end"
                                             " GROUP BY g.place_id", p):
        if _place not in survey_ids:
            continue
        average = int((Decimal(attendance) / Decimal(held)).quantize(Decimal(1), ROUND_HALF_UP))
        sizes[next((label for top, label in BANDS if average <= top), "100人超")] += 1
    frequency = frequency_of_places(db, fy, code)
    # A place with someone recorded at a live gathering of the 年度 (a roster, issue 19) counts its distinct
    # participants instead of its typed figure; 65歳以上 by age on 1 April of the 年度.
    present = ("FROM gathering_participants gp JOIN gatherings g ON g.id = gp.gathering_id"
               " JOIN participants pa ON pa.id = gp.participant_id JOIN places p ON p.id = g.place_id"
               " WHERE gp.deleted_at IS NULL AND g.deleted_at IS NULL AND pa.deleted_at IS NULL"
               " AND g.held_on BETWEEN :start AND :end")
    age = "(:fy - pa.birth_year - CASE WHEN pa.birth_month >= 4 THEN 1 ELSE 0 END)"
    members = rows(db, f"SELECT m.place_id, m.total, {MEMBERS_65} FROM members m JOIN places p ON p.id = m.place_id"
                       f" WHERE m.deleted_at IS NULL AND m.fiscal_year = :fy AND {ACTIVE} AND {SCOPE}"
                       f" AND m.place_id NOT IN (SELECT g.place_id {present})", p)
    members += rows(db, f"SELECT g.place_id, COUNT(DISTINCT pa.id), COUNT(DISTINCT CASE WHEN {age} >= 65 THEN pa.id END)"
                        f" {present} AND {ACTIVE} AND {SCOPE} GROUP BY g.place_id", p)
    population = db.conn.execute("SELECT SUM(population_65_plus) FROM population p WHERE p.deleted_at IS NULL"
                                 f" AND p.fiscal_year = :fy AND {SCOPE}", p).fetchone()[0]
    with_kind = (f"SELECT COUNT(DISTINCT g.place_id) FROM gatherings g JOIN places p ON p.id = g.place_id"
                 f" WHERE g.deleted_at IS NULL AND {ACTIVE} AND {SCOPE} AND g.held_on BETWEEN :start AND :end")
    promoter_bit = db.conn.execute("SELECT bit FROM professional_kinds WHERE name = '推進員'").fetchone()[0]
    weekly_65 = sum(m65 for place, _total, m65 in members if frequency[place] == "週1回以上")
    return {
        "survey": {
            "places": len(survey_ids),
            "by_program": {code_: sum(1 for (mask,) in rows(db, f"SELECT p.programs FROM places p WHERE {SURVEY}", p)
                                      if mask & bit)
                           for code_, bit in zip(("motor", "nutrition", "oral", "cognition", "social"),
                                                 PROGRAM_BITS.values())},
            "by_frequency_actual": Counter(frequency[i] for i in survey_ids),
            "by_operator": by("operator_kind"), "by_venue": by("venue_kind"),
            "by_main_activity": by("main_activity_1"), "by_session_size": sizes,
            "members_total": sum(total for place, total, _ in members if place in survey_ids),
            "members_65_plus": sum(m65 for place, _, m65 in members if place in survey_ids),
        },
        "places_with_professional_excluding_promoter": db.conn.execute(
            f"{with_kind} AND (g.professionals & ~{promoter_bit}) != 0", p).fetchone()[0],
        "professionals_by_kind": {name: db.conn.execute(f"{with_kind} AND (g.professionals & {bit}) != 0", p).fetchone()[0]
                                  for name, bit in rows(db, "SELECT name, bit FROM professional_kinds ORDER BY sort", {})},
        "weekly_participation_rate": rate(weekly_65, population),
        "as_of": f"{fy + 1}-03-31",
        "complete": True,
    }


def nonzero(counts: dict) -> dict:
    return {k: v for k, v in counts.items() if v}


def largest_municipality(db) -> str:
    return db.scalar("SELECT municipality_code FROM places GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")


@pytest.mark.parametrize("source", ["demo", "small"])
@pytest.mark.parametrize("scope", ["all", "one"])
def test_stats_json_survey_keys_equal_independent_sql(request, source: str, scope: str) -> None:
    db = request.getfixturevalue(source)
    code = largest_municipality(db) if scope == "one" else None
    got = fiscal_year_stats(db, FY, code, today=CREATED).to_json_dict()
    want = survey_figures(db, FY, code)
    if source == "demo":  # the demo gives every figure something to bite on
        assert want["survey"]["places"] > 20 and want["professionals_by_kind"]["推進員"] > 0
        assert 0 < want["places_with_professional_excluding_promoter"] < got["places_with_professional"]
    survey = got["survey"]
    assert survey["places"] == want["survey"]["places"] == got["places_survey"]
    assert survey["final"] is True
    for key in ("by_program", "by_frequency_actual", "by_operator", "by_venue", "by_main_activity", "by_session_size"):
        assert nonzero(survey[key]) == nonzero(want["survey"][key]), key
    assert list(survey["by_session_size"]) == ["1～20人", "21～40人", "41～60人", "61～80人", "81～100人", "100人超"]
    assert survey["members_total"] == want["survey"]["members_total"]
    assert survey["members_65_plus"] == want["survey"]["members_65_plus"]
    for key in ("places_with_professional_excluding_promoter", "professionals_by_kind", "weekly_participation_rate",
                "as_of", "complete"):
        assert got[key] == want[key], key


def test_existing_stats_keys_are_unchanged(demo) -> None:
    got = fiscal_year_stats(demo, FY, today=CREATED).to_json_dict()
    old = ["fiscal_year", "municipality_code", "places_active", "places_survey", "places_by_program",
           "places_by_frequency_declared", "places_by_frequency_actual", "places_by_operator", "gatherings",
           "attendance_total", "members_total", "members_65_plus", "population_65_plus", "participation_rate",
           "places_with_professional", "promoters_placed", "promoter_cap", "promoter_activities",
           "promoter_activity_minutes", "subsidy"]
    assert list(got)[:len(old)] == old


def test_report_rows_and_survey_tables_equal_independent_sql(demo, tmp_path: Path) -> None:
    out = tmp_path / "r1.pdf"
    generate("submission", demo, ReportOptions(fiscal_year=FY, created=CREATED, suppress=False), out)
    items = cells(out)
    f = survey_figures(demo, FY, None)
    s = f["survey"]
    summary = "1. 概要"
    assert number(after(items, "専門職（推進員を除く）が関与した通いの場（注11）", start=summary)[0]) == \
        f["places_with_professional_excluding_promoter"]
    assert number(after(items, "推進員が関与した通いの場（注11）", start=summary)[0]) == f["professionals_by_kind"]["推進員"]
    assert number(after(items, "週1回以上活動に参加している人の率（注12）", start=summary)[0]) == f["weekly_participation_rate"]
    assert after(items, "65歳以上人口の基準日", start=summary)[0].startswith("令和")

    for label, bit_label in zip(("運動機能向上", "低栄養予防", "口腔機能向上", "認知機能低下予防", "社会参加促進"),
                                ("motor", "nutrition", "oral", "cognition", "social")):
        assert number(after(items, label, 2, start="2. プログラム種別ごとの通いの場数（注4）")[1]) == \
            s["by_program"][bit_label], label
    frequency = "3. 開催頻度別の通いの場数（届出・実績）（注5・注6）"
    for label in ("週1回以上", "月2回以上4回未満", "月1回以上2回未満", "月1回未満"):
        assert number(after(items, label, 3, start=frequency)[2]) == s["by_frequency_actual"].get(label, 0), label
    for label, count in s["by_operator"].items():
        assert number(after(items, label, 2, start="4. 運営主体別の通いの場数")[1]) == count, label

    table = "8. 調査対象の通いの場（3月に開催あり）と参加者実人数（注3・注13）"
    assert number(after(items, "調査対象の通いの場", start=table)[0]) == s["places"]
    assert number(after(items, "参加者実人数", start=table)[0]) == s["members_total"]
    assert number(after(items, "参加者実人数（65歳以上）", start=table)[0]) == s["members_65_plus"]
    for title, key in (("9. 会場種別（調査対象）（注13）", "by_venue"),
                       ("10. 主な活動内容（1つ目、調査対象）（注13）", "by_main_activity"),
                       ("11. 1箇所1回あたりの参加者数（調査対象）（注14）", "by_session_size")):
        for label, count in s[key].items():
            assert number(after(items, label, start=title)[0]) == count, (title, label)
    kinds = "12. 専門職の関与（職種別、活動中）（注11）"
    for name, count in f["professionals_by_kind"].items():
        assert number(after(items, name, start=kinds)[0]) == count, name
