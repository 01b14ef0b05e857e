"""bench_scale.py's start-up row: a fresh process to the first paint of the main window on the 1.1-million-gathering
database, as a multiple of a bare PySide6 window measured the same way in the same run (bench_startup.py's
children, interleaved so both see the same machine state), target ≤ 2.5×."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from bench_startup import TARGET_RATIO, _child_env, time_child
from scale_rows import ScaleRow

ORDER = 50


def measure(db: Path, repeat: int) -> list[ScaleRow]:
    with tempfile.TemporaryDirectory() as scratch:
        env = _child_env(Path(scratch))
        time_child("app", db, env)  # warm the OS file cache (and compile the bytecode) once
        bare, app = [], []
        for _ in range(repeat):
            bare.append(time_child("bare", db, env))
            app.append(time_child("app", db, env))
    bare_s, app_s = statistics.median(bare), statistics.median(app)
    ratio = app_s / bare_s
    for label, runs in (("bare PySide6 window (baseline)", bare), ("main window", app)):
        print(f"  {label}: median {statistics.median(runs):.3f} s ({', '.join(f'{t:.3f}' for t in runs)})",
              flush=True)
    # The fastest runs of each say what a quiet machine would: on a loaded one the bare window slows too.
    return [ScaleRow("start to main window", f"{app_s:.3f} s = {ratio:.2f}× bare (fastest runs "
                     f"{min(app) / min(bare):.2f}×)", f"≤ {TARGET_RATIO}×", f"bare PySide6 window {bare_s:.3f} s",
                     ratio <= TARGET_RATIO)]
