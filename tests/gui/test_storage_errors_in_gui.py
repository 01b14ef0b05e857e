"""A database another program is writing, met by a save in the GUI: the operation fails with the typed
StorageError (kind "busy"), shown in a plain warning with the Japanese message — never the bug dialog —
and nothing is announced or written."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui.operations import CollectionOp, is_user_error
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.storage import repository
from kaigo_desktop.storage.errors import DatabaseBusyError


def _save_while_busy(db, _job):
    db.conn.execute("PRAGMA busy_timeout = 50")  # the test does not wait the full five seconds
    return repository.insert(db, Place("131016", "さくら体操の会", start_date=date(2024, 4, 1)))


@pytest.fixture
def writer_elsewhere(db_path: Path):
    """Another connection in the middle of a write transaction on the same file."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield
    other.execute("ROLLBACK")
    other.close()


def test_a_busy_database_reaches_the_failure_handler_as_a_user_error(qtbot, gui_context, writer_elsewhere):
    announced, failures = [], []
    gui_context.changes_did_happen.connect(announced.append)
    CollectionOp(None, gui_context, _save_while_busy, changes=Changes.of("places")) \
        .failure(failures.append).run_in_background()
    qtbot.waitUntil(lambda: failures != [], timeout=5_000)
    assert isinstance(failures[0], DatabaseBusyError) and failures[0].kind == "busy"
    assert is_user_error(failures[0]) and announced == []


def test_without_a_handler_it_is_a_warning_not_the_bug_dialog(qtbot, gui_context, writer_elsewhere, db_path,
                                                              bug_dialog_fails_test, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    CollectionOp(None, gui_context, _save_while_busy, changes=Changes.of("places")).run_in_background()
    qtbot.waitUntil(lambda: warnings != [], timeout=5_000)
    assert len(warnings) == 1 and any("\u3040" <= ch <= "\u30ff" for ch in warnings[0])  # Japanese
    reader = sqlite3.connect(db_path)
    try:
        assert reader.execute("SELECT COUNT(*) FROM places").fetchone()[0] == 0
    finally:
        reader.close()
