"""The exchange dialogs on real database files: export (with and without a password, destination and folder
remembered), import (dry-run preview, then import; wrong password asked again; cancel writes nothing), the
conflicts dialog (both versions side by side, each button resolves), and the File menu entries."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox, QPushButton

from kaigo_desktop.domain import records as r
from kaigo_desktop.gui.conflicts_dialog import INCOMING_HEADER, LOCAL_HEADER, ConflictsDialog
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.exchange_export_dialog import ExportDialog
from kaigo_desktop.gui.exchange_folders import ExchangeFolders, bundle_file_name
from kaigo_desktop.gui.exchange_import_dialog import ASK_AGAIN, ExchangeImportDialog
from kaigo_desktop.gui.exchange_menu import install_exchange_actions
from kaigo_desktop.services import exchange, records
from kaigo_desktop.storage.database import Database
from tests.gui.conftest import run_and_wait, type_text
from tests.gui.exchange_gui import TODAY, answer_questions, bundle, choose, fill, filled_bundle, import_dialog, stored

# ---- export ----------------------------------------------------------------------------------------

def export_dialog(qtbot, context: AppContext, folders: ExchangeFolders) -> ExportDialog:
    dialog = ExportDialog(context, folders=folders, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10_000)  # the choices come from the database thread
    return dialog


def run_export(qtbot, dialog: ExportDialog) -> None:
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.last_summary is not None, timeout=10_000)


def test_export_writes_a_bundle_and_remembers_destination_and_folder(qtbot, pcs, open_context, folders, tmp_path,
                                                                     messages) -> None:
    a, _ = pcs
    fill(a)
    out_folder = tmp_path / "usb"
    out_folder.mkdir()
    folders.remember("", out_folder)  # the folder last used for any destination
    context = open_context(a)
    dialog = export_dialog(qtbot, context, folders)
    assert dialog.destination_combo.count() == 0  # nothing sent yet
    dialog.destination_combo.lineEdit().setFocus()
    type_text(dialog.destination_combo.lineEdit(), "区役所")
    assert dialog.destination == "区役所"
    assert "初めて" in dialog.last_sent_label.text()
    expected = out_folder / "kaigo_区役所_20250401.kaigo"
    assert Path(dialog.path_edit.text()) == expected

    run_export(qtbot, dialog)
    assert expected.exists() and not exchange.is_encrypted(expected)
    assert dialog.last_summary.counts == {"places": 1, "gatherings": 2}
    assert "通いの場 1件" in messages[-1] and "開催記録 2件" in messages[-1] and "places" not in messages[-1]
    assert "パスワードは付けていません" in messages[-1]
    assert [d.name for d in run_and_wait(qtbot, context, lambda db, _c: exchange.destinations(db))] == ["区役所"]
    assert folders.folder_for("区役所") == str(out_folder)

    # Next time: the destination is offered with its last export, and only what changed since goes out.
    again = export_dialog(qtbot, context, folders)
    assert again.destination_combo.itemText(0) == "区役所" and again.destination == "区役所"
    assert "前回の書き出し: 令和" in again.last_sent_label.text()
    assert not again.since_all.isChecked()
    second_path = out_folder / "second.kaigo"
    again.path_edit.setText(str(second_path))
    run_export(qtbot, again)
    assert again.last_summary.total == 0 and "変わった記録はありませんでした" in messages[-1]


def test_export_with_password_needs_the_same_password_twice(qtbot, pcs, open_context, folders, tmp_path,
                                                             monkeypatch, messages) -> None:
    a, b = pcs
    fill(a)
    dialog = export_dialog(qtbot, open_context(a), folders)
    dialog.destination_combo.setCurrentText("区役所")
    chosen = tmp_path / "protected"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(chosen), ""))
    dialog.browse_button.click()
    assert dialog.path_edit.text() == str(chosen) + ".kaigo"
    dialog.since_all.setChecked(True)
    dialog.password_check.setChecked(True)
    dialog.password_edit.setText("himawari-2025")
    dialog.password_repeat.setText("himawari-2024")
    dialog.export_button.click()
    assert "一致しません" in messages[-1]
    assert not Path(dialog.path_edit.text()).exists()
    dialog.password_repeat.setText("himawari-2025")
    run_export(qtbot, dialog)
    written = Path(dialog.path_edit.text())
    assert exchange.is_encrypted(written)
    assert "パスワードで保護しています" in messages[-1] and "別の方法" in messages[-1]
    with Database.open(b) as db:
        with pytest.raises(exchange.PassphraseError):
            exchange.import_bundle(db, written)
        assert exchange.import_bundle(db, written, passphrase="himawari-2025").added == 3


def test_cancelled_export_leaves_no_file_and_no_destination(qtbot, pcs, open_context, folders, tmp_path,
                                                            messages) -> None:
    a, _ = pcs
    fill(a)
    context = open_context(a)
    dialog = export_dialog(qtbot, context, folders)
    dialog.destination_combo.setCurrentText("区役所")
    dialog.path_edit.setText(str(tmp_path / "cancelled.kaigo"))
    release = threading.Event()
    context.run(lambda _db, _ctx: release.wait(10))  # hold the database thread until 「中止」 is pressed
    dialog.export_button.click()
    dialog.progress_dialog.findChild(QPushButton).click()
    release.set()
    qtbot.waitUntil(lambda: dialog.progress_dialog is None, timeout=10_000)
    assert "中止" in messages[-1] and dialog.last_summary is None
    assert not (tmp_path / "cancelled.kaigo").exists()
    assert run_and_wait(qtbot, context, lambda db, _c: exchange.destinations(db)) == []
    assert dialog.export_button.isEnabled()


def test_municipality_and_center_filters(qtbot, pcs, open_context, folders, tmp_path, messages) -> None:
    a, _ = pcs
    fill(a)  # 千代田区 (131016)
    with Database.open(a, user="センターA") as db:
        center = records.add(db, r.Center("131024", "みどり地域包括支援センター"))
        records.add(db, r.Place(municipality_code="131024", name="みどり体操", center_id=center.id))
        records.add(db, r.Place(municipality_code="131024", name="けやき茶話会"))
    dialog = export_dialog(qtbot, open_context(a), folders)
    dialog.destination_combo.setCurrentText("中央区役所")
    dialog.path_edit.setText(str(tmp_path / "chuo.kaigo"))
    dialog.municipality_combo.set_value("131024")
    assert [dialog.center_combo.itemText(i) for i in range(dialog.center_combo.count())] == [
        "すべてのセンター", "みどり地域包括支援センター"]
    dialog.center_combo.set_value(center.id)
    run_export(qtbot, dialog)
    assert dialog.last_summary.counts == {"centers": 1, "places": 1}


def test_default_file_name_is_safe_for_windows() -> None:
    assert bundle_file_name("区役所", TODAY) == "kaigo_区役所_20250401.kaigo"
    assert bundle_file_name("A/B センター:1", TODAY) == "kaigo_A_B_センター_1_20250401.kaigo"


# ---- import ----------------------------------------------------------------------------------------

def counts_shown(dialog: ExchangeImportDialog) -> dict[str, str]:
    return {attribute: label.text() for attribute, label in dialog.count_labels.items()}


def test_preview_writes_nothing_then_import_writes(qtbot, pcs, open_context, folders, tmp_path, monkeypatch,
                                                   messages) -> None:
    a, b = pcs
    path = filled_bundle(a, tmp_path / "from_a.kaigo")
    context = open_context(b)
    changed = []
    context.changes_did_happen.connect(changed.append)
    dialog = import_dialog(qtbot, context, folders)
    choose(qtbot, dialog, monkeypatch, path)
    assert dialog.preview_summary is not None and dialog.preview_summary.dry_run
    assert counts_shown(dialog) == {"added": "3件", "updated": "0件", "deleted": "0件", "conflicts": "0件",
                                    "skipped": "0件", "pending": "0件"}
    assert "まだ何も書き込んでいません" in dialog.status_label.text()
    assert "追加: 通いの場 1件、開催記録 2件" in dialog.status_label.text()  # per kind, as the file holds
    assert "送り先: " in dialog.status_label.text()
    assert stored(b, "SELECT COUNT(*) FROM places") == [(0,)] and changed == []
    assert dialog.import_button.isEnabled()

    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.last_summary is not None, timeout=10_000)
    assert dialog.last_summary.added == 3 and not dialog.last_summary.dry_run
    assert stored(b, "SELECT name FROM places") == [("ひまわり会",)]
    assert stored(b, "SELECT COUNT(*) FROM gatherings") == [(2,)]
    assert [c.touches("places", "gatherings", "anything") for c in changed] == [True]  # everything
    assert "追加: 3件" in messages[-1]
    assert folders.import_folder == str(tmp_path)

    # The same file again: the preview says nothing would change and offers no import.
    again = import_dialog(qtbot, context, folders)
    choose(qtbot, again, monkeypatch, path)
    assert again.preview_summary.already_imported
    assert "取り込み済み" in again.status_label.text() and not again.import_button.isEnabled()


def test_wrong_password_is_asked_again_and_nothing_is_written(qtbot, pcs, open_context, folders, tmp_path,
                                                              monkeypatch, messages) -> None:
    a, b = pcs
    path = filled_bundle(a, tmp_path / "secret.kaigo", passphrase="sakura")
    answers = [("sakurra", True), ("sakura", True)]
    asked: list[str] = []

    def get_text(_parent, _title, label, *args, **kwargs):
        asked.append(label)
        return answers.pop(0)
    monkeypatch.setattr(QInputDialog, "getText", get_text)
    dialog = import_dialog(qtbot, open_context(b), folders)
    choose(qtbot, dialog, monkeypatch, path)
    qtbot.waitUntil(lambda: dialog.preview_summary is not None, timeout=10_000)
    assert len(asked) == 2 and asked[1] == ASK_AGAIN
    assert dialog.preview_summary.added == 3
    assert stored(b, "SELECT COUNT(*) FROM places") == [(0,)]

    # A wrong password, then giving up: still nothing written, nothing to import.
    answers[:] = [("x", True), ("", False)]
    asked.clear()
    choose(qtbot, dialog, monkeypatch, path)
    qtbot.waitUntil(lambda: len(asked) == 2 and dialog.progress_dialog is None, timeout=10_000)
    assert "中止" in dialog.status_label.text() and not dialog.import_button.isEnabled()
    assert stored(b, "SELECT COUNT(*) FROM places") == [(0,)]


def test_cancel_during_import_writes_nothing(qtbot, pcs, open_context, folders, tmp_path, monkeypatch,
                                             messages) -> None:
    a, b = pcs
    path = filled_bundle(a, tmp_path / "from_a.kaigo")
    context = open_context(b)
    dialog = import_dialog(qtbot, context, folders)
    choose(qtbot, dialog, monkeypatch, path)
    assert dialog.preview_summary.added == 3
    # Hold the database thread so 「中止」 is pressed before the import has begun its work.
    release = threading.Event()
    context.run(lambda _db, _ctx: release.wait(10))
    dialog.import_button.click()
    assert dialog.progress_dialog is not None
    cancel_button = dialog.progress_dialog.findChild(QPushButton)
    assert cancel_button.text() == "中止"
    cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: dialog.progress_dialog is None, timeout=10_000)
    assert "中止しました。何も書き込んでいません" in dialog.status_label.text()
    assert dialog.last_summary is None and dialog.import_button.isEnabled()
    assert stored(b, "SELECT COUNT(*) FROM places") == [(0,)]
    assert stored(b, "SELECT COUNT(*) FROM gatherings") == [(0,)]


def test_a_damaged_file_is_refused_with_its_reason(qtbot, pcs, open_context, folders, tmp_path, monkeypatch,
                                                   messages) -> None:
    a, b = pcs
    path = filled_bundle(a, tmp_path / "broken.kaigo")
    path.write_bytes(path.read_bytes()[:200])
    dialog = import_dialog(qtbot, open_context(b), folders)
    choose(qtbot, dialog, monkeypatch, path)
    assert "壊れて" in messages[-1] and "何も書き込んでいません" in messages[-1]
    assert not dialog.import_button.isEnabled()


# ---- conflicts -------------------------------------------------------------------------------------

def make_conflict(a: Path, b: Path, tmp_path: Path) -> r.Gathering:
    """A gathering exchanged once, then edited on both PCs, then A's edit imported into B."""
    _, gathering = fill(a)
    with Database.open(b) as db_b:
        exchange.import_bundle(db_b, bundle(a, tmp_path / "first.kaigo"))
    with Database.open(a, user="センターA") as db_a:
        records.update(db_a, dataclasses.replace(records.get(db_a, r.Gathering, gathering.id),
                                                 attendance_total=15, notes="体操と茶話会"))
        exchange.export_bundle(db_a, tmp_path / "second.kaigo", destination="区役所")
    with Database.open(b, user="区役所") as db_b:
        records.update(db_b, dataclasses.replace(records.get(db_b, r.Gathering, gathering.id), attendance_total=13))
        summary = exchange.import_bundle(db_b, tmp_path / "second.kaigo")
    assert summary.conflicts == 1
    return gathering


