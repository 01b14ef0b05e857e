"""Issue 17's table: every bulk path at a million rows, each beside its target and a baseline measured in the
same run (medians of --repeat runs; peak RSS of the whole process).

    python benchmarks/bench_scale.py [--db /tmp/bench-1m.sqlite3] [--repeat 5] [--only check]

The database (`kaigo-desktop demo --places 10000 --years 4`: about 1.1 million gatherings, entered through
the app's own paths, so with their audit trail) is built once and cached — the same file as
bench_startup.py's. Rows measured so far:

- check: the whole `kaigo-desktop check` process (quick check, foreign keys, the rules in SQL, the audit
  chain, the cap warnings), target ≤ 3 s; baseline: `check --full` (SQLite's whole integrity check as well).

Not yet measured here (issue 17 stays open for them): CSV and xlsx import, bundle import, the list's sorted
key lists, start-up (bench_startup.py measures it today).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import DEFAULT_DB, ROOT, ensure_database  # noqa: E402

TARGET_CHECK_S = 3.0


def run_process(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one whole process."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, child.returncode


def measure(label: str, args: list[str], repeat: int) -> tuple[float, float, list[int]]:
    runs = [run_process(args) for _ in range(repeat)]
    seconds = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(f"  {label}: median {seconds:.2f} s ({', '.join(f'{r[0]:.2f}' for r in runs)}), peak RSS {peak:.0f} MiB",
          flush=True)
    return seconds, peak, [r[2] for r in runs]


def check_row(db: Path, repeat: int) -> bool:
    command = [sys.executable, "-m", "kaigo_desktop", "--db", str(db), "check"]
    run_process(command)  # warm the OS file cache once, as a second run would find it
    quick, _, codes = measure("check (quick, the default)", command, repeat)
    full, _, _ = measure("check --full (baseline)", [*command, "--full"], repeat)
    ok = quick <= TARGET_CHECK_S and set(codes) <= {0, 1}
    print(f"check: {quick:.2f} s, target ≤ {TARGET_CHECK_S:.0f} s: {'OK' if ok else 'MISSED'}"
          f" ({quick / full:.2f}× check --full)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=("check",))
    args = parser.parse_args(argv)
    gatherings = ensure_database(args.db)
    print(f"{args.db}: {gatherings:,} gatherings; medians of {args.repeat}\n", flush=True)
    results = {"check": check_row(args.db, args.repeat)}
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
