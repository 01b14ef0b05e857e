"""The 参加者実人数 page's model for a place that keeps a roster: its row shows the computed figure, marked as such,
and cannot be typed over (the save would refuse it); a typed place's row stays editable."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kaigo_desktop.gui.screens.members_table_model import NOTE, ROSTER_NOTE, TOTAL, MembersTableModel
from kaigo_desktop.services import members_view, rosters
from tests.services.test_rosters import CHIYODA, FY, TODAY, world  # noqa: F401 - fixture


def test_the_members_page_model_shows_a_roster_row_computed_and_not_editable(world):
    db = world["db"]
    rosters.record_roster(db, world["first"].id, [p.id for p in world["people"][:2]], today=TODAY)
    model = MembersTableModel()
    model.fill(members_view.members_sheet(db, FY, CHIYODA))
    row = next(i for i, r in enumerate(model.rows) if r.place_id == world["place"].id)
    typed = next(i for i, r in enumerate(model.rows) if r.place_id == world["typed"].id)
    assert model.text(row, TOTAL) == "2" and model.text(row, NOTE) == ROSTER_NOTE
    assert not model.flags(model.index(row, TOTAL)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(row, TOTAL), "5")
    assert model.flags(model.index(typed, TOTAL)) & Qt.ItemFlag.ItemIsEditable
