"""Core figures at full size: the bulk gathering path against raw executemany, the 年度 aggregation, and
the 開催記録 list's first and last pages over 1,000,000 gatherings; prints each figure beside its target.

    python benchmarks/bench_core.py [--places 10000] [--gatherings 1000000] [--repeat 3] [--explain]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaigo_desktop.domain.fiscal import fiscal_year_of, fiscal_year_range  # noqa: E402
from kaigo_desktop.domain.records import Center, Gathering, Place  # noqa: E402
from kaigo_desktop.services import bulk, records  # noqa: E402
from kaigo_desktop.services import gatherings_view as gv  # noqa: E402
from kaigo_desktop.services.stats import fiscal_year_stats  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402
from kaigo_desktop.storage.ids import new_id  # noqa: E402
from kaigo_desktop.storage.repository import _stamped, insert_sql  # noqa: E402
from kaigo_desktop.storage.rows import to_row  # noqa: E402

MUNICIPALITIES = ("131016", "131041", "131130", "132012", "132098", "133051")  # 千代田 新宿 渋谷 八王子 町田 日の出
PROGRAM_SETS = (("motor",), ("motor", "oral"), ("motor", "social"), ("social",), ("cognition", "social"),
                ("motor", "nutrition", "oral"))
PROFESSIONALS = ("保健師", "リハビリテーション専門職", "歯科衛生士", "管理栄養士・栄養士")

TARGET_RATIO = 0.5
TARGET_STATS_S = 0.5
TARGET_PAGE_MS = 5.0
TARGET_FIRST_PAGE_MS = 300.0  # issue 17: the list's first page with its count, at 1.1M


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def median_time(action: Callable[[], object], times: int) -> float:
    return statistics.median(timed(action)[0] for _ in range(times))


# ---------------------------------------------------------------- sizes and periods

def size_arguments(parser: argparse.ArgumentParser, *, gatherings: int, repeat: int) -> None:
    """--places, --gatherings and --repeat, as every full-size benchmark takes them."""
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--gatherings", type=int, default=gatherings)
    parser.add_argument("--repeat", type=int, default=repeat)


def last_two_fiscal_years(today: date) -> tuple[int, date, int]:
    """The last complete 年度, the first day of the 年度 before it, and the days the two span: the data
    covers both, the figures are read for the first."""
    fy = fiscal_year_of(today) - 1
    first_day = fiscal_year_range(fy - 1)[0]
    return fy, first_day, (fiscal_year_range(fy)[1] - first_day).days + 1


# ---------------------------------------------------------------- data

def build_places(db: Database, count: int, today: date) -> list[str]:
    """Two centers per municipality and `count` places, through the validated services."""
    centers = {code: [Center(code, f"{code}第{i}地域包括支援センター", id=new_id()) for i in (1, 2)]
               for code in MUNICIPALITIES}
    records.add_many(db, [c for pair in centers.values() for c in pair], today=today)
    places = []
    for i in range(count):
        code = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        places.append(Place(code, f"ベンチ通いの場{i:05d}", "ベンチカヨイノバ", center_id=centers[code][i % 2].id,
                            venue_kind="公民館・自治会館・集会所", operator_kind="住民団体（自治会・NPO法人等）",
                            frequency_declared="週1回以上", start_date=date(2015, 4, 1),
                            programs=PROGRAM_SETS[i % len(PROGRAM_SETS)], id=new_id()))
    records.add_many(db, places, today=today)
    return [p.id for p in places]


def gatherings(place_ids: list[str], count: int, first_day: date, days: int, seed: int = 1,
               skip: int = 0) -> Iterator[Gathering]:
    """`count` gatherings, week by week across all places (the order records are typed in), spread over
    `days` days from first_day; `skip` starts further into the same sequence."""
    rng = random.Random(seed + skip)
    n = len(place_ids)
    for i in range(skip, skip + count):
        place = i % n
        held = first_day + timedelta(days=((i // n) * 7 + place % 7) % days)
        total = rng.randint(5, 40)
        female = min(total, int(total * 0.8 + rng.random()))
        old = min(total, int(total * 0.72 + rng.random()))
        under = min(total - old, rng.randint(0, 1))
        yield Gathering(
            place_ids[place], held, total, "10:00", "11:30", PROGRAM_SETS[place % len(PROGRAM_SETS)],
            male=total - female, female=female, age_under_65=under, age_65_74=total - old - under,
            age_75_plus=old, new_participants=1 if rng.random() < 0.05 else 0,
            professionals=(rng.choice(PROFESSIONALS),) if rng.random() < 0.1 else ())


def raw_rows(db: Database, items: list[Gathering]) -> list[dict]:
    """The rows the repository would write: to_row plus id and the transaction stamp."""
    with db.write() as stamp:  # only to get a real stamp (change_seq) from this database
        pass
    rows = []
    for g in items:
        row = to_row(g)
        row["id"] = new_id()
        rows.append(_stamped(row, stamp, created=True))
    return rows


def raw_insert(db: Database, rows: list[dict]) -> None:
    db.conn.execute("BEGIN IMMEDIATE")
    db.conn.executemany(insert_sql("gatherings", rows[0]), rows)
    db.conn.execute("COMMIT")


# ---------------------------------------------------------------- report

class Report:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str, str]] = []

    def add(self, label: str, value: str, target: str = "", ok: bool | None = None) -> None:
        self.lines.append((label, value, target, "" if ok is None else "PASS" if ok else "FAIL"))
        print(f"  {label}: {value}", flush=True)

    def print(self) -> None:
        widths = [max(len(line[i]) for line in self.lines + [("figure", "value", "target", "")]) for i in range(3)]
        print()
        print(f"{'figure':<{widths[0]}}  {'value':>{widths[1]}}  {'target':<{widths[2]}}  result")
        for label, value, target, result in self.lines:
            print(f"{label:<{widths[0]}}  {value:>{widths[1]}}  {target:<{widths[2]}}  {result}")


def explain(db: Database, title: str, sql: str, params: object = ()) -> None:
    print(f"\n-- {title}")
    for row in db.conn.execute("EXPLAIN QUERY PLAN " + sql, params):
        print("   ", row[3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size_arguments(parser, gatherings=1_000_000, repeat=3)
    parser.add_argument("--ratio-rows", type=int, default=200_000,
                        help="rows per repeat for the bulk/raw comparison (default 200,000)")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the measured reads")
    parser.add_argument("--keep", type=Path, help="keep the big database at this path")
    args = parser.parse_args(argv)

    today = date.today()
    fy, first_day, days = last_two_fiscal_years(today)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="kaigo-bench-") as folder:
        tmp = Path(folder)
        print(f"folder {tmp}; {args.places:,} places, {args.gatherings:,} gatherings in {fy - 1}–{fy}年度")

        # Places once, as a template for every fresh database.
        template = tmp / "template.sqlite3"
        with Database.open(template, create=True, user="bench") as db:
            seconds, place_ids = timed(lambda: build_places(db, args.places, today))
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        report.add("places via records.add_many", f"{args.places / seconds:,.0f} rows/s ({seconds:.2f} s)")

        def fresh(name: str) -> Database:
            path = tmp / name
            shutil.copyfile(template, path)
            return Database.open(path, user="bench")

        # (a) bulk vs raw on the same rows, in fresh databases of the same schema.
        chunk = min(args.ratio_rows, args.gatherings)
        items = list(gatherings(place_ids, chunk, first_day, days))
        generate_s = timed(lambda: sum(1 for _ in gatherings(place_ids, chunk, first_day, days)))[0]
        bulk_s, raw_s = [], []
        for attempt in range(args.repeat):
            with fresh(f"bulk{attempt}.sqlite3") as db:
                bulk_s.append(timed(lambda: bulk.add_gatherings(db, items, today=today))[0])
            with fresh(f"raw{attempt}.sqlite3") as db:
                rows = raw_rows(db, items)
                raw_s.append(timed(lambda: raw_insert(db, rows))[0])
                del rows
            for leftover in tmp.glob(f"*{attempt}.sqlite3*"):
                leftover.unlink()
        del items
        bulk_rate, raw_rate = chunk / statistics.median(bulk_s), chunk / statistics.median(raw_s)
        report.add(f"generate Gathering objects ({chunk:,})", f"{chunk / generate_s:,.0f} rows/s")
        report.add(f"bulk.add_gatherings ({chunk:,}, median of {args.repeat})", f"{bulk_rate:,.0f} rows/s")
        report.add(f"raw executemany ({chunk:,}, median of {args.repeat})", f"{raw_rate:,.0f} rows/s")
        ratio = bulk_rate / raw_rate
        report.add("ratio bulk/raw", f"{ratio:.2f}×", f"≥ {TARGET_RATIO}×", ratio >= TARGET_RATIO)

        # The full database, once: the generator is consumed lazily by the bulk path.
        big_path = tmp / "big.sqlite3"
        shutil.copyfile(template, big_path)
        with Database.open(big_path, user="bench") as db:
            seconds, written = timed(lambda: bulk.add_gatherings(
                db, gatherings(place_ids, args.gatherings, first_day, days), today=today))
            report.add(f"full build {written:,} gatherings (incl. generation)",
                       f"{written / seconds:,.0f} rows/s ({seconds:.1f} s)")

            # (b) the 年度 aggregation.
            code = MUNICIPALITIES[0]
            fiscal_year_stats(db, fy)  # warm the page cache as an open app would be
            all_s = median_time(lambda: fiscal_year_stats(db, fy), 5)
            one_s = median_time(lambda: fiscal_year_stats(db, fy, code), 5)
            report.add(f"fiscal_year_stats({fy}) all, median of 5", f"{all_s:.3f} s", f"≤ {TARGET_STATS_S} s",
                       all_s <= TARGET_STATS_S)
            report.add(f"fiscal_year_stats({fy}, {code}), median of 5", f"{one_s:.3f} s", f"≤ {TARGET_STATS_S} s",
                       one_s <= TARGET_STATS_S)

            # (c) the 開催記録 list at full size: its first page (what shows at once), then the rows of the last
            # page found through the whole key list (what a jump to the end reads).
            total = db.scalar("SELECT COUNT(*) FROM gatherings WHERE deleted_at IS NULL")
            query = gv.ListQuery(sort_key="held_on")
            first_ms = 1000 * median_time(lambda: gv.list_start(db, query, 100), 20)
            report.add("the list's first page (100 rows, by 開催日), median of 20", f"{first_ms:.2f} ms",
                       f"≤ {TARGET_FIRST_PAGE_MS:g} ms", first_ms <= TARGET_FIRST_PAGE_MS)
            keys_s, keys = timed(lambda: gv.list_keys(db, query))
            assert len(keys) == total, (len(keys), total)
            report.add(f"the list's whole key list ({total:,} keys)", f"{keys_s:.2f} s")
            last_ms = 1000 * median_time(lambda: gv.list_rows(db, keys[-100:]), 20)
            report.add("the rows of the last page by key (100 rows), median of 20", f"{last_ms:.2f} ms",
                       f"≤ {TARGET_PAGE_MS:g} ms", last_ms <= TARGET_PAGE_MS)

            if args.explain:
                scope = {"fy_start": fiscal_year_range(fy)[0].isoformat(),
                         "fy_end": fiscal_year_range(fy)[1].isoformat(), "muni": None}
                explain(db, "stats: gathering figures by place",
                        "SELECT place_id, COUNT(*), SUM(attendance_total) FROM gatherings INDEXED BY gatherings_stats"
                        " WHERE deleted_at IS NULL AND held_on BETWEEN :fy_start AND :fy_end GROUP BY place_id",
                        scope)
                explain(db, "stats: attendance by month",
                        "SELECT substr(g.held_on, 1, 7) AS month, SUM(g.attendance_total) FROM gatherings g"
                        " JOIN places p ON p.id = g.place_id AND p.deleted_at IS NULL"
                        " WHERE g.deleted_at IS NULL AND g.held_on BETWEEN :fy_start AND :fy_end"
                        " AND (:muni IS NULL OR p.municipality_code = :muni) GROUP BY month", scope)
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if args.keep:
            shutil.copyfile(big_path, args.keep)
    report.print()
    return 0 if all(line[3] != "FAIL" for line in report.lines) else 1


if __name__ == "__main__":
    sys.exit(main())
