"""The paged list model: consistent for Qt's model tester with its pages loaded, placeholders until a page
arrives from the database thread, stale pages dropped after a reset, an LRU of pages, SQL-only sorting."""

from __future__ import annotations

import threading
from array import array
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kaigo_desktop.domain.records import Gathering, Place
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.screens import gathering_table_model as gtm
from kaigo_desktop.gui.screens.gathering_table_model import PAGE_SIZE, PLACEHOLDER, GatheringTableModel
from kaigo_desktop.services import bulk, gatherings_view, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait

ROWS = 450  # three pages, the last one partial


@pytest.fixture
def context(db_path: Path, start_context):
    with Database.open(db_path, user="準備") as db:
        place = records.add(db, Place("131016", "さくら体操の会", "サクラタイソウノカイ", start_date=date(2020, 4, 1)))
        bulk.add_gatherings(db, (Gathering(place.id, date(2023, 1, 1) + timedelta(days=i), 10 + i % 30,
                                           male=i % 5, female=5, notes=f"第{i}回")
                                 for i in range(ROWS)), today=date(2024, 6, 30))
    return start_context(db_path, user="一覧")


@pytest.fixture
def model(qtbot, context: AppContext) -> GatheringTableModel:
    model = GatheringTableModel(context.run)
    model.set_keys(run_and_wait(qtbot, context, lambda db, _c: gatherings_view.list_keys(db, gatherings_view.ListQuery())))
    return model


def load_all_pages(qtbot, model: GatheringTableModel) -> None:
    for row in range(0, model.rowCount(), PAGE_SIZE):
        model.row_at(row)
    qtbot.waitUntil(lambda: all(model.is_loaded(row) for row in range(0, model.rowCount(), PAGE_SIZE)))


def test_the_model_passes_the_qt_model_tester_with_its_pages_loaded(qtbot, qtmodeltester, model) -> None:
    assert model.rowCount() == ROWS
    load_all_pages(qtbot, model)
    qtmodeltester.check(model)


def test_rows_show_placeholders_until_their_page_arrives(qtbot, model) -> None:
    last = model.index(ROWS - 1, 0)
    with qtbot.waitSignal(model.dataChanged) as changed:
        assert last.data() == PLACEHOLDER  # asking starts the read on the database thread
    first, bottom = changed.args[:2]
    assert (first.row(), bottom.row(), bottom.column()) == (2 * PAGE_SIZE, ROWS - 1, len(gtm.COLUMNS) - 1)
    assert last.data() == "令和5年1月1日（日）"  # newest first: the last row is the oldest
    assert model.index(ROWS - 1, 14).data() == "第0回"


def test_newest_first_by_default_and_columns_read_from_the_row(qtbot, model) -> None:
    load_all_pages(qtbot, model)
    assert model.index(0, 0).data() == "令和6年3月25日（月）"  # 2023-01-01 + 449 days
    assert model.index(0, 2).data() == "さくら体操の会" and model.index(0, 1).data() == "千代田区"
    assert model.index(0, 3).data() == str(10 + 449 % 30)
    assert (model.index(0, 4).data(), model.index(0, 5).data()) == (str(449 % 5), "5")
    assert model.index(0, 14).data() == "第449回"
    assert model.index(0, 3).data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.headerData(3, Qt.Orientation.Horizontal) == "参加者数"


def test_a_page_read_for_an_older_key_list_is_dropped(qtbot, context, model) -> None:
    release = threading.Event()
    context.run(lambda _db, _c: release.wait(10))  # hold the database thread …
    assert model.index(0, 0).data() == PLACEHOLDER  # … so page 0 is asked for and waits in the queue …
    qtbot.waitUntil(lambda: not model._pending)  # (the request has been handed to the worker)
    model.set_keys(model.keys_between(ROWS - 10, ROWS - 1))  # … while the list is replaced
    release.set()
    run_and_wait(qtbot, context, lambda _db, _c: None)  # the stale read has come back by now
    qtbot.wait(20)
    assert model.rowCount() == 10 and not model.is_loaded(0)
    assert model.index(0, 0).data() == PLACEHOLDER
    qtbot.waitUntil(lambda: model.index(0, 0).data() == "令和5年1月10日（火）")


def test_pages_are_kept_in_a_bounded_lru(qtbot, model, monkeypatch) -> None:
    monkeypatch.setattr(gtm, "CACHE_PAGES", 2)
    for page in (0, 1, 2):
        model.row_at(page * PAGE_SIZE)
        qtbot.waitUntil(lambda: model.is_loaded(page * PAGE_SIZE))
    assert not model.is_loaded(0) and model.is_loaded(PAGE_SIZE) and model.is_loaded(2 * PAGE_SIZE)


def test_only_sql_sortable_columns_ask_for_a_new_order(qtbot, model) -> None:
    asked = []
    model.sort_requested.connect(lambda key, descending: asked.append((key, descending)))
    model.sort(4, Qt.SortOrder.AscendingOrder)  # 男性: not sortable in SQL, nothing happens
    model.sort(3, Qt.SortOrder.AscendingOrder)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert asked == [("attendance_total", False), ("held_on", True)]


def test_a_list_begun_with_its_first_and_last_rows_shows_them_and_reads_others_once_all_keys_came(
        qtbot, qtmodeltester, context) -> None:
    model = GatheringTableModel(context.run)
    query = gatherings_view.ListQuery()
    start = run_and_wait(qtbot, context, lambda db, _c: gatherings_view.list_start(db, query, PAGE_SIZE))
    assert (start.total, len(start.keys), len(start.last_keys), start.complete) == (ROWS, PAGE_SIZE, PAGE_SIZE, False)
    model.set_keys(start.keys, start.total, start.rows, start.last_keys)
    assert model.rowCount() == ROWS and not model.is_complete()
    assert model.is_loaded(0) and model.index(0, 14).data() == "第449回"  # shown without another read
    assert model.is_loaded(ROWS - 1) and model.index(ROWS - 1, 14).data() == "第0回"  # the end too
    middle = model.index(2 * PAGE_SIZE - 1, 14)  # on the page before the last, not all of whose keys came
    assert middle.data() == PLACEHOLDER and model.key_at(2 * PAGE_SIZE - 1) is not None
    assert model.key_at(ROWS - PAGE_SIZE - 1) is None
    run_and_wait(qtbot, context, lambda _db, _c: None)
    qtbot.wait(20)
    assert not model.is_loaded(2 * PAGE_SIZE - 1)  # some of its keys are not known yet: nothing was read
    all_keys = run_and_wait(qtbot, context, lambda db, _c: gatherings_view.list_keys(db, query))
    with qtbot.waitSignal(model.dataChanged):
        model.complete_keys(all_keys)  # the page asked for meanwhile is read now
    assert model.is_complete() and middle.data() == f"第{ROWS - 2 * PAGE_SIZE}回"
    assert model.is_loaded(0) and model.is_loaded(ROWS - 1)  # the rows shown stayed
    load_all_pages(qtbot, model)
    qtmodeltester.check(model)
    assert [model.key_at(row) for row in range(ROWS)] == list(all_keys)


def test_all_keys_of_another_length_start_the_list_afresh(qtbot, context, model) -> None:
    first = model.keys_between(0, PAGE_SIZE - 1)
    model.set_keys(first, ROWS + 1)  # a record was added between the count and the key list
    with qtbot.waitSignal(model.modelReset):
        model.complete_keys(model.keys_between(0, PAGE_SIZE - 1) + array("q", [1, 2]))
    assert model.rowCount() == PAGE_SIZE + 2 and model.is_complete()
