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

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ScaleRow:
    path: str  # the issue table's first column, e.g. "check on 1.14M gatherings"
    measured: str  # e.g. "2.41 s, peak 180 MiB"
    target: str  # e.g. "≤ 3 s"
    baseline: str  # what it is compared with, measured in the same run
    ok: bool


def run_process(args: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one whole process."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def measure_process(label: str, args: list[str], repeat: int, **kwargs) -> tuple[float, float, list[int]]:
    """Median wall seconds, the largest peak RSS (MiB) and the exit codes of `repeat` runs, printed as it goes."""
    runs = [run_process(args, **kwargs) for _ in range(repeat)]
    seconds = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(f"  {label}: median {seconds:.2f} s ({', '.join(f'{r[0]:.2f}' for r in runs)}), peak RSS {peak:.0f} MiB",
          flush=True)
    return seconds, peak, [r[2] for r in runs]


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
