"""Second review of the offline exchange: scenarios that went wrong before the fixes in services/exchange.py
and services/duplicates.py (each comment says what happened, and the fix that was suggested)."""

from __future__ import annotations

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage import repository as repo
from tests.exchange.test_exchange import _edit, _gathering, _open, _place, _records, _send, pcs  # noqa: F401


# ---- 1. a rename that takes a name freed in the same bundle is a same-name conflict, never retried -----------

# On a, place P1 "さくら会" is renamed "さくら会（旧）", then P2 "ひまわり会" takes the name "さくら会", then P1's
# notes are edited (so P1's change_seq is after P2's, and the two updates change different columns: separate
# batches in _write_updates). At b, P2's batch runs first: UNIQUE(places_name_unique) fails, the fallback stores
# a same_name conflict; P1's batch then frees the name, but nothing retries P2. _retry_same_name only retries
# records that are *not* here (local is None): an update held back by a name is never retried, so b keeps
# "ひまわり会" and an open conflict although b changed nothing. (Resolving it "incoming" while the namesake is
# still live would even trash a distinct place and move its gatherings — the namesake is not a duplicate.)
# Fix: in _write_updates retry the failed rows after the other batches until nothing moves; in _retry_same_name
# also re-apply the incoming version when the local row exists at an older version (judged by history).
def test_a_rename_into_a_name_freed_in_the_same_bundle_applies(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    p1, p2 = _place(a, "さくら会"), _place(a, "ひまわり会")
    _send(a, b, tmp_path, destination="b")
    _edit(a, p1, name="さくら会（旧）")
    _edit(a, p2, name="さくら会")
    _edit(a, p1, notes="名前を変えました")
    summary = _send(a, b, tmp_path, destination="b")
    assert summary.conflicts == 0 and _open(b) == []
    assert _records(a) == _records(b)


# ---- 2. a same-name conflict over centers moves nothing to the center kept ---------------------------------

# Both PCs create "北センター" (different ids) and register a place under it. b resolves keep="incoming": its
# own center goes to the trash, but duplicates.move_references has movers only for places and promoters, so
# b's places (and promoters) keep center_id = the trashed center. The docstring promises "resolving moves what
# was recorded under the record not kept … to the one kept". Fix: a centers mover in duplicates.move_references
# (UPDATE places/promoters SET center_id, stamped), as for places and promoters.
def test_resolving_a_center_name_collision_moves_its_places(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    center_a = repo.insert(a, r.Center(municipality_code="131016", name="北センター"))
    center_b = repo.insert(b, r.Center(municipality_code="131016", name="北センター"))
    mine = repo.insert(b, r.Place(municipality_code="131016", name="北の会", center_id=center_b.id))
    _send(a, b, tmp_path, destination="b")
    [conflict] = _open(b, "same_name")
    ex.resolve_conflict(b, conflict.id, keep="incoming")
    assert b.scalar("SELECT deleted_at IS NOT NULL FROM centers WHERE id = ?", (center_b.id,)) == 1
    assert b.scalar("SELECT center_id FROM places WHERE id = ?", (mine.id,)) == center_a.id


# ---- 3. a same-name conflict settled "elsewhere" leaves later records under the record not kept --------------

# The town and a both made "さくら会". The town resolves keep="local": a's place becomes a tombstone and what the
# town holds of it moves to the town's place. Meanwhile a, not yet knowing, records one more gathering under
# its own さくら会. When the decision arrives, a's place goes to the trash (a fast-forward; the conflict is closed
# "elsewhere") but nobody moves a's new gathering: it stays, live, under a trashed place on every PC (it no
# longer counts in the place's figures). Fix: when a same_name conflict is settled elsewhere (or when a
# tombstone of a place/promoter that was a same-name loser arrives), move live references to the kept record —
# e.g. record the "merged into" id in the tombstone (as merge_places does in notes) and follow it on import.
def test_a_gathering_made_before_the_decision_arrives_follows_the_place_kept(pcs, tmp_path) -> None:  # noqa: F811
    a, _, town = pcs
    towns = _place(town, "さくら会")
    mine = _place(a, "さくら会")
    _gathering(a, mine, 9)
    _send(town, a, tmp_path, destination="a")
    _send(a, town, tmp_path, destination="town")
    ex.resolve_conflict(town, _open(town, "same_name")[0].id, keep="local")
    late = _gathering(a, mine, 4)                         # a has not heard of the decision yet
    for _ in range(2):
        _send(town, a, tmp_path, destination="a")
        _send(a, town, tmp_path, destination="town")
    assert _open(a) == [] and _open(town) == []
    assert _records(a) == _records(town)
    for db in (a, town):
        assert db.scalar("SELECT place_id FROM gatherings WHERE id = ?", (late.id,)) == towns.id


def test_a_rename_into_a_name_freed_by_the_trash_moves_nothing(pcs, tmp_path) -> None:  # noqa: F811
    """A rename held back by a namesake that later goes to the trash: the two were different places, so the
    namesake's gatherings stay where they were."""
    a, b, _ = pcs
    renamed = _place(a, "ひまわり会")
    _send(a, b, tmp_path, destination="b")
    namesake = _place(b, "さくら会")
    kept = _gathering(b, namesake, 6)
    _edit(a, renamed, name="さくら会")
    _send(a, b, tmp_path, destination="b")
    assert len(_open(b, "same_name")) == 1
    repo.soft_delete(b, r.Place, namesake.id)  # b's person puts its own さくら会 in the trash
    _place(a, "すみれ会")  # the next bundle from a: held-back records are retried at every import
    _send(a, b, tmp_path, destination="b")
    assert _open(b) == []
    assert b.scalar("SELECT name FROM places WHERE id = ?", (renamed.id,)) == "さくら会"
    assert b.scalar("SELECT place_id FROM gatherings WHERE id = ?", (kept.id,)) == namesake.id


def test_two_names_swapped_elsewhere_are_swapped_here(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    first, second = _place(a, "さくら会"), _place(a, "ひまわり会")
    _send(a, b, tmp_path, destination="b")
    _edit(a, first, name="仮の名前")
    _edit(a, second, name="さくら会")
    _edit(a, first, name="ひまわり会")
    bundle = tmp_path / "swap.kaigo"
    ex.export_bundle(a, bundle, destination="b")
    summary = ex.import_bundle(b, bundle)
    assert summary.conflicts == 0 and _open(b) == []
    assert _records(a) == _records(b)
