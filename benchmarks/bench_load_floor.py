"""What SQLite alone needs to take a million gatherings into the 1.1M-gathering benchmark database the way the
CSV import writes them — the floor under issue 17's "CSV import ≤ 15 s" row on this machine.

No file is read and no row is checked: the rows (the same 1,000,000 valid rows as scale_imports.py's CSV file)
are made into the statements' values beforehand, untimed. Then, in one process and one transaction, through
the app's own storage code: the secondary indexes set aside (storage/bulk_indexes), the rows inserted many per
statement (repository.RowsLoad, on this one thread), their audit entries made in one INSERT … SELECT
(audit_log.inserts_logged_in_bulk), the indexes built again, the audit entries sealed into the hash chain, the
COMMIT (with the WAL checkpoint SQLite runs after it). Each step's seconds are printed, medians of --repeat runs
on fresh copies, so a change to any of them shows here first.

    python benchmarks/bench_load_floor.py [--rows 1000000] [--repeat 3] [--db /tmp/bench-1m.sqlite3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from scale_rows import require_cached_database  # noqa: E402

STEPS = ("insert", "audit entries", "index builds", "seal", "commit")


def _table_rows(db: Path, count: int) -> Iterator[tuple]:
    """The rows of scale_imports' CSV file as the import's writer holds them (importing_gathering_cells.COLUMNS),
    made as they are taken (a million held at once made SQLite's own steps slower)."""
    from scale_imports import _places, data_rows

    from kaigo_desktop.domain.vocab import PROGRAM_LABELS
    from kaigo_desktop.services.importing_gathering_cells import COLUMNS
    from kaigo_desktop.storage.rows import stored_value

    codes = {label: code for code, label in PROGRAM_LABELS.items()}
    by_name = {(code, name): place_id for place_id, code, name, _first, _last in _places(db)}
    for cells in data_rows(db, count):
        values = {
            "place_id": cells[0] or by_name[(cells[1], cells[2])], "held_on": cells[3],
            "attendance_total": int(cells[6]), "start_time": cells[4], "end_time": cells[5],
            "programs": stored_value("programs", tuple(codes[label] for label in cells[13].split("、"))),
            "male": int(cells[7]), "female": int(cells[8]), "age_under_65": int(cells[9]),
            "age_65_74": int(cells[10]), "age_75_plus": int(cells[11]), "new_participants": int(cells[12]),
            "professionals": stored_value("professionals", (cells[14],) if cells[14] else ()),
            "promoter_id": None, "notes": cells[15]}
        yield tuple(values[name] for name in COLUMNS)


def _child(db_path: Path, count: int) -> None:
    from kaigo_desktop.domain import records as r
    from kaigo_desktop.services.importing import WRITE_CACHE_MIB
    from kaigo_desktop.services.importing_figures import CHUNK_ROWS
    from kaigo_desktop.services.importing_gathering_cells import COLUMNS
    from kaigo_desktop.storage import audit_log, bulk_indexes, repository
    from kaigo_desktop.storage.database import Database
    from kaigo_desktop.storage.rows import spec_for

    rows = _table_rows(db_path, count)
    seconds: dict[str, float] = {"insert": 0.0}
    sealing = audit_log.seal

    def timed_seal(conn) -> None:
        started = time.perf_counter()
        sealing(conn)
        seconds["seal"] = time.perf_counter() - started

    audit_log.seal = timed_seal  # timed where Database.write() calls it, just before COMMIT
    with Database.open(db_path, user="bench") as db:
        with db.page_cache(WRITE_CACHE_MIB):
            writing = db.write()
            writing.__enter__()
            load = repository.RowsLoad(db, spec_for(r.Gathering), COLUMNS, entries_in_bulk=False)
            set_aside = bulk_indexes.set_aside_for_load(db, "gatherings", count)
            set_aside.__enter__()
            with audit_log.inserts_logged_in_bulk(db.conn, "gatherings"):
                for _first in range(0, count, CHUNK_ROWS):
                    for row in itertools.islice(rows, CHUNK_ROWS):  # untimed: the statements' values
                        load.add(row)
                    statements = load.take(final=True)
                    started = time.perf_counter()
                    load.write(statements)
                    seconds["insert"] += time.perf_counter() - started
                started = time.perf_counter()
            seconds["audit entries"] = time.perf_counter() - started
            started = time.perf_counter()
            set_aside.__exit__(None, None, None)
            seconds["index builds"] = time.perf_counter() - started
            started = time.perf_counter()
            writing.__exit__(None, None, None)  # seal, then COMMIT
            seconds["commit"] = time.perf_counter() - started - seconds["seal"]
    print(json.dumps(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-1m.sqlite3"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(Path(args.child[0]), int(args.child[1]))
        return
    require_cached_database(args.db)
    runs: list[dict[str, float]] = []
    peaks = []
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        for _ in range(args.repeat):
            scratch = Path(folder) / "scratch.sqlite3"
            for leftover in Path(folder).glob("scratch.sqlite3*"):
                leftover.unlink()
            shutil.copyfile(args.db, scratch)
            child = subprocess.Popen([sys.executable, __file__, "--child", str(scratch), str(args.rows)],
                                     stdout=subprocess.PIPE, text=True)
            out = child.stdout.read()
            _pid, _status, usage = os.wait4(child.pid, 0)
            runs.append(json.loads(out.strip().splitlines()[-1]))
            peaks.append(usage.ru_maxrss / 1024)
            print("  " + ", ".join(f"{step} {runs[-1][step]:.2f} s" for step in STEPS)
                  + f" = {sum(runs[-1][step] for step in STEPS):.2f} s", flush=True)
    medians = {step: statistics.median(run[step] for run in runs) for step in STEPS}
    total = statistics.median(sum(run[step] for step in STEPS) for run in runs)
    print(f"SQLite's own work for {args.rows:,} gatherings into {args.db.name} (medians of {args.repeat}; "
          f"rows made untimed, peak RSS {max(peaks):.0f} MiB):")
    for step in STEPS:
        print(f"  {step:14} {medians[step]:6.2f} s")
    print(f"  {'total':14} {total:6.2f} s  (the import adds the start of the process, the file's reading and "
          "checking — on the other core while the inserts run — and the duplicate warnings)")


if __name__ == "__main__":
    main()
