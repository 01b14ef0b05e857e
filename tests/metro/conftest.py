"""Fixtures of the metropolitan view's tests: the three source databases of tests/metro_data.py, made once per
module and copied for each test, and a 東京都 database that trusts their keys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kaigo_desktop.services import metro
from kaigo_desktop.storage.database import Database
from tests.metro_data import Source, build_sources


@pytest.fixture(scope="module")
def source_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Source]]:
    folder = tmp_path_factory.mktemp("sources")
    return folder, build_sources(folder)


@pytest.fixture
def sources(source_template, tmp_path: Path) -> list[Source]:
    """Fresh copies of the three source databases (a test may write to them)."""
    folder, template = source_template
    copies = []
    for source in template:
        path = tmp_path / source.path.name
        shutil.copyfile(source.path, path)
        copies.append(Source(path, source.code, source.trust_file))
    return copies


@pytest.fixture
def metro_db(tmp_path: Path, sources: list[Source]):
    db = Database.open(tmp_path / "tokyo.sqlite3", create=True, user="都担当")
    metro.init_metro(db)
    for source in sources:
        metro.trust_municipality_key(db, source.code, source.trust_file, None)
    yield db
    db.close()
