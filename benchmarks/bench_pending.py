"""Rows held back waiting for a record must not slow later imports. A town PC holds --pending gatherings whose
places are in a bundle it never received; then a small everyday bundle (--later new gatherings at new places)
arrives. Measured: importing that bundle into the town with the waiting rows, beside the same import into the
town without them (the baseline, same run). Then, for information, the import of the lost bundle, which
brings the places and lets every waiting row in.

    python benchmarks/bench_pending.py [--pending 79472] [--later 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import build_places, gatherings  # noqa: E402
from bench_exchange import center_and_town, timed  # noqa: E402

from kaigo_desktop.domain.records import Place  # noqa: E402
from kaigo_desktop.services import bulk, records  # noqa: E402
from kaigo_desktop.services import exchange as ex  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402
from kaigo_desktop.storage.ids import new_id  # noqa: E402

TODAY = date(2025, 3, 31)
TARGET_RATIO = 2.0  # the import with the waiting rows takes at most this many times the baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=79_472)
    parser.add_argument("--later", type=int, default=1_000)
    parser.add_argument("--places", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with center_and_town("bench_pending_") as (folder, center_path, town_clean):
        lost, waiting, later = folder / "lost.kaigo", folder / "waiting.kaigo", folder / "later.kaigo"
        print(f"making {args.pending:,} gatherings that will wait, and a later bundle of {args.later:,} …", flush=True)
        with Database.open(center_path, user="center") as center:
            place_ids = build_places(center, args.places, date(2024, 4, 1))
            ex.export_bundle(center, lost, destination="town")  # never reaches the town (until the end)
            bulk.add_gatherings(center, gatherings(place_ids, args.pending, date(2024, 4, 1), 360), today=TODAY)
            ex.export_bundle(center, waiting, destination="town")
            new_places = [Place("131016", f"あとからの通いの場{i:03d}", start_date=date(2015, 4, 1), id=new_id())
                          for i in range(50)]
            records.add_many(center, new_places, today=TODAY)
            bulk.add_gatherings(center, gatherings([p.id for p in new_places], args.later, date(2024, 4, 1), 360,
                                                   seed=2), today=TODAY)
            ex.export_bundle(center, later, destination="town")
        town_waiting = folder / "town-waiting.sqlite3"
        shutil.copyfile(town_clean, town_waiting)
        with Database.open(town_waiting, user="town") as town:
            held = ex.import_bundle(town, waiting).pending
        print(f"  the town holds {held:,} waiting rows", flush=True)

        results: dict[str, list[float]] = {}
        for run in range(args.repeat):
            for label, source, waits in (("baseline: later bundle, nothing waiting", town_clean, 0),
                                         (f"later bundle, {held:,} rows waiting", town_waiting, held)):
                target = folder / f"run{run}.sqlite3"
                shutil.copyfile(source, target)
                with Database.open(target, user="town") as town:
                    seconds, summary = timed(lambda: ex.import_bundle(town, later))
                    assert summary.added >= args.later and summary.pending == waits, summary
                results.setdefault(label, []).append(seconds)
                if waits and run == 0:
                    with Database.open(target, user="town") as town:
                        seconds, summary = timed(lambda: ex.import_bundle(town, lost))
                        assert summary.pending == 0, summary
                    print(f"  (the lost bundle arriving last lets all {held:,} rows in: {seconds:.2f} s)", flush=True)
                target.unlink()
                for extra in ("-wal", "-shm"):
                    Path(str(target) + extra).unlink(missing_ok=True)

        print(f"\n{held:,} waiting rows, later bundle {args.later:,} gatherings; median of {args.repeat} runs")
        values = list(results.values())
        baseline, measured = statistics.median(values[0]), statistics.median(values[1])
        width = max(map(len, results))
        for label, times in results.items():
            print(f"{label:<{width}}  {statistics.median(times):6.3f} s")
        verdict = "PASS" if measured <= TARGET_RATIO * baseline else "FAIL"
        print(f"ratio {measured / baseline:.2f}× baseline (target ≤ {TARGET_RATIO:.0f}×)  {verdict}")


if __name__ == "__main__":
    main()
