"""Report 1 (通いの場 実施状況報告書) for all 区市町村 on 10,000 places and 500,000 gatherings of one 年度, beside
bare reportlab drawing the same rows (the same tables, cell by cell with drawString, and the same two charts)
in the same run; prints medians and the targets (≤ 2 s, ≤ 1.3× bare).

Both sides read the figures through the same services, so "total" compares what a user waits for; "render"
compares only the PDF part (our page template, paged tables and footnotes against plain canvas drawing).

    python benchmarks/bench_reports.py [--places 10000] [--gatherings 500000] [--repeat 5] [--keep PATH]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from unittest import mock
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_core import size_arguments  # noqa: E402

from kaigo_desktop.domain.fiscal import fiscal_year_range  # noqa: E402
from kaigo_desktop.domain.records import Gathering, Members, Place, Population  # noqa: E402
from kaigo_desktop.services import bulk, records  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402
from kaigo_desktop.storage.ids import new_id  # noqa: E402
from kaigo_desktop.storage.lookups import municipalities  # noqa: E402

FY = 2025
CREATED = date(2026, 6, 1)
TARGET_SECONDS = 2.0
TARGET_RATIO = 1.3
PROGRAM_SETS = (("motor",), ("motor", "oral"), ("motor", "social"), ("social",), ("cognition", "social"),
                ("motor", "nutrition", "oral"))
FREQUENCIES = ("週1回以上", "月2回以上4回未満", "月1回以上2回未満", None)
OPERATORS = ("住民団体（自治会・NPO法人等）", "住民個人", "社会福祉協議会", "行政（介護予防担当部局）")


def build(path: Path, places: int, gatherings: int, seed: int = 1) -> None:
    """`places` places spread over all 62 区市町村, members and population for each, and `gatherings` gatherings
    in the 年度, through the validated services (bulk path for gatherings)."""
    rng = random.Random(seed)
    start, end = fiscal_year_range(FY)
    today = end + timedelta(days=1)
    with Database.open(path, create=True, user="bench") as db:
        codes = [m.code for m in municipalities(db)]
        items = [Place(codes[i % len(codes)], f"ベンチ通いの場{i:05d}", "ベンチカヨイノバ", address=f"番地{i}",
                       operator_kind=OPERATORS[i % len(OPERATORS)], frequency_declared=FREQUENCIES[i % 4],
                       start_date=date(2015, 4, 1), programs=PROGRAM_SETS[i % len(PROGRAM_SETS)], id=new_id())
                 for i in range(places)]
        records.add_many(db, items, today=today)
        records.add_many(db, [Population(code, FY, rng.randint(3_000, 200_000)) for code in codes], today=today)
        members = []
        for place in items:
            total = rng.randint(3, 60)
            old = rng.randint(0, total)
            members.append(Members(place.id, FY, total, male=total // 5, female=total - total // 5,
                                   age_65_74=total - old, age_75_plus=old))
        records.add_many(db, members, today=today)
        days = (end - start).days + 1

        def generated():
            for i in range(gatherings):
                place = items[i % places]
                total = rng.randint(3, 40)
                yield Gathering(place.id, start + timedelta(days=(i // places * 7 + i % 7) % days), total,
                                professionals=("保健師",) if rng.random() < 0.05 else ())

        bulk.add_gatherings(db, generated(), today=today)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---------------------------------------------------------------- bare reportlab

def bare_report(db: Database, out: Path, data=None) -> int:
    """The same figures and rows as report 1, drawn straight on a canvas: header row and rows of every table
    with drawString/drawRightString and the row's grid lines, the two charts, a new page (with the header
    repeated) when the page is full. No page template, title block, footnotes or wrapping."""
    from reportlab.graphics import renderPDF
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from kaigo_desktop.reports import charts
    from kaigo_desktop.reports.fonts import japanese_font
    from kaigo_desktop.reports.model import format_cell
    from kaigo_desktop.reports.submission import _chart_values, submission_tables
    from kaigo_desktop.reports.suppression import Suppressor
    from kaigo_desktop.services.report_data import submission_data

    data = data or submission_data(db, FY, None)
    tables = submission_tables(data, Suppressor(True))
    font = japanese_font().name
    canvas = Canvas(str(out), pagesize=A4, invariant=1, initialFontName=font)
    width, height = A4
    y, pages, row_height = height - 20 * mm, 1, 5.5 * mm

    def new_page() -> float:
        nonlocal pages
        canvas.showPage()
        pages += 1
        return height - 20 * mm

    def draw_row(values: list[str], kinds: list[str], widths: list[float], y: float) -> None:
        x = 15 * mm
        canvas.setFont(font, 8.5)
        for value, kind, w in zip(values, kinds, widths):
            if kind == "text":
                canvas.drawString(x + 3, y + 4, value.replace("\n", ""))
            else:
                canvas.drawRightString(x + w - 3, y + 4, value.replace("\n", ""))
            x += w
        # The grid of the row: its bottom line and the column borders.
        edges, left = [], 15 * mm
        for w in widths:
            edges.append((left, y, left, y + row_height))
            left += w
        edges += [(left, y, left, y + row_height), (15 * mm, y, left, y)]
        canvas.lines(edges)

    for table in tables:
        widths = [c.width * mm for c in table.columns]
        kinds = [c.kind for c in table.columns]
        header = [c.title for c in table.columns]
        if y < 40 * mm:
            y = new_page()
        canvas.setFont(font, 9.5)
        canvas.drawString(15 * mm, y, table.title)
        y -= row_height
        draw_row(header, ["text"] * len(header), widths, y)
        for row in table.rows:
            y -= row_height
            if y < 20 * mm:
                y = new_page() - row_height
                draw_row(header, ["text"] * len(header), widths, y)
                y -= row_height
            draw_row([format_cell(v, k) for v, k in zip(row, kinds)], kinds, widths, y)
        y -= 8 * mm
        if table.key in ("プログラム種別", "月別延べ参加者数"):
            labels, values = _chart_values(table)
            drawing = (charts.horizontal_bars(labels, values, width=100 * mm, font=font)
                       if table.key == "プログラム種別" else
                       charts.vertical_bars(labels, values, width=100 * mm, height=70 * mm, font=font))
            if y - drawing.height < 20 * mm:
                y = new_page()
            y -= drawing.height
            renderPDF.draw(drawing, canvas, 15 * mm, y)
            y -= 6 * mm
    canvas.save()
    return pages


# ---------------------------------------------------------------- measuring

def median_time(action: Callable[[], object], times: int) -> tuple[float, object]:
    results, seconds = None, []
    for _ in range(times):
        start = time.perf_counter()
        results = action()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size_arguments(parser, gatherings=500_000, repeat=5)
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the database at this path")
    args = parser.parse_args(argv)

    from kaigo_desktop.reports import ReportOptions, generate, submission
    from kaigo_desktop.reports.submission import submission_tables
    from kaigo_desktop.reports.suppression import Suppressor
    from kaigo_desktop.services.report_data import submission_data

    with tempfile.TemporaryDirectory(prefix="kaigo-bench-reports-") as folder:
        tmp = Path(folder)
        path = tmp / "bench.sqlite3"
        if args.keep and args.keep.exists():
            shutil.copyfile(args.keep, path)
            print(f"reusing {args.keep}")
        else:
            start = time.perf_counter()
            build(path, args.places, args.gatherings)
            seconds = time.perf_counter() - start
            print(f"built {args.places:,} places / {args.gatherings:,} gatherings in {seconds:.1f} s")
            if args.keep:
                shutil.copyfile(path, args.keep)
        with Database.open(path, user="bench") as db:
            counts = (db.scalar("SELECT COUNT(*) FROM places"), db.scalar("SELECT COUNT(*) FROM gatherings"))
            print(f"database: {counts[0]:,} places, {counts[1]:,} gatherings; report 1 for {FY}年度, all 区市町村")
            options = ReportOptions(fiscal_year=FY, created=CREATED)
            ours_pdf, bare_pdf = tmp / "ours.pdf", tmp / "bare.pdf"
            generate("submission", db, options, ours_pdf)  # warm up: font loaded, pages cached, as in the app
            bare_report(db, bare_pdf)

            data_s, data = median_time(lambda: submission_data(db, FY, None), args.repeat)
            tables_s, _ = median_time(lambda: submission_tables(data, Suppressor(True)), args.repeat)
            ours_s, result = median_time(lambda: generate("submission", db, options, ours_pdf), args.repeat)
            bare_s, bare_pages = median_time(lambda: bare_report(db, bare_pdf), args.repeat)
            # Rendering only: both sides get the figures already read.
            with mock.patch.object(submission, "submission_data", lambda *_: data):
                ours_render_s, _ = median_time(lambda: generate("submission", db, options, ours_pdf), args.repeat)
            bare_render_s, _ = median_time(lambda: bare_report(db, bare_pdf, data), args.repeat)

    render_ratio = ours_render_s / bare_render_s
    rows = [
        ("data: submission_data (services)", f"{data_s:.3f} s", ""),
        ("tables: submission_tables", f"{tables_s * 1000:.1f} ms", ""),
        (f"ours: report 1 PDF, total ({result.pages} pages)", f"{ours_s:.3f} s", f"≤ {TARGET_SECONDS:g} s"),
        (f"bare reportlab, total ({bare_pages} pages)", f"{bare_s:.3f} s", ""),
        ("ratio ours / bare (total)", f"{ours_s / bare_s:.2f}×", f"≤ {TARGET_RATIO}×"),
        ("ours render only (figures already read)", f"{ours_render_s:.3f} s", ""),
        ("bare render only (figures already read)", f"{bare_render_s:.3f} s", ""),
        ("ratio ours / bare (render only)", f"{render_ratio:.2f}×", ""),
    ]
    ok = ours_s <= TARGET_SECONDS and ours_s / bare_s <= TARGET_RATIO
    print(f"\nmedians of {args.repeat} runs")
    for label, value, target in rows:
        print(f"  {label:<48} {value:>10}  {target}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
