"""Adding a place or promoter whose name is like an existing one asks first (「似た名前の…があります」);
cancel saves nothing, 「はい」 saves; editing an existing record does not ask. Real database files, SQL checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain.records import Place, Promoter
from kaigo_desktop.gui.screens.places import PlacesScreen
from kaigo_desktop.gui.screens.promoters import PromotersScreen
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import save_and_wait, type_text

CHIYODA = "131016"
Yes, Cancel = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel


def count(db_path: Path, sql: str, params: tuple = ()) -> int:
    with Database.open(db_path) as db:
        return int(db.scalar(sql, params))


@pytest.fixture
def seeded(db_path: Path) -> Path:
    with Database.open(db_path, user="準備") as db:
        records.add(db, Place(CHIYODA, "サクラ体操クラブ", start_date=date(2020, 4, 1)))
        records.add(db, Promoter(CHIYODA, "山田 花子", "保健師", date(2023, 4, 1)))
    return db_path


@pytest.fixture
def context(seeded: Path, start_context, settings):
    settings.default_municipality = CHIYODA
    return start_context(seeded, user="重複テスト")


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict:
    state: dict = {"answer": Cancel, "asked": []}

    def question(_parent, title, text, *args, **kwargs):
        state["asked"].append(text)
        return state["answer"]
    monkeypatch.setattr(QMessageBox, "question", question)
    return state


@pytest.fixture
def places_screen(qtbot, context) -> PlacesScreen:
    screen = PlacesScreen(context)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.list_did_refresh):
        screen.activate()
    return screen


def test_new_place_like_an_existing_one_asks_and_cancel_saves_nothing(qtbot, places_screen, seeded, answers) -> None:
    screen = places_screen
    assert screen.new_record()
    type_text(screen.form.name_edit, "さくら体操クラブ")
    assert not save_and_wait(qtbot, screen)
    assert len(answers["asked"]) == 1
    assert "似た名前の通いの場があります: 「サクラ体操クラブ」" in answers["asked"][0]
    assert "このまま追加しますか" in answers["asked"][0]
    assert count(seeded, "SELECT COUNT(*) FROM places") == 1
    assert any("似た名前" in message for message in screen.form.errors.messages())  # not silent
    assert screen.has_unsaved_changes()  # the typing is kept
    answers["answer"] = Yes
    assert save_and_wait(qtbot, screen)
    assert count(seeded, "SELECT COUNT(*) FROM places WHERE name = ? AND deleted_at IS NULL",
                 ("さくら体操クラブ",)) == 1
    answers["asked"].clear()
    type_text(screen.form.address_edit, "千代田区一番町1-1")  # editing the saved record: no question
    assert save_and_wait(qtbot, screen)
    assert answers["asked"] == []


def test_new_place_with_a_distinct_name_does_not_ask(qtbot, places_screen, seeded, answers) -> None:
    places_screen.new_record()
    type_text(places_screen.form.name_edit, "ひまわり会")
    assert save_and_wait(qtbot, places_screen)
    assert answers["asked"] == [] and count(seeded, "SELECT COUNT(*) FROM places") == 2


def test_new_promoter_like_an_existing_one_asks(qtbot, context, seeded, answers) -> None:
    screen = PromotersScreen(context)
    qtbot.addWidget(screen)
    screen.show()
    screen.activate()
    qtbot.waitUntil(lambda: screen.reference is not None)
    assert screen.new_record()
    type_text(screen.form.name, "山田花子")  # no space: still alike
    screen.form.qualification.setCurrentText("保健師")  # no 職種 is chosen for the user (issue 15)
    assert not save_and_wait(qtbot, screen.form)
    assert len(answers["asked"]) == 1 and "似た名前の推進員があります: 「山田 花子」" in answers["asked"][0]
    assert count(seeded, "SELECT COUNT(*) FROM promoters") == 1
    answers["answer"] = Yes
    assert save_and_wait(qtbot, screen.form)
    assert count(seeded, "SELECT COUNT(*) FROM promoters WHERE deleted_at IS NULL") == 2
