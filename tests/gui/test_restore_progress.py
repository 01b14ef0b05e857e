"""Restoring a backup off the GUI thread: a progress dialog over the window while the copy runs on its own
thread (the GUI thread keeps running timers meanwhile), the restored data afterwards, and a cancel that
leaves the database file byte for byte as it was and opens it again."""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui import open_problems, restore_progress
from kaigo_desktop.gui.app import Session
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.restore_progress import RestoreProgressDialog
from kaigo_desktop.services import records
from kaigo_desktop.services.backups import list_backups, make_backup
from kaigo_desktop.services.overview import record_counts
from kaigo_desktop.storage import backup as storage_backup
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait

SCREENSHOT = Path("/tmp/restore_progress_dialog.png")


@pytest.fixture(autouse=True)
def no_bug_dialogs(bug_dialog_fails_test):
    """An error reaching the exception hook (a restore that blew up) fails the test instead of waiting."""


@pytest.fixture
def small_steps(monkeypatch):
    """Copies go in steps of two pages, so that even the small test database takes dozens of them."""
    monkeypatch.setattr(storage_backup, "COPY_STEP_PAGES", 2)


def add_place(db: Database, name: str) -> None:
    records.add(db, Place("131016", name, programs=("motor",), start_date=date(2020, 4, 1)))


@pytest.fixture
def session(qtbot, qapp, db_path: Path, settings: UserSettings):
    with Database.open(db_path) as db:
        add_place(db, "さくら体操の会")
    session = Session(qapp, settings, today=date(2024, 6, 1))
    session.open(db_path)
    yield session
    if session.window is not None:
        session.window.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Gate:
    """Holds the restore thread at its first step in the middle of copying `stage`, until the GUI thread
    lets it go: the copy cannot finish unless the GUI thread runs while it is under way. Records the
    database file's digest just before and just after the restore itself (the app has closed it)."""

    def __init__(self, monkeypatch, stage: str):
        self.stage = stage
        self.reached = threading.Event()
        self.release = threading.Event()
        self.digests: list[str] = []
        real = restore_progress.restore_backup

        def restore(db_path, backup_path, *, progress, cancelled, user=""):
            def report(step) -> None:
                progress(step)
                if step.text == self.stage and 0 < step.done and not self.reached.is_set():
                    self.reached.set()
                    assert self.release.wait(10), "the GUI thread did not run while the copy was under way"
            self.digests.append(digest(Path(db_path)))
            try:
                return real(db_path, backup_path, progress=report, cancelled=cancelled, user=user)
            finally:
                self.digests.append(digest(Path(db_path)))
        monkeypatch.setattr(restore_progress, "restore_backup", restore)


def on_timer(callback, interval_ms: int = 5) -> QTimer:
    timer = QTimer()
    timer.setInterval(interval_ms)
    timer.timeout.connect(callback)
    timer.start()
    return timer


def test_restore_copies_on_its_own_thread_with_a_progress_dialog(qtbot, session, db_path: Path, small_steps,
                                                                 monkeypatch) -> None:
    context = session.window.context
    backup = run_and_wait(qtbot, context, lambda db, _c: make_backup(db))
    place_id = run_and_wait(qtbot, context, lambda db, _c: db.scalar("SELECT id FROM places"))
    run_and_wait(qtbot, context, lambda db, _c: records.remove(db, Place, place_id))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kw: told.append(args[2]))
    gate = Gate(monkeypatch, "バックアップの内容をコピーしています…")
    old = session.window
    seen: list[tuple[bool, int, str, bool]] = []

    def tick() -> None:  # runs on the GUI thread
        if gate.reached.is_set() and not gate.release.is_set():
            dialog = old.findChild(RestoreProgressDialog)
            if dialog.labelText() != gate.stage:
                return  # the thread's progress signal is queued; a timer may fire before it is delivered
            seen.append((dialog.isVisible(), dialog.value(), dialog.labelText(), dialog.isModal()))
            dialog.grab().save(str(SCREENSHOT))
            gate.release.set()
    timer = on_timer(tick)
    try:
        assert session.restore(backup.path)
    finally:
        timer.stop()

    assert seen, "no timer ran on the GUI thread during the copy"
    visible, value, text, modal = seen[0]
    assert visible and modal and 0 < value < restore_progress.STEPS and text == gate.stage
    assert session.window is not old and session.window.db_path == db_path and session.window.isVisible()
    assert run_and_wait(qtbot, session.window.context, lambda db, _c: record_counts(db))["places"] == 1
    assert "から復元しました" in told[0] and "復元前の内容は" in told[0]
    kept = [info for info in list_backups(db_path.parent / "backups", db_path.stem) if info.reason == "before-restore"]
    assert len(kept) == 1 and kept[0].counts["places"] == 0  # what was there before the restore
    assert not any(isinstance(w, RestoreProgressDialog) and w.isVisible() for w in QApplication.allWidgets())


