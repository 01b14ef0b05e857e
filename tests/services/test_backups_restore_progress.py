"""restore_backup's progress and cancel: steps that only go forward and end at the total, and a cancel at any
stage before the last that leaves the database file byte for byte as it was and nothing behind."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain.records import Place
from kaigo_desktop.services import records
from kaigo_desktop.services.backups import CopyCancelled, RestoreStep, list_backups, make_backup, restore_backup
from kaigo_desktop.services.overview import record_counts
from kaigo_desktop.storage import backup as storage_backup
from kaigo_desktop.storage.database import Database

STAGES = ("バックアップが壊れていないか確かめています…", "今のデータベースを確かめています…",
          "今のデータベースをバックアップしています…", "作ったバックアップを確かめています…",
          "バックアップの内容をコピーしています…", "コピーした内容を確かめています…")


@pytest.fixture
def backed_up(db_path: Path, monkeypatch) -> Path:
    """A database with two places whose backup holds only the first; copies in small steps, checks that
    look at "cancelled?" often."""
    monkeypatch.setattr(storage_backup, "COPY_STEP_PAGES", 2)
    monkeypatch.setattr(storage_backup, "CHECK_POLL_INSTRUCTIONS", 100)
    with Database.open(db_path) as db:
        records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2020, 4, 1)))
        backup = make_backup(db).path
        records.add(db, Place("131016", "ひまわりの会", programs=("motor",), start_date=date(2020, 4, 1)))
    return backup


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_progress_goes_forward_to_the_end(db_path: Path, backed_up: Path) -> None:
    steps: list[RestoreStep] = []
    result = restore_backup(db_path, backed_up, progress=steps.append, cancelled=lambda: False)
    done = [step.done for step in steps]
    assert done == sorted(done) and done[-1] == steps[-1].total and steps[-1].text == "復元しました。"
    assert {step.text for step in steps} >= set(STAGES)
    assert len([s for s in steps if s.text == "バックアップの内容をコピーしています…"]) > 5  # in steps, not at once
    assert [s.can_cancel for s in steps if s.text == "データベースを置き換えています…"] == [False]
    with Database.open(db_path) as db:
        assert record_counts(db)["places"] == 1
    assert result.kept_copy is not None and not result.previous_was_damaged


@pytest.mark.parametrize("stage", STAGES)
def test_a_cancel_at_any_stage_leaves_the_file_as_it_was(db_path: Path, backed_up: Path, stage: str) -> None:
    before = digest(db_path)
    asked = {"cancel": False}

    def progress(step: RestoreStep) -> None:
        if step.text == stage:
            asked["cancel"] = True
    with pytest.raises(CopyCancelled):
        restore_backup(db_path, backed_up, progress=progress, cancelled=lambda: asked["cancel"])
    assert digest(db_path) == before
    leftovers = [p.name for p in db_path.parent.rglob("*") if p.name.endswith((".restoring", ".partial", ".lock"))]
    assert leftovers == []
    assert [info.reason for info in list_backups(db_path.parent / "backups", db_path.stem)] == ["manual"]
    with Database.open(db_path) as db:
        assert record_counts(db)["places"] == 2


def test_a_cancel_after_the_last_copy_is_too_late(db_path: Path, backed_up: Path) -> None:
    """Once the copy is in place nothing is undone: the restore has happened and says so."""
    asked = {"cancel": False}

    def progress(step: RestoreStep) -> None:
        if not step.can_cancel:
            asked["cancel"] = True
    result = restore_backup(db_path, backed_up, progress=progress, cancelled=lambda: asked["cancel"])
    assert asked["cancel"] and result.kept_copy is not None and result.kept_copy.exists()
    with Database.open(db_path) as db:
        assert record_counts(db)["places"] == 1
