"""What the one record-form base (gui/widgets/record_form.RecordForm) gives all four record forms, tested on
each of them with real database files: Ctrl+Enter saves; a refused save marks the field the error names
(chosen by the error's field, never its wording); a read-only database keeps every write widget disabled
whatever record is shown; the main window's leave guard waits for the save the user chose, and a failed save
keeps the user where they are with the field marked."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QWidget

from kaigo_desktop.domain.records import Activity, Gathering, Place, Promoter
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.context import AppContext, UserSettings
from kaigo_desktop.gui.screens.activity_form import ActivityForm
from kaigo_desktop.gui.screens.gathering_form import GatheringForm
from kaigo_desktop.gui.screens.place_form import PlaceForm
from kaigo_desktop.gui.screens.places import PlacesScreen
from kaigo_desktop.gui.screens.promoter_form import PromoterForm
from kaigo_desktop.gui.widgets.place_picker import PlaceChoiceModel
from kaigo_desktop.gui.widgets.record_form import RecordForm
from kaigo_desktop.services import gatherings_view, places_view, promoters_view, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait, save_and_wait, show_sized, type_text

CHIYODA = "131016"
TODAY = date(2024, 6, 1)


def ctrl_enter(widget: QWidget) -> None:
    QTest.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def scalar(db_path: Path, sql: str, params: tuple = ()):
    with Database.open(db_path) as db:
        return db.scalar(sql, params)


@pytest.fixture
def seeded(db_path: Path) -> dict:
    with Database.open(db_path, user="準備") as db:
        place = records.add(db, Place(CHIYODA, "さくら体操の会", start_date=date(2020, 4, 1)))
        promoter = records.add(db, Promoter(CHIYODA, "山田 花子", "保健師", date(2023, 4, 1)))
        activity = records.add(db, Activity(promoter.id, date(2024, 5, 1), "住民・団体からの相談対応",
                                            place_id=place.id, minutes=60), today=TODAY)
        gathering = records.add(db, Gathering(place.id, date(2024, 5, 1), 12), today=TODAY)
    return {"place": place, "promoter": promoter, "activity": activity, "gathering": gathering}


@pytest.fixture
def context(seeded, db_path: Path, start_context):
    return start_context(db_path, user="基盤テスト")


def show(qtbot, form: QWidget) -> QWidget:
    show_sized(qtbot, form, 700, 800)
    qtbot.waitExposed(form)
    return form


def loaded_forms(qtbot, context: AppContext, seeded: dict) -> dict[str, RecordForm]:
    """The four forms, each showing its stored record (the reference lists read first, as the screens do)."""
    reference = run_and_wait(qtbot, context, lambda db, _c: promoters_view.reference_lists(db))
    choices = run_and_wait(qtbot, context, lambda db, _c: places_view.place_choices(db))
    place_detail = run_and_wait(qtbot, context, lambda db, _c: places_view.place_detail(db, seeded["place"].id))
    gathering_places = run_and_wait(qtbot, context, lambda db, _c: gatherings_view.place_choices(db))
    place_form = show(qtbot, PlaceForm(context))
    place_form.set_choices(choices)
    place_form.load(place_detail.place, place_detail)
    promoter_form = show(qtbot, PromoterForm(context, lambda: TODAY))
    promoter_form.set_reference(reference)
    promoter_form.set_record(seeded["promoter"])
    activity_form = show(qtbot, ActivityForm(context, lambda: TODAY))
    activity_form.set_reference(reference)
    activity_form.set_record(seeded["activity"])
    places = PlaceChoiceModel()
    places.set_choices(gathering_places)
    gathering_form = show(qtbot, GatheringForm(context, places=places))
    gathering_form._places_model = places  # kept alive with the form
    gathering_form.load(seeded["gathering"])
    return {"place": place_form, "promoter": promoter_form, "activity": activity_form,
            "gathering": gathering_form}


def test_every_record_form_is_a_record_form(qtbot, context, seeded) -> None:
    forms = loaded_forms(qtbot, context, seeded)
    assert all(isinstance(form, RecordForm) for form in forms.values())
    assert {form.record_kind for form in forms.values()} == {"places", "promoters", "activities", "gatherings"}
    assert not any(form.has_unsaved_changes() for form in forms.values())


def test_ctrl_enter_saves_each_of_the_four_forms(qtbot, context, seeded, db_path) -> None:
    forms = loaded_forms(qtbot, context, seeded)
    announced = []
    context.changes_did_happen.connect(announced.append)
    edits = {
        "place": (forms["place"].address_edit, "千代田区神田1-1",
                  "SELECT address FROM places WHERE id = ?", seeded["place"].id),
        "promoter": (forms["promoter"].contact, "03-1234-5678",
                     "SELECT contact FROM promoters WHERE id = ?", seeded["promoter"].id),
        "activity": (forms["activity"].summary, "会場の相談",
                     "SELECT summary FROM activities WHERE id = ?", seeded["activity"].id),
        "gathering": (forms["gathering"].notes, "雨天",
                      "SELECT notes FROM gatherings WHERE id = ?", seeded["gathering"].id),
    }
    for name, (editor, text, sql, record_id) in edits.items():
        form = forms[name]
        form.activateWindow()  # each form is a window of its own here: the shortcut needs it active
        qtbot.waitUntil(form.isActiveWindow)
        type_text(editor, text)
        assert form.has_unsaved_changes(), name
        ctrl_enter(editor)
        qtbot.waitUntil(lambda: scalar(db_path, sql, (record_id,)) == text, timeout=10_000)
        qtbot.waitUntil(lambda: not form.has_unsaved_changes(), timeout=10_000)  # the saved record is shown
    assert [(sorted(c.kinds), sorted(c.ids_of(next(iter(c.kinds))))) for c in announced] == [
        (["places"], [seeded["place"].id]), (["promoters"], [seeded["promoter"].id]),
        (["activities"], [seeded["activity"].id]), (["gatherings"], [seeded["gathering"].id])]


def test_the_save_button_waits_while_a_save_runs(qtbot, context, seeded, db_path) -> None:
    form = loaded_forms(qtbot, context, seeded)["promoter"]
    type_text(form.contact, "内線12")
    release = threading.Event()
    context.run(lambda _db, _ctx: release.wait(5))  # the database thread is busy: the save has to wait
    outcome: list[bool] = []
    form.save(then=outcome.append)
    form.save(then=outcome.append)  # a second press while the first runs is refused, not queued
    assert outcome == [False] and not form.save_button.isEnabled() and form.is_saving
    release.set()
    qtbot.waitUntil(lambda: len(outcome) == 2)
    assert outcome == [False, True] and form.save_button.isEnabled()
    assert scalar(db_path, "SELECT COUNT(*) FROM promoters WHERE contact = '内線12'") == 1


def test_a_duplicate_place_name_marks_the_name_field(qtbot, context, seeded, db_path) -> None:
    form = loaded_forms(qtbot, context, seeded)["place"]
    form.load(Place(CHIYODA, ""))
    type_text(form.name_edit, "さくら体操の会")
    assert not save_and_wait(qtbot, form)
    assert form.name_edit.property("invalid")
    assert form.errors.messages() == ["同じ区市町村に「さくら体操の会」という通いの場が既にあります。"]
    assert scalar(db_path, "SELECT COUNT(*) FROM places") == 1


def test_a_duplicate_promoter_name_marks_the_name_field(qtbot, context, seeded, db_path, monkeypatch) -> None:
    """The database refuses the name (a ConstraintError whose field is "name"); the form marks the editor the
    error names. Before issue 11 the form searched the message for 「同じ名前」."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    form = loaded_forms(qtbot, context, seeded)["promoter"]
    form.set_record(form.new_promoter(CHIYODA))
    type_text(form.name, "山田 花子")
    form.qualification.setCurrentText("保健師")
    assert not save_and_wait(qtbot, form)
    assert any("同じ名前" in message for message in form.errors.messages())
    assert form.name.property("invalid")
    assert scalar(db_path, "SELECT COUNT(*) FROM promoters") == 1