def conflicts_dialog(qtbot, context: AppContext) -> ConflictsDialog:
    dialog = ConflictsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    return dialog


def comparison(dialog: ConflictsDialog) -> dict[str, tuple[str, str]]:
    table = dialog.comparison
    return {table.verticalHeaderItem(i).text().removeprefix("● "): (table.item(i, 0).text(), table.item(i, 1).text())
            for i in range(table.rowCount())}


def test_conflict_shows_both_versions_side_by_side(qtbot, pcs, open_context, tmp_path) -> None:
    a, b = pcs
    make_conflict(a, b, tmp_path)
    dialog = conflicts_dialog(qtbot, open_context(b))
    assert dialog.list_table.rowCount() == 1
    row = [dialog.list_table.item(0, c).text() for c in range(4)]
    assert row[0] == "開催記録" and "ひまわり会" in row[1] and "令和6年5月1日" in row[1]
    assert row[2] == "両方のパソコンで修正" and row[3].startswith("令和")
    headers = [dialog.comparison.horizontalHeaderItem(c).text() for c in range(2)]
    assert headers == [LOCAL_HEADER, INCOMING_HEADER]
    fields = comparison(dialog)
    assert fields["参加者数"] == ("13", "15")
    assert fields["備考"] == ("体操", "体操と茶話会")
    assert fields["通いの場"] == ("ひまわり会", "ひまわり会") and fields["開催日"][0] == "令和6年5月1日"
    assert set(dialog.comparison.differing_labels()) == {"参加者数", "備考"}
    labels = list(fields)
    assert not {"id", "origin_db", "change_seq", "_ancestors", "place_id"} & set(labels)
    assert labels[-3:] == ["最終更新日時", "最終更新者", "状態"]  # bookkeeping last
    assert fields["最終更新者"] == ("区役所", "センターA")
    assert "両方のパソコンで修正されました" in dialog.explanation.text()


