"""bench_scale.py's `bundle import` row: the whole `kaigo-desktop bundle import` process taking a bundle of every
record of the benchmark database (`bundle export --since all`: about 1.2 million rows) into a new database
that trusts the sender; target ≤ 25 s and ≤ 500 MB peak RSS. Baseline, measured in the same run: the same rows
copied by a bare process with `executemany` into the same kind of new database, in one transaction (no bundle,
no checks, no merge rules; the schema's triggers and indexes fire as for the import).

The bundle, the sender's copy it was made from and the receiving database are made once and cached under
/tmp/kaigo-scale-bundles (remade when the benchmark database changes).

    python benchmarks/bench_scale.py --only bundles --repeat 1
"""

from __future__ import annotations

import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from scale_rows import ROOT, ScaleRow, cpu_bound, run_process_printed, runs_summary, upgrade_to_current_schema

ORDER = 20
TARGET_S = 25.0
TARGET_MIB = 500
CACHE = Path(tempfile.gettempdir()) / "kaigo-scale-bundles"
USER_TABLES = ("centers", "places", "promoters", "assignments", "gatherings", "members", "population",
               "activities", "expenses")  # in reference order, as the bundle carries them


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "kaigo_desktop", *args]


def _ensure_bundle(db: Path) -> tuple[Path, Path, Path, int]:
    """(sender copy, bundle, receiving template, rows in the bundle), made once per benchmark database."""
    CACHE.mkdir(exist_ok=True)
    sender, bundle, template = CACHE / "sender.sqlite3", CACHE / "all.kaigo", CACHE / "town.sqlite3"
    stamp_path, stamp = CACHE / "made-from.json", {"db": str(db), "size": db.stat().st_size,
                                                   "mtime_ns": db.stat().st_mtime_ns}
    if not (stamp_path.exists() and json.loads(stamp_path.read_text()) == stamp and bundle.exists()
            and template.exists() and sender.exists()):
        print(f"  making the bundle from a copy of {db} (a few minutes, cached in {CACHE}) …", flush=True)
        for path in (sender, bundle, template):
            path.unlink(missing_ok=True)
        shutil.copyfile(db, sender)
        subprocess.run(_cli("--db", str(sender), "bundle", "export", "--since", "all", "--destination", "scale",
                            "--out", str(bundle)), cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(_cli("--db", str(template), "init", "--municipality", "131016"), cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        fingerprint = subprocess.run(
            [sys.executable, "-c", "import sys; from kaigo_desktop.services import exchange as ex;"
             " print(ex.inspect_bundle(sys.argv[1], 10 ** 6).fingerprint)", str(bundle)],
            cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
        subprocess.run(_cli("--db", str(template), "bundle", "trust", "add", "--from-bundle", str(bundle),
                            "--fingerprint", fingerprint), cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        stamp_path.write_text(json.dumps(stamp))
    upgrade_to_current_schema(template)  # made by an older version: each fresh copy would migrate, timed
    with zipfile.ZipFile(bundle) as opened:
        rows = sum(json.loads(opened.read("header.json"))["counts"].values())
    return sender, bundle, template, rows


def _fresh(template: Path, name: str) -> Path:
    target = CACHE / name
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


def measure(db: Path, repeat: int) -> list[ScaleRow]:
    sender, bundle, template, rows = _ensure_bundle(db)
    print(f"  bundle: {bundle.stat().st_size / 1e6:.0f} MB, {rows:,} rows", flush=True)
    imports, baselines = [], []
    for _ in range(repeat):  # each on a new database; import and baseline alternate (same load on the machine)
        target = _fresh(template, "import.sqlite3")
        imports.append(run_process_printed("bundle import (whole process)",
                                           _cli("--db", str(target), "bundle", "import", str(bundle))))
        target = _fresh(template, "baseline.sqlite3")
        baselines.append(run_process_printed("baseline: executemany of the same rows",
                                             [sys.executable, __file__, "--baseline", str(sender), str(target)]))
    for name in ("import.sqlite3", "baseline.sqlite3"):
        _fresh(template, name).unlink()
    measured, baseline = runs_summary(imports), runs_summary(baselines).seconds
    seconds, peak = measured.seconds, measured.peak_mib
    ok = seconds <= TARGET_S and peak <= TARGET_MIB and set(measured.codes) == {0}
    return [ScaleRow(f"bundle import ({rows:,} rows)",
                     f"{seconds:.1f} s, peak {peak:.0f} MiB ({cpu_bound(measured.cpu_seconds)})",
                     f"≤ {TARGET_S:.0f} s, ≤ {TARGET_MIB} MB", f"executemany {baseline:.1f} s ({seconds / baseline:.2f}×)",
                     ok)]


def _baseline(sender: Path, target: Path) -> None:
    """Every row of the sender's user tables inserted into `target` with executemany, in one transaction."""
    started = time.perf_counter()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("ATTACH ? AS sender", (str(sender),))
    conn.execute("BEGIN IMMEDIATE")
    count = 0
    for table in USER_TABLES:
        columns = [row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")]
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM sender.{table}")
        while batch := rows.fetchmany(20_000):
            conn.executemany(f"INSERT INTO main.{table} ({', '.join(columns)})"
                             f" VALUES ({', '.join('?' * len(columns))})", batch)
            count += len(batch)
    conn.execute("COMMIT")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count:,} rows in {time.perf_counter() - started:.1f} s, peak {peak:.0f} MiB")


if __name__ == "__main__" and sys.argv[1:2] == ["--baseline"]:
    _baseline(Path(sys.argv[2]), Path(sys.argv[3]))
