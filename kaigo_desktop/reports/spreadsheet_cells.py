"""Cells for files that spreadsheets open (xlsx and CSV): text written by people (place and promoter names,
notes, settings) must reach the reader as text, never as a formula Excel or LibreOffice would run
(CSV injection: `=HYPERLINK(…)`, `=cmd|…`, `@SUM(…)`). Numbers stay numbers. Every xlsx and CSV writer uses
these two functions."""

from __future__ import annotations

import re
from typing import Any

# OWASP "CSV Injection": a cell starting with one of these is read as a formula by some spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TEXT_MARK = "'"
# Text that is just a number ("-5", "+3.5") cannot run anything; it stays as written.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
# The control characters an xlsx file cannot hold (openpyxl refuses them; tab, LF and CR are allowed).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_cell(value: Any) -> Any:
    """`value` for csv.writer: None as an empty cell, text that a spreadsheet would take for a formula with a
    leading ' (shown as text; the mark is what OWASP recommends), everything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return CSV_TEXT_MARK + value
    return value


def append_xlsx_row(sheet, values: list[Any]) -> None:
    """Append `values` as the next row of an openpyxl worksheet, every str as a text cell (openpyxl would store
    text starting with "=" as a formula) without the control characters an xlsx cannot hold."""
    sheet.append([_XLSX_ILLEGAL.sub("\ufffd", v) if isinstance(v, str) else v for v in values])
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            sheet.cell(row=sheet.max_row, column=column).data_type = "s"
