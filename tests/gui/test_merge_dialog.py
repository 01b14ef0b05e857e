"""The 重複の統合 dialog on a real database file: pre-filled with a similar pair, a dry-run summary that writes
nothing, the merge moving the gatherings (checked with SQL) and trashing the duplicate, a refused merge."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain.records import Gathering, Place
from kaigo_desktop.gui.merge_dialog import MergeDialog
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database

CHIYODA, CHUO = "131016", "131024"


def stored(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with Database.open(db_path) as db:
        return [tuple(row) for row in db.query(sql, params)]


@pytest.fixture
def ids(db_path: Path) -> dict[str, str]:
    with Database.open(db_path, user="準備") as db:
        keep = records.add(db, Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)))
        dup = records.add(db, Place(CHIYODA, "サクラ体操クラブ", start_date=date(2021, 4, 1)))
        other = records.add(db, Place(CHUO, "ひまわり会", start_date=date(2021, 4, 1)))
        for day in (3, 10, 17):
            records.add(db, Gathering(dup.id, date(2024, 6, day), attendance_total=12))
        records.add(db, Gathering(keep.id, date(2024, 6, 4), attendance_total=9))
    return {"keep": keep.id, "dup": dup.id, "other": other.id}


@pytest.fixture
def context(db_path: Path, ids, start_context):
    return start_context(db_path, user="統合テスト")


def test_merge_moves_gatherings_and_trashes_the_duplicate(qtbot, context, ids, db_path, monkeypatch, messages) -> None:
    dialog = MergeDialog(context, "places")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.survivor_picker.record_id() is not None)
    assert dialog.survivor_picker.record_id() == ids["keep"]  # the similar pair, pre-filled
    assert dialog.duplicate_picker.record_id() == ids["dup"]
    assert not dialog.merge_button.isEnabled()
    dialog.check_button.click()
    qtbot.waitUntil(lambda: "試行のみ" in dialog.summary_label.text())
    assert "開催記録 3件" in dialog.summary_label.text()
    assert stored(db_path, "SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (ids["dup"],)) == [(3,)]
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a, **k: asked.append(text)
                        or QMessageBox.StandardButton.No)
    dialog.merge_button.click()
    assert asked and stored(db_path, "SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (ids["dup"],)) == [(3,)]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    changes = []
    context.changes_did_happen.connect(changes.append)
    dialog.merge_button.click()
    assert not dialog.merge_button.isEnabled() and not dialog.check_button.isEnabled()  # no second click
    qtbot.waitUntil(lambda: bool(messages) and "統合しました" in messages[-1])
    assert stored(db_path, "SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (ids["dup"],)) == [(0,)]
    assert stored(db_path, "SELECT COUNT(*) FROM gatherings WHERE place_id = ? AND deleted_at IS NULL",
                  (ids["keep"],)) == [(4,)]
    assert stored(db_path, "SELECT deleted_at IS NOT NULL FROM places WHERE id = ?", (ids["dup"],)) == [(1,)]
    assert len(changes) == 1 and changes[0].touches("places", "gatherings")
    labels = [dialog.survivor_picker.itemText(i) for i in range(dialog.survivor_picker.count())]
    assert not any(label.startswith("サクラ体操クラブ") for label in labels)  # gone from the lists


def test_refused_merge_shows_the_reason(qtbot, context, ids, db_path, messages) -> None:
    dialog = MergeDialog(context, "places")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled())
    dialog.duplicate_picker.select_id(ids["other"])  # another municipality
    dialog.check_button.click()
    qtbot.waitUntil(lambda: "区市町村が異なる" in dialog.summary_label.text())
    assert not dialog.merge_button.isEnabled()
    dialog.duplicate_picker.setEditText("存在しない名前")
    dialog.check_button.click()
    qtbot.waitUntil(lambda: "一覧から選んで" in dialog.summary_label.text())
    assert stored(db_path, "SELECT COUNT(*) FROM places WHERE deleted_at IS NULL") == [(3,)]