@pytest.mark.parametrize("button, expected", [("keep_local_button", 13), ("keep_incoming_button", 15)])
def test_each_button_resolves(qtbot, pcs, open_context, tmp_path, monkeypatch, button, expected) -> None:
    a, b = pcs
    make_conflict(a, b, tmp_path)
    context = open_context(b)
    changed = []
    context.changes_did_happen.connect(changed.append)
    dialog = conflicts_dialog(qtbot, context)
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.No)
    getattr(dialog, button).click()
    assert len(asked) == 1 and "よろしいですか" in asked[0]
    assert dialog.list_table.rowCount() == 1 and changed == []  # said no: nothing changed
    answer_questions(monkeypatch, QMessageBox.StandardButton.Yes)
    getattr(dialog, button).click()
    assert not dialog.keep_local_button.isEnabled() and not dialog.keep_incoming_button.isEnabled()  # running
    qtbot.waitUntil(lambda: dialog.list_table.rowCount() == 0 and not dialog.loading, timeout=10_000)
    assert len(changed) == 1 and changed[0].touches("gatherings") and changed[0].touches("conflicts")
    assert not changed[0].touches("places")
    assert "未解決の競合はありません" in dialog.explanation.text()
    assert not dialog.keep_local_button.isEnabled() and not dialog.keep_incoming_button.isEnabled()
    assert stored(b, "SELECT attendance_total FROM gatherings WHERE held_on = '2024-05-01'") == [(expected,)]
    assert stored(b, "SELECT COUNT(*) FROM conflicts WHERE resolved_at IS NULL") == [(0,)]


