"""One writer per database file: a second program is refused and told who has the file, a lock left by a
dead process is replaced, another PC's lock is trusted until broken on purpose."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kaigo_desktop.storage import lock
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import DatabaseInUseError, FolderNotWritableError
from tests.mishaps import kill_once_ready

HOLDER = """
import sys, time
from kaigo_desktop.storage.database import Database
db = Database.open(sys.argv[1], user=sys.argv[2])
print("open", flush=True)
sys.stdin.readline()
db.close()
print("closed", flush=True)
"""


@contextlib.contextmanager
def held_by_other_process(path: Path, user: str = "佐藤") -> Iterator[subprocess.Popen]:
    """Another program with `path` open for writing until the block ends."""
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), user], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        assert child.stdout.readline().strip() == "open"
        yield child
    finally:
        if child.poll() is None:
            child.stdin.write("\n")
            child.stdin.flush()
            child.wait(10)


def write_lock(db_path: Path, **fields) -> None:
    holder = {"user": "", "login": "someone", "host": socket.gethostname(), "pid": 0,
              "since": "2024-05-01T09:00:00+09:00", "started": None} | fields
    lock.lock_path(db_path).write_text(json.dumps(holder), encoding="utf-8")


def finished_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_second_program_is_refused_and_told_who_has_the_file(db_path: Path) -> None:
    with held_by_other_process(db_path, "佐藤"):
        with pytest.raises(DatabaseInUseError) as caught:
            Database.open(db_path, user="鈴木")
        message = str(caught.value)
        assert "佐藤さん" in message and "読み取り専用" in message and socket.gethostname() in message
        assert caught.value.holder.user == "佐藤"
        # … and may read it meanwhile
        with Database.open(db_path, readonly=True) as reader:
            assert reader.scalar("SELECT COUNT(*) FROM municipalities") == 62
    assert not lock.lock_path(db_path).exists()
    Database.open(db_path).close()


def test_the_lock_file_names_user_host_process_and_time(db_path: Path) -> None:
    with Database.open(db_path, user="田中"):
        holder = json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))
        assert holder["user"] == "田中"
        assert holder["host"] == socket.gethostname()
        assert holder["pid"] == os.getpid()
        assert holder["since"][:4].isdigit()
    assert not lock.lock_path(db_path).exists()


def test_a_lock_left_by_a_killed_program_is_replaced(db_path: Path) -> None:
    kill_once_ready(HOLDER, str(db_path), "佐藤", ready="open")
    assert lock.lock_path(db_path).exists()  # left behind …
    with Database.open(db_path, user="鈴木"):  # … and taken over, since that process is gone
        assert json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))["user"] == "鈴木"


def test_a_lock_of_a_dead_process_on_this_pc_is_stale(db_path: Path) -> None:
    write_lock(db_path, pid=finished_pid())
    Database.open(db_path).close()
    assert not lock.lock_path(db_path).exists()


def test_a_recycled_pid_does_not_keep_a_dead_lock_alive(db_path: Path) -> None:
    # Our parent runs, but it started long after this lock was written: the pid was reused.
    alive, started = lock.process_state(os.getppid())
    assert alive
    if started is None:
        pytest.skip("process start times are not known on this system")
    write_lock(db_path, pid=os.getppid(), started=started - 3600)
    Database.open(db_path).close()
    write_lock(db_path, pid=os.getppid(), started=started)  # the same process: still held
    with pytest.raises(DatabaseInUseError):
        Database.open(db_path)


def test_another_pcs_lock_holds_until_broken_on_purpose(db_path: Path) -> None:
    write_lock(db_path, user="高橋", host="JIMUSHO-PC2", pid=finished_pid())
    with pytest.raises(DatabaseInUseError, match="高橋さんがPC「JIMUSHO-PC2」"):
        Database.open(db_path)
    assert lock.writer_active(db_path)
    holder = lock.break_lock(db_path)
    assert holder is not None and holder.host == "JIMUSHO-PC2"
    Database.open(db_path).close()


def test_an_unreadable_lock_is_trusted_only_while_fresh(db_path: Path) -> None:
    lock.lock_path(db_path).write_bytes(b"\x00garbage")
    with pytest.raises(DatabaseInUseError, match="開いているところ"):
        Database.open(db_path)
    old = time.time() - lock.UNREADABLE_LOCK_GRACE_S - 5
    os.utime(lock.lock_path(db_path), (old, old))
    Database.open(db_path).close()


def test_opening_again_in_the_same_program_shares_the_lock(db_path: Path) -> None:
    first = Database.open(db_path)
    second = Database.open(db_path)
    assert lock.held_here(db_path)
    first.close()
    assert lock.lock_path(db_path).exists() and lock.held_here(db_path)
    second.close()
    assert not lock.lock_path(db_path).exists() and not lock.held_here(db_path)


def test_read_only_opens_take_no_lock(db_path: Path) -> None:
    with Database.open(db_path, readonly=True):
        assert not lock.lock_path(db_path).exists()
        with Database.open(db_path):  # a writer may still come
            pass


def test_a_lock_someone_else_took_over_is_not_removed_on_close(db_path: Path) -> None:
    db = Database.open(db_path)
    lock.break_lock(db_path)
    write_lock(db_path, user="高橋", host="JIMUSHO-PC2", pid=1)
    db.close()
    assert json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))["user"] == "高橋"


def _race(db_path: str, barrier, results) -> None:
    barrier.wait()
    try:
        held = lock.acquire(Path(db_path))
    except DatabaseInUseError:
        results.put("refused")
        return
    results.put("won")
    time.sleep(0.5)  # hold it while the others try
    held.release()


def test_of_many_programs_starting_at_once_exactly_one_gets_the_lock(tmp_path: Path) -> None:
    db_path = tmp_path / "race.sqlite3"
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(6), context.Queue()
    racers = [context.Process(target=_race, args=(str(db_path), barrier, results)) for _ in range(6)]
    for racer in racers:
        racer.start()
    outcomes = sorted(results.get(timeout=30) for _ in racers)
    for racer in racers:
        racer.join(30)
    assert outcomes == ["refused"] * 5 + ["won"]
    assert not lock.lock_path(db_path).exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no private temporary files left


def test_a_folder_where_nothing_can_be_created_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db_path = folder / "x.sqlite3"
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere; tests/storage/test_open_safety.py uses a read-only mount")
    folder.chmod(0o555)
    try:
        with pytest.raises(FolderNotWritableError, match="読み取り専用"):
            lock.acquire(db_path)
    finally:
        folder.chmod(0o755)


def test_breaking_leaves_a_lock_that_changed_since_it_was_shown(db_path: Path) -> None:
    write_lock(db_path, user="高橋", host="JIMUSHO-PC2", pid=1)
    shown = lock.read_holder(db_path)
    write_lock(db_path, user="佐藤", host="JIMUSHO-PC3", pid=2)  # someone else opened it meanwhile
    with pytest.raises(lock.LockChangedError):
        lock.break_lock(db_path, expected=shown)
    assert json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))["user"] == "佐藤"
    assert lock.break_lock(db_path, expected=lock.read_holder(db_path)).user == "佐藤"
    assert not lock.lock_path(db_path).exists()
