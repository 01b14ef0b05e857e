"""The fields a form freezes for a locked 年度 (domain/period_lock.py) are exactly those the lock triggers of
db/0011 refuse to change: a field only the form froze could not be corrected for nothing, one only the trigger
guards would be refused on save after typing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kaigo_desktop.domain.period_lock import FROZEN_BY_LOCK
from kaigo_desktop.services import approval, records
from kaigo_desktop.storage.database import Database
from tests.period_data import CHIYODA, FY, ready_for_approval


@pytest.mark.parametrize("table", sorted(FROZEN_BY_LOCK))
def test_the_frozen_fields_are_those_the_lock_trigger_guards(tmp_path: Path, table: str) -> None:
    with Database.open(tmp_path / "k.sqlite3", create=True) as db:
        sql = db.scalar("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                        (f"{table}_period_lock_update",))
    guarded = re.search(r"AFTER UPDATE OF (.*?) ON", sql).group(1)
    columns = {name.strip() for name in guarded.split(",")} - {"deleted_at"}  # deleting: the trash, not a field
    assert columns == set(FROZEN_BY_LOCK[table])


def test_the_reason_names_a_place_active_in_a_locked_year_only(tmp_path: Path) -> None:
    from datetime import date

    from kaigo_desktop.domain.records import Place

    with Database.open(tmp_path / "k.sqlite3", create=True) as db:
        ids = ready_for_approval(db)
        assert approval.frozen_fields_reason(db, "places", ids.place) is None  # not locked yet
        approval.confirm_center(db, FY, ids.center)
        approval.approve_and_lock(db, FY, CHIYODA, today=date(2025, 6, 30))
        assert approval.frozen_fields_reason(db, "places", ids.place).startswith("令和6年度は提出済み")
        assert "この推進員の" in approval.frozen_fields_reason(db, "promoters", ids.promoter)
        later = records.add(db, Place(CHIYODA, "新しいサロン", start_date=date(2025, 5, 1)), today=date(2025, 6, 30))
        assert approval.frozen_fields_reason(db, "places", later.id) is None  # opened after the locked 年度
        assert approval.frozen_fields_reason(db, "places", None) is None
