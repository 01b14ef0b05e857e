"""「参加者を記録…」 on the 開催記録 form: offered for a stored gathering of a place with participants that day,
its check boxes write the roster (read back from the file), a roster above the 参加者数 cannot be saved, and a
推進員 sees participant numbers only, read-only. Screenshots of the dialog at 100 % and 200 % text size."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.records import Center, Gathering, Promoter
from kaigo_desktop.gui.roster_dialog import RosterDialog
from kaigo_desktop.gui.screens.gathering_form import ROSTER_BUTTON
from kaigo_desktop.services import participants, records, rosters, users
from kaigo_desktop.storage.database import Database
from tests.gui.test_gatherings_screen import (  # noqa: F401 - fixtures
    context, data, screen, settle,
)

TODAY = date(2025, 6, 1)
NAMES = ("山田花子", "佐藤一郎", "鈴木和子", "高橋次郎", "田中良子")


@pytest.fixture
def people(db_path: Path, data: dict) -> dict:
    """A center for さくら体操の会 and five participants attending it; its 2024-05-01 gathering (16 people) and
    a small one on 2024-05-08 (参加者数 2)."""
    with Database.open(db_path, user="準備") as db:
        center = records.add(db, Center("131016", "北センター"))
        db.conn.execute("UPDATE places SET center_id = ? WHERE id = ?", (center.id, data["sakura"].id))
        ids = []
        for n, name in enumerate(NAMES, 1):
            person = participants.add_participant(
                db, pr.Participant(center.id, f"00{n}", 1945, n, "女性", name=name), today=TODAY)
            records.add(db, pr.Attendance(person.id, data["sakura"].id, date(2024, 4, 1)), today=TODAY)
            ids.append(person.id)
        small = records.add(db, Gathering(data["sakura"].id, date(2024, 5, 8), 2), today=TODAY)
        may_first = db.scalar("SELECT id FROM gatherings WHERE held_on = '2024-05-01'")
    return {"ids": ids, "small": small.id, "may_first": may_first}


def _gathering(db_path: Path, gathering_id: str) -> Gathering:
    with Database.open(db_path) as db:
        return records.get(db, Gathering, gathering_id)


def _present(db_path: Path, gathering_id: str) -> set[str]:
    with Database.open(db_path) as db:
        return {row[0] for row in db.query("SELECT participant_id FROM gathering_participants"
                                           " WHERE gathering_id = ? AND deleted_at IS NULL", (gathering_id,))}


def _open_dialog(qtbot, screen, context, gathering: Gathering) -> RosterDialog:
    form = screen.form
    form.load(gathering)
    qtbot.waitUntil(lambda: form.roster_button.isVisible())
    assert form.roster_button.text() == ROSTER_BUTTON
    form.roster_button.click()
    qtbot.waitUntil(lambda: getattr(form, "roster_dialog", None) is not None and form.roster_dialog.isVisible())
    return form.roster_dialog


def test_ticking_who_came_writes_the_roster(qtbot, screen, context, db_path, people) -> None:
    dialog = _open_dialog(qtbot, screen, context, _gathering(db_path, people["may_first"]))
    assert [box.text() for box in dialog.boxes.values()] == [f"00{n}　{name}" for n, name in enumerate(NAMES, 1)]
    dialog.boxes[people["ids"][0]].click()
    dialog.boxes[people["ids"][2]].click()
    assert dialog.count_label.text() == "記録する参加者 2人（参加者数 16人）"
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _present(db_path, people["may_first"]) == {people["ids"][0], people["ids"][2]}
    assert screen.form.hint.text() == "参加者を2人記録しました。"
    # opened again: the same two ticked; one unticked and saved leaves one
    dialog = _open_dialog(qtbot, screen, context, _gathering(db_path, people["may_first"]))
    assert [pid for pid, box in dialog.boxes.items() if box.isChecked()] == [people["ids"][0], people["ids"][2]]
    dialog.boxes[people["ids"][0]].click()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _present(db_path, people["may_first"]) == {people["ids"][2]}


def test_more_than_the_attendance_cannot_be_saved(qtbot, screen, context, db_path, people) -> None:
    dialog = _open_dialog(qtbot, screen, context, _gathering(db_path, people["small"]))
    for pid in people["ids"][:2]:
        dialog.boxes[pid].click()
    assert dialog.save_button.isEnabled()  # equal to the 参加者数: allowed
    dialog.boxes[people["ids"][2]].click()
    assert not dialog.save_button.isEnabled()
    assert "参加者数より多くなっています" in dialog.count_label.text()
    dialog.reject()
    assert _present(db_path, people["small"]) == set()


def test_no_button_for_a_new_gathering_or_a_place_without_participants(qtbot, screen, context, db_path, data,
                                                                       people) -> None:
    form = screen.form
    with Database.open(db_path) as db:
        aoba_gathering = db.scalar("SELECT id FROM gatherings WHERE place_id = ?", (data["aoba"].id,))
    form.load(_gathering(db_path, aoba_gathering))
    settle(qtbot, context)
    assert not form.roster_button.isVisible()
    form.load(_gathering(db_path, people["may_first"]))
    qtbot.waitUntil(lambda: form.roster_button.isVisible())
    form.new_entry()
    assert not form.roster_button.isVisible()


def _promoter_view(db_path: Path, gathering_id: str, tmp_path: Path):
    """The roster as a 推進員 reads it, from a copy of the file with users (the screen's file has none)."""
    copy = tmp_path / "with-users.sqlite3"
    with Database.open(db_path) as db:
        db.conn.execute("VACUUM INTO ?", (str(copy),))
    with Database.open(copy, user="準備") as db:
        promoter = records.add(db, Promoter("131016", "推進太郎", "保健師", date(2024, 4, 1)))
        users.add_user(db, "管理", roles.ADMIN)
        users.add_user(db, "推進", roles.PROMOTER, promoter_id=promoter.id)
        users.login(db, "推進", "")
        return rosters.roster_of(db, gathering_id)


def test_a_promoter_sees_numbers_only_and_cannot_change(qtbot, context, db_path, people, tmp_path) -> None:
    view = _promoter_view(db_path, people["may_first"], tmp_path)
    dialog = RosterDialog(context, view, "さくら体操の会")
    qtbot.addWidget(dialog)
    dialog.show()
    assert [box.text() for box in dialog.boxes.values()] == [f"00{n}" for n in range(1, 6)]
    assert not any(box.isEnabled() for box in dialog.boxes.values())
    assert not dialog.save_button.isVisible()
    assert dialog.close_button.text() == "閉じる"


@pytest.mark.parametrize("scale", [100, 200])
def test_screenshots_of_the_dialog(qtbot, context, db_path, people, scale, tmp_path) -> None:
    """The dialog at 100 % and 200 % text size, saved under KAIGO_SCREENSHOTS (else tmp) for the note."""
    with Database.open(db_path, user="準備") as db:
        rosters.record_roster(db, people["may_first"], people["ids"][:3], today=TODAY)
        view = rosters.roster_of(db, people["may_first"])
    from kaigo_desktop.gui.app import apply_text_scale

    app = QApplication.instance()
    apply_text_scale(app, scale)
    try:
        dialog = RosterDialog(context, view, "さくら体操の会")
        qtbot.addWidget(dialog)
        dialog.resize(dialog.sizeHint().expandedTo(dialog.minimumSizeHint()))
        dialog.show()
        qtbot.waitExposed(dialog)
        out = Path(os.environ.get("KAIGO_SCREENSHOTS", tmp_path))
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"roster_dialog_{scale}.png"
        assert dialog.grab().save(str(path))
        assert path.stat().st_size > 1000
        # every participant's label fits its box at this size (nothing cut off)
        for box in dialog.boxes.values():
            assert box.width() >= box.fontMetrics().horizontalAdvance(box.text())
    finally:
        apply_text_scale(app, 100)
