"""Public holidays on the attendance sheet (開催記録表): a gathering held on a 祝日 or 振替休日 prints 「祝」 after its
weekday, read back from the PDF; an ordinary day prints its weekday alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from report_checks import CHIYODA, CREATED, cells, flat_text

from kaigo_desktop.domain.records import Gathering, Place
from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.services import records


def test_attendance_sheet_marks_public_holidays(db, tmp_path: Path) -> None:
    today = date(2025, 12, 1)
    place = records.add(db, Place(CHIYODA, "祝日の体操の会", "シュクジツノタイソウノカイ", programs=("motor",),
                                  start_date=date(2020, 4, 1)), today=today)
    # 2025-11-23 勤労感謝の日 (a Sunday), 11-24 its 振替休日 (Monday), 11-25 an ordinary Tuesday: the longest
    # dates there are, each on one line of its cell.
    for day in (23, 24, 25):
        records.add(db, Gathering(place.id, date(2025, 11, day), attendance_total=day), today=today)
    out = tmp_path / "holidays.pdf"
    generate("attendance-sheet", db, ReportOptions(place_id=place.id, month=(2025, 11), created=CREATED), out)
    items = cells(out)
    assert "R7.11.23（日・祝）" in items
    assert "R7.11.24（月・祝）" in items  # the substitute holiday counts as one
    assert "R7.11.25（火）" in items
    assert "開催日の「祝」は祝日" in flat_text(out)