def test_a_read_only_database_keeps_every_forms_write_widgets_disabled(qtbot, seeded, db_path,
                                                                        start_context) -> None:
    context = start_context(db_path, user="基盤テスト", readonly=True)
    before = db_path.read_bytes()
    forms = loaded_forms(qtbot, context, seeded)
    for name, form in forms.items():
        form.set_editable(True)  # what loading a live record asks for: the database still says no
        enabled = [w for w in form.write_widgets() if w.isEnabled()]
        assert enabled == [], (name, enabled)
        assert form.is_read_only and not form.has_unsaved_changes()
        assert not save_and_wait(qtbot, form), name
    assert db_path.read_bytes() == before


# ---- the main window's leave guard -------------------------------------------------------------------

@pytest.fixture
def window(qtbot, seeded, db_path: Path, settings: UserSettings):
    window = open_main_window(db_path, settings, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    screen = window.current_screen
    assert isinstance(screen, PlacesScreen)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1)
    with qtbot.waitSignal(screen.detail_did_load):
        screen.table.selectRow(0)
    yield window
    for built in window.screens:
        built.discard_changes()
    window.close()


def test_the_leave_guards_save_waits_for_the_save_then_navigates(qtbot, window, db_path, monkeypatch) -> None:
    screen = window.current_screen
    type_text(screen.form.address_edit, "千代田区一番町1")
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Save)
    release = threading.Event()
    window.context.run(lambda _db, _ctx: release.wait(5))  # the save cannot finish before we look
    window.navigation.setCurrentRow(1)  # 開催記録
    assert window.stack.currentIndex() == 0 and window.navigation.currentRow() == 0  # waiting for the save
    release.set()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=10_000)
    assert window.navigation.currentRow() == 1
    assert scalar(db_path, "SELECT address FROM places") == "千代田区一番町1"
    assert not screen.has_unsaved_changes()


