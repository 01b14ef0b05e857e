"""Exchange between PCs at full size: export and import of a bundle holding 100,000 changed gatherings (new
records, then the same records edited), plain and encrypted, beside a baseline measured in the same run — the
bare cost of reading those rows and writing them into a copy with executemany (no bundle, no merge rules).

    python benchmarks/bench_exchange.py [--places 1000] [--gatherings 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import build_places, gatherings  # noqa: E402

from kaigo_desktop.services import bulk  # noqa: E402
from kaigo_desktop.services import bundle_signing  # noqa: E402
from kaigo_desktop.services import exchange as ex  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402

TARGET_S = 5.0
PASSPHRASE = "ベンチマーク用の合言葉"


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def new_copy(source: Path, folder: Path, name: str) -> Path:
    """A copy of `source` with its own database id (as a second PC's file would have)."""
    path = folder / f"{name}.sqlite3"
    shutil.copyfile(source, path)
    with Database.open(path, user=name) as db, db.write():
        db.conn.execute("UPDATE db_meta SET value = ? WHERE key = 'database_id'", (str(uuid.uuid4()),))
    return path


@contextmanager
def center_and_town(prefix: str) -> Iterator[tuple[Path, Path, Path]]:
    """A temporary folder (removed afterwards) with two new databases, as a center's PC and a town's would have
    them (each its own id, the town trusting the center's signing key as after the first USB stick): yields
    (folder, center, town)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        empty = folder / "empty.sqlite3"
        with Database.open(empty, create=True):
            pass
        center, town = new_copy(empty, folder, "center"), new_copy(empty, folder, "town")
        with Database.open(center, user="center") as center_db, Database.open(town, user="town") as town_db:
            signer = bundle_signing.own_signer(center_db)
            bundle_signing.trust(town_db, signer, signer.fingerprint)
        yield folder, center, town
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bare_copy(source: Database, target: Path) -> None:
    """Baseline: every gathering row read from the source and written to the target in one transaction."""
    with Database.open(target) as db:
        rows = source.conn.execute("SELECT * FROM gatherings").fetchall()
        cols = rows[0].keys()
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.executemany(f"INSERT OR REPLACE INTO gatherings ({', '.join(cols)}) VALUES"
                            f" ({', '.join('?' * len(cols))})", [tuple(row) for row in rows])
        db.conn.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=1000)
    parser.add_argument("--gatherings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with center_and_town("bench_exchange_") as (folder, source_path, town_template):
        source = Database.open(source_path, user="center")
        place_ids = build_places(source, args.places, date(2024, 4, 1))
        # The town already has the places (an earlier bundle), so the measured bundle is the gatherings.
        first = folder / "places.kaigo"
        ex.export_bundle(source, first, destination="town")
        with Database.open(town_template, user="town") as town:
            ex.import_bundle(town, first)
        print(f"making {args.gatherings:,} gatherings …", flush=True)
        bulk.add_gatherings(source, gatherings(place_ids, args.gatherings, date(2024, 4, 1), 360),
                            today=date(2025, 3, 31))
        source.close()

        results: dict[str, list[float]] = {}

        def record(label: str, seconds: float) -> None:
            results.setdefault(label, []).append(seconds)

        for run in range(args.repeat):
            work = folder / f"run{run}"
            work.mkdir()
            src_path = work / "center.sqlite3"
            shutil.copyfile(source_path, src_path)
            with Database.open(src_path, user="center") as src:
                # baseline: bare copy of the same rows into a fresh copy of the town's file
                bare_target = work / "bare.sqlite3"
                shutil.copyfile(town_template, bare_target)
                record("baseline: read + executemany into a copy", timed(lambda: bare_copy(src, bare_target))[0])
                for mode, passphrase in (("plain", None), ("encrypted", PASSPHRASE)):
                    out = work / f"new-{mode}.kaigo"
                    seconds, summary = timed(lambda: ex.export_bundle(src, out, destination=f"t-{mode}",
                                                                      since="all", passphrase=passphrase))
                    record(f"export {mode} (new records)", seconds)
                    target = work / f"town-{mode}.sqlite3"
                    shutil.copyfile(town_template, target)
                    with Database.open(target, user="town") as town:
                        seconds, result = timed(lambda: ex.import_bundle(town, out, passphrase=passphrase))
                        record(f"import {mode} (new records)", seconds)
                        assert result.added >= args.gatherings, result
                    if run == 0:
                        print(f"  bundle {mode}: {out.stat().st_size / 1e6:.1f} MB, "
                              f"{summary.counts.get('gatherings', 0):,} gatherings", flush=True)
                # the same records edited at the center: the town fast-forwards each one
                src.conn.execute("BEGIN IMMEDIATE")
                src.conn.execute("UPDATE gatherings SET notes = '雨天', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ'),"
                                 " change_seq = change_seq + 1000000")
                src.conn.execute("COMMIT")
                out = work / "edits.kaigo"
                seconds, summary = timed(lambda: ex.export_bundle(src, out, destination="t-plain"))
                record("export plain (edited records)", seconds)
                with Database.open(work / "town-plain.sqlite3", user="town") as town:
                    seconds, result = timed(lambda: ex.import_bundle(town, out))
                    record("import plain (edited records)", seconds)
                    assert result.updated >= args.gatherings and result.conflicts == 0, result
                    seconds, result = timed(lambda: ex.import_bundle(town, out))
                    record("import the same bundle again", seconds)
                    assert result.already_imported
            shutil.rmtree(work)
            print(f"  run {run + 1}/{args.repeat} done", flush=True)

        print(f"\n{args.gatherings:,} gatherings, {args.places:,} places; median of {args.repeat} runs")
        baseline = statistics.median(results["baseline: read + executemany into a copy"])
        width = max(map(len, results))
        for label, values in results.items():
            median = statistics.median(values)
            verdict = "" if label.startswith("baseline") or "again" in label else (
                "PASS" if median <= TARGET_S else "FAIL")
            print(f"{label:<{width}}  {median:6.2f} s  ({median / baseline:4.1f}× baseline)"
                  f"  {'target ≤ %.0f s' % TARGET_S if verdict else ''}  {verdict}")


if __name__ == "__main__":
    main()
