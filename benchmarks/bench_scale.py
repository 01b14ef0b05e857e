"""Issue 17's table: every bulk path at a million rows, each beside its target and a baseline measured in the
same run (medians of --repeat runs; peak RSS of the whole process).

    python benchmarks/bench_scale.py [--db /tmp/bench-1m.sqlite3] [--repeat 5] [--only check ...]

The database (`kaigo-desktop demo --places 10000 --years 4`: about 1.1 million gatherings, entered through
the app's own paths, so with their audit trail) is built once and cached — the same file as
bench_startup.py's. Each row comes from a `scale_<name>.py` module beside this script (`ORDER`, `measure(db,
repeat)`); `--only` takes those names.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_startup import DEFAULT_DB, ensure_database  # noqa: E402
from scale_rows import ScaleRow  # noqa: E402


def row_modules() -> dict[str, object]:
    modules = {}
    for path in sorted(HERE.glob("scale_*.py")):
        name = path.stem.removeprefix("scale_")
        if name == "rows":
            continue
        modules[name] = importlib.import_module(path.stem)
    return dict(sorted(modules.items(), key=lambda item: item[1].ORDER))


def print_table(rows: list[ScaleRow]) -> None:
    print("\n| path | measured | target | baseline (same run) | |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.path} | {row.measured} | {row.target} | {row.baseline} | {'OK' if row.ok else 'MISSED'} |")


def main(argv: list[str] | None = None) -> int:
    modules = row_modules()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="+", choices=sorted(modules))
    parser.add_argument("--csv-only", action="store_true", help="imports: the CSV row alone (no xlsx)")
    args = parser.parse_args(argv)
    modules["imports"].CSV_ONLY = args.csv_only
    gatherings = ensure_database(args.db)
    print(f"{args.db}: {gatherings:,} gatherings; medians of {args.repeat}\n", flush=True)
    rows: list[ScaleRow] = []
    for name, module in modules.items():
        if args.only and name not in args.only:
            continue
        print(f"{name}:", flush=True)
        rows.extend(module.measure(args.db, args.repeat))
    print_table(rows)
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
