"""Remake the page images of docs/reports/ (the first page of each report, made from the fixed-seed demo data):

    .venv/bin/python docs/reports/make_pngs.py

Needs pdftoppm (poppler-utils). The PDFs are kept beside the images only with --keep-pdf."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from kaigo_desktop.reports import ReportOptions, generate  # noqa: E402
from kaigo_desktop.services.demo import create_demo  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402

TODAY = date(2026, 11, 27)
FY = 2025


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep-pdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with Database.open(tmp / "demo.sqlite3", create=True, user="デモ") as db:
            create_demo(db, places=200, years=2, seed=1, today=TODAY)
            code = db.scalar("SELECT municipality_code FROM promoters GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1")
            promoter, month = db.conn.execute(
                "SELECT promoter_id, substr(done_on, 1, 7) FROM activities WHERE done_on LIKE '2025-06-%'"
                " GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1").fetchone()
            place = db.scalar("SELECT place_id FROM gatherings WHERE held_on LIKE '2025-06-%'"
                              " GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1")
            year, m = map(int, month.split("-"))
            base = {"created": TODAY}
            jobs = {
                "submission": ReportOptions(fiscal_year=FY, **base),
                "promoters": ReportOptions(fiscal_year=FY, municipality_code=code, **base),
                "activity": ReportOptions(promoter_id=promoter, month=(year, m), **base),
                "places": ReportOptions(fiscal_year=FY, **base),
                "attendance-sheet": ReportOptions(place_id=place, month=(year, m), **base),
                "attendance-sheet-blank": ReportOptions(place_id=place, blank=True, **base),
            }
            for name, options in jobs.items():
                pdf = tmp / f"{name}.pdf"
                generate(name.removesuffix("-blank"), db, options, pdf)
                subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                                str(HERE / name)], check=True)
                if args.keep_pdf:
                    shutil.copyfile(pdf, HERE / pdf.name)
                print(HERE / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
