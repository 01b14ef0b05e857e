"""The metropolitan view's costs (issue 18), each beside its baseline measured in the same run:

* a 区市町村's `submission export` on a large database (e.g. the 1.1-million-gathering benchmark database,
  copied first: opening it migrates it) against `stats` (fiscal_year_stats) for the same 年度 and 区市町村 —
  the submission is the stats object plus a declaration, the lock state, JSON, a signature and a zip;
* 東京都's `metro import` of one submission from each of the 62 区市町村 (62 small databases, each with its own
  key) and `metro sheet` (JSON and PDF) over them, against reading the 62 files' bytes.
Prints medians and the peak RSS of this process (resource.getrusage).

    python benchmarks/bench_metro.py [--source /tmp/bench-1m.sqlite3] [--fy 2025] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaigo_desktop.services import bundle_signing, metro, submissions  # noqa: E402
from kaigo_desktop.services.stats import fiscal_year_stats  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402
from kaigo_desktop.storage.lookups import municipalities  # noqa: E402


def _median(job, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_export(source: Path, fiscal_year: int, repeat: int, folder: Path) -> None:
    copy = folder / "bench-copy.sqlite3"
    started = time.perf_counter()
    shutil.copyfile(source, copy)
    print(f"copied {source} ({source.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s")
    with Database.open(copy, user="bench", backup_before_upgrade=False) as db:
        code = db.scalar("SELECT municipality_code FROM places GROUP BY municipality_code ORDER BY COUNT(*) DESC")
        gatherings = db.scalar("SELECT COUNT(*) FROM gatherings g JOIN places p ON p.id = g.place_id"
                               " WHERE p.municipality_code = ?", (code,))
        print(f"区市町村 {code}: {gatherings:,} gatherings in the database (all 年度)")
        out = folder / "bench.kaigo-sub"
        baseline = _median(lambda: fiscal_year_stats(db, fiscal_year, code), repeat)
        export = _median(lambda: submissions.export_submission(db, fiscal_year, code, out, force=True,
                                                               allow_empty=True), repeat)
        print(f"stats (baseline)        median {baseline:.3f} s")
        print(f"submission export       median {export:.3f} s  ({export / baseline:.2f}× stats; "
              f"file {out.stat().st_size:,} bytes)")


def bench_metro(repeat: int, folder: Path, fiscal_year: int) -> None:
    template = folder / "template.sqlite3"
    with Database.open(template, create=True, user="bench"):
        pass
    files, trust_files, codes = [], [], []
    with Database.open(template) as probe:
        every = [m.code for m in municipalities(probe)]
    for code in every:
        path = folder / f"m{code}.sqlite3"
        shutil.copyfile(template, path)
        with Database.open(path, user="bench") as db:
            db.give_new_database_id()  # a key of its own, as each 区市町村's PC has
            bundle_signing.save_trust_file(db, folder / f"t{code}.json")
            out = folder / f"{code}.kaigo-sub"
            submissions.set_short_term_service_declaration(db, fiscal_year, code, True, 3)
            submissions.export_submission(db, fiscal_year, code, out, allow_empty=True)
        files.append(out)
        trust_files.append(folder / f"t{code}.json")
        codes.append(code)

    def fresh_metro(index: int) -> Database:
        db = Database.open(folder / f"tokyo{index}.sqlite3", create=True, user="都")
        metro.init_metro(db)
        for code, trust in zip(codes, trust_files):
            metro.trust_municipality_key(db, code, trust, None)
        return db

    databases = [fresh_metro(i) for i in range(repeat)]
    reading = _median(lambda: [f.read_bytes() for f in files], repeat)
    times = []
    for db in databases:
        started = time.perf_counter()
        metro.import_submissions(db, files)
        times.append(time.perf_counter() - started)
    sheet = _median(lambda: metro.sheet_json(metro.evaluation_sheet(databases[0], fiscal_year)), repeat)
    from kaigo_desktop.reports.metro_sheet import write_sheet_pdf

    pdf = _median(lambda: write_sheet_pdf(metro.evaluation_sheet(databases[0], fiscal_year), folder / "s.pdf"),
                  repeat)
    for db in databases:
        db.close()
    print(f"reading 62 files (baseline) median {reading * 1000:.1f} ms")
    print(f"metro import of 62          median {statistics.median(times):.3f} s")
    print(f"metro sheet (JSON)          median {sheet * 1000:.1f} ms")
    print(f"metro sheet (PDF)           median {pdf:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=Path, default=Path("/tmp/bench-1m.sqlite3"))
    parser.add_argument("--fy", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-metro-", dir="/tmp") as folder:
        if not args.skip_export:
            bench_export(args.source, args.fy, args.repeat, Path(folder))
        bench_metro(args.repeat, Path(folder), args.fy)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
