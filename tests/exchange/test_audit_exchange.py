"""Audit entries in exchange bundles: the receiving PC sees who at the center changed what (kept with their
origin, outside its own chain), a conflict decision is logged, and a bundle whose audit part is hostile is
refused whole."""

from __future__ import annotations

import pytest

from kaigo_desktop.services import audit
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.services.exchange import BundleError
from kaigo_desktop.storage import audit_log
from tests.exchange.test_exchange import _edit, _edited_on_both, _export, _gathering, _open, _place, _send, pcs, \
    rewrite_bundle  # noqa: F401 - pcs is a fixture


def test_the_receiver_sees_who_at_the_center_changed_what(pcs, tmp_path) -> None:
    center, _, town = pcs
    place = _place(center)
    _edit(center, place, notes="毎週火曜")
    gathering = _gathering(center, place)
    _send(center, town, tmp_path)
    received = [e for e in audit.entries(town, record_id=place.id) if e.received]
    assert [(e.action, e.user_name, e.origin_db) for e in received] == [
        ("update", "center_a", center.database_id), ("insert", "center_a", center.database_id)]
    assert received[0].changes == {"notes": ["", "毎週火曜"]}
    assert any(e.received for e in audit.entries(town, record_id=gathering.id))
    # the town's own entries for the rows it wrote name the bundle; its chain holds only its own entries
    own = [e for e in audit.entries(town, record_id=place.id) if not e.received]
    assert own and own[0].user_name == "town" and own[0].detail.startswith("取り込みファイル ")
    assert audit_log.chain_breaks(town.conn) == []
    # sent again (a later bundle carries them too): kept once
    _edit(center, place, notes="毎週水曜")
    _send(center, town, tmp_path)
    assert town.scalar("SELECT COUNT(*) FROM audit_received WHERE record_id = ?", (place.id,)) == 3


def test_a_conflict_decision_is_logged(pcs, tmp_path) -> None:
    a, b, _ = pcs
    place = _edited_on_both(a, b, tmp_path, "a の備考", "b の備考")
    _send(a, b, tmp_path)
    conflict = _open(b, "both_changed")[0]
    ex.resolve_conflict(b, conflict.id, "incoming")
    decided = [e for e in audit.entries(b, record_id=place.id) if not e.received][0]
    assert decided.changes["notes"] == ["b の備考", "a の備考"]
    assert decided.detail == "競合の解決: 取り込んだ版を残す"
    marked = audit.entries(b, record_id=conflict.id)[0]
    assert marked.changes["resolution"] == [None, "incoming"]


@pytest.mark.parametrize("hostile", [
    lambda rows: rows[0].__setitem__(0, "1"),  # seq as text
    lambda rows: rows[0].__setitem__(4, "drop_table"),  # an action we do not know
    lambda rows: rows[0].__setitem__(7, "x" * 1_000_001),  # changes beyond their bound
    lambda rows: rows[0].append("extra"),  # a tenth field
])
def test_a_hostile_audit_part_refuses_the_whole_bundle(pcs, tmp_path, hostile) -> None:
    center, _, town = pcs
    _place(center)
    path = _export(center, tmp_path, "town")

    def change(header, content):
        hostile(content["audit"]["rows"])

    bad = rewrite_bundle(center, path, tmp_path / "bad.kaigo", change)
    before = town.scalar("SELECT COUNT(*) FROM places"), town.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(BundleError, match="content.json"):
        ex.import_bundle(town, bad)
    assert (town.scalar("SELECT COUNT(*) FROM places"), town.scalar("SELECT COUNT(*) FROM audit_log")) == before
    assert town.scalar("SELECT COUNT(*) FROM audit_received") == 0
