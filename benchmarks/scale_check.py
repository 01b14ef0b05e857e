"""bench_scale.py's `check` row: the whole `kaigo-desktop check` process (quick check, foreign keys, the rules in
SQL, the audit chain, the cap warnings), target ≤ 3 s; baseline: `check --full` (SQLite's whole integrity check
as well)."""

from __future__ import annotations

import sys
from pathlib import Path

from scale_rows import ScaleRow, measure_process, run_process

ORDER = 40
TARGET_CHECK_S = 3.0


def measure(db: Path, repeat: int) -> list[ScaleRow]:
    command = [sys.executable, "-m", "kaigo_desktop", "--db", str(db), "check"]
    run_process(command)  # warm the OS file cache once, as a second run would find it
    quick, peak, codes, _cpu = measure_process("check (quick, the default)", command, repeat)
    full = measure_process("check --full (baseline)", [*command, "--full"], repeat)
    ok = quick <= TARGET_CHECK_S and set(codes) <= {0, 1}
    return [ScaleRow("check", f"{quick:.2f} s, peak {peak:.0f} MiB", f"≤ {TARGET_CHECK_S:.0f} s",
                     f"check --full {full.seconds:.2f} s ({quick / full.seconds:.2f}×)", ok)]
