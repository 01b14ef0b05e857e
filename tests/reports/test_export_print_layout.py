"""The xlsx export read back with openpyxl for what Excel shows and prints: every number cell's format (a rate
with one decimal, never 「2」 for 1.5), and every sheet's page setup (A4, one page wide, landscape when wide,
the header row on every page). The printed page count is estimated from the column widths and rows."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
from report_checks import CREATED, FY

from kaigo_desktop.reports import ReportOptions
from kaigo_desktop.reports.exports import PORTRAIT_WIDTH, export

# A4 printable area with the export's margins, in points; Excel's column width unit ≈ 5.6 pt at 11 pt Calibri.
A4_SHORT, A4_LONG = 595 - 2 * 0.4 * 72, 842 - 2 * 0.6 * 72 - 30
POINTS_PER_WIDTH_UNIT, ROW_POINTS = 5.6, 15.0


def estimated_pages(ws) -> int:
    """Pages of a sheet printed one page wide (fitToWidth=1, fitToHeight=0)."""
    width = sum((d.width or 8.43) for d in ws.column_dimensions.values()) * POINTS_PER_WIDTH_UNIT
    landscape = ws.page_setup.orientation == "landscape"
    page_width, page_height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    scale = min(1.0, page_width / width)
    rows_per_page = max(1, int(page_height / (ROW_POINTS * scale)) - 1)  # the repeated header row
    return max(1, math.ceil((ws.max_row - 1) / rows_per_page))


def test_every_sheet_prints_on_a4_one_page_wide_with_its_header_repeated(demo, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    export(demo, "xlsx", ReportOptions(fiscal_year=FY, created=CREATED, suppress=False), out)
    book = openpyxl.load_workbook(out)
    pages = 0
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.paperSize == 9, ws.title  # A4
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        width = sum((d.width or 8.43) for d in ws.column_dimensions.values())
        assert setup.orientation == ("landscape" if width > PORTRAIT_WIDTH else "portrait"), ws.title
        assert "&P" in ws.oddFooter.center.text
        pages += estimated_pages(ws)
    assert book["定義"].page_setup.orientation == "landscape"
    assert pages <= len(book.worksheets) + 8, pages  # 33 before, with columns printed on pages of their own
    print(f"sheets {len(book.worksheets)}, estimated printed pages {pages}")


def test_every_number_cell_shows_what_it_holds(demo, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    export(demo, "xlsx", ReportOptions(fiscal_year=FY, created=CREATED, suppress=False), out)
    book = openpyxl.load_workbook(out)
    overview = {row[0].value: row[1] for row in book["概要"].iter_rows(min_row=2)}
    rate = overview["参加率（注10）"]
    assert isinstance(rate.value, float) and rate.number_format == "#,##0.0"  # 1.5 shows as 1.5, not 「2」
    assert overview["開催回数（注7）"].number_format == "#,##0"
    seen = set()
    for ws in book.worksheets[1:]:
        titles = [cell.value for cell in ws[1]]
        for row in ws.iter_rows(min_row=2):
            for title, cell in zip(titles, row):
                if isinstance(cell.value, bool) or not isinstance(cell.value, (int, float)):
                    continue
                if "率" in title:
                    assert cell.number_format == "0.0", (ws.title, title, cell.value)
                elif isinstance(cell.value, float):
                    assert cell.number_format == "#,##0.0", (ws.title, title, cell.value)
                else:
                    assert cell.number_format == "#,##0", (ws.title, title, cell.value, cell.number_format)
                seen.add(cell.number_format)
    assert {"0.0", "#,##0"} <= seen
