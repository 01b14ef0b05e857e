"""A block copied from Excel, pasted into the month grid, without Qt: the clipboard's TSV read into rows of cells,
and each cell's text as the grid keeps it (counts through the one count parser, days of the month as numbers).
Text that is no count stays as pasted, so the grid can mark it: nothing pasted is silently dropped."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from kaigo_desktop.domain.fiscal import parse_date
from kaigo_desktop.domain.text import is_digits, normalize_cell, parse_count
from kaigo_desktop.domain.validation import count_units
from kaigo_desktop.gui.screens.gathering_month_sheet import COLUMNS, COUNT_FIELDS, LABEL_OF
from kaigo_desktop.gui.widgets.count_and_time_edits import ascii_digits


def parse_tsv(text: str) -> list[list[str]]:
    """Rows of cells as Excel puts them on the clipboard: tab-separated, a line per row, a cell holding a tab,
    a line break or a quote wrapped in quotes; the last line break ends the block, it is no empty row."""
    if not text:
        return []
    rows = list(csv.reader(io.StringIO(text), dialect="excel-tab"))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return rows


def pasted_text(name: str, text: str, year: int, month: int) -> str:
    """The text a pasted cell is kept as in the grid's column `name`."""
    text = normalize_cell(text)
    if name in COUNT_FIELDS:
        try:
            count = parse_count(text, field_label=LABEL_OF[name], units=count_units(name))
        except ValueError:
            return text  # kept as pasted: marked as wrong, and refused on saving
        return "" if count is None else str(count)
    if name == "day":
        digits = ascii_digits(text).removesuffix("日").strip()
        if is_digits(digits):
            return str(int(digits))
        try:  # a whole date, as the import reads it (2026/5/6, R8.5.6, 令和8年5月6日, an Excel serial)
            day = parse_date(text)
        except ValueError:
            return text
        return str(day.day) if (day.year, day.month) == (year, month) else text
    return text


@dataclass
class PastePlan:
    cells: dict[tuple[int, int], str]  # (row, column) → the text to put there
    rows_needed: int  # how many grid rows the block reaches down to
    columns_dropped: int  # columns of the block beyond the grid's last column


def paste_plan(block: list[list[str]], row: int, column: int, year: int, month: int) -> PastePlan:
    """Where a block pasted at (row, column) goes: from there rightwards and downwards, as in Excel."""
    cells: dict[tuple[int, int], str] = {}
    widest = max((len(line) for line in block), default=0)
    for offset, line in enumerate(block):
        for step, text in enumerate(line):
            target = column + step
            if target < len(COLUMNS):
                cells[(row + offset, target)] = pasted_text(COLUMNS[target][0], text, year, month)
    return PastePlan(cells, row + len(block), max(0, column + widest - len(COLUMNS)))
