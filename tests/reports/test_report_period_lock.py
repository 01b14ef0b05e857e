"""Reports of a locked 年度 say 提出済み with the lock's date, in the footer of every PDF page, the title block and
the xlsx 定義 sheet, and are byte-identical when made again on another day; an open 年度's are not stamped."""

from __future__ import annotations

import subprocess
import time
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.reports.exports import export
from kaigo_desktop.storage.database import Database
from tests.period_data import CHIYODA, FY, locked

STAMP = "提出済み（令和7年5月10日ロック）"


def _locked_on_10_may(db: Database):
    ids = locked(db)
    # the lock's time as the service wrote it, moved to a known day: 2025-05-10 08:30 in Tokyo
    db.conn.execute("UPDATE period_locks SET locked_at = '2025-05-09T23:30:00.000000Z'")
    return ids


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_locked_reports_say_so_and_are_byte_identical(db: Database, tmp_path: Path) -> None:
    ids = _locked_on_10_may(db)
    cases = {
        "submission": ReportOptions(fiscal_year=FY, municipality_code=CHIYODA),
        "promoters": ReportOptions(fiscal_year=FY, municipality_code=CHIYODA),
        "places": ReportOptions(fiscal_year=FY, municipality_code=CHIYODA),
        "activity": ReportOptions(fiscal_year=FY, promoter_id=ids.promoter),
        "attendance-sheet": ReportOptions(place_id=ids.place, month=(2024, 5)),
    }
    for kind, options in cases.items():
        first, again = tmp_path / f"{kind}-1.pdf", tmp_path / f"{kind}-2.pdf"
        generate(kind, db, ReportOptions(**{**options.__dict__, "created": date(2025, 6, 1)}), first)
        generate(kind, db, ReportOptions(**{**options.__dict__, "created": date(2026, 1, 7)}), again)
        assert first.read_bytes() == again.read_bytes(), kind
        pages = _text(first).split("\f")
        assert all(STAMP in page for page in pages if page.strip()), kind
    # xlsx: the 定義 sheet says so; made again seconds later (zip entries are dated), the same bytes
    one, two = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    export(db, "xlsx", ReportOptions(fiscal_year=FY, municipality_code=CHIYODA), one)
    time.sleep(2.1)  # a zip entry's time has a 2-second step
    export(db, "xlsx", ReportOptions(fiscal_year=FY, municipality_code=CHIYODA, created=date(2027, 1, 1)), two)
    assert one.read_bytes() == two.read_bytes()
    cover = {row[0]: row[1] for row in load_workbook(one)["定義"].iter_rows(values_only=True)}
    assert cover["提出状況"] == STAMP and cover["作成日"] == "令和7年5月10日"


def test_an_open_year_is_not_stamped(db: Database, tmp_path: Path) -> None:
    from kaigo_desktop.services import approval

    _locked_on_10_may(db)
    approval.unlock(db, FY, CHIYODA, "訂正")
    out = tmp_path / "s.pdf"
    generate("submission", db, ReportOptions(fiscal_year=FY, municipality_code=CHIYODA, created=date(2025, 6, 1)), out)
    assert "提出済み" not in _text(out) and "作成日 令和7年6月1日" in _text(out)
