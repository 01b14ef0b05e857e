"""What the month grid keeps of a pasted Excel block, without widgets: TSV as Excel writes it, days and counts
read by the import's parsers, anything unreadable kept as pasted (to be marked, never dropped)."""

from __future__ import annotations

import pytest

from kaigo_desktop.gui.screens.gathering_month_paste import parse_tsv, paste_plan, pasted_text


def test_tsv_as_excel_writes_it() -> None:
    assert parse_tsv("1\t2\r\n\"雨天\n短縮\"\t\"a\tb\"\r\n") == [["1", "2"], ["雨天\n短縮", "a\tb"]]
    assert parse_tsv("") == [] and parse_tsv("\r\n") == []


@pytest.mark.parametrize(("text", "kept"), [
    ("6", "6"), ("６", "6"), ("6日", "6"), ("2026/5/6", "6"), ("R8.5.6", "6"), ("令和8年5月6日", "6"),
    ("2026/6/1", "2026/6/1"), ("むいか", "むいか"),  # another month's date, no day: kept, to be marked
])
def test_day_cells(text: str, kept: str) -> None:
    assert pasted_text("day", text, 2026, 5) == kept


@pytest.mark.parametrize(("text", "kept"), [("１２", "12"), ("12人", "12"), ("1,234", "1234"), ("", ""),
                                            ("1.5", "1.5"), ("五", "五")])
def test_count_cells(text: str, kept: str) -> None:
    assert pasted_text("male", text, 2026, 5) == kept


def test_a_block_goes_right_and_down_from_the_current_cell() -> None:
    plan = paste_plan([["12", "5"], ["9", "4", "5", "x"]], 2, 6, 2026, 5)  # from 75歳以上: 4 columns left
    assert plan.cells == {(2, 6): "12", (2, 7): "5", (3, 6): "9", (3, 7): "4", (3, 8): "5"}
    assert plan.rows_needed == 4 and plan.columns_dropped == 1
