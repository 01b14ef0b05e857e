"""bench_scale.py's rows for the 開催記録 list sorted by each of its sortable columns at 1.1M gatherings: what the
list does before it shows its first page for that order (gatherings_view.list_start: the count and the keys
and rows of the first and last 400, read along the sort's index), target ≤ 300 ms. Baseline, in the same run: main's whole
key-list query (before 0016) on the untouched benchmark database, which the list used to wait for. The whole
key list the list reads after its first page is printed beside it.

In-process, on a copy of the benchmark database migrated to this schema (the original is never written);
each figure is the median of `repeat` runs, the slower of the two directions."""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from array import array
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from scale_rows import ROOT, ScaleRow  # noqa: E402

sys.path.insert(0, str(ROOT))  # in-process: this checkout's code, not an installed copy's

from kaigo_desktop.gui.screens.gathering_list import FIRST_ROWS  # noqa: E402
from kaigo_desktop.gui.screens.gathering_table_model import COLUMNS  # noqa: E402
from kaigo_desktop.services import gatherings_view  # noqa: E402
from kaigo_desktop.services.gatherings_view import ListQuery  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402

ORDER = 30
TARGET_MS = 300.0
WORK_DIR = Path(tempfile.gettempdir()) / "scale-sorts"

# main's key-list query before 0016, word for word: the baseline.
_MAIN_SORTS = {
    "held_on": ("g.held_on",),
    "municipality": ("p.municipality_code", "g.held_on"),
    "place": ("p.kana", "p.name", "g.held_on"),
    "attendance_total": ("g.attendance_total",),
    "updated_at": ("g.updated_at",),
}


def _main_key_list(conn: sqlite3.Connection, sort_key: str, descending: bool) -> array:
    expressions = _MAIN_SORTS[sort_key]
    direction = "DESC" if descending else "ASC"
    order = ", ".join(f"{e} {direction}" for e in (*expressions, "g.rowid"))
    join = " JOIN places p ON p.id = g.place_id" if any(e.startswith("p.") for e in expressions) else ""
    cursor = conn.execute(f"SELECT g.rowid FROM gatherings g{join} WHERE g.deleted_at IS NULL ORDER BY {order}")
    keys = array("q")
    while batch := cursor.fetchmany(50_000):
        keys.extend(row[0] for row in batch)
    return keys


def _migrated_copy(source: Path) -> Path:
    """A copy of the benchmark database at this branch's schema, made again when the source changed."""
    WORK_DIR.mkdir(exist_ok=True)
    copy = WORK_DIR / "bench.sqlite3"
    if not copy.exists() or copy.stat().st_mtime < source.stat().st_mtime:
        for stale in WORK_DIR.glob("bench.sqlite3*"):
            stale.unlink()
        print(f"  copying {source} to {copy} and migrating it …", flush=True)
        shutil.copyfile(source, copy)
    with Database.open(copy, user="ベンチマーク", backup_before_upgrade=False) as db:
        applied = {row[0] for row in db.query("SELECT name FROM schema_migrations")}
    if "list_sort_indexes" not in applied:  # the source was migrated by a branch whose migrations differ
        raise SystemExit(f"{source} holds another branch's migration numbered like ours: give a database of"
                         " main's schema with --db")
    return copy


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(db: Path, repeat: int) -> list[ScaleRow]:
    copy = _migrated_copy(db)
    main_db = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows: list[ScaleRow] = []
    with Database.open(copy, user="ベンチマーク") as ours:
        total = ours.scalar("SELECT COUNT(*) FROM gatherings WHERE deleted_at IS NULL")
        for column in (c for c in COLUMNS if c.sort_key):
            first = all_keys = main = 0.0
            for descending in (False, True):
                query = ListQuery(sort_key=column.sort_key, descending=descending)
                start = gatherings_view.list_start(ours, query, FIRST_ROWS)  # once unmeasured: a warm cache
                assert start.total == total and len(start.rows) == 2 * FIRST_ROWS
                first = max(first, _median_ms(lambda q=query: gatherings_view.list_start(ours, q, FIRST_ROWS), repeat))
                all_keys = max(all_keys, _median_ms(lambda q=query: gatherings_view.list_keys(ours, q), repeat))
                main = max(main, _median_ms(lambda d=descending: _main_key_list(main_db, column.sort_key, d), repeat))
            print(f"  {column.title}: first page {first:.0f} ms, then all {total:,} keys {all_keys:.0f} ms;"
                  f" main's key list {main:.0f} ms", flush=True)
            rows.append(ScaleRow(
                f"gatherings list sorted by {column.title} at {total / 1e6:.2f}M: first page",
                f"{first:.0f} ms (all keys after: {all_keys:.0f} ms)", f"≤ {TARGET_MS:.0f} ms",
                f"main's key list {main:,.0f} ms", first <= TARGET_MS))
    main_db.close()
    return rows
