"""Where the time of one large import goes, phase by phase, in this process (issue 17: what each trade would save).

    python benchmarks/bench_import_phases.py csv       # 1,000,000 CSV gatherings into a copy of the 1.1M database
    python benchmarks/bench_import_phases.py bundle    # scale_bundles.py's 1.18M-row bundle into its town database

The files and databases are bench_scale.py's own caches (made by it first). Each phase is the time from one mark
to the next: the database opened (with its quick check), the rows read and written, then the statements of the
end of the transaction as SQLite is handed them (the audit entries, each index built again, the duplicate
warnings' pass, the seal, COMMIT with its checkpoint). The end statements are watched with a trace callback set
only once the rows are in (one per statement, at no cost worth naming then). Run it on a quiet machine: the
COMMIT's checkpoint writes about a gigabyte, and on this virtual disk it takes 2.6 s to 12 s depending on what
was written in the minutes before (the README's "Scale at a million rows")."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scale_rows import ROOT, require_cached_database

sys.path.insert(0, str(ROOT))

from bench_startup import DEFAULT_DB  # noqa: E402

# The statements that begin a phase of the transaction's end, by how their text begins.
WATCHED = ("INSERT INTO audit_log", "CREATE INDEX", "SELECT group_concat(rowid) FROM gatherings",
           "SELECT seq, CAST", "INSERT INTO audit_seals", "COMMIT")


class Marks:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: list[tuple[float, str]] = []

    def add(self, name: str) -> None:
        self.marks.append((time.perf_counter(), name))

    def watch(self, conn) -> None:
        def seen(text: str) -> None:
            text = text.lstrip()
            if text.startswith(WATCHED):
                self.add(" ".join(text[:60].split()))
        conn.set_trace_callback(seen)

    def print(self, end: float) -> None:
        """One line per phase; a statement run many times in a row (a bundle's batches) is one line, × times."""
        points = [(self.start, "start"), *self.marks, (end, "end")]
        phases: list[list] = []  # [began at, seconds, name, times]
        for (at, name), (after, _) in zip(points, points[1:]):
            if phases and phases[-1][2] == name:
                phases[-1][1] += after - at
                phases[-1][3] += 1
            else:
                phases.append([at, after - at, name, 1])
        for at, seconds, name, times in phases:
            print(f"{at - self.start:7.2f} s  {seconds:6.2f} s  {name}{f'  (×{times})' if times > 1 else ''}")


def _wrapped(function: Callable, before: Callable[[], None], after: Callable[[object], None]) -> Callable:
    def call(*args, **kwargs):
        before()
        result = function(*args, **kwargs)
        after(result)
        return result
    return call


def _fresh_copy(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("csv", "bundle"))
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args(argv)
    require_cached_database(args.db)

    from kaigo_desktop.services import exchange, importing_figures
    from kaigo_desktop.storage.database import Database

    if args.kind == "csv":
        import scale_imports

        source, file = args.db, scale_imports.gatherings_csv(args.db)
        target = _fresh_copy(source, scale_imports.CACHE / "phases.sqlite3")
    else:
        import scale_bundles

        _sender, file, template, _rows = scale_bundles._ensure_bundle(args.db)
        target = _fresh_copy(template, scale_bundles.CACHE / "phases.sqlite3")

    marks = Marks()
    def opened(db) -> None:
        marks.add("after open")
        if args.kind == "bundle":  # a bundle's rows are written a batch per statement: watched from the start
            marks.watch(db.conn)
    Database.open = _wrapped(Database.open, lambda: marks.add("open (with its quick check)"), opened)  # type: ignore
    if args.kind == "csv":
        read_and_write = importing_figures._read_and_write

        def rows_then_watch(ctx, *rest):
            result = read_and_write(ctx, *rest)
            marks.watch(ctx.db.conn)
            return result
        importing_figures._read_and_write = _wrapped(  # type: ignore[assignment]
            rows_then_watch, lambda: marks.add("rows read and written"), lambda _: None)
    else:
        settle = exchange._settle
        exchange._settle = _wrapped(settle, lambda: marks.add("held rows settled"), lambda _: None)  # type: ignore

    from kaigo_desktop.cli import main as cli

    if args.kind == "csv":
        command = ["--db", str(target), "import", "gatherings", str(file)]
    else:
        command = ["--db", str(target), "bundle", "import", str(file)]
    cpu = time.process_time()
    code = cli(command)
    end = time.perf_counter()
    print(f"\n{args.kind}: exit {code}, {end - marks.start:.2f} s, CPU {time.process_time() - cpu:.1f} s\n")
    print("    at     phase  begins with")
    marks.print(end)
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
