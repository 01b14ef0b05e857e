"""Exports that would attack the reader: a place or promoter named like a formula (=HYPERLINK, @SUM, +…, -…)
reaches the xlsx as a text cell (never a formula), the CSV with the leading ' that OWASP recommends, and the
PDF unchanged; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from report_checks import CHIYODA, CREATED, FY, flat_text

from kaigo_desktop.domain.records import Activity, Place, Promoter
from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.reports.exports import export
from kaigo_desktop.reports.spreadsheet_cells import append_xlsx_row, csv_cell
from kaigo_desktop.services import records

LINK = '=HYPERLINK("http://evil.example/","開く")'
HOSTILE_PLACES = (LINK, "+81 体操の会", "-1+1 の会", "\t先頭タブの会")
HOSTILE_PROMOTER = "@SUM(1+1)*cmd|'/C calc'!A0"


@pytest.fixture
def hostile(small):
    """The small database plus places and a promoter whose names start like formulas, each place supported
    by the promoter (so that both names appear in the 支援した通いの場 table)."""
    today = date(2026, 5, 1)
    promoter = records.add(small, Promoter(CHIYODA, HOSTILE_PROMOTER, "保健師", date(2023, 4, 1)), today=today)
    for name in HOSTILE_PLACES:
        place = records.add(small, Place(CHIYODA, name, programs=("motor",), start_date=date(2020, 4, 1)),
                            today=today)
        records.add(small, Activity(promoter.id, date(FY, 6, 5), "通いの場の継続支援", place_id=place.id, minutes=30),
                    today=today)
    stored = {row[0] for row in small.query("SELECT name FROM places")} | {
        row[0] for row in small.query("SELECT name FROM promoters")}
    assert set(HOSTILE_PLACES) | {HOSTILE_PROMOTER} <= stored  # kept exactly as typed
    return small


def options() -> ReportOptions:
    return ReportOptions(fiscal_year=FY, municipality_code=CHIYODA, suppress=False, created=CREATED)


def test_xlsx_holds_text_cells_never_formulas(hostile, tmp_path: Path) -> None:
    out = tmp_path / "表.xlsx"
    export(hostile, "xlsx", options(), out)

    with zipfile.ZipFile(out) as book:  # the file itself, not only openpyxl's reading of it
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in book.read(name) or b"<f " in book.read(name) for name in sheets)
    cells = [cell for ws in openpyxl.load_workbook(out) for row in ws.iter_rows() for cell in row
             if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert set(HOSTILE_PLACES) | {HOSTILE_PROMOTER} <= values  # unchanged, without any mark
    supported = openpyxl.load_workbook(out)["支援した通いの場"]
    rows = [row for row in supported.iter_rows(min_row=2) if row[2].value == LINK]
    assert rows and rows[0][2].data_type == "s" and rows[0][3].value == HOSTILE_PROMOTER
    assert rows[0][4].data_type == "n" and isinstance(rows[0][4].value, int)  # numbers stay numbers


def test_csv_neutralises_cells_a_spreadsheet_would_run(hostile, tmp_path: Path) -> None:
    out = tmp_path / "表.csv"
    export(hostile, "csv", options(), out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = [cell for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))) for cell in row]
    for name in (*HOSTILE_PLACES, HOSTILE_PROMOTER):
        assert "'" + name in cells and name not in cells
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not c.lstrip("+-").isdigit()]
    assert dangerous == []
    assert "30" in cells  # the minutes: a plain number, no mark


def test_pdf_shows_the_names_as_typed(hostile, tmp_path: Path) -> None:
    out = tmp_path / "報告書2.pdf"
    generate("promoters", hostile, options(), out)
    text = flat_text(out)
    assert LINK in text and "'" + LINK not in text
    assert "+81 体操の会" in text and "'+81" not in text


@pytest.mark.parametrize("value, written", [
    ("=1+2", "'=1+2"), ("+1+2", "'+1+2"), ("-1+2", "'-1+2"), ("@A1", "'@A1"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-5", "-5"), ("+3.5", "+3.5"), (-5, -5), (12.5, 12.5), (None, ""), ("さくら会", "さくら会"), ("<5", "<5"),
    ("a=b", "a=b"), ("", "")])
def test_csv_cell(value, written) -> None:
    assert csv_cell(value) == written


def test_xlsx_row_keeps_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    append_xlsx_row(sheet, ["=1+2", -5, 2.5, "-5", "制御\x01文字", None])
    append_xlsx_row(sheet, [])
    append_xlsx_row(sheet, ["@x"])
    book.save(tmp_path / "t.xlsx")
    read = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert [(c.value, c.data_type) for c in read[1][:5]] == [
        ("=1+2", "s"), (-5, "n"), (2.5, "n"), ("-5", "s"), ("制御\ufffd文字", "s")]
    assert (read["A3"].value, read["A3"].data_type) == ("@x", "s")
