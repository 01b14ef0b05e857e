"""Exchange cases found by the three-PC property test, plus encryption, the center filter and cancelling."""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage import repository as repo
from tests.exchange.test_exchange import (  # noqa: F401
    _clock,
    _edit,
    _edited_on_both,
    _gathering,
    _open,
    _place,
    _records,
    _send,
    pcs,
    rewrite_bundle,
)


def test_a_later_version_replaces_the_waiting_same_name_conflict(pcs, tmp_path) -> None:  # noqa: F811
    a, _, town = pcs
    _place(town, "さくら会")
    mine = _place(a, "さくら会")
    _send(a, town, tmp_path, destination="town")
    _edit(a, mine, notes="雨天")
    _send(a, town, tmp_path, destination="town")
    waiting = _open(town, "same_name")
    assert len(waiting) == 1 and waiting[0].incoming["notes"] == "雨天"
    ex.resolve_conflict(town, waiting[0].id, keep="incoming")
    assert town.scalar("SELECT notes FROM places WHERE id = ?", (mine.id,)) == "雨天"
    assert town.scalar("SELECT COUNT(*) FROM places WHERE name = 'さくら会' AND deleted_at IS NULL") == 1


@pytest.mark.parametrize("keep", ["local", "incoming"])
def test_same_name_resolved_elsewhere_leaves_one_record_holding_both_sides_gatherings(
        pcs, tmp_path, keep) -> None:  # noqa: F811
    a, _, town = pcs
    towns = _place(town, "さくら会")
    _gathering(town, towns, 7)
    _gathering(a, _place(a, "さくら会"), 9)
    _send(town, a, tmp_path, destination="a")          # a: conflict (its own さくら会 vs the town's)
    _send(a, town, tmp_path, destination="town")       # town: conflict (its own vs a's); a's gathering waits
    ex.resolve_conflict(town, _open(town)[0].id, keep=keep)
    _send(town, a, tmp_path, destination="a")          # the decision arrives at a and settles its conflict
    _send(a, town, tmp_path, destination="town")
    assert _open(a) == [] and _open(town) == []
    assert _records(a) == _records(town)
    for db in (a, town):
        live = db.query("SELECT id FROM places WHERE name = 'さくら会' AND deleted_at IS NULL")
        assert len(live) == 1
        totals = db.query("SELECT attendance_total FROM gatherings WHERE place_id = ? AND deleted_at IS NULL"
                          " ORDER BY attendance_total", (live[0][0],))
        assert [row[0] for row in totals] == [7, 9]


def test_a_local_edit_after_a_conflict_that_agrees_with_the_other_side_settles_it(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place = _edited_on_both(a, b, tmp_path, "雨天", "会場変更")
    _send(b, a, tmp_path, destination="a")
    assert len(_open(a, "both_changed")) == 1
    _edit(a, place, notes="会場変更")  # a's person agrees with b, without opening the conflict
    _send(a, b, tmp_path, destination="b")
    _send(b, a, tmp_path, destination="a")
    assert _open(a) == [] and _open(b) == []
    assert _records(a) == _records(b)


def test_encrypted_bundle_needs_the_passphrase(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a, "秘密の会"))
    path = tmp_path / "secret.kaigo"
    ex.export_bundle(a, path, destination="b", passphrase="さくら2024")
    data = path.read_bytes()
    assert ex.is_encrypted(path) and not data.startswith(b"PK")
    assert "秘密の会".encode() not in data and b"places" not in data and b"counts" not in data
    before = _records(b)
    for wrong in (None, "さくら2025"):
        with pytest.raises(ex.PassphraseError):
            ex.import_bundle(b, path, passphrase=wrong)
    assert _records(b) == before
    tampered = tmp_path / "tampered.kaigo"
    tampered.write_bytes(data[:-40] + bytes(40))
    with pytest.raises(ex.PassphraseError):
        ex.import_bundle(b, tampered, passphrase="さくら2024")
    assert ex.import_bundle(b, path, passphrase="さくら2024").added == 2
    assert _records(a) == _records(b)


