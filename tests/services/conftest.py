"""Fixtures for the service tests: a new database file, created and migrated by the app itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaigo_desktop.storage.database import Database


@pytest.fixture
def database_user() -> str:
    """The name stamped on what the tests write (a test module overrides it to check the stamp)."""
    return "テスト"


@pytest.fixture
def database(tmp_path: Path, database_user: str):
    db = Database.open(tmp_path / "t.sqlite3", create=True, user=database_user)
    yield db
    db.close()
