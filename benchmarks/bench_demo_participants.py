"""What the demo's participants and checks (issue 19) add to making the demo, against the same demo without them
(the baseline, measured in the same run, alternating), and how long the outcome figures take on it.

    python benchmarks/bench_demo_participants.py [--places 200] [--years 2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaigo_desktop.services import demo, outcomes  # noqa: E402
from kaigo_desktop.services.demo_participants import DemoParticipants  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402


def _make(folder: Path, name: str, places: int, years: int, with_participants: bool) -> tuple[float, Path]:
    real = demo.add_demo_participants
    if not with_participants:
        demo.add_demo_participants = lambda *args, **kwargs: DemoParticipants(0, 0)
    path = folder / name
    try:
        with Database.open(path, create=True, user="bench") as db:
            start = time.perf_counter()
            demo.create_demo(db, places=places, years=years, seed=1, today=date.today())
            return time.perf_counter() - start, path
    finally:
        demo.add_demo_participants = real


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    timings: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="kaigo-bench-") as folder:
        last = None
        for run in range(args.repeat):
            for with_participants in ((False, True) if run % 2 == 0 else (True, False)):
                seconds, path = _make(Path(folder), f"d{run}{int(with_participants)}.sqlite3", args.places,
                                      args.years, with_participants)
                timings[with_participants].append(seconds)
                if with_participants:
                    last = path
        with Database.open(last, user="bench") as db:
            people = db.scalar("SELECT count(*) FROM participants")
            checks = db.scalar("SELECT count(*) FROM frailty_checks")
            fy = max(db.scalar("SELECT max(fiscal_year) FROM members"), 0)
            outcome_times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                outcomes.outcomes(db, fy)
                outcome_times.append(time.perf_counter() - start)
    base, full = statistics.median(timings[False]), statistics.median(timings[True])
    print(f"demo --places {args.places} --years {args.years}: {people} participants, {checks} checks")
    print(f"  without participants (baseline): median {base:.2f} s  {['%.2f' % t for t in timings[False]]}")
    print(f"  with participants:               median {full:.2f} s  {['%.2f' % t for t in timings[True]]}")
    print(f"  added: {full - base:+.2f} s ({(full - base) / base * 100:+.1f} %)")
    print(f"outcomes {fy}年度 on it: median {statistics.median(outcome_times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