def test_center_filter_sends_only_that_centers_places_and_gatherings(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    center = repo.insert(a, r.Center(id="", municipality_code="131016", name="北地域包括支援センター"))
    ours = repo.insert(a, r.Place(id="", municipality_code="131016", name="北の会", center_id=center.id))
    _gathering(a, ours)
    _gathering(a, _place(a, "南の会"))
    summary = _send(a, b, tmp_path, destination="b", center=center.id)
    assert summary.added == 3  # the center, its place and that place's gathering
    assert b.scalar("SELECT COUNT(*) FROM places") == 1
    with pytest.raises(ex.BundleError):
        ex.export_bundle(a, tmp_path / "x.kaigo", destination="b", center=str(uuid.uuid4()))


class _Cancelled(Exception):
    pass


def _cancel_after(calls: int):
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) > calls:
            raise _Cancelled

    return progress


def test_cancelled_export_leaves_no_file_and_forgets_nothing(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    out = tmp_path / "cancelled.kaigo"
    with pytest.raises(_Cancelled):
        ex.export_bundle(a, out, destination="b", progress=_cancel_after(2))
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    assert ex.destinations(a) == []
    assert _send(a, b, tmp_path, destination="b").added == 2  # "since last" still sends everything


def test_cancelled_import_writes_nothing(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    place = _place(a)
    for total in range(30):
        _gathering(a, place, total)
    path = tmp_path / "many.kaigo"
    ex.export_bundle(a, path, destination="b")
    before = _records(b)
    with pytest.raises(_Cancelled):
        ex.import_bundle(b, path, progress=_cancel_after(1))
    assert _records(b) == before
    assert ex.import_bundle(b, path).added == 31


def test_a_batch_of_edits_with_one_that_must_wait_applies_the_others(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    here, there = _place(a, "ここの会"), _place(a, "あちらの会")
    moved = [_gathering(a, here, total) for total in range(5)]
    _send(a, b, tmp_path, destination="b")
    later = _place(a, "あとから届く会")
    first = tmp_path / "with_the_new_place.kaigo"
    ex.export_bundle(a, first, destination="b")  # carries the new place: it reaches b last
    for gathering in moved[:4]:
        _edit(a, gathering, place_id=there.id)
    _edit(a, moved[4], place_id=later.id)  # the same columns change, but this place is not at b yet
    second = tmp_path / "edits.kaigo"
    ex.export_bundle(a, second, destination="b")
    summary = ex.import_bundle(b, second)
    assert (summary.updated, summary.pending, summary.conflicts) == (4, 1, 0)
    assert b.scalar("SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (there.id,)) == 4
    assert ex.import_bundle(b, first).pending == 0
    assert _records(a) == _records(b)


def test_an_incoming_record_that_breaks_a_rule_here_can_be_dropped(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    path = tmp_path / "odd.kaigo"
    ex.export_bundle(a, path, destination="b")
    # a bundle from a PC whose copy of the rules differs: a gathering with more men than participants
    def more_men(_header, content):
        block = content["tables"]["gatherings"]
        block["rows"][0][block["columns"].index("male")] = 99
    odd = rewrite_bundle(a, path, tmp_path / "odd2.kaigo", more_men)
    assert ex.import_bundle(b, odd).conflicts == 1
    [conflict] = ex.list_conflicts(b)
    assert conflict.reason.startswith("invalid")
    with pytest.raises(ex.ConflictError):
        ex.resolve_conflict(b, conflict.id, keep="incoming")
    ex.resolve_conflict(b, conflict.id, keep="local")
    assert ex.list_conflicts(b) == [] and b.scalar("SELECT COUNT(*) FROM gatherings") == 0


def test_a_delete_undone_on_a_pc_whose_clock_is_behind_converges(pcs, tmp_path, monkeypatch) -> None:  # noqa: F811
    a, b, town = pcs
    gathering = _gathering(town, _place(town))
    for center, name in ((a, "a"), (b, "b")):
        _send(town, center, tmp_path, destination=name)
    repo.soft_delete(a, r.Gathering, gathering.id)
    with _clock(monkeypatch, -3):  # a's clock is three hours behind when the delete is undone
        repo.restore(a, r.Gathering, gathering.id)
    for _ in range(2):
        for center, name in ((a, "a"), (b, "b")):
            _send(center, town, tmp_path, destination="town")
            _send(town, center, tmp_path, destination=name)
    assert _open(a) == _open(b) == _open(town) == []
    assert _records(a) == _records(b) == _records(town)
