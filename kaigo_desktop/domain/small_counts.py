"""The one threshold of 秘匿処理: a count of 1–4 people is small (reports/suppression.py hides it in reports and
exports; domain/short_term_cases.py in the figures a submission carries to 東京都)."""

from __future__ import annotations

from typing import Any

THRESHOLD = 5  # counts below it are hidden; a hidden count must keep at least this many possible values


def is_small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD
