"""The 参加者実人数 page (マスタ・設定) at full size, beside the month grid of 開催記録 (the baseline, measured in
the same run on the same database): the service read and the Qt fill, for one 区市町村 (the page opens on the
user's own) and for all 10,000 places; prints medians and peak memory.

    python benchmarks/bench_members_page.py [--places 10000] [--gatherings 1000000] [--repeat 5] [--cache F]
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

TARGET_ONE_MUNICIPALITY_S = 0.5  # a page switch the user hardly waits for
TARGET_ALL_S = 2.0  # every place of Tokyo at once: rare, but not a hang


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path, places: int, count: int, today: date, fy: int, first_day: date, days: int) -> None:
    with Database.open(path, create=True, user="bench") as db:
        place_ids = build_places(db, places, today)
        seconds, written = timed(lambda: bulk.add_gatherings(
            db, gatherings(place_ids, count, first_day, days), today=today))
        records.add_many(db, [Members(pid, fy, total=30, age_under_65=5, age_65_74=10, age_75_plus=15)
                              for pid in place_ids[: len(place_ids) * 9 // 10]], today=today)
        print(f"built {places:,} places, {written:,} gatherings in {seconds:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size_arguments(parser, gatherings=1_000_000, repeat=5)
    parser.add_argument("--cache", type=Path, help="keep the built database here and reuse it when it exists")
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
        path = args.cache or Path(folder) / "big.sqlite3"
        if not path.exists():
            build(path, args.places, args.gatherings, today, fy, first_day, days)
        # The pages themselves, filled as the worker's result arrives (the same methods the GUI calls); the
        # reads run here on a read-only connection, as the worker would run them.
        context = AppContext(DatabaseWorker(path, user="bench", readonly=True), UserSettings())
        page = MembersPage(context)
        grid = GatheringMonthGrid(context)
        for widget in (page, grid):  # shown, so that a fill is also painted
            widget.resize(1280, 800)
            widget.show()
        with Database.open(path, readonly=True) as db:
            places, gathering_count = db.scalar("SELECT COUNT(*) FROM places"), db.scalar("SELECT COUNT(*) FROM gatherings")
            municipality, in_it = tuple(db.query("SELECT municipality_code, COUNT(*) FROM places"
                                                 " GROUP BY 1 ORDER BY 2 DESC")[0])
            month_place = db.scalar("SELECT place_id FROM gatherings WHERE held_on LIKE ? GROUP BY place_id"
                                    " ORDER BY COUNT(*) DESC LIMIT 1", (f"{fy}-06%",))
            print(f"{places:,} places, {gathering_count:,} gatherings; one 区市町村 = {municipality} with {in_it:,}")
            members_view.members_sheet(db, fy, None)  # warm the page cache as an open app would be
            sheets = {code: members_view.members_sheet(db, fy, code) for code in (municipality, None)}

            def fill(code: str | None) -> None:
                page._fill(fy, code, sheets[code])
                app.processEvents()

            def month_grid() -> None:
                grid._show_sheet(gatherings_view.month_sheet(db, month_place, fy, 6, today))
                app.processEvents()

            grid_s = median_time(month_grid, args.repeat)
            report.add(f"baseline: month grid of one place and month (read + fill), median of {args.repeat}",
                       f"{grid_s * 1000:.0f} ms")
            for code, label, target in ((municipality, f"one 区市町村 ({in_it:,} places)", TARGET_ONE_MUNICIPALITY_S),
                                        (None, f"all 区市町村 ({places:,} places)", TARGET_ALL_S)):
                read_s = median_time(lambda: members_view.members_sheet(db, fy, code), args.repeat)
                fill_s = median_time(lambda: fill(code), args.repeat)
                report.add(f"参加者実人数 page, {label}: read / fill", f"{read_s * 1000:.0f} ms / {fill_s * 1000:.0f} ms")
                report.add(f"参加者実人数 page, {label}: read + fill, medians of {args.repeat}",
                           f"{(read_s + fill_s) * 1000:.0f} ms", f"≤ {target * 1000:.0f} ms",
                           read_s + fill_s <= target)
            report.add("peak RSS of the process", f"{peak_rss_mb():,.0f} MB")
    report.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
