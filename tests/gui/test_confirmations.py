"""Confirmations name what they act on, in the one vocabulary of domain/ui_words (issue 15): removing a record
is 「ごみ箱へ移す」 on the button, in the question and in the message, and the question names the record —
「令和8年11月5日の南池袋いきいき体操の会の記録をごみ箱へ移しますか？」."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.records import Gathering, Place
from kaigo_desktop.gui.screens.gatherings import GatheringsScreen
from kaigo_desktop.gui.screens.places import PlacesScreen
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import show_sized
from tests.gui.test_gatherings_screen import settle

TOSHIMA = "131164"


@pytest.fixture
def context(db_path: Path, start_context):
    with Database.open(db_path, user="準備") as db:
        place = records.add(db, Place(TOSHIMA, "南池袋いきいき体操の会", "ミナミイケブクロイキイキタイソウノカイ",
                                      start_date=date(2024, 4, 1)))
        records.add_many(db, [Gathering(place.id, date(2026, 11, 5), 12), Gathering(place.id, date(2026, 11, 12), 14)])
    return start_context(db_path, user="入力担当")


@pytest.fixture
def questions(monkeypatch) -> list[tuple[str, str]]:
    asked: list[tuple[str, str]] = []

    def answer(_parent, title, text, *_a, **_k):
        asked.append((title, text))
        return QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "question", answer)
    return asked


def live_gatherings(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM gatherings WHERE deleted_at IS NULL").fetchone()[0]
    finally:
        conn.close()


def test_removing_a_gathering_names_its_date_and_place(qtbot, context, db_path, questions) -> None:
    screen = show_sized(qtbot, GatheringsScreen(context), 1200, 800)
    screen.activate()
    qtbot.waitUntil(lambda: screen.list.model.rowCount() == 2 and screen.list.model.row_at(0) is not None)
    assert screen.list.delete_button.text() == "ごみ箱へ移す（Delete）"
    screen.list.view.selectRow(0)  # newest first: 12 November
    screen.list.view.selectRow(1)
    assert screen.delete_selected() is True
    assert questions == [("ごみ箱へ移す", "令和8年11月5日の南池袋いきいき体操の会の記録をごみ箱へ移しますか？\n\n"
                                       "「ごみ箱を表示」から、いつでも元に戻せます。")]
    qtbot.waitUntil(lambda: live_gatherings(db_path) == 1)
    qtbot.waitUntil(lambda: screen.list.model.rowCount() == 1)
    settle(qtbot, context)


def test_removing_several_gatherings_says_how_many(qtbot, context, db_path, questions) -> None:
    screen = show_sized(qtbot, GatheringsScreen(context), 1200, 800)
    screen.activate()
    qtbot.waitUntil(lambda: screen.list.model.rowCount() == 2)
    screen.list.view.selectAll()
    assert screen.delete_selected() is True
    assert questions[0][1].startswith("選択した開催記録 2件をごみ箱へ移しますか？")
    qtbot.waitUntil(lambda: live_gatherings(db_path) == 0)
    qtbot.waitUntil(lambda: screen.list.model.rowCount() == 0)
    settle(qtbot, context)


def test_removing_a_place_names_it_in_the_same_words(qtbot, context, db_path, questions) -> None:
    screen = show_sized(qtbot, PlacesScreen(context), 1200, 800)
    screen.activate()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    screen.table.selectRow(0)
    assert screen.delete_selected() is True
    assert questions[0] == (words.MOVE_TO_TRASH, words.trash_question("通いの場「南池袋いきいき体操の会」"))
    settle(qtbot, context)


def test_the_word_list_spells_the_question_once() -> None:
    assert words.trash_question(words.gathering_label("令和8年11月5日", "南池袋いきいき体操の会")).splitlines()[0] == \
        "令和8年11月5日の南池袋いきいき体操の会の記録をごみ箱へ移しますか？"
    assert words.activity_label("令和8年11月5日", "山田花子", "見守り") == "令和8年11月5日の山田花子さんの活動記録（見守り）"
