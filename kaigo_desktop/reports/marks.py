"""What every 年度 report and export prints about time and about missing data, worded once: the
「…現在（年度途中）」 row of a 年度 in progress, 「未入力」 for an input not entered (never a blank that reads as
zero), 「データなし」 for a 区市町村 without records."""

from __future__ import annotations

from typing import Any, Protocol

from kaigo_desktop.services.stats import FiscalYearStats

NO_DATA = "データなし"
NOT_ENTERED = "未入力"
POPULATION_MISSING = "65歳以上人口 未入力"
MEMBERS_MISSING = "参加者実人数 未入力"
COUNTED_UNTIL = "集計時点"


def missing(value: Any, text: str = NOT_ENTERED) -> Any:
    """`text` in place of an unknown figure."""
    return text if value is None else value


class CountedUntil(Protocol):
    """What a report's data says about time: FiscalYearStats, or the lists of reports 3 and 4."""

    @property
    def in_progress_label(self) -> str | None: ...


def counted_until_rows(s: CountedUntil) -> list[tuple[str, str]]:
    """The title-block row of a 年度 in progress (「集計時点」 「令和8年11月30日現在（年度途中）」); none once
    the 年度 has ended, so a finished 年度's report reads as before."""
    return [(COUNTED_UNTIL, s.in_progress_label)] if s.in_progress_label else []


def in_progress_note(s: FiscalYearStats) -> str | None:
    if s.in_progress_label is None:
        return None
    return (f"{s.in_progress_label}の集計です。年度途中のため、開催回数・参加者数・開催頻度（実績）・活動は"
            f"{s.as_of.month}月末までの完了した月で数えています。")