def test_a_failed_save_keeps_the_user_on_the_screen_with_the_field_marked(qtbot, window, db_path,
                                                                          monkeypatch) -> None:
    screen = window.current_screen
    screen.form.start_edit.set_value(date(2024, 4, 1))
    screen.form.end_edit.set_value(date(2024, 3, 1))  # before the start: the services refuse it
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Save)
    window.navigation.setCurrentRow(2)  # 推進員
    qtbot.waitUntil(lambda: screen.form.error_label.text() != "", timeout=10_000)
    qtbot.wait(50)
    assert window.stack.currentIndex() == 0 and window.navigation.currentRow() == 0
    assert screen.form.end_edit.editor.property("invalid")
    assert "終了日" in screen.form.errors.messages()[0]
    assert screen.has_unsaved_changes()
    assert scalar(db_path, "SELECT end_date FROM places") is None


def test_closing_with_save_closes_once_saved(qtbot, window, db_path, monkeypatch) -> None:
    screen = window.current_screen
    type_text(screen.form.contact_edit, "代表 鈴木")
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Save)
    release = threading.Event()
    window.context.run(lambda _db, _ctx: release.wait(5))
    with qtbot.waitSignal(window.window_did_close, timeout=10_000):
        assert not window.close()  # not yet: the save runs first
        assert window.isVisible()
        release.set()
    assert not window.isVisible()
    assert scalar(db_path, "SELECT contact FROM places") == "代表 鈴木"


def test_opening_another_database_with_save_opens_it_once_saved(qtbot, qapp, seeded, db_path, tmp_path,
                                                               template_db_path, settings, monkeypatch) -> None:
    from kaigo_desktop.gui.app import Session

    other = tmp_path / "other.sqlite3"
    other.write_bytes(template_db_path.read_bytes())
    session = Session(qapp, settings, today=TODAY)
    first = session.open(db_path)
    screen = first.current_screen
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1)
    with qtbot.waitSignal(screen.detail_did_load):
        screen.table.selectRow(0)
    type_text(screen.form.contact_edit, "代表 佐藤")
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Save)
    release = threading.Event()
    first.context.run(lambda _db, _ctx: release.wait(5))
    assert not session.switch_to(other)  # not yet: the save runs first
    assert session.window is first and first.isVisible()
    release.set()
    qtbot.waitUntil(lambda: session.window is not first, timeout=10_000)
    assert session.window.db_path == other  # the first window has gone (deleted)
    assert scalar(db_path, "SELECT contact FROM places") == "代表 佐藤"
    session.window.close()
