"""A bundle bringing changes of a 年度 the receiver has locked: each such row waits as a listed conflict saying
the 年度 is 提出済み (not an import failure); rows of an open 年度 come in; after unlocking, keeping the
incoming version writes it."""

from __future__ import annotations

from datetime import date

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import approval
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage import repository as repo
from tests.exchange.test_exchange import _edit, _gathering, _place, _send, pcs  # noqa: F401 (fixture)


def test_rows_of_a_locked_year_wait_as_conflicts_until_unlocked(pcs, tmp_path) -> None:  # noqa: F811
    center, _, town = pcs
    place = _place(center)
    gathering = _gathering(center, place, total=10)  # 2024-05-01
    _send(center, town, tmp_path, destination="town")
    town.conn.execute("INSERT INTO period_locks VALUES (2024, '131016', '2025-05-10T00:00:00Z', '')")
    _edit(center, gathering, attendance_total=15)
    new_2024 = repo.insert(center, r.Gathering(id="", place_id=place.id, held_on=date(2024, 6, 1), attendance_total=7))
    repo.insert(center, r.Gathering(id="", place_id=place.id, held_on=date(2025, 4, 3), attendance_total=8))
    summary = _send(center, town, tmp_path, destination="town")
    assert (summary.added, summary.invalid, summary.conflicts) == (1, 2, 2)
    waiting = {c.row_id: c for c in ex.list_conflicts(town)}
    assert set(waiting) == {gathering.id, new_2024.id}
    for conflict in waiting.values():
        assert conflict.incoming[ex.PROBLEMS] == [
            "令和6年度は提出済み（ロック中）のため変更できません。"
            "変更が必要なときは、区市町村管理者が理由を記録してロックを解除してください。"]
    assert waiting[gathering.id].local["attendance_total"] == 10  # ours shown beside it
    assert town.scalar("SELECT attendance_total FROM gatherings WHERE id = ?", (gathering.id,)) == 10
    assert town.scalar("SELECT COUNT(*) FROM gatherings WHERE id = ?", (new_2024.id,)) == 0
    approval.unlock(town, 2024, "131016", "センターの訂正を受け入れる")
    for conflict in waiting.values():
        ex.resolve_conflict(town, conflict.id, "incoming")
    assert town.scalar("SELECT attendance_total FROM gatherings WHERE id = ?", (gathering.id,)) == 15
    assert town.scalar("SELECT attendance_total FROM gatherings WHERE id = ?", (new_2024.id,)) == 7
