"""Report tables as plain data: what the PDF reports draw and the Excel/CSV exports write (no reportlab)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEXT, INT, YEN, PERCENT = "text", "int", "yen", "percent"


class Hidden:
    """A cell withheld by 秘匿処理: "<5" for a count of 1–4 people, 「秘匿」 for a cell hidden so that no hidden
    count can be worked out from the totals and the other tables (二次秘匿)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Hidden({self.text!r})"


def scope_label(municipality_code: str | None, municipality_name: str) -> str:
    """What a report or export says it covers: 「文京区（131059）」, or 「全区市町村（東京都）」 for all of Tokyo."""
    return f"{municipality_name}（{municipality_code}）" if municipality_code else "全区市町村（東京都）"


def section_label(name: str, code: str) -> str:
    """「千代田区（131016）」: how a section names its 区市町村 in its heading and in the running header."""
    return f"{name}（{code}）"


SMALL = Hidden("<5")
SECONDARY = Hidden("秘匿")


FIT = 0.0  # a column width: as wide as the column's widest cell (row numbers)


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT  # TEXT, INT, YEN (integer yen) or PERCENT (a number with one decimal)
    width: float = 20.0  # millimetres in the PDF (FIT: its widest cell); the exports ignore it


@dataclass
class TableData:
    """One table: its sheet/file name, title, columns and rows. Cells hold int, float, str, None (not
    known: "—") or a Hidden marker."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total_rows: set[int] = field(default_factory=set)  # row indexes drawn as totals
    notes: list[str] = field(default_factory=list)  # printed under the table (suppression statements …)


def format_cell(value: Any, kind: str) -> str:
    """The printed form of a cell: thousands separators, one decimal and % for rates, "—" for unknown."""
    if value is None:
        return "—"
    if isinstance(value, Hidden):
        return value.text
    if kind == PERCENT and isinstance(value, (int, float)):
        return f"{value:.1f}%"
    if isinstance(value, bool):
        return "○" if value else "×"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def sum_known(values: list[Any]) -> int | None:
    """Sum of the known values; None ("—") when none is known."""
    known = [v for v in values if isinstance(v, int)]
    return sum(known) if known else None
