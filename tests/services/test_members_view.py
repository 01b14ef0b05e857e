"""The 実人数 sheet: one row per place active in the 年度 with its 延べ参加者数 (checked against plain SQL), and
saving all rows or none, with the domain's breakdown rules and the live 延べ warning."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.domain.records import Gathering, Members, Place
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import records
from kaigo_desktop.services.members_view import (
    MembersEntry,
    members_sheet,
    row_problems,
    save_members,
)
from kaigo_desktop.storage.database import Database

CHIYODA, HINODE = "131016", "133051"
TODAY = date(2025, 6, 30)


@pytest.fixture
def places(db: Database) -> dict[str, str]:
    add = lambda record: records.add(db, record, today=TODAY)  # noqa: E731
    ids = {}
    for code, name in ((CHIYODA, "すこやか体操"), (CHIYODA, "ふれあいサロン"), (HINODE, "日の出の会")):
        ids[name] = add(Place(code, name, start_date=date(2020, 4, 1))).id
    closed = add(Place(CHIYODA, "閉じた会", start_date=date(2020, 4, 1), end_date=date(2024, 3, 31)))
    for day in (1, 8, 15):
        add(Gathering(ids["すこやか体操"], date(2024, 5, day), attendance_total=10))
    add(Gathering(ids["すこやか体操"], date(2025, 5, 1), attendance_total=99))  # next 年度
    add(Members(ids["ふれあいサロン"], 2024, total=7))
    ids["閉じた会"] = closed.id
    return ids


def test_the_sheet_lists_active_places_with_their_attendance(db: Database, places) -> None:
    rows = {row.place_name: row for row in members_sheet(db, 2024)}
    assert set(rows) == {"すこやか体操", "ふれあいサロン", "日の出の会"}
    expected = db.scalar("SELECT SUM(attendance_total) FROM gatherings WHERE deleted_at IS NULL AND place_id = ?"
                         " AND held_on BETWEEN '2024-04-01' AND '2025-03-31'", (places["すこやか体操"],))
    assert rows["すこやか体操"].attendance == expected == 30 and rows["すこやか体操"].total is None
    assert rows["ふれあいサロン"].total == 7 and rows["ふれあいサロン"].record_id
    assert [r.place_name for r in members_sheet(db, 2024, CHIYODA)] == ["すこやか体操", "ふれあいサロン"]


def test_save_writes_every_row_or_none(db: Database, places) -> None:
    good = MembersEntry(places["すこやか体操"], 20, male=5, female=15)
    bad = MembersEntry(places["日の出の会"], 10, age_under_65=4, age_65_74=4, age_75_plus=4)  # 12 ≠ 10
    with pytest.raises(ValidationFailed) as refused:
        save_members(db, 2024, [good, bad], today=TODAY)
    assert refused.value.errors[0].message.startswith("日の出の会: ")
    assert db.scalar("SELECT COUNT(*) FROM members WHERE deleted_at IS NULL") == 1  # nothing written
    cleared = MembersEntry(places["ふれあいサロン"], None)
    assert save_members(db, 2024, [good, cleared], today=TODAY) == 2
    rows = {row.place_name: row for row in members_sheet(db, 2024)}
    assert (rows["すこやか体操"].total, rows["すこやか体操"].male) == (20, 5) and rows["ふれあいサロン"].total is None
    assert db.scalar("SELECT COUNT(*) FROM members WHERE deleted_at IS NOT NULL") == 1  # to the trash


def test_live_checks(db: Database, places) -> None:
    errors, warnings = row_problems(MembersEntry("x", 40), attendance=30)
    assert errors == [] and warnings == ["実人数（40人）が延べ参加者数（30人）を超えています。"]
    errors, _ = row_problems(MembersEntry("x", 10, male=6, female=6), attendance=30)
    assert errors and errors[0].field in {"male", "female", "total"}
    errors, _ = row_problems(MembersEntry("x", None, male=3), attendance=30)
    assert [e.field for e in errors] == ["total"]
    assert row_problems(MembersEntry("x", 30), attendance=30) == ([], [])
