"""Crash-proof writes: a child process is killed with SIGKILL at a random moment while it imports, enters
gatherings in bulk, makes backups or restores one, or imports signed exchange bundles from another PC. Afterwards the database must open, pass `check`, hold
every record the child reported committed (it reports through a file, fsynced, after each commit), and
hold each import whole or not at all.

A control run does the same with an "import" split into many small transactions: the checker must catch
the halves it leaves, or these trials would prove nothing."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.services import records
from kaigo_desktop.services.backups import list_backups, make_backup
from kaigo_desktop.services.bulk import add_gatherings
from kaigo_desktop.services.checking import check_database
from kaigo_desktop.storage.backup import file_problems
from kaigo_desktop.storage.database import Database

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")

TODAY = date(2025, 6, 30)
FIRST_DAY = date(2016, 1, 1)
IMPORT_ROWS = 3000  # rows per CSV file: one import, one transaction
IMPORT_FILES = 8
BULK_BATCH = 1000  # gatherings per add_gatherings call
BULK_BATCHES = 16
BACKUP_EXTRA = 50  # gatherings added between two backups
BACKUP_BASE = 20_000  # gatherings in the database being backed up (a few MB)
BUNDLE_FILES = 6  # signed bundles, one place's gatherings each (every other one also encrypted)
BUNDLE_PASSPHRASE = "合言葉"
TRIALS = {"import": 18, "bulk": 18, "backup": 10, "restore": 8, "bundle": 12}  # 66 in all
CONTROL_TRIALS = 4
MAX_DELAY_S = {"import": 0.7, "bulk": 0.5, "backup": 0.6, "restore": 0.5, "pieces": 0.7, "bundle": 2.0}
SEED = int(os.environ.get("KILL_TRIALS_SEED", "20240401"))

CHILD = r'''
import json, os, sys, time
from datetime import date, timedelta
from pathlib import Path

from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.services.backups import make_backup, restore_backup, thin_backups
from kaigo_desktop.services.bulk import add_gatherings
from kaigo_desktop.services.importing import import_file
from kaigo_desktop.storage.database import Database

kind, db_path, params = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[4])
report = open(sys.argv[3], "a", encoding="utf-8")
TODAY, FIRST = date(2025, 6, 30), date(2016, 1, 1)


def tell(line):
    report.write(line + "\n")
    report.flush()
    os.fsync(report.fileno())


def gatherings(place_id, count, offset=0):
    return [Gathering(place_id=place_id, held_on=FIRST + timedelta(days=offset + i), attendance_total=10 + i % 7)
            for i in range(count)]


tell("ready")
if kind == "restore":
    backups = params["backups"]
    for n in range(1000):
        restore_backup(db_path, Path(backups[n % len(backups)]))
        tell(f"restored {n % len(backups)}")
else:
    db = Database.open(db_path, user="kill")
    tell("opened")
    if kind == "import":
        for n, csv in enumerate(params["files"]):
            result = import_file(db, "gatherings", Path(csv), today=TODAY)
            if not result.ok:
                tell("failed " + str(result.errors[:1]))
                sys.exit(3)
            tell(f"committed {n}")
    elif kind == "pieces":  # the control: one file's rows in many transactions
        for n, place_id in enumerate(params["place_ids"]):
            rows = gatherings(place_id, params["rows"])
            for start in range(0, len(rows), 100):
                add_gatherings(db, rows[start:start + 100], today=TODAY)
            tell(f"committed {n}")
    elif kind == "bundle":
        from kaigo_desktop.services.exchange import import_bundle
        for n, (bundle, passphrase) in enumerate(params["bundles"]):
            import_bundle(db, Path(bundle), passphrase=passphrase)
            tell(f"committed {n}")
    elif kind == "bulk":
        for n, place_id in enumerate(params["place_ids"]):
            add_gatherings(db, gatherings(place_id, params["rows"]), today=TODAY)
            tell(f"committed {n}")
    elif kind == "backup":
        folder = Path(params["folder"])
        for n in range(1000):
            add_gatherings(db, gatherings(params["place_id"], params["rows"], offset=n * params["rows"]), today=TODAY)
            tell(f"committed {n}")
            info = make_backup(db, folder, "timed")
            tell(f"backup {info.counts['gatherings']}")
            thin_backups(folder, keep_recent=3, daily=0, weekly=0, monthly=0)
tell("finished")
time.sleep(60)
'''


@dataclass
class Tally:
    trials: int = 0
    records_lost: int = 0
    half_imports: int = 0
    killed_mid_work: int = 0
    reported_commits: int = 0
    failures: list[str] = field(default_factory=list)


def run_child(kind: str, db_path: Path, params: dict, delay: float, workdir: Path) -> list[str]:
    """Start the child, let it work `delay` seconds after it is ready, kill it, return what it reported."""
    report = workdir / "report.txt"
    report.unlink(missing_ok=True)
    child = subprocess.Popen([sys.executable, "-c", CHILD, kind, str(db_path), str(report), json.dumps(params)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not (report.exists() and report.read_text(encoding="utf-8").startswith("ready")):
        if child.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"child did not start: {child.stderr.read().decode(errors='replace')}")
        time.sleep(0.002)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stderr.close()
    lines = report.read_text(encoding="utf-8").splitlines()
    if any(line.startswith("failed") for line in lines):
        raise AssertionError(f"the child's own work failed: {lines}")
    return lines


def live_counts_by_place(db: Database) -> dict[str, int]:
    return {row[0]: row[1] for row in db.query(
        "SELECT place_id, COUNT(*) FROM gatherings WHERE deleted_at IS NULL GROUP BY place_id")}


def open_and_check(path: Path, tally: Tally, label: str) -> Database | None:
    try:
        db = Database.open(path, user="検査")
    except Exception as error:  # noqa: BLE001 - any failure to open is what this test is about
        tally.failures.append(f"{label}: does not open: {error!r}")
        return None
    report = check_database(db, today_fiscal_year=2024)
    if not report.ok:
        tally.failures.append(f"{label}: check failed: {report.integrity} {report.findings}")
    return db


def verify_batches(path: Path, lines: list[str], place_ids: list[str], rows: int, tally: Tally, label: str) -> None:
    """Batch n went to place_ids[n]: every reported batch complete, at most the next one too, none half."""
    committed = sum(line.startswith("committed") for line in lines)
    tally.reported_commits += committed
    if "opened" in lines and "finished" not in lines:
        tally.killed_mid_work += 1
    db = open_and_check(path, tally, label)
    if db is None:
        return
    with db:
        counts = live_counts_by_place(db)
    for n, place_id in enumerate(place_ids):
        have = counts.get(place_id, 0)
        if have not in (0, rows):
            tally.half_imports += 1
            tally.failures.append(f"{label}: batch {n} is partly there ({have} of {rows})")
        if n < committed and have < rows:
            tally.records_lost += rows - have
            tally.failures.append(f"{label}: batch {n} was reported committed but has {have} of {rows}")
        if n > committed and have:
            tally.failures.append(f"{label}: batch {n} is there although batch {n - 1} was never finished")


# ---- templates ------------------------------------------------------------------------------------

def build_template(path: Path, places: int, gatherings: int = 0) -> list[str]:
    with Database.open(path, create=True, user="準備") as db:
        ids = [records.add(db, r.Place("131016", f"会場{n:02d}", start_date=date(2015, 4, 1)), today=TODAY).id
               for n in range(places)]
        if gatherings:
            add_gatherings(db, (Gathering(place_id=ids[-1], held_on=FIRST_DAY + timedelta(days=i % 3000),
                                          attendance_total=5) for i in range(gatherings)), today=TODAY)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return ids


def gatherings_csv(path: Path, place_name: str, rows: int) -> Path:
    lines = ["区市町村コード,通いの場名称,開催日,開始時刻,参加者数,男性,女性,実施プログラム,備考"]
    for i in range(rows):
        day = FIRST_DAY + timedelta(days=i)
        lines.append(f"131016,{place_name},{day:%Y/%m/%d},10:00,{12 + i % 9},{4 + i % 3},{8 + i % 9 - i % 3},"
                     f"運動機能向上,第{i + 1}回")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kill")


def fresh_copy(template: Path, workdir: Path, name: str) -> Path:
    folder = workdir / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    target = folder / "kaigo.sqlite3"
    shutil.copyfile(template, target)
    return target


# ---- the trials -----------------------------------------------------------------------------------

def trial_import(workdir: Path, rng: random.Random, tally: Tally, count: int, kind: str = "import") -> None:
    template = workdir / "import-template.sqlite3"
    if not template.exists():
        build_template(template, IMPORT_FILES)
    with Database.open(template, readonly=True) as db:
        ids = [row[0] for row in db.query("SELECT id FROM places ORDER BY name")]
    files = [str(gatherings_csv(workdir / f"g{n}.csv", f"会場{n:02d}", IMPORT_ROWS)) for n in range(IMPORT_FILES)]
    for trial in range(count):
        path = fresh_copy(template, workdir, f"{kind}{trial}")
        params = {"files": files} if kind == "import" else {"place_ids": ids, "rows": IMPORT_ROWS}
        lines = run_child(kind, path, params, rng.uniform(0, MAX_DELAY_S[kind]), workdir)
        tally.trials += 1
        verify_batches(path, lines, ids, IMPORT_ROWS, tally, f"{kind} trial {trial}")


def trial_bundle(workdir: Path, rng: random.Random, tally: Tally, count: int) -> None:
    """Bundle n, signed by another PC this one trusts, brings IMPORT_ROWS gatherings of place n."""
    from kaigo_desktop.services import bundle_signing
    from kaigo_desktop.services.exchange import export_bundle, give_new_database_id

    template = workdir / "bundle-template.sqlite3"
    ids = build_template(template, BUNDLE_FILES)
    source_path = fresh_copy(template, workdir, "bundle-source")
    bundles = []
    with Database.open(source_path, user="送り主") as source:
        give_new_database_id(source)  # another PC, with its own key
        for n, place_id in enumerate(ids):
            add_gatherings(source, [Gathering(place_id=place_id, held_on=FIRST_DAY + timedelta(days=i),
                                              attendance_total=7) for i in range(IMPORT_ROWS)], today=TODAY)
            passphrase = BUNDLE_PASSPHRASE if n % 2 else None
            path = workdir / f"bundle{n}.kaigo"
            export_bundle(source, path, destination="kill", passphrase=passphrase)
            bundles.append((str(path), passphrase))
        signer = bundle_signing.own_signer(source)
    with Database.open(template, user="準備") as db:
        bundle_signing.trust(db, signer, signer.fingerprint)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for trial in range(count):
        path = fresh_copy(template, workdir, f"bundle{trial}")
        lines = run_child("bundle", path, {"bundles": bundles}, rng.uniform(0, MAX_DELAY_S["bundle"]), workdir)
        tally.trials += 1
        verify_batches(path, lines, ids, IMPORT_ROWS, tally, f"bundle trial {trial}")


def trial_bulk(workdir: Path, rng: random.Random, tally: Tally, count: int) -> None:
    template = workdir / "bulk-template.sqlite3"
    ids = build_template(template, BULK_BATCHES)
    for trial in range(count):
        path = fresh_copy(template, workdir, f"bulk{trial}")
        lines = run_child("bulk", path, {"place_ids": ids, "rows": BULK_BATCH},
                          rng.uniform(0, MAX_DELAY_S["bulk"]), workdir)
        tally.trials += 1
        verify_batches(path, lines, ids, BULK_BATCH, tally, f"bulk trial {trial}")


def trial_backup(workdir: Path, rng: random.Random, tally: Tally, count: int) -> None:
    template = workdir / "backup-template.sqlite3"
    ids = build_template(template, 2, BACKUP_BASE)
    for trial in range(count):
        path = fresh_copy(template, workdir, f"backup{trial}")
        folder = path.parent / "backups"
        lines = run_child("backup", path, {"folder": str(folder), "place_id": ids[0], "rows": BACKUP_EXTRA},
                          rng.uniform(0, MAX_DELAY_S["backup"]), workdir)
        tally.trials += 1
        label = f"backup trial {trial}"
        committed = sum(line.startswith("committed") for line in lines)
        tally.reported_commits += committed
        backed_up = [int(line.split()[1]) for line in lines if line.startswith("backup ")]
        if "opened" in lines:
            tally.killed_mid_work += 1
        db = open_and_check(path, tally, label)
        if db is None:
            continue
        with db:
            have = live_counts_by_place(db).get(ids[0], 0)
            if have not in (committed * BACKUP_EXTRA, (committed + 1) * BACKUP_EXTRA):
                lost = max(0, committed * BACKUP_EXTRA - have)
                tally.records_lost += lost
                tally.failures.append(f"{label}: {have} gatherings after {committed} reported batches")
            listed = list_backups(folder)
            for info in listed:  # every finished copy is whole and verified
                if not info.readable or file_problems(info.path, quick=False):
                    tally.failures.append(f"{label}: a listed backup is damaged: {info.path.name}")
            if backed_up and (not listed or listed[0].counts.get("gatherings", 0) < backed_up[-1]):
                tally.failures.append(f"{label}: the newest backup lacks what was reported backed up")
            make_backup(db, folder, "manual")  # and backing up goes on working after the crash


def trial_restore(workdir: Path, rng: random.Random, tally: Tally, count: int) -> None:
    template = workdir / "restore-template.sqlite3"
    ids = build_template(template, 1)
    sources, sizes = [], []
    for n, extra in enumerate((100, 200)):
        path = fresh_copy(template, workdir, f"restore-source{n}")
        with Database.open(path) as db:
            add_gatherings(db, [Gathering(place_id=ids[0], held_on=FIRST_DAY + timedelta(days=i), attendance_total=3)
                                for i in range(extra)], today=TODAY)
            sources.append(str(make_backup(db, workdir / "restore-sources", "manual").path))
        sizes.append(extra)
    for trial in range(count):
        path = fresh_copy(template, workdir, f"restore{trial}")
        lines = run_child("restore", path, {"backups": sources}, rng.uniform(0, MAX_DELAY_S["restore"]), workdir)
        tally.trials += 1
        label = f"restore trial {trial}"
        done = [int(line.split()[1]) for line in lines if line.startswith("restored")]
        tally.reported_commits += len(done)
        if "ready" in lines and "finished" not in lines:
            tally.killed_mid_work += 1
        before = sizes[done[-1]] if done else 0
        following = sizes[len(done) % len(sizes)]
        db = open_and_check(path, tally, label)
        if db is None:
            continue
        with db:
            have = live_counts_by_place(db).get(ids[0], 0)
        if have not in (before, following):
            tally.failures.append(f"{label}: {have} gatherings, expected {before} or {following}")


def test_sigkill_at_random_moments_loses_nothing_and_leaves_no_half_import(workdir: Path) -> None:
    rng = random.Random(SEED)
    tally = Tally()
    started = time.monotonic()
    trial_import(workdir, rng, tally, TRIALS["import"])
    trial_bulk(workdir, rng, tally, TRIALS["bulk"])
    trial_backup(workdir, rng, tally, TRIALS["backup"])
    trial_restore(workdir, rng, tally, TRIALS["restore"])
    trial_bundle(workdir, rng, tally, TRIALS["bundle"])
    elapsed = time.monotonic() - started
    print(f"\nkill trials: {tally.trials} run, {tally.killed_mid_work} killed mid-work, "
          f"{tally.reported_commits} commits reported before the kills, "
          f"records lost {tally.records_lost}, half imports {tally.half_imports}, {elapsed:.1f} s (seed {SEED})")
    assert tally.trials >= 50
    assert tally.failures == []
    assert tally.records_lost == 0 and tally.half_imports == 0
    assert tally.killed_mid_work >= tally.trials // 2  # the kills landed while work was going on


def test_the_checker_catches_an_import_that_is_not_one_transaction(workdir: Path) -> None:
    rng = random.Random(SEED + 1)
    tally = Tally()
    trial_import(workdir, rng, tally, CONTROL_TRIALS, kind="pieces")
    print(f"\ncontrol: {tally.trials} trials, {tally.half_imports} half imports caught")
    assert tally.half_imports >= 1, "the kill trials could not tell a split import from a whole one"
