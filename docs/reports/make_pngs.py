"""Remake the page images of docs/reports/ (the first page of each report, and the pages of report 1 with the
survey-basis tables, made from the fixed-seed demo data):

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
    parser.add_argument("--only", nargs="*", metavar="IMAGE", help="remake only these images (e.g. outcomes)")
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
            # the per-person print of a participant with 質問票 as well as checks (most of both first)
            person = db.scalar(
                "SELECT p.id FROM participants p WHERE p.deleted_at IS NULL ORDER BY"
                " (SELECT count(*) FROM questionnaires q WHERE q.participant_id = p.id AND q.deleted_at IS NULL) DESC,"
                " (SELECT count(*) FROM frailty_checks f WHERE f.participant_id = p.id AND f.deleted_at IS NULL) DESC,"
                " p.id LIMIT 1")
            year, m = map(int, month.split("-"))
            base = {"created": TODAY}
            jobs = {  # image name → options; the kind is the name without -blank / -in-progress
                "submission": ReportOptions(fiscal_year=FY, **base),
                "promoters": ReportOptions(fiscal_year=FY, municipality_code=code, **base),
                "activity": ReportOptions(promoter_id=promoter, month=(year, m), **base),
                # 令和8年度 on TODAY: counted to the last complete month and labelled 「…現在（年度途中）」.
                "activity-in-progress": ReportOptions(promoter_id=promoter, fiscal_year=FY + 1, **base),
                "places": ReportOptions(fiscal_year=FY, **base),
                "attendance-sheet": ReportOptions(place_id=place, month=(year, m), **base),
                "attendance-sheet-blank": ReportOptions(place_id=place, blank=True, **base),
                # 通いの場参加者のフレイル状態の変化, one 区市町村 (small counts hidden as for 東京都).
                "outcomes": ReportOptions(fiscal_year=FY + 1, municipality_code=code, **base),
                # 基本チェックリストの記録（本人用）: checks, their answers and the 後期高齢者の質問票.
                "participant": ReportOptions(participant_id=person, **base),
            }
            more_pages = {"submission": (2, 3),  # the survey-basis tables (8–11) and 専門職 by kind (12)
                          "participant": (2,)}  # the answers and the 後期高齢者の質問票
            resolution = {"outcomes": "80", "participant": "80"}  # small figures and answers: readable at 80 dpi
            for name, options in jobs.items():
                if args.only and name not in args.only:
                    continue
                pdf = tmp / f"{name}.pdf"
                generate(name.removesuffix("-blank").removesuffix("-in-progress"), db, options, pdf)
                for page in (1, *more_pages.get(name, ())):
                    image = name if page == 1 else f"{name}-{page}"
                    subprocess.run(["pdftoppm", "-png", "-r", resolution.get(name, "60"), "-f", str(page), "-l", str(page), "-singlefile",
                                    str(pdf), str(HERE / image)], check=True)
                    print(HERE / f"{image}.png")
                if args.keep_pdf:
                    shutil.copyfile(pdf, HERE / pdf.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
