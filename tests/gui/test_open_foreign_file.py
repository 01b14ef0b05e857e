"""Opening another application's SQLite file in the GUI: one dialog explains it (no restore is offered over
it: nothing of ours may replace someone else's file), the window closes, the file stays byte for byte."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kaigo_desktop.gui import open_problems
from kaigo_desktop.gui.app import Session
from kaigo_desktop.gui.context import UserSettings


@pytest.fixture(autouse=True)
def exception_hook(bug_dialog_fails_test):
    """Any error other than the one explained would open the bug dialog, which fails the test."""


@pytest.fixture
def answers(monkeypatch):
    """The dialogs shown (text, buttons), each answered with nothing (as a closed box)."""
    asked: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(open_problems, "choose",
                        lambda _parent, _icon, text, options: asked.append((text, options)))
    return asked


def test_another_applications_file_is_explained_and_left_untouched(qtbot, qapp, tmp_path: Path,
                                                                  settings: UserSettings, answers) -> None:
    history = tmp_path / "History.sqlite3"
    conn = sqlite3.connect(history)
    conn.executescript("CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT);"
                       "CREATE VIEW v AS SELECT url FROM urls; PRAGMA user_version = 48;")
    conn.close()
    before = {p.name: p.read_bytes() for p in tmp_path.glob("History*")}
    session = Session(qapp, settings)
    first = session.open(history)
    qtbot.addWidget(first)
    qtbot.waitUntil(lambda: bool(answers) and not first.isVisible(), timeout=10_000)
    text, options = answers[0]
    assert "Kaigo Desktop のデータベースではない" in text and options == ["OK"]  # no restore over it
    assert session.window is first
    assert {p.name: p.read_bytes() for p in tmp_path.glob("History*")} == before  # no -wal, -shm, lock