def test_import_with_conflicts_offers_the_conflicts_dialog(qtbot, pcs, open_context, folders, tmp_path,
                                                           monkeypatch, messages) -> None:
    a, b = pcs
    _, gathering = fill(a)
    with Database.open(b) as db_b:
        exchange.import_bundle(db_b, bundle(a, tmp_path / "first.kaigo"))
    with Database.open(a, user="センターA") as db_a:
        records.update(db_a, dataclasses.replace(records.get(db_a, r.Gathering, gathering.id), attendance_total=15))
    with Database.open(b, user="区役所") as db_b:
        records.update(db_b, dataclasses.replace(records.get(db_b, r.Gathering, gathering.id), attendance_total=13))
    path = bundle(a, tmp_path / "second.kaigo")
    dialog = import_dialog(qtbot, open_context(b), folders)
    choose(qtbot, dialog, monkeypatch, path)
    assert counts_shown(dialog)["conflicts"] == "1件"
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.last_summary is not None, timeout=10_000)
    assert "競合が 1件" in asked[0] and dialog.open_conflicts_requested
    assert stored(b, "SELECT attendance_total FROM gatherings WHERE id = ?".replace("?", f"'{gathering.id}'")) \
        == [(13,)]  # nothing overwritten


# ---- menu ------------------------------------------------------------------------------------------

