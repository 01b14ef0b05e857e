"""The cost of the 開催記録 list's sort indexes on gatherings (db/0014_list_sort_indexes.sql: one partial index
per sortable column) on a bulk import of gatherings: the same 100,000 gatherings written through the bulk
path (services/bulk.add_gatherings, what `import gatherings` uses) into copies of one database with those
indexes and without them (dropped), alternately, in the same run. CPU time of this process, which runs SQLite:
the machine may be busy with others.

    python benchmarks/bench_list_indexes.py [--places 1000] [--gatherings 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import build_places, gatherings, last_two_fiscal_years  # noqa: E402
from kaigo_desktop.services import bulk  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402

TARGET_OVERHEAD = 0.10  # the list's sort indexes may add at most 10 % to a bulk import


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=1_000)
    parser.add_argument("--gatherings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    today = date.today()
    _fy, first_day, days = last_two_fiscal_years(today)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base.sqlite3"
        with Database.open(base, create=True, user="bench") as db:
            place_ids = build_places(db, args.places, today)
            indexes = [row[0] for row in db.query(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'gatherings_list_%'")]
        items = list(gatherings(place_ids, args.gatherings, first_day, days))
        times: dict[bool, list[float]] = {True: [], False: []}
        for run in range(args.repeat):
            for with_indexes in ((True, False) if run % 2 == 0 else (False, True)):
                path = Path(folder) / f"run{run}-{with_indexes}.sqlite3"
                shutil.copyfile(base, path)
                with Database.open(path, user="bench") as db:
                    if not with_indexes:
                        with db.write():
                            for name in indexes:
                                db.conn.execute(f"DROP INDEX {name}")
                    # CPU time of this process (SQLite runs in it): the machine may be busy with others
                    start = time.process_time()
                    bulk.add_gatherings(db, items, today=today)
                    times[with_indexes].append(time.process_time() - start)
                path.unlink()
                print(f"  run {run + 1} {'with' if with_indexes else 'without'} the list's indexes: "
                      f"{times[with_indexes][-1]:.2f} s CPU", flush=True)
    indexed, bare = statistics.median(times[True]), statistics.median(times[False])
    overhead = indexed / bare - 1
    print(f"\n{len(indexes)} list indexes on gatherings; {args.gatherings:,} gatherings, median of {args.repeat}:")
    print(f"  without them {bare:.2f} s CPU, with {indexed:.2f} s CPU: {overhead:+.1%} "
          f"(target ≤ {TARGET_OVERHEAD:.0%}) {'PASS' if overhead <= TARGET_OVERHEAD else 'FAIL'}")


if __name__ == "__main__":
    main()
