"""The 変更履歴 dialog, opened from the record forms' button: read on the database thread, newest first, who,
which PC and each field as 「label: before → after」 in the forms' words; the button waits for a stored record.
Screenshots at 100 % and 200 % text go to /tmp/shots/audit/."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kaigo_desktop.domain.records import Place
from kaigo_desktop.gui.app import apply_text_scale
from kaigo_desktop.gui.audit_history_dialog import AuditHistoryDialog
from kaigo_desktop.gui.screens.place_form import PlaceForm
from kaigo_desktop.services import places_view, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait
from tests.gui.test_record_forms import TODAY, loaded_forms, seeded, show  # noqa: F401 - seeded is a fixture

SHOTS = Path("/tmp/shots/audit")


def _edit_place(db_path: Path, place_id: str) -> None:
    with Database.open(db_path, user="佐藤 一郎") as db:
        place = records.get(db, Place, place_id)
        records.update(db, dataclasses.replace(place, name="さくら体操クラブ", capacity=25,
                                               notes="雨天時は中止"), today=TODAY)


def _open_history(qtbot, form) -> AuditHistoryDialog:
    assert form.history_button is not None and form.history_button.isEnabled()
    form.history_button.click()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, AuditHistoryDialog) and w.isVisible())
    qtbot.waitUntil(lambda: dialog.rows is not None, timeout=10_000)
    return dialog


def test_the_place_forms_history_lists_who_changed_what(qtbot, seeded, db_path, start_context) -> None:
    _edit_place(db_path, seeded["place"].id)
    context = start_context(db_path, user="閲覧者")
    form = show(qtbot, PlaceForm(context))
    detail = run_and_wait(qtbot, context, lambda db, _c: places_view.place_detail(db, seeded["place"].id))
    form.set_choices(run_and_wait(qtbot, context, lambda db, _c: places_view.place_choices(db)))
    form.load(detail.place, detail)
    dialog = _open_history(qtbot, form)
    assert [(row.who, row.action) for row in dialog.rows] == [("佐藤 一郎", "変更"), ("準備", "作成")]
    changed = dialog.rows[0].changes
    assert changed[0] == "名称: さくら体操の会 → さくら体操クラブ", changed
    assert any(line.endswith("→ 25") for line in changed) and any(line.endswith("→ 雨天時は中止") for line in changed)
    assert dialog.table.rowCount() == 2 and "佐藤 一郎" == dialog.table.item(0, 1).text()
    assert "さくら体操クラブ" in dialog.table.item(0, 4).text()
    dialog.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    try:
        for scale in (100, 200):  # as the app opens it at each text size: made after the size is set
            apply_text_scale(app, scale)
            QApplication.processEvents()
            shown = _open_history(qtbot, form)
            QApplication.processEvents()
            assert shown.grab().save(str(SHOTS / f"audit_history_{scale}.png"))
            shown.close()
    finally:
        apply_text_scale(app, 100)


def test_every_record_form_has_the_button_and_a_new_record_has_no_history(qtbot, seeded, db_path,
                                                                            start_context) -> None:
    context = start_context(db_path, user="閲覧者")
    forms = loaded_forms(qtbot, context, seeded)
    for name, form in forms.items():
        assert form.history_button is not None and form.history_button.isEnabled(), name
        assert form.shown_record_id(), name
    dialog = _open_history(qtbot, forms["gathering"])
    assert [row.action for row in dialog.rows] == ["作成"] and "参加者数: 12" in dialog.rows[0].changes
    dialog.close()
    forms["place"].load(Place(seeded["place"].municipality_code, ""))  # a new place: nothing to show yet
    assert not forms["place"].history_button.isEnabled()
