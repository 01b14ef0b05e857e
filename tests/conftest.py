"""Shared fixtures: a migrated template database made once per session and copied for each test, so every
test gets a real, fresh SQLite file quickly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from kaigo_desktop.storage.database import Database  # noqa: E402


@pytest.fixture(scope="session")
def template_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    with Database.open(path, create=True, user="テンプレート") as db:
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def db_path(template_db_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "kaigo.sqlite3"
    shutil.copyfile(template_db_path, path)
    return path


@pytest.fixture
def db(db_path: Path):
    database = Database.open(db_path, user="テスト担当")
    yield database
    database.close()
