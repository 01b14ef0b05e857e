"""The checks before sending (`validate`) at full size, beside the 年度 aggregation they guard (the baseline,
measured in the same run on the same database); prints medians and the peak memory of the process.

    python benchmarks/bench_validate.py [--places 10000] [--gatherings 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_core import (  # noqa: E402
    Report, build_places, gatherings, last_two_fiscal_years, median_time, size_arguments, timed,
)

from kaigo_desktop.domain.records import Members, Population  # noqa: E402
from kaigo_desktop.services import bulk, records  # noqa: E402
from kaigo_desktop.services.stats import fiscal_year_stats  # noqa: E402
from kaigo_desktop.services.submission_checks import run_checks  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402

TARGET_S = 2.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size_arguments(parser, gatherings=1_000_000, repeat=5)
    parser.add_argument("--keep", type=Path, help="keep the database at this path")
    args = parser.parse_args(argv)

    today = date.today()
    fy, first_day, days = last_two_fiscal_years(today)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="kaigo-bench-") as folder:
        path = Path(folder) / "big.sqlite3"
        with Database.open(path, create=True, user="bench") as db:
            place_ids = build_places(db, args.places, today)
            seconds, written = timed(lambda: bulk.add_gatherings(
                db, gatherings(place_ids, args.gatherings, first_day, days), today=today))
            # 実人数 for most places and the population, so the rules have figures to judge.
            records.add_many(db, [Members(pid, fy, total=30) for pid in place_ids[: len(place_ids) * 9 // 10]],
                             today=today)
            records.add_many(db, [Population(code, fy, 50_000)
                                  for code in {row[0] for row in db.query("SELECT DISTINCT municipality_code"
                                                                          " FROM places")}], today=today)
            print(f"{args.places:,} places, {written:,} gatherings in {fy - 1}–{fy}年度 ({seconds:.0f} s to build)")
            rss_before = peak_rss_mb()
            fiscal_year_stats(db, fy, today=today)  # warm the page cache as an open app would be
            stats_s = median_time(lambda: fiscal_year_stats(db, fy, today=today), args.repeat)
            checks_s = median_time(lambda: run_checks(db, fy, today=today), args.repeat)
            found = run_checks(db, fy, today=today)
            report.add(f"baseline: fiscal_year_stats({fy}), median of {args.repeat}", f"{stats_s:.3f} s")
            report.add(f"run_checks({fy}) (validate), median of {args.repeat}", f"{checks_s:.3f} s",
                       f"≤ {TARGET_S} s", checks_s <= TARGET_S)
            report.add("ratio checks / aggregation", f"{checks_s / stats_s:.2f}×")
            report.add("findings (errors / warnings)", f"{len(found.errors)} / {len(found.warnings)}")
            report.add("peak RSS of the process (after build / after checks)",
                       f"{rss_before:,.0f} MB / {peak_rss_mb():,.0f} MB")
        if args.keep:
            shutil.copyfile(path, args.keep)
    report.print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
