"""Rows arriving by bundle pass the checks a row typed here passes; a row that fails is listed, never stored."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.validation import MAX_PEOPLE, check_attendance
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.services import records
from kaigo_desktop.services.exchange_labels import conflict_views
from kaigo_desktop.storage import repository as repo
from tests.exchange.test_exchange import rewrite_bundle, _export, _place, _records, pcs  # noqa: F401


def _rewrite_bundle(signer, path: Path, edit: Callable[[dict[str, Any], dict[str, Any]], None]) -> Path:
    """A forged copy of a bundle: edit(header, content) changes them in place; the checksum is made again and the
    copy signed by `signer` (a PC the receiver trusts), so only the row checks stand between it and the data."""
    return rewrite_bundle(signer, path, path.with_name("forged-" + path.name), edit)


def _set(content: dict[str, Any], table: str, row_id: str, **values: Any) -> None:
    block = content["tables"][table]
    for row in block["rows"]:
        if row[block["columns"].index("id")] == row_id:
            for column, value in values.items():
                row[block["columns"].index(column)] = value
            return
    raise AssertionError(f"{table} {row_id} not in the bundle")


def _gatherings(db, place: r.Place, count: int) -> list[r.Gathering]:
    return [repo.insert(db, r.Gathering(place_id=place.id, held_on=date(2024, 5, day), attendance_total=10))
            for day in range(1, count + 1)]


def test_a_bounds_rule_is_the_same_for_a_typed_record() -> None:
    assert check_attendance(attendance_total=MAX_PEOPLE) == []
    [error] = check_attendance(attendance_total=999_999_999)
    assert error.field == "attendance_total" and "以下で入力" in error.message


def test_forged_rows_are_listed_as_problems_and_the_rest_is_applied(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place, odd_place = _place(a, "ひまわり会"), _place(a, "あさがお会")
    g = _gatherings(a, place, 6)
    path = _export(a, tmp_path, "b")

    def forge(header, content):
        _set(content, "gatherings", g[0].id, held_on="2024-02-30")
        _set(content, "gatherings", g[1].id, attendance_total=999_999_999)
        _set(content, "gatherings", g[2].id, attendance_total=-5)
        _set(content, "gatherings", g[3].id, attendance_total="abc")
        _set(content, "gatherings", g[4].id, male="三")  # (true/false is refused whole, by the format)
        _set(content, "places", odd_place.id, venue_kind="宇宙ステーション")

    forged = _rewrite_bundle(a, path, forge)
    summary = ex.import_bundle(b, forged)
    assert (summary.added, summary.conflicts, summary.invalid) == (2, 6, 6)
    assert b.scalar("SELECT COUNT(*) FROM places") == 1 and b.scalar("SELECT COUNT(*) FROM gatherings") == 1
    assert b.scalar("SELECT id FROM gatherings") == g[5].id
    assert b.scalar("SELECT COUNT(*) FROM exchange_pending") == 0  # not waiting for a venue that never comes
    problems = {c.row_id: c for c in ex.list_conflicts(b)}
    assert {c.reason for c in problems.values()} == {"invalid"}
    assert "存在する日付" in problems[g[0].id].incoming[ex.PROBLEMS][0]
    assert "以下で入力" in problems[g[1].id].incoming[ex.PROBLEMS][0]
    assert "0以上" in problems[g[2].id].incoming[ex.PROBLEMS][0]
    assert "整数" in problems[g[3].id].incoming[ex.PROBLEMS][0]
    assert "整数" in problems[g[4].id].incoming[ex.PROBLEMS][0]
    assert "宇宙ステーション" in problems[odd_place.id].incoming[ex.PROBLEMS][0]
    # shown readable in the 競合の解決 dialog, the messages included
    views = {v.id: v for v in conflict_views(b)}
    assert "以下で入力" in views[problems[g[1].id].id].explanation
    b_path = b.path
    b.close()
    assert main(["--db", str(b_path), "stats", "--fy", "2024"]) == 0
    assert main(["--db", str(b_path), "check"]) == 0
    assert main(["--db", str(b_path), "bundle", "conflicts"]) == 1


def test_keep_local_drops_an_invalid_row_and_keep_incoming_refuses_it(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place = _place(a)
    [gathering] = _gatherings(a, place, 1)
    forged = _rewrite_bundle(a, _export(a, tmp_path, "b"), lambda header, content: _set(
        content, "gatherings", gathering.id, held_on="2023-02-29"))
    ex.import_bundle(b, forged)
    [problem] = ex.list_conflicts(b)
    with pytest.raises(ex.ConflictError, match="存在する日付"):
        ex.resolve_conflict(b, problem.id, keep="incoming")
    ex.resolve_conflict(b, problem.id, keep="local")
    assert ex.list_conflicts(b) == [] and b.scalar("SELECT COUNT(*) FROM gatherings") == 0


def test_an_invalid_edit_leaves_the_record_as_it_was(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place = _place(a)
    [gathering] = _gatherings(a, place, 1)
    ex.import_bundle(b, _export(a, tmp_path, "b"))
    before = _records(b)
    records.update(a, r.Gathering(**{**repo.get(a, r.Gathering, gathering.id).__dict__, "notes": "雨天"}))
    forged = _rewrite_bundle(a, _export(a, tmp_path, "b"), lambda header, content: _set(
        content, "gatherings", gathering.id, attendance_total=9_223_372_036_854_775_807))
    summary = ex.import_bundle(b, forged)
    assert (summary.updated, summary.invalid) == (0, 1)
    assert _records(b) == before
    [problem] = ex.list_conflicts(b)
    assert problem.local["attendance_total"] == 10  # this PC's version shown beside it


def test_broken_bookkeeping_is_a_problem_not_a_traceback(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place = _place(a)
    [gathering] = _gatherings(a, place, 1)
    forged = _rewrite_bundle(a, _export(a, tmp_path, "b"), lambda header, content: _set(
        content, "gatherings", gathering.id, updated_at="昨日", programs=1 << 20, start_time="25:00"))
    # (an id that is not text, or ancestors that are not a list, are refused whole by the declared format)
    summary = ex.import_bundle(b, forged)
    assert summary.invalid == 1 and b.scalar("SELECT COUNT(*) FROM gatherings") == 0
    [view] = conflict_views(b)
    assert "25:00" in view.explanation and "1048576" in view.explanation


def test_a_typed_record_meets_the_same_bound(pcs) -> None:  # noqa: F811
    from kaigo_desktop.domain.validation import ValidationFailed

    a, _, _ = pcs
    place = _place(a)
    with pytest.raises(ValidationFailed, match="以下で入力"):
        records.add(a, r.Gathering(place.id, date(2024, 5, 1), 999_999_999))
    with pytest.raises(ValidationFailed, match="以下で入力"):
        records.add(a, r.Expense("131016", 2024, "報酬", 10**15))


def test_a_deletion_with_a_broken_date_is_refused_too(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    [gathering] = _gatherings(a, _place(a), 1)
    ex.import_bundle(b, _export(a, tmp_path, "b"))
    repo.soft_delete(a, r.Gathering, gathering.id)
    forged = _rewrite_bundle(a, _export(a, tmp_path, "b"), lambda header, content: _set(
        content, "gatherings", gathering.id, held_on="2024-13-01"))
    assert ex.import_bundle(b, forged).invalid == 1  # the trash list must not break on it either
    assert b.scalar("SELECT held_on FROM gatherings") == "2024-05-01"


def test_rules_against_other_records_are_not_applied_to_incoming_rows(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place = _place(a)
    ex.import_bundle(b, _export(a, tmp_path, "b"))
    repo.soft_delete(b, r.Place, place.id)  # b puts the place in the trash while a records a gathering there
    [gathering] = _gatherings(a, place, 1)
    summary = ex.import_bundle(b, _export(a, tmp_path, "b"))
    assert (summary.added, summary.invalid) == (1, 0)
    assert b.scalar("SELECT id FROM gatherings") == gathering.id


def test_the_batch_check_agrees_with_the_row_by_row_one(pcs, tmp_path) -> None:  # noqa: F811
    from kaigo_desktop.services.received_rows import problems_of_rows, row_problems

    a, b, _ = pcs
    place = _place(a)
    [gathering] = _gatherings(a, place, 1)
    with zipfile.ZipFile(_export(a, tmp_path, "b")) as bundle:
        block = json.loads(bundle.read("content.json"))["tables"]["gatherings"]
    good = dict(zip(block["columns"], block["rows"][0]))
    variants = [{}, {"held_on": "2024-02-30"}, {"held_on": 20240501}, {"attendance_total": 10_001},
                {"attendance_total": 3.0}, {"male": 11}, {"start_time": "9:30"}, {"end_time": None},
                {"programs": -1}, {"professionals": 1 << 13}, {"promoter_id": 7}, {"notes": None},
                {"id": "short"}, {"deleted_at": ""}, {"_ancestors": [1]}, {"held_on": "2099-01-01"}]
    rows = [{**good, **variant} for variant in variants]
    rows.append({k: v for k, v in good.items() if k != "notes"})  # a column left out: its default
    rows.append({k: v for k, v in good.items() if k != "held_on"})  # a required one left out
    found = problems_of_rows(b, "gatherings", rows)
    assert [found.get(index, []) for index in range(len(rows))] == [row_problems(b, "gatherings", row) for row in rows]
    assert set(found) == set(range(1, len(rows))) - {7, len(rows) - 2}  # the unchanged row and the two fine ones
