"""The File menu's backups on real files: make one, restore one (a record deleted after it comes back), and
the automatic backups on close and on the timer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui import backup_dialog
from kaigo_desktop.gui.app import Session
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.services import records
from kaigo_desktop.services.backups import list_backups, make_backup
from kaigo_desktop.services.overview import record_counts
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait


@pytest.fixture
def session(qtbot, qapp, db_path: Path, settings: UserSettings):
    with Database.open(db_path) as db:
        records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2020, 4, 1)))
    session = Session(qapp, settings, today=date(2024, 6, 1))
    session.open(db_path)
    yield session
    if session.window is not None:
        session.window.close()


def backups_of(db_path: Path):
    return list_backups(db_path.parent / "backups", db_path.stem)


def test_backup_from_the_menu_writes_a_verified_copy_and_says_where(qtbot, session, db_path: Path,
                                                                    monkeypatch) -> None:
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kw: told.append(args[2]))
    session.window.backup_action.trigger()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    made = backups_of(db_path)
    assert len(made) == 1 and made[0].reason == "manual" and made[0].counts["places"] == 1
    assert str(made[0].path) in told[0]


def test_a_failed_backup_is_explained_and_the_database_untouched(qtbot, session, db_path: Path, tmp_path: Path,
                                                                 monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    from kaigo_desktop.services import backup_settings
    run_and_wait(qtbot, session.window.context, lambda db, _c: backup_settings.save(
        db, backup_settings.BackupSettings(folder=blocker / "backups")))
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kw: warned.append(args[2]))
    session.window.backup_action.trigger()
    qtbot.waitUntil(lambda: bool(warned), timeout=10_000)
    assert "作成できませんでした" in warned[0] and "変更していません" in warned[0]
    assert run_and_wait(qtbot, session.window.context, lambda db, _c: record_counts(db))["places"] == 1


def test_restore_from_the_dialog_brings_back_a_record_deleted_after_the_backup(qtbot, session, db_path: Path,
                                                                               monkeypatch) -> None:
    context = session.window.context
    run_and_wait(qtbot, context, lambda db, _c: make_backup(db))
    place_id = run_and_wait(qtbot, context, lambda db, _c: db.scalar("SELECT id FROM places"))
    run_and_wait(qtbot, context, lambda db, _c: records.remove(db, Place, place_id))
    assert run_and_wait(qtbot, context, lambda db, _c: record_counts(db))["places"] == 0

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kw: asked.append(args[2]) or QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kw: None)
    shown: list[backup_dialog.RestoreDialog] = []

    def pick_newest(dialog: backup_dialog.RestoreDialog) -> int:
        shown.append(dialog)
        dialog.table.selectRow(0)
        dialog.restore_selected()
        return dialog.result()
    monkeypatch.setattr(backup_dialog.RestoreDialog, "exec", pick_newest)
    old = session.window
    old.restore_action.trigger()
    qtbot.waitUntil(lambda: session.window is not old, timeout=10_000)

    table = shown[0].table
    assert table.item(0, 0).text().startswith("令和") and "通いの場 1件" in table.item(0, 3).text()
    assert "復元の前に" in asked[0]
    assert session.window is not old and session.window.db_path == db_path
    assert run_and_wait(qtbot, session.window.context, lambda db, _c: record_counts(db))["places"] == 1
    assert any(info.reason == "before-restore" for info in backups_of(db_path))  # the current file kept first


def test_closing_after_a_change_makes_a_backup_and_thins(qtbot, session, db_path: Path) -> None:
    context = session.window.context
    run_and_wait(qtbot, context, lambda db, _c: records.add(db, Place("131016", "ひまわりの会", programs=("motor",),
                                                              start_date=date(2021, 4, 1))))
    session.window.close()
    session.window = None
    made = backups_of(db_path)
    assert [info.reason for info in made] == ["close"] and made[0].counts["places"] == 2


def test_the_timer_makes_a_timed_backup_when_due(qtbot, session, db_path: Path) -> None:
    window = session.window
    assert window.timed_backup_timer.isActive()
    window.timed_backup_timer.timeout.emit()
    qtbot.waitUntil(lambda: bool(backups_of(db_path)), timeout=10_000)
    assert backups_of(db_path)[0].reason == "timed"
    window.timed_backup_timer.timeout.emit()  # nothing changed since: no second copy
    run_and_wait(qtbot, window.context, lambda db, _c: None)
    assert len(backups_of(db_path)) == 1


def test_restore_dialog_screenshot(qtbot, session, db_path: Path, tmp_path: Path) -> None:
    context = session.window.context
    run_and_wait(qtbot, context, lambda db, _c: make_backup(db))
    folder, backups = run_and_wait(qtbot, context, backup_dialog.backups_of_open_database)
    dialog = backup_dialog.RestoreDialog(folder, backups, session.window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.restore_button.isEnabled() and dialog.table.rowCount() == 1
    dialog.grab().save(str(Path("/tmp/restore_dialog.png")))


def test_restore_of_a_backup_with_foreign_sql_is_refused_and_the_database_kept(qtbot, session, db_path: Path,
                                                                               tmp_path: Path, monkeypatch) -> None:
    import shutil
    import sqlite3

    context = session.window.context
    good = run_and_wait(qtbot, context, lambda db, _c: make_backup(db, destination=tmp_path / "copy.sqlite3")).path
    bad = tmp_path / "tampered.sqlite3"
    shutil.copyfile(good, bad)
    conn = sqlite3.connect(bad)
    conn.execute("CREATE TRIGGER wipe AFTER INSERT ON gatherings BEGIN DELETE FROM places; END")
    conn.commit()
    conn.close()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kw: warned.append(args[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *args, **kw: None)
    assert not session.restore(bad)
    assert "復元できませんでした" in warned[0] and "このアプリが作成していないトリガーがあります: wipe" in warned[0]
    assert run_and_wait(qtbot, session.window.context, lambda db, _c: record_counts(db))["places"] == 1
    assert run_and_wait(qtbot, session.window.context, lambda db, _c: db.scalar(
        "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'wipe'")) == 0
    assert not any(info.reason == "before-restore" for info in backups_of(db_path))
