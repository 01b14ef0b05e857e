"""Reports 3 (推進員 活動報告書), 4 (通いの場一覧) and 5 (開催記録表) read back and compared with plain SQL; page
counts for a large directory, the header on every page and no row split across pages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import holidays
import pytest
from pypdf import PdfReader
from report_checks import (
    ACTIVE, CHIYODA, CREATED, FY, after, cells, flat_text, fonts, number, numbers, page_texts, params,
)

from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.services.report_data import ReportInputError


def make(db, kind: str, out: Path, **options):
    options.setdefault("created", CREATED)
    return generate(kind, db, ReportOptions(**options), out)


# ---------------------------------------------------------------- report 3

def busiest_promoter(db) -> tuple[str, str, str]:
    return db.conn.execute(
        "SELECT a.promoter_id, substr(a.done_on, 1, 7) AS month, p.name FROM activities a JOIN promoters p"
        " ON p.id = a.promoter_id WHERE a.deleted_at IS NULL AND a.done_on BETWEEN '2025-04-01' AND '2026-03-31'"
        " GROUP BY 1, 2 ORDER BY COUNT(*) DESC LIMIT 1").fetchone()


@pytest.mark.parametrize("period", ["month", "year"])
def test_activity_report_equals_independent_sql(demo, tmp_path: Path, period: str) -> None:
    promoter_id, month, name = busiest_promoter(demo)
    year, m = map(int, month.split("-"))
    if period == "month":
        start, end = f"{month}-01", f"{month}-31"
        options = {"month": (year, m)}
    else:
        start, end = "2025-04-01", "2026-03-31"
        options = {"fiscal_year": FY}
    out = tmp_path / "r3.pdf"
    result = make(demo, "activity", out, promoter_id=promoter_id, **options)
    items = cells(out)
    p = {"id": promoter_id, "start": start, "end": end}
    rows = demo.conn.execute(
        "SELECT a.done_on, a.kind, a.minutes, pl.name FROM activities a LEFT JOIN places pl ON pl.id = a.place_id"
        " WHERE a.promoter_id = :id AND a.deleted_at IS NULL AND a.done_on BETWEEN :start AND :end"
        " ORDER BY a.done_on", p).fetchall()
    assert rows
    # Every dated line, in order: "R7.6.2（月）" style dates.
    dates = [c for c in items if re.fullmatch(r"R\d+\.\d+\.\d+（.）", c)]
    assert [d.split("（")[0] for d in dates] == [
        f"R{int(r[0][:4]) - 2018}.{int(r[0][5:7])}.{int(r[0][8:])}" for r in rows]
    by_kind = dict((k, (c, mi)) for k, c, mi in demo.conn.execute(
        "SELECT kind, COUNT(*), COALESCE(SUM(minutes), 0) FROM activities WHERE promoter_id = :id"
        " AND deleted_at IS NULL AND done_on BETWEEN :start AND :end GROUP BY kind", p))
    totals = "2. 活動区分別の件数と時間"
    for kind in (r[0] for r in demo.conn.execute("SELECT name FROM activity_kinds ORDER BY sort")):
        assert numbers(after(items, kind, 2, start=totals)) == list(by_kind.get(kind, (0, 0))), kind
    assert numbers(after(items, "計", 2, start=totals)) == [len(rows), sum(r[2] or 0 for r in rows)]
    visits = demo.conn.execute(
        "SELECT pl.name, COUNT(*) FROM activities a JOIN places pl ON pl.id = a.place_id WHERE a.promoter_id = :id"
        " AND a.deleted_at IS NULL AND a.done_on BETWEEN :start AND :end GROUP BY pl.id", p).fetchall()
    for place, count in visits:
        assert number(after(items, place, 1, start="3. 訪問した通いの場")[0]) == count, place
    assert number(after(items, f"計（{len(visits)}か所）")[0]) == sum(c for _, c in visits)
    text = flat_text(out)
    assert name in text and "推進員署名" in text and "確認者（区市町村・センター）署名" in text
    assert "上記のとおり報告します。" in text
    assert ("令和7年度（2025年度）" if period == "year" else f"（{year}年{m}月）") in text
    assert len(page_texts(out)) == result.pages
    assert all(embedded for _, embedded in fonts(out))


def test_activity_report_errors(demo, tmp_path: Path) -> None:
    promoter_id, _, _ = busiest_promoter(demo)
    with pytest.raises(ReportInputError):
        make(demo, "activity", tmp_path / "x.pdf", promoter_id="00000000-0000-0000-0000-000000000000", fiscal_year=FY)
    with pytest.raises(ValueError, match="含まれません"):
        make(demo, "activity", tmp_path / "x.pdf", promoter_id=promoter_id, fiscal_year=FY, month=(2024, 6))
    with pytest.raises(ValueError, match="推進員"):
        make(demo, "activity", tmp_path / "x.pdf", fiscal_year=FY)
    assert not (tmp_path / "x.pdf").exists() and not list(tmp_path.iterdir())  # nothing half-written


# ---------------------------------------------------------------- report 4

@pytest.mark.parametrize("source", ["demo", "small"])
def test_place_directory_lists_every_active_place_once(request, tmp_path: Path, source: str) -> None:
    """On the demo and on the small set, whose trashed, closed and not-yet-open places are not listed, nor the
    promoters whose assignment or employment does not reach into the 年度."""
    demo = request.getfixturevalue(source)
    out = tmp_path / "r4.pdf"
    result = make(demo, "places", out, fiscal_year=FY)
    reader = PdfReader(str(out))
    assert all(page.mediabox.width > page.mediabox.height for page in reader.pages)  # landscape
    texts = page_texts(out)
    p = params(FY, None)
    rows = demo.conn.execute(
        f"SELECT p.municipality_code, p.name, p.address, m.name FROM places p JOIN municipalities m"
        f" ON m.code = p.municipality_code WHERE {ACTIVE} ORDER BY p.municipality_code, p.kana", p).fetchall()
    items = cells(out)
    assert after(items, "掲載")[0] == f"{len(rows):,}か所（年度内に活動中の通いの場）"
    for code, count, name in demo.conn.execute(
            "SELECT p.municipality_code, COUNT(*), m.name FROM places p JOIN municipalities m"
            f" ON m.code = p.municipality_code WHERE {ACTIVE} GROUP BY 1", p):
        assert f"{name}（{code}） {count:,}か所" in items
    flat = flat_text(out)
    unassigned = ("pr.deleted_at IS NOT NULL OR pr.id NOT IN (SELECT s.promoter_id FROM assignments s"
                  " WHERE s.deleted_at IS NULL AND s.start_date <= :end AND (s.end_date IS NULL OR s.end_date >= :start))")
    gone = [row[0] for row in demo.conn.execute(
        f"SELECT p.name FROM places p WHERE NOT ({ACTIVE}) UNION SELECT pr.name FROM promoters pr WHERE {unassigned}", p)]
    assert (source == "demo" or gone) and not [name for name in gone if name in flat]
    flat_pages = [t.replace("\n", "") for t in texts]
    for _, place, address, _ in rows:
        pages = [i for i, t in enumerate(flat_pages) if place in t]
        assert pages, place
        assert any(address in flat_pages[i] for i in pages), place  # name and address on the same page: no split
    for text in texts[1:]:
        assert "名称" in text and "住所" in text and "担当推進員" in text  # header repeated on each page
    assert len(texts) == result.pages


def test_place_directory_names_assigned_promoters(small, tmp_path: Path) -> None:
    from kaigo_desktop.domain.records import Assignment
    from kaigo_desktop.services import records

    place_id = small.scalar("SELECT id FROM places WHERE name = '小さなお茶会'")
    promoter_id = small.scalar("SELECT id FROM promoters WHERE name = '山田花子'")
    records.add(small, Assignment(promoter_id, place_id, date(2024, 4, 1)), today=date(2026, 5, 1))
    out = tmp_path / "r4.pdf"
    make(small, "places", out, fiscal_year=FY, municipality_code=CHIYODA)
    items = cells(out)
    row = "".join(after(items, "小さなお茶会", 12))
    assert "山田花子" in row and "090-3333-4444" in row and "住民個人" in row and "社会参加" in row
    assert "村の集い" not in items  # another 区市町村


@pytest.mark.slow
def test_large_directory_has_a_sane_page_count(tmp_path: Path) -> None:
    from kaigo_desktop.services.demo import create_demo
    from kaigo_desktop.storage.database import Database

    with Database.open(tmp_path / "big.sqlite3", create=True) as db:
        create_demo(db, places=1500, years=1, seed=2, today=date(2026, 3, 31))
        places = db.scalar("SELECT COUNT(*) FROM places WHERE deleted_at IS NULL")
        out = tmp_path / "r4.pdf"
        result = make(db, "places", out, fiscal_year=FY)
    # Rows are one to three lines high: between ~10 and ~40 rows a landscape page.
    assert places / 40 <= result.pages <= places / 10 + 2, (places, result.pages)
    texts = page_texts(out)
    assert len(texts) == result.pages
    assert f"{result.pages} / {result.pages}" in texts[-1]


# ---------------------------------------------------------------- report 5

def test_attendance_sheet_filled_from_the_log(demo, tmp_path: Path) -> None:
    place_id, month = demo.conn.execute(
        "SELECT place_id, substr(held_on, 1, 7) FROM gatherings WHERE held_on LIKE '2025-%' AND deleted_at IS NULL"
        " GROUP BY 1, 2 ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
    out = tmp_path / "r5.pdf"
    year, m = map(int, month.split("-"))
    result = make(demo, "attendance-sheet", out, place_id=place_id, month=(year, m))
    items = cells(out)
    rows = demo.conn.execute(
        "SELECT held_on, attendance_total, male, female FROM gatherings WHERE place_id = ? AND deleted_at IS NULL"
        " AND held_on LIKE ? ORDER BY held_on", (place_id, f"{month}-%")).fetchall()
    for held_on, total, male, female in rows:
        day = date.fromisoformat(held_on)
        mark = "・祝" if day in holidays.country_holidays("JP", years=year) else ""
        label = f"R{year - 2018}.{m}.{day.day}（{'月火水木金土日'[day.weekday()]}{mark}）"
        assert label in items
    totals = numbers(after(items, f"計 {len(rows)}回", 3))
    def known(values: list) -> int | None:
        return sum(v for v in values if v is not None) if any(v is not None for v in values) else None

    assert totals == [sum(r[1] for r in rows), known([r[2] for r in rows]), known([r[3] for r in rows])]
    name = demo.scalar("SELECT name FROM places WHERE id = ?", (place_id,))
    assert name in flat_text(out) and "記入者" in items
    assert result.pages == 1
    assert PdfReader(str(out)).pages[0].mediabox.width > PdfReader(str(out)).pages[0].mediabox.height


def test_blank_attendance_sheet_has_writing_rows_and_no_figures(small, tmp_path: Path) -> None:
    place_id = small.scalar("SELECT id FROM places WHERE name = '大きな体操の会'")
    out = tmp_path / "blank.pdf"
    result = make(small, "attendance-sheet", out, place_id=place_id, blank=True)
    items = cells(out)
    assert result.pages == 1
    assert items.count("月　日（　）") == 11  # a leading full-width space is stripped with the line
    assert "開催記録表（白紙）" in items and "大きな体操の会" in flat_text(out)
    assert not any(re.fullmatch(r"R\d+\.\d+\.\d+（.）", c) for c in items)
    assert "30" not in items and "雨天のため短縮" not in flat_text(out)
    with pytest.raises(ValueError, match="--month"):
        make(small, "attendance-sheet", tmp_path / "x.pdf", place_id=place_id)
