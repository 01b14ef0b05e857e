"""What every row of bench_scale.py's table is: one bulk path measured beside its target and a baseline taken in
the same run. Each `scale_<path>.py` module beside this one exposes `ORDER` (its place in the table) and
`measure(db: Path, repeat: int) -> list[ScaleRow]`; bench_scale.py finds them by name."""

from __future__ import annotations

import os
import statistics
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ScaleRow:
    path: str  # the issue table's first column, e.g. "check on 1.14M gatherings"
    measured: str  # e.g. "2.41 s, peak 180 MiB"
    target: str  # e.g. "≤ 3 s"
    baseline: str  # what it is compared with, measured in the same run
    ok: bool


class ProcessRun(NamedTuple):
    seconds: float  # wall
    peak_mib: float  # peak RSS
    code: int  # exit code
    cpu_seconds: float  # user + system CPU of the process and its threads


class ProcessRuns(NamedTuple):
    seconds: float  # median wall
    peak_mib: float  # the largest peak RSS
    codes: list[int]
    cpu_seconds: float  # median user + system CPU


def run_process(args: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> ProcessRun:
    """One whole process, timed."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    return ProcessRun(seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status),
                      usage.ru_utime + usage.ru_stime)


def cpu_bound(cpu_seconds: float) -> str:
    """What a process's CPU time says of its wall time here: on this machine's cores no schedule of the same
    work ends sooner (a target below it asks for less work, not more overlap)."""
    cores = os.cpu_count() or 1
    return f"CPU {cpu_seconds:.1f} s: ≥ {cpu_seconds / cores:.1f} s on {cores} cores"


def runs_summary(runs: list[ProcessRun]) -> ProcessRuns:
    return ProcessRuns(statistics.median(run.seconds for run in runs), max(run.peak_mib for run in runs),
                       [run.code for run in runs], statistics.median(run.cpu_seconds for run in runs))


def _printed(label: str, runs: list[ProcessRun]) -> ProcessRuns:
    measured = runs_summary(runs)
    print(f"  {label}: median {measured.seconds:.2f} s ({', '.join(f'{run.seconds:.2f}' for run in runs)}),"
          f" peak RSS {measured.peak_mib:.0f} MiB, {cpu_bound(measured.cpu_seconds)}", flush=True)
    return measured


def run_process_printed(label: str, args: list[str], **kwargs) -> ProcessRun:
    """One run of a whole process, printed."""
    run = run_process(args, **kwargs)
    _printed(label, [run])
    return run


def measure_process(label: str, args: list[str], repeat: int, **kwargs) -> ProcessRuns:
    """`repeat` runs of a whole process, printed as it goes."""
    return _printed(label, [run_process(args, **kwargs) for _ in range(repeat)])


def upgrade_to_current_schema(db_path: Path) -> None:
    """A database cached by an older version of the app is migrated once here (without the backup the app
    makes first), so that no timed run — each on a copy — migrates it again."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    sys.path.insert(0, str(ROOT))
    from kaigo_desktop.storage import migrations
    from kaigo_desktop.storage.database import Database

    if version < migrations.latest_version():
        print(f"upgrading {db_path} from schema {version} (once) …", flush=True)
        Database.open(db_path, user="bench", backup_before_upgrade=False).close()


def require_cached_database(db_path: Path) -> None:
    """The cached 1.1M-gathering database a benchmark reads (made by bench_scale.py), at the app's schema."""
    if not db_path.exists():
        sys.exit(f"{db_path} がありません（benchmarks/bench_scale.py が作ります）")
    upgrade_to_current_schema(db_path)
