"""A large load sets the gatherings' secondary indexes aside and builds them again inside its transaction: the
committed file always has every index, exactly as its migration made it; an error inside the block brings rows
and indexes back at once; UNIQUE indexes are never set aside. The import of a large file goes through it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import records
from kaigo_desktop.services.cancelling import Cancelled, progress_that_stops
from kaigo_desktop.services.importing import import_file
from kaigo_desktop.storage import bulk_indexes
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 6, 30)


def index_definitions(db: Database, table: str) -> list[tuple[str, str | None]]:
    return db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                           " ORDER BY name", (table,)).fetchall()


def live_gatherings_by_index(db: Database) -> int:
    """Counted through the date index alone (the planner is told which), so a missing or stale index shows."""
    return db.scalar("SELECT COUNT(*) FROM gatherings INDEXED BY gatherings_list_date"
                     " WHERE held_on >= '2000-01-01' AND deleted_at IS NULL")


@pytest.fixture
def place(database: Database) -> r.Place:
    return records.add(database, r.Place("131016", "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)


def add_rows(db: Database, place: r.Place, count: int) -> None:
    records.add_many(db, [r.Gathering(place.id, date(2024, 5, 1) + timedelta(days=i % 300), 10 + i % 7)
                          for i in range(count)], today=TODAY)


@pytest.mark.parametrize(("in_table", "to_load", "worth"), [
    (0, bulk_indexes.MIN_ROWS, True), (0, bulk_indexes.MIN_ROWS - 1, False),
    (2 * bulk_indexes.MIN_ROWS, bulk_indexes.MIN_ROWS, True),
    (2 * bulk_indexes.MIN_ROWS + 1, bulk_indexes.MIN_ROWS, False)])
def test_worth_it_from_a_hundred_thousand_rows_and_half_the_table(in_table: int, to_load: int,
                                                                   worth: bool) -> None:
    assert bulk_indexes.worth_setting_aside(in_table, to_load) is worth


def test_the_indexes_are_gone_inside_the_block_and_back_exactly_after_the_commit(
        database: Database, place: r.Place) -> None:
    add_rows(database, place, 30)
    before = index_definitions(database, "gatherings")
    with database.write():
        with bulk_indexes.set_aside_for_load(database, "gatherings", bulk_indexes.MIN_ROWS) as set_aside:
            assert set_aside
            inside = [name for name, _sql in index_definitions(database, "gatherings")]
            add_rows(database, place, 20)
    assert inside == ["gatherings_change_seq", "gatherings_list_updated", "gatherings_trash",
                      "sqlite_autoindex_gatherings_1"], \
        "only the primary key and the indexes new rows go at the end of (or not into) stay during the load"
    assert index_definitions(database, "gatherings") == before
    assert live_gatherings_by_index(database) == 50 == database.scalar("SELECT COUNT(*) FROM gatherings")
    assert database.scalar("PRAGMA integrity_check") == "ok"


def test_an_error_in_the_block_undoes_its_rows_and_brings_the_indexes_back_at_once(
        database: Database, place: r.Place) -> None:
    add_rows(database, place, 10)
    before = index_definitions(database, "gatherings")
    with database.write():
        with pytest.raises(RuntimeError):
            with bulk_indexes.set_aside_for_load(database, "gatherings", bulk_indexes.MIN_ROWS):
                add_rows(database, place, 20)
                raise RuntimeError("cancelled")
        assert index_definitions(database, "gatherings") == before
        add_rows(database, place, 5)  # the caller's transaction goes on and commits
    assert database.scalar("SELECT COUNT(*) FROM gatherings") == 15 == live_gatherings_by_index(database)
    assert database.scalar("PRAGMA integrity_check") == "ok"


def test_the_indexes_are_built_again_sorting_on_two_threads_and_the_setting_is_put_back(
        database: Database, place: r.Place) -> None:
    add_rows(database, place, 10)
    database.conn.execute("PRAGMA threads = 0")
    threads_at_each_build: list[int] = []
    with database.write():
        with bulk_indexes.set_aside_for_load(
                database, "gatherings", bulk_indexes.MIN_ROWS,
                before_each_build=lambda: threads_at_each_build.append(database.scalar("PRAGMA threads"))):
            add_rows(database, place, 5)
    assert threads_at_each_build and set(threads_at_each_build) == {bulk_indexes.SORT_THREADS}
    assert database.scalar("PRAGMA threads") == 0


def test_a_small_load_or_one_outside_a_transaction_keeps_the_indexes(database: Database, place: r.Place) -> None:
    before = index_definitions(database, "gatherings")
    with database.write():
        with bulk_indexes.set_aside_for_load(database, "gatherings", bulk_indexes.MIN_ROWS - 1) as set_aside:
            assert not set_aside and index_definitions(database, "gatherings") == before
    with bulk_indexes.set_aside_for_load(database, "gatherings", bulk_indexes.MIN_ROWS) as set_aside:
        assert not set_aside and index_definitions(database, "gatherings") == before


def test_unique_indexes_are_never_set_aside(database: Database) -> None:
    unique = [name for name, sql in index_definitions(database, "places") if sql and "UNIQUE" in sql.upper()]
    assert unique, "places has UNIQUE indexes (name per 区市町村, the list's orders)"
    with database.write():
        with bulk_indexes.set_aside_for_load(database, "places", bulk_indexes.MIN_ROWS):
            left = [name for name, _sql in index_definitions(database, "places")]
    assert set(unique) <= set(left)


# ---------------------------------------------------------------- through the import of a large file

@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_indexes, "MIN_ROWS", 5)


def gatherings_file(tmp_path: Path, place: r.Place, count: int, bad_line: int | None = None) -> Path:
    lines = ["通いの場ID,開催日,参加者数"]
    lines += [f"{place.id},{date(2024, 5, 1) + timedelta(days=i)},{'多数' if i + 2 == bad_line else 12}"
              for i in range(count)]
    path = tmp_path / "in.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_large_import_sets_the_indexes_aside_and_commits_with_them_all(
        database: Database, place: r.Place, tmp_path: Path, small_threshold: None) -> None:
    before = index_definitions(database, "gatherings")
    seen: list[str] = []
    database.conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith(("DROP INDEX", "CREATE INDEX"))
                                     else None)
    result = import_file(database, "gatherings", gatherings_file(tmp_path, place, 12), today=TODAY)
    database.conn.set_trace_callback(None)
    assert result.ok and result.added == 12
    assert any(sql.startswith("DROP INDEX") for sql in seen), "a large file sets the indexes aside"
    assert index_definitions(database, "gatherings") == before
    assert live_gatherings_by_index(database) == 12
    assert database.scalar("PRAGMA integrity_check") == "ok"


def test_a_large_refused_import_leaves_rows_and_indexes_as_they_were_without_building_them(
        database: Database, place: r.Place, tmp_path: Path, small_threshold: None) -> None:
    add_rows(database, place, 3)
    before = index_definitions(database, "gatherings")
    seen: list[str] = []
    database.conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith(("DROP INDEX", "CREATE INDEX"))
                                     else None)
    result = import_file(database, "gatherings", gatherings_file(tmp_path, place, 12, bad_line=11), today=TODAY)
    database.conn.set_trace_callback(None)
    assert [(e.line, e.column) for e in result.errors] == [(11, "参加者数")]
    assert any(sql.startswith("DROP INDEX") for sql in seen)
    assert not any(sql.startswith("CREATE INDEX") for sql in seen), "a refused file is not worth a rebuild"
    assert index_definitions(database, "gatherings") == before
    assert database.scalar("SELECT COUNT(*) FROM gatherings") == 3 == live_gatherings_by_index(database)


def test_a_cancel_while_the_indexes_are_built_again_leaves_nothing_written(
        database: Database, place: r.Place, tmp_path: Path, small_threshold: None) -> None:
    add_rows(database, place, 3)
    before = index_definitions(database, "gatherings")
    reports: list[tuple[int, int]] = []
    progress = progress_that_stops(lambda done, total: reports.append((done, total)), lambda: len(reports) >= 2)
    with pytest.raises(Cancelled):
        import_file(database, "gatherings", gatherings_file(tmp_path, place, 12), today=TODAY, progress=progress)
    assert reports[-1] == (12, 13), "asked between two index builds, after the last row"
    assert index_definitions(database, "gatherings") == before
    assert database.scalar("SELECT COUNT(*) FROM gatherings") == 3 == live_gatherings_by_index(database)


@pytest.mark.parametrize(("sql", "kept"), [
    ("CREATE INDEX a ON gatherings(change_seq)", True),
    ("CREATE INDEX a ON gatherings(updated_at) WHERE deleted_at IS NULL", True),
    ("CREATE INDEX a ON gatherings(deleted_at)\n    WHERE deleted_at IS NOT NULL", True),
    ("CREATE INDEX a ON gatherings(held_on, id) WHERE deleted_at IS NULL", False),
    ("CREATE INDEX a ON gatherings(place_id, change_seq)", False),
    ("CREATE INDEX a ON gatherings(promoter_id) WHERE promoter_id IS NOT NULL", False),
    ("CREATE INDEX a ON gatherings(attendance_total) WHERE deleted_at IS NULL", False)])
def test_only_indexes_a_load_appends_to_or_leaves_alone_are_kept_through_it(sql: str, kept: bool) -> None:
    assert bulk_indexes.kept_through_load(sql) is kept
