"""A bundle's rows are checked column by column, as lists (no dict per row), the record rules asked once per
distinct combination of values over the whole import: the same problems, in the same words, as the check of
one row at a time (received_rows.row_problems)."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaigo_desktop.services import bundle_content, bundle_format, received_rows
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.services.incoming_rows import DictRows, ListRows
from kaigo_desktop.services.received_rows import RuleAnswers, problems_of_received, problems_of_rows, row_problems
from tests.exchange.test_bundle_streaming import GATHERINGS, _many_gatherings
from tests.exchange.test_exchange import pcs, rewrite_bundle  # noqa: F401

TODAY = date(2025, 3, 31)
_BOOKKEEPING = {"id": "1" * 36, "created_at": "2024-01-01T00:00:00", "updated_at": "2024-01-01T00:00:00",
                "updated_by": "", "origin_db": "x", "deleted_at": None}
GOOD = {
    "gatherings": {"place_id": "0" * 36, "held_on": "2024-05-01", "start_time": "10:00", "end_time": "11:30",
                   "programs": 3, "attendance_total": 10, "male": 4, "female": 6, "age_under_65": None,
                   "age_65_74": 5, "age_75_plus": 5, "new_participants": 1, "professionals": 0,
                   "promoter_id": None, "notes": ""},
    "members": {"place_id": "0" * 36, "fiscal_year": 2024, "total": 20, "male": 8, "female": 12,
                "age_under_65": None, "age_65_74": 10, "age_75_plus": 10},
}
# Values a forged or damaged bundle may hold: of another type (True is no count, 3.0 no whole number),
# out of bounds, no date, no time, a list, the column left out.
ODD = [None, True, 3.0, -1, 0, 1, 10_001, "", " ", "2024-02-30", "2099-01-01", "2024-05-01", "9:30", "25:00",
       "10:00", 1 << 13, [1], 2024, 1999]
SPECIFIC = {"attendance_total": [10, 12, 3, 9_999], "male": [4, 7, 11], "age_65_74": [5, 6, 10],
            "total": [20, 19], "fiscal_year": [2024, 2023, 10_000], "programs": [3, 31, 32],
            "held_on": ["2024-05-01", "2024-05-02"]}
LEFT_OUT = object()


def _rows(table: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Rows of `table`, most of them fine, some with a field or two made odd."""
    good = {**GOOD[table], **_BOOKKEEPING, "_ancestors": []}

    def changed(edits: dict[str, Any]) -> dict[str, Any]:
        row = {**good, **edits}
        return {name: value for name, value in row.items() if value is not LEFT_OUT}

    field = st.sampled_from(sorted(good))
    value = st.one_of(st.sampled_from(ODD), st.just(LEFT_OUT),
                      st.sampled_from(sorted({v for values in SPECIFIC.values() for v in values}, key=repr)))
    edits = st.dictionaries(field, value, max_size=2)
    return st.lists(st.one_of(st.just({}), edits).map(changed), min_size=1, max_size=30)


def _one_by_one(db, table: str, rows: list[dict[str, Any]]) -> list[list[str]]:
    return [row_problems(db, table, row, TODAY) for row in rows]


