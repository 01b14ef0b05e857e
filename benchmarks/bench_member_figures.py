"""参加者実人数 read through storage/member_figures.py (typed figures, or computed from rosters) on the 1.1-million-
gathering database, beside the old read of the typed figures alone (the baseline, same run, same file): the
members read and the whole 年度 stats, first as the file is (no roster), then with a synthetic roster added
(PEOPLE participants at each of ROSTER_PLACES places, all recorded at every gathering of the 年度, at most its
参加者数). Prints medians and peak memory. The source file is copied, never written.

    python benchmarks/bench_member_figures.py [--source /tmp/bench-1m.sqlite3] [--copy /tmp/rosters/bench.sqlite3]
                                              [--fy 2025] [--repeat 5] [--roster-places 500] [--people 20]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaigo_desktop.services import stats  # noqa: E402
from kaigo_desktop.storage import aggregates  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402

OLD_MEMBERS_SQL = ("SELECT m.place_id, m.total, m.male, m.female, m.age_under_65, m.age_65_74, m.age_75_plus"
                   " FROM members m WHERE m.deleted_at IS NULL AND m.fiscal_year = :fy")
STAMP = "'2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'bench', 'bench-db', NULL, 1"


def median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(db: Database, fy: int, repeat: int, label: str) -> None:
    today = date(fy + 1, 4, 30)
    old = median_s(lambda: db.query(OLD_MEMBERS_SQL, {"fy": fy}), repeat)
    new = median_s(lambda: aggregates.members(db, fy), repeat)
    whole = median_s(lambda: stats.fiscal_year_stats(db, fy, today=today), repeat)
    rows = len(aggregates.members(db, fy))
    print(f"[{label}] members read: typed only (baseline) {old * 1000:.1f} ms, member_figures {new * 1000:.1f} ms"
          f" ({rows:,} place rows); fiscal_year_stats {whole * 1000:.0f} ms")


def add_roster(db: Database, fy: int, places: int, people: int) -> int:
    """Raw inserts (a benchmark fixture, not the app's path): participants attending `places` places, each
    recorded at every gathering of the 年度 up to its 参加者数."""
    conn = db.conn
    center = conn.execute("SELECT id FROM centers LIMIT 1").fetchone()[0]
    chosen = [row[0] for row in conn.execute(
        "SELECT place_id FROM gatherings WHERE held_on BETWEEN ? AND ? AND deleted_at IS NULL"
        " GROUP BY place_id ORDER BY place_id LIMIT ?", (f"{fy}-04-01", f"{fy + 1}-03-31", places))]
    written = 0
    conn.execute("BEGIN")
    for p_index, place_id in enumerate(chosen):
        ids = []
        for n in range(people):
            pid = str(uuid.uuid4())
            conn.execute(f"INSERT INTO participants VALUES (?, ?, ?, ?, ?, ?, '', '', {STAMP})",
                         (pid, center, f"B{p_index:05d}{n:03d}", 1930 + n, 1 + n % 12, ("女性", "男性")[n % 2]))
            conn.execute(f"INSERT INTO participant_places VALUES (?, ?, ?, '2000-01-01', NULL, {STAMP})",
                         (str(uuid.uuid4()), pid, place_id))
            ids.append(pid)
        for gathering_id, attendance in conn.execute(
                "SELECT id, attendance_total FROM gatherings WHERE place_id = ? AND held_on BETWEEN ? AND ?"
                " AND deleted_at IS NULL", (place_id, f"{fy}-04-01", f"{fy + 1}-03-31")).fetchall():
            for pid in ids[: attendance or 0]:
                conn.execute(f"INSERT INTO gathering_participants VALUES (?, ?, ?, {STAMP})",
                             (str(uuid.uuid4()), gathering_id, pid))
                written += 1
    conn.execute("COMMIT")
    conn.execute("ANALYZE gathering_participants")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=Path("/tmp/bench-1m.sqlite3"))
    parser.add_argument("--copy", type=Path, default=Path("/tmp/rosters/bench.sqlite3"))
    parser.add_argument("--fy", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--roster-places", type=int, default=500)
    parser.add_argument("--people", type=int, default=20)
    args = parser.parse_args(argv)
    args.copy.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(args.copy) + suffix).unlink(missing_ok=True)
    shutil.copyfile(args.source, args.copy)
    start = time.perf_counter()
    with Database.open(args.copy, user="bench") as db:  # migrates the copy (db/0017 …)
        print(f"opened and migrated the copy in {time.perf_counter() - start:.1f} s;"
              f" {db.scalar('SELECT COUNT(*) FROM gatherings'):,} gatherings,"
              f" {db.scalar('SELECT COUNT(*) FROM members'):,} typed 実人数")
        measure(db, args.fy, args.repeat, "no roster")
        start = time.perf_counter()
        written = add_roster(db, args.fy, args.roster_places, args.people)
        print(f"added {written:,} roster entries at {args.roster_places} places in {time.perf_counter() - start:.1f} s")
        measure(db, args.fy, args.repeat, "with roster")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
