"""The 参加者実人数 page (マスタ・設定) at full size, beside the month grid of 開催記録 (the baseline, measured in
the same run on the same database): the time from asking to a filled table — the service read and the Qt fill —
for one 区市町村 (the page opens on the user's own) and for all 10,000 places; prints medians and peak memory.

    python benchmarks/bench_members_page.py [--places 10000] [--gatherings 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_core import (  # noqa: E402
    Report, build_places, gatherings, last_two_fiscal_years, median_time, size_arguments, timed,
)

from kaigo_desktop.domain.records import Members  # noqa: E402
from kaigo_desktop.services import bulk, gatherings_view, members_view, records  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402

TARGET_ONE_MUNICIPALITY_S = 0.25  # a page switch the user does not wait for
TARGET_ALL_S = 2.0  # every place of Tokyo at once: rare, but not a hang


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size_arguments(parser, gatherings=1_000_000, repeat=5)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from kaigo_desktop.gui.context import AppContext, UserSettings
    from kaigo_desktop.gui.database_worker import DatabaseWorker
    from kaigo_desktop.gui.screens.gathering_month_grid import GatheringMonthGrid
    from kaigo_desktop.gui.screens.masters_members import MembersPage

    app = QApplication.instance() or QApplication([])
    today = date.today()
    fy, first_day, days = last_two_fiscal_years(today)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="kaigo-bench-") as folder:
        path = Path(folder) / "big.sqlite3"
        with Database.open(path, create=True, user="bench") as db:
            place_ids = build_places(db, args.places, today)
            seconds, written = timed(lambda: bulk.add_gatherings(
                db, gatherings(place_ids, args.gatherings, first_day, days), today=today))
            records.add_many(db, [Members(pid, fy, total=30, age_under_65=5, age_65_74=10, age_75_plus=15)
                                  for pid in place_ids[: len(place_ids) * 9 // 10]], today=today)
            busiest = db.query("SELECT p.municipality_code, COUNT(*) FROM places p GROUP BY 1 ORDER BY 2 DESC")[0]
            municipality = busiest[0]
            month_place = db.scalar("SELECT place_id FROM gatherings WHERE held_on LIKE ? GROUP BY place_id"
                                    " ORDER BY COUNT(*) DESC LIMIT 1", (f"{fy}-06%",))
            print(f"{args.places:,} places, {written:,} gatherings ({seconds:.0f} s to build); "
                  f"one 区市町村 = {municipality} with {busiest[1]:,} places")
        # The pages themselves, filled as the worker's result arrives (the same methods the GUI calls); the
        # reads run here on a read-only connection, as the worker would run them.
        context = AppContext(DatabaseWorker(path, user="bench", readonly=True), UserSettings())
        page = MembersPage(context)
        grid = GatheringMonthGrid(context)
        for widget in (page, grid):  # shown, so that a fill is also painted
            widget.resize(1280, 800)
            widget.show()
        with Database.open(path, readonly=True) as db:
            members_view.members_sheet(db, fy, None)  # warm the page cache as an open app would be

            def members(code: str | None) -> None:
                page._fill(fy, code, members_view.members_sheet(db, fy, code))
                app.processEvents()

            def month_grid() -> None:
                grid._show_sheet(gatherings_view.month_sheet(db, month_place, fy, 6, today))
                app.processEvents()

            grid_s = median_time(month_grid, args.repeat)
            one_s = median_time(lambda: members(municipality), args.repeat)
            all_s = median_time(lambda: members(None), args.repeat)
            rows = len(page.rows)
            report.add(f"baseline: month grid of one place and month (read + fill), median of {args.repeat}",
                       f"{grid_s * 1000:.0f} ms")
            report.add(f"参加者実人数 page, one 区市町村 ({busiest[1]:,} places), median of {args.repeat}",
                       f"{one_s * 1000:.0f} ms", f"≤ {TARGET_ONE_MUNICIPALITY_S * 1000:.0f} ms",
                       one_s <= TARGET_ONE_MUNICIPALITY_S)
            report.add(f"参加者実人数 page, all 区市町村 ({rows:,} places), median of {args.repeat}",
                       f"{all_s * 1000:.0f} ms", f"≤ {TARGET_ALL_S:.0f} s", all_s <= TARGET_ALL_S)
            report.add("peak RSS of the process", f"{peak_rss_mb():,.0f} MB")
    report.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
