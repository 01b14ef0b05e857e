"""bench_scale.py's Excel import row: the whole `kaigo-desktop import gatherings FILE.xlsx` process on a
100,000-row workbook (a typed date and seven number cells a row, the rest inline strings, as openpyxl writes
it; target ≤ 10 s, peak ≤ 300 MB) into a scratch copy of the benchmark database, each run paired with the raw
executemany of as many rows into another copy (scale_imports.py's baseline), taken in turn.

    python benchmarks/bench_scale.py --only xlsx [--repeat 3]
"""

from __future__ import annotations

import shutil
from pathlib import Path

from scale_imports import CACHE, XLSX_ROWS, _paired_runs, gatherings_xlsx
from scale_rows import ScaleRow

ORDER = 11
TARGET_S, TARGET_MB = 10.0, 300


def measure(db: Path, repeat: int, rows: int = XLSX_ROWS) -> list[ScaleRow]:
    scratch_dir = CACHE / "scratch-xlsx"
    scratch_dir.mkdir(parents=True, exist_ok=True)
    try:
        workbook = gatherings_xlsx(db, rows)
        seconds, peak, raw, ratio, codes = _paired_runs(f"import gatherings xlsx ({rows:,} rows)", db, scratch_dir,
                                                        workbook, rows, repeat)
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)
    ok = seconds <= TARGET_S and peak <= TARGET_MB and codes == {0}
    return [ScaleRow(f"xlsx import ({rows:,} rows)", f"{seconds:.2f} s, peak {peak:.0f} MiB",
                     f"≤ {TARGET_S:.0f} s, ≤ {TARGET_MB} MB", f"raw executemany {raw:.2f} s (pairs' median {ratio:.2f}×)",
                     ok)]
