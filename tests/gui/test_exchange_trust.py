"""Trust in the GUI, on real database files: the import dialog shows who an unknown PC claims to be and its
fingerprint, and trusts it only after the person confirms; the 「信頼するパソコン」 dialog shows this PC's
fingerprint, saves its trust file, adds a PC from a trust file and removes one; the File menu opens it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from kaigo_desktop.gui.exchange_import_dialog import TRUST_BUTTON
from kaigo_desktop.gui.exchange_menu import TRUST_TEXT, install_exchange_actions
from kaigo_desktop.gui.exchange_trust_dialog import TrustDialog
from kaigo_desktop.services import bundle_signing
from kaigo_desktop.storage.database import Database
from tests.gui.exchange_gui import answer_questions, choose, filled_bundle, import_dialog, new_pc, stored


@pytest.fixture
def strangers(db_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(center A, municipality B): two databases that do not trust each other yet."""
    return new_pc(db_path, tmp_path, "center_a"), new_pc(db_path, tmp_path, "town_b")


def fingerprint_of(path: Path) -> str:
    with Database.open(path) as db:
        return bundle_signing.own_signer(db).fingerprint


@pytest.mark.parametrize("matched", [False, True])
def test_an_unknown_pc_is_shown_and_trusted_only_after_confirmation(qtbot, strangers, open_context, folders,
                                                                   tmp_path, monkeypatch, messages, matched) -> None:
    a, b = strangers
    path = filled_bundle(a, tmp_path / "from_a.kaigo")
    expected = fingerprint_of(a)
    dialog = import_dialog(qtbot, open_context(b), folders)
    choose(qtbot, dialog, monkeypatch, path)
    status = dialog.status_label.text()
    assert "まだ信頼していないパソコン" in status and expected in status and "センターA" in status
    assert dialog.trust_button.isVisible() and dialog.trust_button.text() == TRUST_BUTTON
    assert not dialog.import_button.isEnabled() and messages == []  # no warning box: the status says it all
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.Yes if matched else QMessageBox.StandardButton.No)
    dialog.trust_button.click()
    assert expected in asked[0] and "一致" in asked[0]
    if not matched:
        assert stored(b, "SELECT COUNT(*) FROM exchange_trusted_pcs") == [(0,)]
        assert stored(b, "SELECT COUNT(*) FROM places") == [(0,)] and dialog.trust_button.isVisible()
        return
    qtbot.waitUntil(lambda: dialog.last_summary is not None, timeout=10_000)
    assert dialog.last_summary.added == 3
    assert stored(b, "SELECT fingerprint FROM exchange_trusted_pcs") == [(expected,)]
    assert stored(b, "SELECT COUNT(*) FROM gatherings") == [(2,)]


def trust_dialog(qtbot, context) -> TrustDialog:
    dialog = TrustDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=10_000)
    return dialog


def test_trust_dialog_saves_adds_and_removes(qtbot, strangers, open_context, tmp_path, monkeypatch,
                                             messages) -> None:
    a, b = strangers
    trust_file = tmp_path / "center_a.json"
    # on PC A: its fingerprint is shown and its trust file saved
    dialog_a = trust_dialog(qtbot, open_context(a))
    assert fingerprint_of(a) in dialog_a.own_label.text()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(trust_file), ""))
    dialog_a.save_button.click()
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert trust_file.exists() and "保存しました" in messages[-1]
    dialog_a.save_button.click()  # an existing file is never replaced
    qtbot.waitUntil(lambda: "既にあります" in messages[-1], timeout=10_000)
    # on PC B: added from the trust file after a confirmation, listed, then removed
    dialog_b = trust_dialog(qtbot, open_context(b))
    assert dialog_b.table.rowCount() == 0
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(trust_file), ""))
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog_b.add_button.click()
    assert fingerprint_of(a) in asked[-1]
    qtbot.waitUntil(lambda: dialog_b.table.rowCount() == 1 and not dialog_b.loading, timeout=10_000)
    assert dialog_b.table.rowCount() == 1 and dialog_b.table.item(0, 1).text() == fingerprint_of(a)
    assert not dialog_b.remove_button.isEnabled()
    dialog_b.table.selectRow(0)
    dialog_b.remove_button.click()
    qtbot.waitUntil(lambda: dialog_b.table.rowCount() == 0, timeout=10_000)
    assert stored(b, "SELECT COUNT(*) FROM exchange_trusted_pcs") == [(0,)]
    # a damaged trust file: a message, nothing added
    trust_file.write_text("{}", encoding="utf-8")
    dialog_b.add_button.click()
    assert "信頼ファイルとして読めません" in messages[-1] and dialog_b.table.rowCount() == 0


def test_the_file_menu_opens_the_trust_dialog(qtbot, strangers, open_context, monkeypatch) -> None:
    _, b = strangers
    window = QMainWindow()
    qtbot.addWidget(window)
    actions = install_exchange_actions(window, window.menuBar().addMenu("ファイル(&F)"), open_context(b))
    [trust] = [action for action in actions if action.text() == TRUST_TEXT]
    opened = []
    monkeypatch.setattr(TrustDialog, "exec", lambda self: qtbot.waitUntil(lambda: not self.loading)
                        or opened.append(self.own_label.text()) or 0)
    trust.trigger()
    assert opened and fingerprint_of(b) in opened[0]
