"""Opening problems at start-up and when switching files: a damaged file is restored from the newest backup
(the damaged one kept aside), a file another PC has open is offered read-only, a too-new one only explained."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui import open_problems
from kaigo_desktop.gui.app import Session
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.services import records
from kaigo_desktop.services.backups import make_backup
from kaigo_desktop.services.overview import record_counts
from kaigo_desktop.storage import lock
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import ReadOnlyDatabaseError
from tests.gui.conftest import run_and_wait


@pytest.fixture(autouse=True)
def exception_hook(bug_dialog_fails_test):
    """As in the app: the screens' jobs queued before the open failed are not reported again; any other
    error would open the bug dialog, which fails the test."""


@pytest.fixture
def answers(monkeypatch):
    """The offers made (text, buttons); each answered with the first button queued in `answers.reply`."""
    class Answers(list):
        reply: list[str] = []
    asked = Answers()

    def choose(_parent, _icon, text, options):
        asked.append((text, options))
        return asked.reply.pop(0) if asked.reply else None
    monkeypatch.setattr(open_problems, "choose", choose)
    return asked


def place_in(db_path: Path, name: str) -> None:
    with Database.open(db_path) as db:
        records.add(db, Place("131016", name, programs=("motor",), start_date=date(2020, 4, 1)))


def close_all(session: Session, qtbot) -> None:
    if session.window is not None:
        qtbot.addWidget(session.window)
        session.window.close()


def test_a_damaged_file_at_start_is_restored_from_the_newest_backup(qtbot, qapp, db_path: Path,
                                                                   settings: UserSettings, answers) -> None:
    place_in(db_path, "さくら体操の会")
    with Database.open(db_path) as db:
        make_backup(db)
    original_size = db_path.stat().st_size
    damaged = b"SQLite format 3\x00" + b"\x00" * 100 + b"garbage" * 500
    db_path.write_bytes(damaged)
    for sidecar in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        sidecar.unlink(missing_ok=True)
    answers.reply = [open_problems.RESTORE_NEWEST, "OK"]
    session = Session(qapp, settings, today=date(2024, 6, 1))
    first = session.open(db_path)
    qtbot.waitUntil(lambda: session.window is not first, timeout=10_000)
    text, options = answers[0]
    assert options[0] == open_problems.RESTORE_NEWEST and "壊れて" in text
    assert "復元しました" in answers[1][0]
    restored = session.window
    assert restored.isVisible() and not first.isVisible()
    assert run_and_wait(qtbot, restored.context, lambda db, _c: record_counts(db))["places"] == 1
    kept = list(db_path.parent.glob(f"{db_path.name}.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged  # the damaged file is kept, byte for byte
    assert original_size > 0
    close_all(session, qtbot)


def test_a_damaged_file_without_restore_closes_the_window(qtbot, qapp, tmp_path: Path, settings: UserSettings,
                                                          answers) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database at all" * 100)
    answers.reply = [open_problems.CANCEL]
    session = Session(qapp, settings)
    first = session.open(damaged)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: bool(answers) and not first.isVisible(), timeout=10_000)
    assert session.window is first  # nothing else opened
    assert damaged.read_bytes() == b"not a database at all" * 100


def test_a_database_open_on_another_pc_is_offered_read_only(qtbot, qapp, db_path: Path, settings: UserSettings,
                                                             answers) -> None:
    place_in(db_path, "さくら体操の会")
    holder = {"user": "高橋", "login": "takahashi", "host": "JIMUSHO-PC2", "pid": 1,
              "since": "2024-05-01T09:00:00+09:00", "started": None}
    assert holder["host"] != socket.gethostname()
    lock.lock_path(db_path).write_text(json.dumps(holder), encoding="utf-8")
    answers.reply = [open_problems.OPEN_READ_ONLY]
    session = Session(qapp, settings)
    first = session.open(db_path)
    qtbot.waitUntil(lambda: session.window is not first, timeout=10_000)
    text, options = answers[0]
    assert "高橋" in text and "JIMUSHO-PC2" in text and options == [open_problems.OPEN_READ_ONLY,
                                                                      open_problems.BREAK_LOCK,
                                                                      open_problems.CANCEL]
    window = session.window
    assert "読み取り専用" in window.windowTitle() and window.read_only_label.isVisible()
    assert run_and_wait(qtbot, window.context, lambda db, _c: record_counts(db))["places"] == 1
    assert not window.timed_backup_timer.isActive()
    with pytest.raises(ReadOnlyDatabaseError):  # SQLite refused the write: told by its code, not its words
        run_and_wait(qtbot, window.context, lambda db, _c: records.add(db, Place("131016", "ひまわりの会",
                                                                         programs=("motor",),
                                                                         start_date=date(2020, 4, 1))))
    close_all(session, qtbot)
    assert json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))["host"] == "JIMUSHO-PC2"


def test_switching_to_a_database_in_use_can_open_it_read_only(qtbot, qapp, db_path: Path, tmp_path: Path,
                                                               settings: UserSettings, answers) -> None:
    other = tmp_path / "other.sqlite3"
    other.write_bytes(db_path.read_bytes())
    # A whole lock record: one the app cannot read counts as in use for only 10 seconds (someone opening
    # the file right now), so on a busy machine the test would open it for writing after all.
    lock.lock_path(other).write_text(json.dumps({"user": "高橋", "login": "takahashi", "host": "JIMUSHO-PC2",
                                                 "pid": 1, "since": "2024-05-01T09:00:00+09:00",
                                                 "started": None}), encoding="utf-8")
    session = Session(qapp, settings)
    first = session.open(db_path)
    qtbot.addWidget(first)
    answers.reply = [open_problems.CANCEL]
    assert not session.switch_to(other) and session.window is first
    assert "高橋" in answers[0][0] and "JIMUSHO-PC2" in answers[0][0]  # who has it, not "being opened"
    answers.reply = [open_problems.OPEN_READ_ONLY]
    assert session.switch_to(other)
    assert "読み取り専用" in session.window.windowTitle()
    close_all(session, qtbot)


def test_a_network_folder_warning_suggests_the_exchange_files(qtbot, qapp, monkeypatch) -> None:
    monkeypatch.setattr(qapp, "property", lambda name: True)
    box = open_problems.warn_about_location(None, ["データベースがネットワーク上のフォルダにあります。"])
    qtbot.addWidget(box)
    assert box.isVisible() and "交換用ファイル" in box.text()


OTHER_PC = {"user": "高橋", "login": "takahashi", "host": "JIMUSHO-PC2", "pid": 1,
            "since": "2024-05-01T09:00:00+09:00", "started": None}


def test_a_lock_left_by_another_pc_is_broken_only_after_confirming_whose_it_was(
        qtbot, qapp, db_path: Path, settings: UserSettings, answers) -> None:
    place_in(db_path, "さくら体操の会")
    lock.lock_path(db_path).write_text(json.dumps(OTHER_PC), encoding="utf-8")
    answers.reply = [open_problems.BREAK_LOCK, open_problems.CONFIRM_BREAK_LOCK]
    session = Session(qapp, settings)
    first = session.open(db_path)
    qtbot.waitUntil(lambda: session.window is not first, timeout=10_000)
    offer, offered = answers[0]
    assert offered == [open_problems.OPEN_READ_ONLY, open_problems.BREAK_LOCK, open_problems.CANCEL]
    confirmation, buttons = answers[1]
    assert "高橋" in confirmation and "JIMUSHO-PC2" in confirmation
    assert "令和6年5月1日 09:00" in confirmation and "データが壊れる" in confirmation
    assert buttons == [open_problems.CONFIRM_BREAK_LOCK, open_problems.CANCEL]
    window = session.window
    assert not window.context.read_only and "読み取り専用" not in window.windowTitle()
    run_and_wait(qtbot, window.context, lambda db, _c: records.add(db, Place("131016", "ひまわりの会", programs=("motor",),
                                                                   start_date=date(2020, 4, 1))))
    assert json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))["host"] == socket.gethostname()
    close_all(session, qtbot)
    assert not lock.lock_path(db_path).exists()


def test_saying_no_to_the_confirmation_keeps_the_lock_and_the_file(qtbot, qapp, db_path: Path,
                                                                   settings: UserSettings, answers) -> None:
    place_in(db_path, "さくら体操の会")
    lock.lock_path(db_path).write_text(json.dumps(OTHER_PC), encoding="utf-8")
    before = db_path.read_bytes(), lock.lock_path(db_path).read_bytes()
    answers.reply = [open_problems.BREAK_LOCK, open_problems.CANCEL]
    session = Session(qapp, settings)
    first = session.open(db_path)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: len(answers) == 2 and not first.isVisible(), timeout=10_000)
    assert session.window is first
    assert (db_path.read_bytes(), lock.lock_path(db_path).read_bytes()) == before


def test_switching_to_a_file_with_a_left_over_lock_can_break_it(qtbot, qapp, db_path: Path, tmp_path: Path,
                                                                 settings: UserSettings, answers) -> None:
    other = tmp_path / "other.sqlite3"
    other.write_bytes(db_path.read_bytes())
    lock.lock_path(other).write_text(json.dumps(OTHER_PC), encoding="utf-8")
    session = Session(qapp, settings)
    first = session.open(db_path)
    qtbot.addWidget(first)
    answers.reply = [open_problems.BREAK_LOCK, open_problems.CONFIRM_BREAK_LOCK]
    assert session.switch_to(other)
    assert not session.window.context.read_only
    # The window's database thread takes the lock once the window has painted (gui/app.py Session.open): its
    # events are processed here, without an event loop that would delete the first window under qtbot's feet.
    deadline = time.monotonic() + 10
    while not lock.lock_path(other).exists() and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    assert json.loads(lock.lock_path(other).read_text(encoding="utf-8"))["host"] == socket.gethostname()
    close_all(session, qtbot)


def test_a_program_running_on_this_pc_is_not_offered_to_be_unlocked(qtbot, qapp, db_path: Path,
                                                                    settings: UserSettings, answers) -> None:
    alive = {**OTHER_PC, "host": socket.gethostname(), "pid": os.getppid()}  # our parent: running here
    lock.lock_path(db_path).write_text(json.dumps(alive), encoding="utf-8")
    before = lock.lock_path(db_path).read_bytes()
    answers.reply = [open_problems.CANCEL]
    session = Session(qapp, settings)
    first = session.open(db_path)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: bool(answers) and not first.isVisible(), timeout=10_000)
    assert answers[0][1] == [open_problems.OPEN_READ_ONLY, open_problems.CANCEL]
    assert lock.lock_path(db_path).read_bytes() == before


def test_a_read_only_window_offers_to_break_the_lock_and_reopens_for_writing(
        qtbot, qapp, db_path: Path, settings: UserSettings, answers) -> None:
    place_in(db_path, "さくら体操の会")
    lock.lock_path(db_path).write_text(json.dumps(OTHER_PC), encoding="utf-8")
    answers.reply = [open_problems.OPEN_READ_ONLY]
    session = Session(qapp, settings)
    first = session.open(db_path)
    qtbot.waitUntil(lambda: session.window is not first, timeout=10_000)
    read_only = session.window  # replaced (and deleted) by the app when reopened
    assert read_only.context.read_only and read_only.unlock_button.isVisible()
    read_only.resize(1280, 800)
    run_and_wait(qtbot, read_only.context, lambda _db, _c: None)
    qtbot.wait(50)
    read_only.grab().save("/tmp/shots/demo-lock/read_only_unlock_button.png")
    answers.reply = [open_problems.CANCEL]  # asked to confirm, says no: nothing changes
    read_only.unlock_button.click()
    assert session.window is read_only and json.loads(lock.lock_path(db_path).read_text())["host"] == "JIMUSHO-PC2"
    confirmation = answers[-1][0]
    assert "高橋" in confirmation and "令和6年5月1日 09:00" in confirmation
    answers.reply = [open_problems.CONFIRM_BREAK_LOCK]
    read_only.unlock_button.click()
    window = session.window
    assert window is not read_only and not window.context.read_only
    run_and_wait(qtbot, window.context, lambda db, _c: records.add(db, Place("131016", "ひまわりの会", programs=("motor",),
                                                                   start_date=date(2020, 4, 1))))
    assert json.loads(lock.lock_path(db_path).read_text(encoding="utf-8"))["host"] == socket.gethostname()
    close_all(session, qtbot)
