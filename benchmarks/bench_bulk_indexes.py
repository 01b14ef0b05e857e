"""What setting the gatherings' secondary indexes aside buys a large load (storage/bulk_indexes.py): the same
gatherings written through the bulk path (repository.insert_many, 10,000 at a time, the import's 128 MiB page
cache) into the 1.1M-gathering benchmark database, once with the indexes kept and updated row by row, once set
aside and built again at the end — each in its own process (wall time and peak RSS), taken in turn, every load
rolled back so one scratch copy serves all runs.

    python benchmarks/bench_bulk_indexes.py [--rows 1000000] [--repeat 3] [--db /tmp/bench-1m.sqlite3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_rows import require_cached_database  # noqa: E402

CHUNK = 10_000


class _Undo(Exception):
    pass


def _child(db_path: Path, rows: int, set_aside: bool) -> None:
    """One load in this process; prints the seconds of the write alone (the records are made beforehand)."""
    from bench_core import gatherings
    from kaigo_desktop.services.importing import WRITE_CACHE_MIB
    from kaigo_desktop.storage import bulk_indexes, repository
    from kaigo_desktop.storage.database import Database

    with Database.open(db_path, user="bench") as db:
        place_ids = [row[0] for row in db.query("SELECT id FROM places WHERE deleted_at IS NULL"
                                                " AND start_date <= '2023-04-01' ORDER BY id")]
        days = (date.today() - timedelta(days=1) - date(2023, 4, 1)).days
        items = list(gatherings(place_ids, rows, date(2023, 4, 1), days, seed=5))
        started = time.perf_counter()
        try:
            with db.page_cache(WRITE_CACHE_MIB), db.write():
                # the rule is bypassed both ways so a small --rows still compares the two
                to_load = 10 ** 9 if set_aside else 0
                with bulk_indexes.set_aside_for_load(db, "gatherings", to_load):
                    for first in range(0, rows, CHUNK):
                        repository.insert_many(db, items[first:first + CHUNK])
                print(f"{time.perf_counter() - started:.3f}", flush=True)
                raise _Undo
        except _Undo:
            pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-1m.sqlite3"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(Path(args.child[0]), int(args.child[1]), args.child[2] == "aside")
        return
    require_cached_database(args.db)
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        scratch = Path(folder) / "scratch.sqlite3"
        shutil.copyfile(args.db, scratch)
        runs: dict[str, list[tuple[float, float]]] = {"kept": [], "aside": []}
        for run in range(args.repeat):
            for variant in (("kept", "aside") if run % 2 == 0 else ("aside", "kept")):
                out = Path(folder) / "out.txt"
                command = [sys.executable, __file__, "--child", str(scratch), str(args.rows), variant]
                with out.open("w") as sink:
                    started = time.perf_counter()
                    child = subprocess.Popen(command, stdout=sink)
                    _pid, status, usage = os.wait4(child.pid, 0)
                    wall = time.perf_counter() - started
                write_seconds = float(out.read_text().split()[-1])
                runs[variant].append((write_seconds, usage.ru_maxrss / 1024))
                print(f"  {variant:5}: write {write_seconds:.2f} s (process {wall:.2f} s),"
                      f" peak RSS {usage.ru_maxrss / 1024:.0f} MiB", flush=True)
        for variant, label in (("kept", "indexes kept"), ("aside", "indexes set aside")):
            seconds = statistics.median(r[0] for r in runs[variant])
            peak = max(r[1] for r in runs[variant])
            print(f"{label:18}: {args.rows:,} gatherings written in {seconds:.2f} s (median of {args.repeat}),"
                  f" peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