def test_cancel_leaves_the_database_untouched_and_opens_it_again(qtbot, session, db_path: Path, small_steps,
                                                                 monkeypatch) -> None:
    context = session.window.context
    backup = run_and_wait(qtbot, context, lambda db, _c: make_backup(db))
    run_and_wait(qtbot, context, lambda db, _c: add_place(db, "ひまわりの会"))  # only in the current file
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kw: pytest.fail("told it was restored"))
    gate = Gate(monkeypatch, "バックアップの内容をコピーしています…")
    old = session.window

    def tick() -> None:
        if gate.reached.is_set() and not gate.release.is_set():
            dialog = old.findChild(RestoreProgressDialog)
            if dialog.labelText() != gate.stage:
                return  # the thread's progress signal is queued; a timer may fire before it is delivered
            dialog.findChild(QPushButton).click()  # キャンセル, in the middle of copying the backup
            assert dialog.isVisible() and "取り消しています" in dialog.labelText()  # up until it has stopped
            gate.release.set()
    timer = on_timer(tick)
    try:
        assert not session.restore(backup.path)
    finally:
        timer.stop()

    assert gate.reached.is_set() and len(gate.digests) == 2
    assert gate.digests[0] == gate.digests[1]  # the closed database file, byte for byte as it was
    window = session.window
    assert window is not old and window.db_path == db_path and window.isVisible()
    assert run_and_wait(qtbot, window.context, lambda db, _c: record_counts(db))["places"] == 2
    assert "取り消しました" in window.statusBar().currentMessage()
    leftovers = [p.name for p in db_path.parent.rglob("*") if p.name.endswith((".restoring", ".partial"))]
    assert leftovers == []
    reasons = [info.reason for info in list_backups(db_path.parent / "backups", db_path.stem)]
    assert reasons == ["manual"]  # the copy kept for the restore went again: nothing was replaced


def test_a_damaged_file_is_restored_with_progress_at_start(qtbot, qapp, db_path: Path, settings: UserSettings,
                                                           small_steps, monkeypatch) -> None:
    with Database.open(db_path) as db:
        add_place(db, "さくら体操の会")
        make_backup(db)
    db_path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100 + b"garbage" * 500)
    answers = [open_problems.RESTORE_NEWEST, "OK"]
    asked: list[str] = []
    monkeypatch.setattr(open_problems, "choose", lambda _p, _i, text, _o: asked.append(text) or answers.pop(0))
    gate = Gate(monkeypatch, "バックアップの内容をコピーしています…")
    seen: list[bool] = []

    def tick() -> None:
        if gate.reached.is_set() and not gate.release.is_set():
            dialogs = [w for w in qapp.topLevelWidgets() if isinstance(w, RestoreProgressDialog)]
            seen.append(any(dialog.isVisible() for dialog in dialogs))
            gate.release.set()
    timer = on_timer(tick)
    session = Session(qapp, settings, today=date(2024, 6, 1))
    first = session.open(db_path)
    try:
        qtbot.waitUntil(lambda: session.window is not first, timeout=10_000)
    finally:
        timer.stop()
    assert seen == [True]
    assert "復元しました" in asked[1]
    assert run_and_wait(qtbot, session.window.context, lambda db, _c: record_counts(db))["places"] == 1
    session.window.close()
