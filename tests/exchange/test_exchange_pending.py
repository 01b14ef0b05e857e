"""Bundles that arrive with a gap, and rows held back waiting for a record: listed, dropped, retried only when
what they wait for arrives."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.domain import records as r
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.services.exchange_labels import gap_text, pending_views
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage import repository as repo
from kaigo_desktop.storage.database import Database
from tests.exchange.test_exchange import trust_each_other, _export, _gathering, _place, _records, pcs  # noqa: F401
from tests.exchange.test_exchange_rows import _rewrite_bundle
from tests.storage.test_migrations import _database_at_version


def _pending_ids(db: Database) -> list[tuple[int, str, str | None, str | None]]:
    return [(row.id, row.row_id, row.parent_table, row.parent_id) for row in ex.list_pending(db)]


# ---- gaps -------------------------------------------------------------------------------------------

def test_a_bundle_after_a_lost_one_says_which_is_missing(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place = _place(a)
    lost = _export(a, tmp_path, "b")  # never reaches b
    _gathering(a, place)
    second = _export(a, tmp_path, "b")
    summary = ex.import_bundle(b, second)
    [gap] = summary.gaps
    assert (gap.first_seq, gap.after, gap.destination, gap.source_db) == (1, None, "b", a.database_id)
    assert gap.last_seq == ex.bundle_header(lost, b.schema_version(), trust=lambda signer: None)["max_seq"]  # up to the lost one's end
    assert gap.before == summary.made_at
    text = gap_text(gap)
    assert "まだ取り込まれていません" in text and "送り先「b」" in text and f"1〜{gap.last_seq}" in text
    assert summary.pending == 1  # the gathering waits for its place, which is in the lost bundle
    found = ex.import_bundle(b, lost)
    assert found.gaps == [] and found.pending == 0
    _gathering(a, place, 12)
    assert ex.import_bundle(b, _export(a, tmp_path, "b")).gaps == []
    assert _records(a) == _records(b)


def test_a_bundle_of_everything_never_has_a_gap(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    _export(a, tmp_path, "b")  # lost
    _place(a, "あさがお会")
    assert ex.import_bundle(b, _export(a, tmp_path, "b", since="all")).gaps == []


def test_a_gap_in_the_middle_is_named_until_it_is_filled(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place = _place(a)
    first = _export(a, tmp_path, "b")
    _gathering(a, place, 1)
    middle = _export(a, tmp_path, "b")  # reaches b last
    _gathering(a, place, 2)
    third = _export(a, tmp_path, "b")
    _gathering(a, place, 3)
    fourth = _export(a, tmp_path, "b")
    assert ex.import_bundle(b, first).gaps == []
    assert len(ex.import_bundle(b, third).gaps) == 1
    [gap] = ex.import_bundle(b, fourth).gaps  # still missing, although fourth follows third
    header = {path: ex.bundle_header(path, b.schema_version(), trust=lambda signer: None) for path in (first, middle, third)}
    assert (gap.first_seq, gap.last_seq) == (header[first]["max_seq"] + 1, header[middle]["max_seq"])
    assert (gap.after, gap.before) == (header[first]["created_at"], header[third]["created_at"])
    assert ex.import_bundle(b, middle).gaps == []
    assert _records(a) == _records(b)


def test_other_destinations_and_scopes_do_not_make_gaps(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    north = repo.insert(a, r.Center(id="", municipality_code="131016", name="北センター"))
    _gathering(a, repo.insert(a, r.Place(id="", municipality_code="131016", name="北の会", center_id=north.id)))
    _export(a, tmp_path, "someone-else")  # a bundle for another PC: none of b's business
    assert ex.import_bundle(b, _export(a, tmp_path, "b", center=north.id)).gaps == []
    _place(a, "南の会")
    assert ex.import_bundle(b, _export(a, tmp_path, "b")).gaps == []  # the first unfiltered one starts at 0


def test_cli_import_warns_of_a_gap(pcs, tmp_path, capsys) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    _export(a, tmp_path, "b")  # lost
    _place(a, "あさがお会")
    second = _export(a, tmp_path, "b")
    b_path = b.path
    b.close()
    assert main(["--db", str(b_path), "bundle", "import", str(second), "--dry-run"]) == 1
    assert "注意: 前の取り込みファイルがまだ取り込まれていません" in capsys.readouterr().err
    assert main(["--db", str(b_path), "bundle", "import", str(second)]) == 1
    out = capsys.readouterr()
    assert "追加 1" in out.out and "まだ取り込まれていません" in out.err


# ---- rows held back ---------------------------------------------------------------------------------

def _waiting_gatherings(a, b, tmp_path, count: int = 3):
    """b holds `count` gatherings of a place it has not received (the bundle with the place is lost)."""
    place = _place(a)
    lost = _export(a, tmp_path, "b")
    gatherings = [_gathering(a, place, total) for total in range(1, count + 1)]
    ex.import_bundle(b, _export(a, tmp_path, "b"))
    return place, lost, gatherings


def test_pending_rows_are_listed_with_what_they_wait_for(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place, _, gatherings = _waiting_gatherings(a, b, tmp_path)
    assert sorted((row_id, table, parent) for _, row_id, table, parent in _pending_ids(b)) == sorted(
        (g.id, "places", place.id) for g in gatherings)
    [view, *_] = pending_views(b)
    assert view.kind == "開催記録" and "通いの場" in view.waiting_for and place.id[:8] in view.waiting_for
    assert "令和" in view.since and "このパソコンにない記録" in view.summary


def test_pending_rows_are_retried_only_when_what_they_wait_for_arrives(pcs, tmp_path) -> None:  # noqa: F811
    a, b, town = pcs
    place, lost, gatherings = _waiting_gatherings(a, b, tmp_path)
    before = _pending_ids(b)
    received = [row.received_at for row in ex.list_pending(b)]
    other = _place(town, "町の会")  # an unrelated bundle: the waiting rows are not touched
    _gathering(town, other)
    summary = ex.import_bundle(b, _export(town, tmp_path, "b"))
    assert summary.added == 2 and summary.pending == 3
    assert _pending_ids(b) == before and [row.received_at for row in ex.list_pending(b)] == received
    assert ex.import_bundle(b, lost).pending == 0
    assert b.scalar("SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (place.id,)) == 3


def test_a_row_waiting_for_two_records_waits_for_the_second_once_the_first_arrives(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    center = repo.insert(a, r.Center(id="", municipality_code="131016", name="北センター"))
    with_center = _export(a, tmp_path, "b")
    place = repo.insert(a, r.Place(id="", municipality_code="131016", name="北の会", center_id=center.id))
    with_place = _export(a, tmp_path, "b")
    gathering = _gathering(a, place)
    ex.import_bundle(b, _export(a, tmp_path, "b"))
    ex.import_bundle(b, with_place)
    assert sorted((row_id, parent) for _, row_id, _, parent in _pending_ids(b)) == sorted(
        [(gathering.id, place.id), (place.id, center.id)])
    assert ex.import_bundle(b, with_center).pending == 0  # center → place → gathering, in one import
    assert _records(a) == _records(b)


def test_dropping_pending_rows(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _, lost, gatherings = _waiting_gatherings(a, b, tmp_path)
    [first, *rest] = [row.id for row in ex.list_pending(b)]
    with pytest.raises(ex.ConflictError, match="見つかりません"):
        ex.drop_pending(b, [first, 999_999])
    assert len(ex.list_pending(b)) == 3  # all or none
    assert ex.drop_pending(b, [first]) == 1
    assert [row.id for row in ex.list_pending(b)] == rest
    assert ex.drop_pending(b, None) == 2 and ex.list_pending(b) == []
    ex.import_bundle(b, lost)
    assert b.scalar("SELECT COUNT(*) FROM gatherings") == 0  # dropped: they do not come back by themselves


def test_cli_bundle_pending_lists_and_drops(pcs, tmp_path, capsys, monkeypatch) -> None:  # noqa: F811
    a, b, _ = pcs
    _waiting_gatherings(a, b, tmp_path)
    ids = [row.id for row in ex.list_pending(b)]
    b_path = b.path
    b.close()
    db = ["--db", str(b_path)]
    assert main([*db, "bundle", "pending"]) == 1
    out = capsys.readouterr().out
    assert "保留中の記録: 3 件" in out and "開催記録" in out and str(ids[0]) in out
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main([*db, "bundle", "pending", "--drop", "--all"]) == 2  # no terminal to confirm on
    assert "--yes" in capsys.readouterr().err
    assert main([*db, "bundle", "pending", "--drop", "424242", "--yes"]) == 2
    assert "見つかりません" in capsys.readouterr().err
    assert main([*db, "bundle", "pending", "--drop", str(ids[0]), "--yes"]) == 0
    assert "1 件破棄" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: "n")
    assert main([*db, "bundle", "pending", "--drop", "--all"]) == 1
    monkeypatch.setattr("builtins.input", lambda question: "y")
    assert main([*db, "bundle", "pending", "--drop", "--all"]) == 0
    assert main([*db, "bundle", "pending"]) == 0
    assert "保留中の記録: 0 件" in capsys.readouterr().out
    assert main([*db, "bundle", "pending", "--drop", "1", "--all"]) == 2


# ---- upgrading a database that holds pending rows ---------------------------------------------------

WAITING_ID = "01900000-0000-7000-8000-000000000999"
MISSING_PLACE = "01900000-0000-7000-8000-00000000aaaa"


def test_upgrade_to_8_keeps_pending_rows_and_what_was_received(pcs, tmp_path) -> None:  # noqa: F811
    a, _, _ = pcs
    path = tmp_path / "v7.sqlite3"
    _database_at_version(path, 7)
    waiting = ('{"id": "%s", "place_id": "%s", "held_on": "2024-06-01", "attendance_total": 5, "programs": 0,'
               ' "professionals": 0, "notes": "", "created_at": "2024-06-01T00:00:00.000000Z",'
               ' "updated_at": "2024-06-01T00:00:00.000000Z", "updated_by": "", "origin_db": "db-other",'
               ' "deleted_at": null, "_ancestors": []}') % (WAITING_ID, MISSING_PLACE)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO exchange_pending (table_name, row_id, version, incoming_json) VALUES"
                 " ('gatherings', ?, '2024-06-01T00:00:00.000000Z|db-other', ?)", (WAITING_ID, waiting))
    conn.execute("INSERT INTO exchange_received (content_sha256, source_db, received_at) VALUES ('x', ?, 't')",
                 (a.database_id,))
    conn.execute("INSERT INTO exchange_sources (source_db, max_seq_applied, last_received_at) VALUES"
                 " (?, 40, 't')", (a.database_id,))
    conn.close()
    with Database.open(path) as db:
        assert db.schema_version() == migrations.latest_version() >= 8
        trust_each_other(a, db)
        [row] = ex.list_pending(db)
        assert (row.row_id, row.parent_table, row.received_at) == (WAITING_ID, None, None)
        assert tuple(db.query("SELECT since_seq, max_seq, destination FROM exchange_received")[0]) == (0, 40, None)
        assert "次の取り込み" in pending_views(db)[0].waiting_for
        _place(a, "町の会")
        bundle = _export(a, tmp_path, "b")
        # a bundle from the PC received before the upgrade, starting where it was: no gap
        within = _rewrite_bundle(a, bundle, lambda header, content: header.update(since_seq=40))
        summary = ex.import_bundle(db, within)
        assert summary.gaps == [] and summary.pending == 1
        [row] = ex.list_pending(db)  # retried once, now known to wait for its place
        assert (row.parent_table, row.parent_id) == ("places", MISSING_PLACE)
        def later(header, content):
            header.update(since_seq=50)
            block = content["tables"]["places"]
            block["rows"][0][block["columns"].index("notes")] = "別の内容"  # another bundle, not a repeat

        beyond = _rewrite_bundle(a, bundle, later)
        [gap] = ex.import_bundle(db, beyond, dry_run=True).gaps
        assert (gap.first_seq, gap.last_seq) == (41, 50)


def test_a_filtered_bundle_received_does_not_cover_the_unfiltered_ones(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    north = repo.insert(a, r.Center(id="", municipality_code="131016", name="北センター"))
    repo.insert(a, r.Place(id="", municipality_code="131016", name="北の会", center_id=north.id))
    _export(a, tmp_path, "b")  # the unfiltered one, lost
    ex.import_bundle(b, _export(a, tmp_path, "b", center=north.id))  # a filtered one, received
    _place(a, "南の会")
    [gap] = ex.import_bundle(b, _export(a, tmp_path, "b")).gaps
    assert gap.first_seq == 1 and gap.after is None  # nothing unfiltered was ever received