def _as_lists(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The rows as a bundle gives them: one column order, a left-out value missing from every row (the
    bundle's columns are those of its first row: a row without one is given its default by dropping it)."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    return columns, [[row.get(name) for name in columns] for row in rows]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(sorted(GOOD)), data=st.data())
def test_the_column_check_agrees_with_the_row_by_row_one(db, table, data) -> None:
    rows = data.draw(_rows(table))
    # every row holding every column: lists (a bundle's chunk) and dicts (rows retried) alike
    complete = [row for row in rows if set(row) == set(rows[0])]
    columns, lists = _as_lists(complete)
    expected = _one_by_one(db, table, [dict(zip(columns, values)) for values in lists])
    found = problems_of_received(db, table, columns, lists, None, TODAY)
    assert [found.get(index, []) for index in range(len(lists))] == expected
    assert list(found) == sorted(found)  # in the rows' order
    # rows whose columns differ (held back from bundles of other versions) go the dict way
    found = problems_of_rows(db, table, rows, TODAY)
    assert [found.get(index, []) for index in range(len(rows))] == _one_by_one(db, table, rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=_rows("gatherings"), second=_rows("gatherings"))
def test_what_the_rules_said_of_one_chunk_holds_for_the_next(db, first, second) -> None:
    """One RuleAnswers for the chunks of an import: a combination met again is judged as it was, and a row
    holding it in a later chunk is still named."""
    answers = RuleAnswers()
    for chunk in (first, second, first):
        complete = [row for row in chunk if set(row) == set(chunk[0])]
        columns, lists = _as_lists(complete)
        found = problems_of_received(db, "gatherings", columns, lists, list(zip(*lists)), TODAY, answers)
        assert [found.get(index, []) for index in range(len(lists))] == _one_by_one(
            db, "gatherings", [dict(zip(columns, values)) for values in lists])


def test_a_combination_found_wrong_in_one_chunk_holds_its_rows_in_every_chunk(
        pcs, tmp_path, monkeypatch) -> None:  # noqa: F811
    """Two gatherings in chunks apart with the same wrong counts (the rule is asked once): both held, each
    with the message the row-by-row check gives; the others come in."""
    monkeypatch.setattr(bundle_format, "_CHUNK", 512)
    monkeypatch.setattr(bundle_content, "_BATCH_BYTES", 700)
    monkeypatch.setattr(ex, "_CHUNK", 5)
    a, b, _ = pcs
    wrong = {"attendance_total": 5, "male": 4, "female": 3}  # 男性+女性 > 参加者数

    def break_two(header, content) -> None:
        block = content["tables"]["gatherings"]
        for row in (block["rows"][2], block["rows"][-3]):
            for name, value in wrong.items():
                row[block["columns"].index(name)] = value

    path = rewrite_bundle(a, _many_gatherings(a, tmp_path), tmp_path / "two-wrong.kaigo", break_two)
    asked = []
    check = received_rows._broken
    monkeypatch.setattr(received_rows, "_broken", lambda *args: (asked.append(args[2].fields), check(*args))[1])
    summary = ex.import_bundle(b, path)
    assert (summary.added, summary.invalid, summary.conflicts) == (GATHERINGS + 1 - 2, 2, 2)
    held = [conflict for conflict in ex.list_conflicts(b) if conflict.reason == ex.INVALID]
    assert len(held) == 2
    for conflict in held:
        row = {name: value for name, value in conflict.incoming.items() if name != ex.PROBLEMS}
        assert conflict.incoming[ex.PROBLEMS] == row_problems(b, "gatherings", row)
        assert conflict.incoming[ex.PROBLEMS] == ["男性と女性の合計（7人）が参加者数（5人）を超えています。"]
        assert b.scalar("SELECT COUNT(*) FROM gatherings WHERE id = ?", (row["id"],)) == 0
    assert len(asked) > 4  # many chunks, each one asking the rules of the combinations it was the first to hold


def test_incoming_rows_as_lists_and_as_dicts() -> None:
    columns = ["id", "deleted_at", "updated_at", "origin_db", "_ancestors"]
    lists = ListRows(columns, [["a", None, "t1", "o", []], ["b", "t2", "t2", "o", ["t0|o"]],
                               ["c", None, "t3", "o", []]])
    assert lists.ids() == ["a", "b", "c"]
    assert lists.full(1) == {"id": "b", "deleted_at": "t2", "updated_at": "t2", "origin_db": "o",
                             "_ancestors": ["t0|o"]}
    assert [group.ids() for group in lists.deleted_first()] == [["b"], ["a", "c"]]
    assert [batch.ids() for batch in lists.batches({0})] == [["b", "c"]]
    assert list(lists.values_of(["updated_at", "id"])) == [("t1", "a"), ("t2", "b"), ("t3", "c")]
    assert list(lists.values_of(["id"])) == [("a",), ("b",), ("c",)]
    assert (lists.deleted_count(), lists.bases_with_ancestors()) == (1, [("b", "t2|o", ["t0|o"], [])])
    dicts = DictRows([{"id": "a", "x": 1}, {"id": "b"}, {"id": "c", "x": 2}])
    assert [(batch.columns, batch.rows) for batch in dicts.batches({1})] == [(("id", "x"), [("a", 1), ("c", 2)])]
    assert [(batch.columns, batch.rows) for batch in dicts.batches(set())] == [
        (("id", "x"), [("a", 1), ("c", 2)]), (("id",), [("b",)])]
    held = DictRows([{"id": "a", "deleted_at": None}, {"id": "b", "deleted_at": "t2"}, {"id": "c"}])
    assert [group.ids() for group in held.deleted_first()] == [["b"], ["a", "c"]]
    assert [group.ids() for group in held.but({1}).deleted_first()] == [["a", "c"]]
    assert held.but(()) is held


def test_the_collector_is_off_while_a_bundle_is_merged_and_on_again_after(
        pcs, tmp_path, monkeypatch) -> None:  # noqa: F811
    import gc

    monkeypatch.setattr(bundle_format, "_CHUNK", 512)
    monkeypatch.setattr(bundle_content, "_BATCH_BYTES", 700)
    monkeypatch.setattr(ex, "_CHUNK", 5)
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    seen = []
    check = received_rows.problems_of_received
    monkeypatch.setattr(received_rows, "problems_of_received", lambda *args: (seen.append(gc.isenabled()),
                                                                              check(*args))[1])
    assert gc.isenabled()
    assert ex.import_bundle(b, path).added == GATHERINGS + 1
    assert seen and not any(seen) and gc.isenabled()
    bad = rewrite_bundle(a, path, tmp_path / "bad.kaigo",
                         lambda h, c: c["tables"]["gatherings"]["rows"][-1].__setitem__(1, {"x": 1}))
    try:
        ex.import_bundle(b, bad)
    except ex.BundleError:
        pass
    else:
        raise AssertionError("a row of a wrong shape refuses the bundle")
    assert gc.isenabled()  # on again after a refusal too
    gc.disable()
    try:
        ex.import_bundle(b, path)  # already imported: nothing to do
        assert not gc.isenabled()  # left off when it was off before
    finally:
        gc.enable()


def test_a_value_the_same_in_every_row_is_bound_once_and_only_when_it_is() -> None:
    lists = ListRows(["id", "n", "t", "x", "f", "k"], [["a", 1, "", None, 0.0, 1], ["b", 1, "", None, -0.0, True],
                                                       ["c", 1, "", None, 0.0, 1.0]])
    assert lists.same_in_every_row(lists.columns) == {"n": 1, "t": "", "x": None}  # not the id, a float, 1 = True
    assert ListRows(["id", "n"], [["a", 1]]).same_in_every_row(["id", "n"]) == {}  # one row: nothing to gain
    many = ListRows(["id", "n"], [[str(i), 1] for i in range(100)] + [["z", 2]])
    assert many.same_in_every_row(["n"]) == {}  # a different one after the rows looked at first


def test_rows_with_values_the_same_in_a_chunk_are_stored_as_they_came(pcs, tmp_path, monkeypatch) -> None:  # noqa: F811
    """Chunks where a column holds one value (bound once) and chunks where it varies: every row stored with
    the sender's values and types."""
    monkeypatch.setattr(bundle_format, "_CHUNK", 512)
    monkeypatch.setattr(bundle_content, "_BATCH_BYTES", 700)
    monkeypatch.setattr(ex, "_CHUNK", 5)
    a, b, _ = pcs

    def vary(header, content) -> None:
        block = content["tables"]["gatherings"]
        notes, male = block["columns"].index("notes"), block["columns"].index("male")
        for number, row in enumerate(block["rows"]):
            row[notes] = "同じ" if number < 20 else f"メモ{number % 3}"
            row[male] = 0 if number % 10 < 5 else None

    path = rewrite_bundle(a, _many_gatherings(a, tmp_path), tmp_path / "varied.kaigo", vary)
    assert ex.import_bundle(b, path).added == GATHERINGS + 1
    with zipfile.ZipFile(path) as bundle:
        block = json.loads(bundle.read("content.json"))["tables"]["gatherings"]
    columns = block["columns"][:-1]
    stored = {row[0]: list(row) for row in b.conn.execute(
        f"SELECT {', '.join(columns)} FROM gatherings")}
    assert len(stored) == GATHERINGS
    for row in block["rows"]:
        assert stored[row[0]] == row[:-1]
    types = [tuple(row) for row in b.conn.execute(
        "SELECT DISTINCT typeof(male), typeof(notes) FROM gatherings ORDER BY 1")]
    assert types == [("integer", "text"), ("null", "text")]
    assert b.scalar("SELECT COUNT(*) FROM exchange_base WHERE table_name = 'gatherings'") == GATHERINGS
