"""Exchange decides from the constraint's kind (storage/sqlite_errors), not from SQLite's wording: keeping a
rename whose name another record here still uses is refused as name_taken on the name field, and nothing
changes."""

from __future__ import annotations

import pytest

from kaigo_desktop.services import exchange as ex
from tests.exchange.test_exchange import _edit, _open, _place, _send, pcs  # noqa: F401


def test_keeping_a_rename_into_a_name_taken_here_is_name_taken(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    renamed = _place(a, "ひまわり会")
    _send(a, b, tmp_path, destination="b")
    namesake = _place(b, "さくら会")
    _edit(a, renamed, name="さくら会")
    _send(a, b, tmp_path, destination="b")
    [conflict] = _open(b, "same_name")
    with pytest.raises(ex.ConflictError) as caught:
        ex.resolve_conflict(b, conflict.id, "incoming")
    assert (caught.value.kind, caught.value.field) == ("name_taken", "name")
    assert [c.id for c in _open(b)] == [conflict.id]
    assert b.scalar("SELECT name FROM places WHERE id = ?", (renamed.id,)) == "ひまわり会"
    assert b.scalar("SELECT deleted_at FROM places WHERE id = ?", (namesake.id,)) is None
