"""Files the user chooses and reports they look at (issue 15): every file dialog starts in Documents (never
the program's folder) and speaks Japanese on Linux; 「開く」 with no viewer on the PC says so and offers the
folder; the preview fits the screen, has its buttons at the top, and comes before choosing where to save."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QPushButton, QScrollArea

from kaigo_desktop.gui import file_dialogs, opening
from kaigo_desktop.gui.app import create_application
from kaigo_desktop.gui.exchange_trust_dialog import TrustDialog
from kaigo_desktop.gui.pdf_pages import PdfPreviewDialog
from tests.gui.test_reports_screen import CHIYODA, choose, filled_db_path, open_reports, window  # noqa: F401


@pytest.fixture
def documents(tmp_path: Path, monkeypatch) -> Path:
    """The user's Documents folder (XDG_DOCUMENTS_DIR is how Linux names it), and the program folder as the
    current one, where a relative start would open."""
    folder = tmp_path / "ドキュメント"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".config").mkdir(exist_ok=True)
    (tmp_path / ".config" / "user-dirs.dirs").write_text(f'XDG_DOCUMENTS_DIR="{folder}"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    program = tmp_path / "program"
    program.mkdir()
    monkeypatch.chdir(program)
    assert file_dialogs.documents_folder() == folder
    return folder


def test_dialogs_start_in_documents_not_the_program_folder(qtbot, documents: Path, gui_context, monkeypatch) -> None:
    asked: list[tuple[str, object]] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda _p, _t, start, _f, _s, options: asked.append((start, options)) or ("", ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda _p, _t, start, _f, _s, options: asked.append((start, options)) or ("", ""))
    dialog = TrustDialog(gui_context)
    qtbot.addWidget(dialog)
    dialog.save_button.click()  # used to start at "kaigo_信頼ファイル.json": in the program folder
    dialog.add_button.click()  # used to start at "": the program folder
    assert [start for start, _ in asked] == [str(documents / "kaigo_信頼ファイル.json"), str(documents)]
    assert all(options == QFileDialog.Option.DontUseNativeDialog for _, options in asked)  # Qt's: Japanese
    # A folder that is gone (a USB stick taken out) falls back to Documents as well.
    assert file_dialogs.start_path(documents.parent / "外した USB" / "a.pdf") == str(documents / "a.pdf")
    assert file_dialogs.start_path(documents.parent) == str(documents.parent)


def test_the_file_dialog_speaks_japanese(qapp, qtbot) -> None:
    create_application([], error_dialogs=False)  # Qt's Japanese and the two words it lacks
    dialog = QFileDialog(None, "報告書を保存", "", "PDF (*.pdf)")
    qtbot.addWidget(dialog)
    dialog.setOptions(file_dialogs.dialog_options())
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    buttons = [button.text() for button in dialog.findChildren(QPushButton)]
    assert labels == ["場所(&L):", "ファイル名(&N):", "ファイルの種類(&T):"]
    assert buttons == ["保存(&S)", "キャンセル"]


def test_open_without_a_viewer_says_so_and_offers_the_folder(qtbot, tmp_path: Path, monkeypatch, messages) -> None:
    report = tmp_path / "実施状況報告書.pdf"
    report.write_bytes(b"%PDF-1.4\n")
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toLocalFile())
        return Path(url.toLocalFile()).is_dir()  # no PDF viewer; the file manager is there

    shown: list[str] = []

    def answer(box: QMessageBox) -> int:
        shown.append(box.text())
        next(b for b in box.buttons() if b.text() == opening.SHOW_FOLDER).click()
        return 0

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    monkeypatch.setattr(QMessageBox, "exec", answer)
    assert not opening.open_file(None, report)
    assert len(shown) == 1 and "「実施状況報告書.pdf」を開くアプリがこのパソコンに見つかりませんでした" in shown[0]
    assert str(report) in shown[0]
    assert opened == [str(report), str(tmp_path)]
    assert messages == []


def test_preview_comes_before_saving_fits_the_screen_and_has_its_buttons_on_top(
        qtbot, window, tmp_path: Path, monkeypatch) -> None:  # noqa: F811 - the fixture imported above
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "submission")
    choose(screen.form.fiscal_year_combo, 2024)
    choose(screen.form.municipality_combo, CHIYODA)
    asked: list[str] = []
    out = tmp_path / "保存先" / "報告書1.pdf"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda _p, _t, start, *_a: asked.append(start) or (str(out), ""))

    screen.preview_first_button.click()
    qtbot.waitUntil(lambda: screen.preview_dialog is not None and screen.preview_dialog.isVisible(), timeout=30_000)
    dialog: PdfPreviewDialog = screen.preview_dialog
    assert asked == [] and not out.exists() and screen.last_result is None  # nothing asked, nothing saved yet
    assert dialog.page_labels and dialog.save_button.isVisible()

    available = dialog.screen().availableGeometry()
    assert dialog.width() <= available.width() and dialog.height() <= available.height() * 0.9
    scroll = dialog.findChild(QScrollArea)
    for button in (dialog.save_button, dialog.print_button, dialog.close_button):
        assert button.geometry().bottom() < scroll.geometry().top()

    previewed = dialog.path.read_bytes()
    dialog_folder = dialog.path.parent
    dialog.save_button.click()  # 保存: now the place is asked
    qtbot.waitUntil(lambda: screen.last_result is not None, timeout=10_000)
    assert len(asked) == 1 and Path(asked[0]).name == "実施状況報告書_令和6年度_千代田区.pdf"
    assert out.read_bytes() == previewed  # the report looked at, not another one
    assert [p.name for p in out.parent.iterdir()] == ["報告書1.pdf"]
    assert Path(screen.last_result.path) == out and "保存しました" in screen.result_label.text()
    assert not shiboken6.isValid(dialog)  # closed once saved
    assert not dialog_folder.exists()  # the temporary copy is gone


def test_saving_the_preview_into_the_backups_is_refused(qtbot, window, monkeypatch) -> None:  # noqa: F811
    """The copy made from a preview meets the refusals of any report file (check_output_path)."""
    screen = open_reports(qtbot, window)
    choose(screen.form.kind_combo, "submission")
    choose(screen.form.fiscal_year_combo, 2024)
    database = window.db_path
    before = database.read_bytes()
    into_backups = database.parent / "backups" / "報告書.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(into_backups), ""))
    refused: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: refused.append(text))
    screen.preview_first_button.click()
    qtbot.waitUntil(lambda: screen.preview_dialog is not None, timeout=30_000)
    screen.preview_dialog.save_button.click()
    qtbot.waitUntil(lambda: refused != [], timeout=10_000)
    assert "バックアップフォルダの中には保存できません" in refused[0] and screen.last_result is None
    assert database.read_bytes() == before and not into_backups.exists()
