"""The exchange dialogs with what an import could not take: a row that breaks the rules (listed in 競合の解決,
dropped by keeping this PC's version), an earlier bundle never imported (a warning), and rows held back
waiting for a record (保留中の記録, dropped after confirming)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from kaigo_desktop.gui.conflicts_dialog import ConflictsDialog
from kaigo_desktop.gui.pending_dialog import PendingDialog
from kaigo_desktop.services import exchange
from kaigo_desktop.storage.database import Database
from tests.exchange.test_exchange_rows import _rewrite_bundle, _set
from tests.gui.exchange_gui import TODAY, answer_questions, bundle, choose, fill, import_dialog, stored


def _lost_then_second(a: Path, tmp_path: Path) -> Path:
    """a's first bundle (the place) is lost; the second (a gathering of it) is the one imported."""
    place, _ = fill(a)
    bundle(a, tmp_path / "lost.kaigo")
    from kaigo_desktop.domain import records as r
    from kaigo_desktop.services import records

    with Database.open(a, user="センターA") as db:
        records.add(db, r.Gathering(place.id, TODAY.replace(year=2024, month=6), 7), today=TODAY)
    return bundle(a, tmp_path / "second.kaigo")


def test_import_warns_of_a_missing_earlier_bundle(qtbot, pcs, open_context, folders, tmp_path, monkeypatch,
                                                  messages) -> None:
    a, b = pcs
    second = _lost_then_second(a, tmp_path)
    dialog = import_dialog(qtbot, open_context(b), folders)
    choose(qtbot, dialog, monkeypatch, second)
    assert "注意: 前の取り込みファイルがまだ取り込まれていません" in dialog.status_label.text()
    assert "保留中の記録が 1件" in dialog.status_label.text()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.last_summary is not None, timeout=10_000)
    assert "まだ取り込まれていません" in messages[-1] and "保留中の記録" in messages[-1]


def test_an_invalid_row_is_shown_with_why_and_dropped_by_keeping_local(qtbot, pcs, open_context, tmp_path,
                                                                      monkeypatch) -> None:
    a, b = pcs
    _, gathering = fill(a)
    made = bundle(a, tmp_path / "a.kaigo")
    with Database.open(a) as signer:
        forged = _rewrite_bundle(signer, made, lambda header, content: _set(
            content, "gatherings", gathering.id, attendance_total=999_999_999))
    with Database.open(b) as db:
        assert exchange.import_bundle(db, forged).invalid == 1
    context = open_context(b)
    dialog = ConflictsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    assert dialog.list_table.rowCount() == 1 and dialog.list_table.item(0, 2).text() == "取り込めない内容"
    assert "以下で入力" in dialog.explanation.text()
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.keep_local_button.click()
    assert "取り込まずに破棄します" in asked[0]
    qtbot.waitUntil(lambda: dialog.list_table.rowCount() == 0, timeout=10_000)
    assert stored(b, "SELECT COUNT(*) FROM gatherings") == [(1,)]  # the other one; the forged one never stored


def test_pending_rows_are_listed_and_dropped(qtbot, pcs, open_context, tmp_path, monkeypatch) -> None:
    a, b = pcs
    second = _lost_then_second(a, tmp_path)
    with Database.open(b) as db:
        assert exchange.import_bundle(db, second).pending == 1
    context = open_context(b)
    conflicts = ConflictsDialog(context)
    qtbot.addWidget(conflicts)
    qtbot.waitUntil(lambda: not conflicts.loading, timeout=10_000)
    assert conflicts.pending_button.text() == "保留中の記録（1件）…"
    dialog = PendingDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    assert dialog.list_table.rowCount() == 1
    row = [dialog.list_table.item(0, c).text() for c in range(4)]
    assert row[0] == "開催記録" and "通いの場" in row[2] and row[3].startswith("令和")
    assert not dialog.drop_selected_button.isEnabled() and dialog.drop_all_button.isEnabled()
    dialog.list_table.selectRow(0)
    assert dialog.drop_selected_button.isEnabled()
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.No)
    dialog.drop_selected_button.click()
    assert "1件を破棄" in asked[0] and stored(b, "SELECT COUNT(*) FROM exchange_pending") == [(1,)]
    answer_questions(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.drop_all_button.click()
    assert not dialog.drop_all_button.isEnabled()  # while it runs: no second click
    qtbot.waitUntil(lambda: stored(b, "SELECT COUNT(*) FROM exchange_pending") == [(0,)], timeout=10_000)
    qtbot.waitUntil(lambda: not dialog.loading and dialog.list_table.rowCount() == 0, timeout=10_000)
    assert dialog.list_table.rowCount() == 0 and "ありません" in dialog.count_label.text()
    assert not dialog.drop_all_button.isEnabled()
