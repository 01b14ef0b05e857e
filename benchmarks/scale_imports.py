"""bench_scale.py's CSV import row: the whole `kaigo-desktop import gatherings FILE` process on a 1,000,000-row CSV
(target ≤ 15 s, ≥ 0.5× raw executemany of the same rows in the same run, peak ≤ 300 MB) into a scratch copy of
the benchmark database. The Excel row (100,000 rows, ≤ 10 s, ≤ 300 MB) is scale_xlsx.py's, on the helpers here.

The files are made once from the database's places (cached under /tmp/kaigo-scale-imports, keyed by the
database's size and places) and hold valid rows only: half name their place by 通いの場ID, half by
区市町村コード + 通いの場名称; dates fall inside each place's period, before today. The baseline inserts the same
rows, already converted to table rows in memory, with one executemany into another copy, with the same page cache
as the import's transaction (the row trigger of the audit trail fires there as it would for any plain insert).

    python benchmarks/bench_scale.py --only imports [--repeat 3]      # the CSV row
    python benchmarks/bench_scale.py --only xlsx [--repeat 3]         # the Excel row alone
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from scale_rows import (ROOT, ProcessRun, ProcessRuns, ScaleRow, cpu_bound, run_process_printed,
                        runs_summary)

sys.path.insert(0, str(ROOT))

ORDER = 10
CSV_ROWS = 1_000_000
XLSX_ROWS = 100_000
TARGET_CSV_S, TARGET_RATIO, TARGET_CSV_MB = 15.0, 0.5, 300
CACHE = Path("/tmp/kaigo-scale-imports")
HEADER = ("通いの場ID", "区市町村コード", "通いの場名称", "開催日", "開始時刻", "終了時刻", "参加者数", "男性", "女性",
          "65歳未満", "65～74歳", "75歳以上", "新規参加者数", "実施プログラム", "専門職の関与", "備考")
PROGRAMS = ("運動機能向上", "運動機能向上、口腔機能向上", "運動機能向上、社会参加促進", "社会参加促進",
            "認知機能低下予防、社会参加促進", "運動機能向上、低栄養予防、口腔機能向上")
PROFESSIONALS = ("保健師", "リハビリテーション専門職", "歯科衛生士", "管理栄養士・栄養士")
FIRST_DAY = date(2023, 4, 1)


def _places(db: Path) -> list[tuple[str, str, str, date, date]]:
    """(id, municipality, name, first day, last day) of every live place that can hold a gathering."""
    yesterday = date.today() - timedelta(days=1)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT id, municipality_code, name, start_date, end_date FROM places"
                            " WHERE deleted_at IS NULL ORDER BY id").fetchall()
    finally:
        conn.close()
    places = []
    for place_id, code, name, start, end in rows:
        first = max(FIRST_DAY, date.fromisoformat(start) if start else FIRST_DAY)
        last = min(yesterday, date.fromisoformat(end) if end else yesterday)
        if first <= last:
            places.append((place_id, code, name, first, last))
    return places


def data_rows(db: Path, count: int, seed: int = 17):
    """`count` valid rows of a gatherings file (cells as text) for the places of `db`."""
    places = _places(db)
    rng = random.Random(seed)
    for i in range(count):
        place_id, code, name, first, last = places[i % len(places)]
        held_on = first + timedelta(days=rng.randrange((last - first).days + 1))
        total = rng.randint(5, 40)
        female = min(total, int(total * 0.8 + rng.random()))
        old = min(total, int(total * 0.72 + rng.random()))
        under = min(total - old, rng.randint(0, 1))
        by_id = i % 2 == 0
        yield (place_id if by_id else "", "" if by_id else code, "" if by_id else name, held_on.isoformat(),
               "10:00", "11:30", str(total), str(total - female), str(female), str(under),
               str(total - old - under), str(old), "1" if rng.random() < 0.05 else "0", PROGRAMS[i % len(PROGRAMS)],
               rng.choice(PROFESSIONALS) if rng.random() < 0.1 else "", "ベンチ" if i % 10 == 0 else "")


def _key(db: Path, count: int) -> str:
    places = _places(db)
    digest = hashlib.sha1(repr((db.stat().st_size, count, places[:50], len(places))).encode()).hexdigest()[:10]
    return f"{count}-{digest}"


def gatherings_csv(db: Path, count: int = CSV_ROWS) -> Path:
    path = CACHE / f"gatherings-{_key(db, count)}.csv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with partial.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            writer.writerows(data_rows(db, count))
        partial.rename(path)
    return path


def gatherings_xlsx(db: Path, count: int = XLSX_ROWS) -> Path:
    path = CACHE / f"gatherings-{_key(db, count)}.xlsx"
    if not path.exists():
        import openpyxl

        CACHE.mkdir(parents=True, exist_ok=True)
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("開催記録")
        sheet.append(HEADER)
        for row in data_rows(db, count, seed=29):
            cells = list(row)
            cells[3] = date.fromisoformat(cells[3])  # a date cell, as Excel stores a typed date
            for index in range(6, 13):
                cells[index] = int(cells[index])
            sheet.append(cells)
        partial = path.with_suffix(".part")
        workbook.save(partial)
        partial.rename(path)
    return path


# ---------------------------------------------------------------- the baseline: raw executemany

def _raw_child(db: Path, count: int) -> None:
    """In a child process: the same rows as gatherings_csv(count), made into table rows beforehand (not timed),
    then one BEGIN … executemany … COMMIT on `db`; prints the seconds of that alone."""
    from kaigo_desktop.domain.records import Gathering
    from kaigo_desktop.domain.vocab import PROGRAM_LABELS
    from kaigo_desktop.services.importing import WRITE_CACHE_MIB
    from kaigo_desktop.storage.database import Database
    from kaigo_desktop.storage.ids import new_id
    from kaigo_desktop.storage.repository import _stamped
    from kaigo_desktop.storage.rows import to_row

    codes = {label: code for code, label in PROGRAM_LABELS.items()}
    by_name = {(code, name): place_id for place_id, code, name, _first, _last in _places(db)}
    with Database.open(db, user="bench") as database:
        with database.write() as stamp:  # only to get a real stamp (change_seq) from this database
            pass
        columns: list[str] = []
        rows = []
        for cells in data_rows(db, count):
            total = int(cells[6])
            gathering = Gathering(
                cells[0] or by_name[(cells[1], cells[2])], date.fromisoformat(cells[3]), total,
                start_time=cells[4], end_time=cells[5], male=int(cells[7]), female=int(cells[8]),
                age_under_65=int(cells[9]), age_65_74=int(cells[10]), age_75_plus=int(cells[11]),
                new_participants=int(cells[12]), programs=tuple(codes[label] for label in cells[13].split("、")),
                professionals=(cells[14],) if cells[14] else (), notes=cells[15])
            row = _stamped(to_row(gathering), stamp, created=True)
            row["id"] = new_id()
            columns = columns or list(row)
            rows.append(tuple(row[column] for column in columns))
        sql = f"INSERT INTO gatherings ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        with database.page_cache(WRITE_CACHE_MIB):  # the cache the import writes with, so only our work differs
            started = time.perf_counter()
            database.conn.execute("BEGIN IMMEDIATE")
            database.conn.executemany(sql, rows)
            database.conn.execute("COMMIT")
            print(f"{time.perf_counter() - started:.3f}")


def _raw_seconds(db: Path, scratch: Path, count: int) -> float:
    import subprocess

    shutil.copyfile(db, scratch)
    out = subprocess.run([sys.executable, __file__, "--raw", str(scratch), str(count)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


# ---------------------------------------------------------------- the rows of the table

def _import_run(label: str, db: Path, scratch: Path, file: Path) -> ProcessRun:
    """One whole import process into a fresh copy of `db` (the copy is not timed)."""
    shutil.copyfile(db, scratch)
    for stale in (scratch.with_name(scratch.name + "-wal"), scratch.with_name(scratch.name + "-shm")):
        stale.unlink(missing_ok=True)
    return run_process_printed(label, [sys.executable, "-m", "kaigo_desktop", "--db", str(scratch),
                                       "import", "gatherings", str(file)])


def _paired_runs(label: str, db: Path, scratch_dir: Path, file: Path, rows: int,
                 repeat: int) -> tuple[ProcessRuns, float, float]:
    """The imports (median seconds, largest peak RSS, exit codes, median CPU), the median raw executemany
    seconds and the median of each pair's raw/import ratio: the import and the baseline taken in turn so both
    meet the same load of a shared machine (the ratio of each pair is steadier than the ratio of the medians)."""
    imports, raws = [], []
    for _ in range(repeat):
        imports.append(_import_run(label, db, scratch_dir / "import.sqlite3", file))
        raws.append(_raw_seconds(db, scratch_dir / "raw.sqlite3", rows))
        print(f"  raw executemany of the same {rows:,} rows (baseline): {raws[-1]:.2f} s", flush=True)
        for leftover in scratch_dir.glob("*.sqlite3*"):
            leftover.unlink()
    return (runs_summary(imports), statistics.median(raws),
            statistics.median(raw / run.seconds for raw, run in zip(raws, imports)))


def measure(db: Path, repeat: int, csv_rows: int = CSV_ROWS) -> list[ScaleRow]:
    scratch_dir = CACHE / f"scratch-csv-{os.getpid()}"  # two benchmarks at once do not share their copies
    scratch_dir.mkdir(parents=True, exist_ok=True)
    try:
        csv_file = gatherings_csv(db, csv_rows)
        imports, raw, ratio = _paired_runs(f"import gatherings CSV ({csv_rows:,} rows)", db,
                                           scratch_dir, csv_file, csv_rows, repeat)
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)
    seconds, peak = imports.seconds, imports.peak_mib
    ok = seconds <= TARGET_CSV_S and ratio >= TARGET_RATIO and peak <= TARGET_CSV_MB and set(imports.codes) == {0}
    return [ScaleRow(f"CSV import of gatherings ({csv_rows:,} rows)",
                     f"{seconds:.2f} s, peak {peak:.0f} MiB ({cpu_bound(imports.cpu_seconds)})",
                     f"≤ {TARGET_CSV_S:.0f} s, ≥ {TARGET_RATIO}× raw, ≤ {TARGET_CSV_MB} MB",
                     f"raw executemany {raw:.2f} s (pairs' median {ratio:.2f}×)", ok)]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--raw"]:
        _raw_child(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        print(__doc__)