def test_menu_entries_and_conflict_count(qtbot, pcs, open_context, tmp_path) -> None:
    a, b = pcs
    make_conflict(a, b, tmp_path)
    context = open_context(b)
    window = QMainWindow()
    qtbot.addWidget(window)
    file_menu = window.menuBar().addMenu("ファイル(&F)")
    actions = install_exchange_actions(window, file_menu, context)
    assert [action.text() for action in actions][:2] == ["データの書き出し（ほかのパソコンへ）(&W)…",
                                                         "データの取り込み（ほかのパソコンから）(&L)…"]
    assert file_menu.actions() == actions
    qtbot.waitUntil(lambda: "未解決 1件" in actions[2].text(), timeout=10_000)
    assert all(action.isEnabled() for action in actions)


@pytest.mark.parametrize("agree", [False, True])
def test_a_copied_database_is_offered_a_new_id(qtbot, pcs, open_context, folders, tmp_path, monkeypatch,
                                               messages, agree) -> None:
    a, _ = pcs
    fill(a)
    copy = tmp_path / "copied.sqlite3"
    shutil.copyfile(a, copy)  # the same file taken to another PC: the same database id
    with Database.open(copy, user="センターB") as db:
        records.add(db, r.Place(municipality_code="131016", name="コピー先の会"))
    path = bundle(copy, tmp_path / "from_copy.kaigo")
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.Yes if agree else QMessageBox.StandardButton.No)
    before = stored(a, "SELECT value FROM db_meta WHERE key = 'database_id'")
    dialog = import_dialog(qtbot, open_context(a), folders)
    choose(qtbot, dialog, monkeypatch, path)
    qtbot.waitUntil(lambda: dialog.progress_dialog is None, timeout=10_000)
    assert "コピー" in asked[0]
    if agree:  # the new id is written, then the file checked again
        qtbot.waitUntil(lambda: dialog.unknown_signer is not None, timeout=10_000)
    after = stored(a, "SELECT value FROM db_meta WHERE key = 'database_id'")
    if agree:
        # a database of its own now: the copy is another PC, to be trusted once (its fingerprint compared)
        assert after != before and dialog.unknown_signer is not None and dialog.trust_button.isVisible()
        dialog.trust_button.click()
        qtbot.waitUntil(lambda: dialog.last_summary is not None, timeout=10_000)
        assert dialog.last_summary.added == 1  # only the copy's own new place is new here
    else:
        assert after == before and dialog.preview_summary is None and "取り込めませんでした" in messages[-1]
