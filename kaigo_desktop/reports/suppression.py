"""秘匿処理: counts of 1–4 people are shown as "<5" in reports that leave the municipality, and where a total
would give such a count away, one more cell of the same group is hidden as "x" (二次秘匿). Every hidden cell
is recorded so the page can say exactly what was withheld.

Counts of people are what can identify someone: 参加者実人数 (and its splits by sex and age) and 延べ参加者数.
Counts of places, gatherings, activities or promoters are never hidden; 0 is shown as 0."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kaigo_desktop.reports.model import SECONDARY, SMALL

THRESHOLD = 5


def is_small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


@dataclass
class Suppressor:
    enabled: bool = True
    # (table title, cell description, "<5" or "x") in the order cells were hidden
    hidden: list[tuple[str, str, str]] = field(default_factory=list)

    def cell(self, table: str, label: str, value: Any) -> Any:
        """A lone count (no shown total to work it out from)."""
        if self.enabled and is_small(value):
            self.hidden.append((table, label, SMALL.text))
            return SMALL
        return value

    def group(self, table: str, cells: Sequence[tuple[str, Any]],
              total: tuple[str, Any] | None = None) -> tuple[list[Any], Any]:
        """Counts that add up to a shown total: each of 1–4 becomes "<5"; when exactly one is hidden and the
        total is shown, the smallest other non-zero count is hidden too ("x") so the first cannot be
        worked out by subtraction. Returns the shown cells and the shown total."""
        values = [value for _, value in cells]
        total_value = total[1] if total is not None else None
        if not self.enabled:
            return values, total_value
        shown: list[Any] = list(values)
        primary = [i for i, value in enumerate(values) if is_small(value)]
        for i in primary:
            shown[i] = SMALL
            self.hidden.append((table, cells[i][0], SMALL.text))
        shown_total = total_value
        if total is not None and is_small(total_value):
            shown_total = SMALL
            self.hidden.append((table, total[0], SMALL.text))
        elif total is not None and len(primary) == 1:
            others = [(value, i) for i, value in enumerate(values)
                      if i not in primary and isinstance(value, int) and value > 0]
            if others:
                _, i = min(others)
                shown[i] = SECONDARY
                self.hidden.append((table, cells[i][0], SECONDARY.text))
            elif total_value:
                shown_total = SECONDARY
                self.hidden.append((table, total[0], SECONDARY.text))
        return shown, shown_total

    def derived(self, table: str, label: str, value: Any, sources: Sequence[Any]) -> Any:
        """A figure computed from counts (a rate): hidden as "x" when any of them is hidden."""
        if self.enabled and value is not None and any(s is SMALL or s is SECONDARY for s in sources):
            self.hidden.append((table, label, SECONDARY.text))
            return SECONDARY
        return value

    # ---- what the page says --------------------------------------------------------------------

    def notes_for(self, table: str) -> list[str]:
        """One line under a table listing exactly the cells hidden in it."""
        small = [label for t, label, mark in self.hidden if t == table and mark == SMALL.text]
        secondary = [label for t, label, mark in self.hidden if t == table and mark == SECONDARY.text]
        lines = []
        if small:
            lines.append(f"秘匿（1～4人を「<5」と表示）: {'、'.join(small)}")
        if secondary:
            lines.append(f"二次秘匿（合計などから逆算できないよう「x」と表示）: {'、'.join(secondary)}")
        return lines

    def statement(self) -> str:
        """The sentence for the top of the report."""
        if not self.enabled:
            return "なし（参加者の人数をすべてそのまま表示しています）。"
        if not self.hidden:
            return ("あり。参加者の人数（参加者実人数とその男女別・年齢別、延べ参加者数）が1～4人の欄を"
                    "「<5」と表示する設定ですが、該当する欄はありませんでした。")
        small = sum(1 for *_, mark in self.hidden if mark == SMALL.text)
        secondary = len(self.hidden) - small
        text = (f"あり。参加者の人数（参加者実人数とその男女別・年齢別、延べ参加者数）が1～4人の欄を"
                f"「<5」と表示しています（{small}欄）。0人はそのまま表示します。")
        if secondary:
            text += f"合計などから逆算できないよう、ほかに{secondary}欄を「x」と表示しています。"
        return text + "秘匿した欄は各表の下に記載しています。"
