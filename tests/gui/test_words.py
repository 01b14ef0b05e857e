"""One word list for the UI (domain/ui_words.py): every screen, form and dialog is built on a demo database and
every text a user can read on it (labels, buttons, check boxes, group boxes, tabs, menus, table headers,
tooltips, placeholders, window titles) is checked for a spelling the word list settled otherwise — ゴミ箱 for
ごみ箱, 削除済みを表示 for ごみ箱を表示, 「氏名 *」 for 「氏名（必須）」, 「保存 (Ctrl+S)」 for 「保存（Ctrl+S）」.
The same variants are looked for in every string literal under kaigo_desktop/, for the texts only shown in
message boxes."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

import kaigo_desktop
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.app import open_main_window
from kaigo_desktop.gui.backup_dialog import RestoreDialog
from kaigo_desktop.gui.conflicts_dialog import ConflictsDialog
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.error_dialog import ErrorDialog
from kaigo_desktop.gui.exchange_export_dialog import ExportDialog
from kaigo_desktop.gui.exchange_folders import ExchangeFolders
from kaigo_desktop.gui.exchange_import_dialog import ExchangeImportDialog
from kaigo_desktop.gui.exchange_trust_dialog import TrustDialog
from kaigo_desktop.gui.import_dialog import ImportDialog
from kaigo_desktop.gui.merge_dialog import MergeDialog
from kaigo_desktop.gui.pending_dialog import PendingDialog
from kaigo_desktop.gui.restore_progress import RestoreProgressDialog
from kaigo_desktop.gui.screenshots import settle
from kaigo_desktop.gui.welcome import WelcomeDialog
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.storage.database import Database

# Spellings the word list settled otherwise: (what to look for, what to use instead).
VARIANT_WORDS = [
    ("ゴミ箱", f"「{words.TRASH}」 (ui_words.TRASH)"),
    ("削除済みを表示", f"「{words.SHOW_TRASH}」 (ui_words.SHOW_TRASH)"),
    ("入力を取り消す", f"「{words.REVERT}」 (ui_words.REVERT)"),
    ("(必須)", "ui_words.required()"),
    ("(削除済み)", "ui_words.DELETED_MARK / marked_deleted()"),
    ("元に戻すと編集", "ui_words.in_trash_note()"),
    # Removing a record moves it to the trash: 「ごみ箱へ移す」, said one way (issue 15).
    ("を削除しますか", "ui_words.trash_question()"),
    ("ごみ箱に移", f"「{words.MOVE_TO_TRASH}」 (ui_words.MOVE_TO_TRASH / moved_to_trash())"),
    ("削除の確認", "ui_words.MOVE_TO_TRASH as the title"),
]
# A field label marked required with a star after Japanese text: 「氏名 *」, 「職種*」.
REQUIRED_STAR = re.compile(r"[^\x00-\x7f]\s*[*＊]$")
# A key shown in half-width brackets: 「保存 (Ctrl+S)」, 「削除 (Delete)」 (mnemonics such as (&S) are fine).
HALF_WIDTH_KEY = re.compile(r"\((?:Ctrl|Shift|Alt|Delete|Del|Enter|Esc|F\d+)\b[^)]*\)")


def variants_in(text: str, *, keys: bool = True) -> list[str]:
    found = [f"{variant} → {instead}" for variant, instead in VARIANT_WORDS if variant in text]
    if REQUIRED_STAR.search(text):
        found.append("trailing * → ui_words.required()")
    if keys and HALF_WIDTH_KEY.search(text):
        found.append("(key) → ui_words.with_key(): full-width brackets")
    return found


def test_the_variant_check_knows_the_variants() -> None:
    for wrong in ("ゴミ箱", "ゴミ箱へ移す", "削除済みを表示(&T)", "記録を削除しますか？", "ごみ箱に移します", "氏名 *", "職種*", "保存 (Ctrl+S)", "削除 (Delete)",
                  "入力を取り消す", "名称(必須)"):
        assert variants_in(wrong), wrong
    for right in (words.TRASH, words.SHOW_TRASH, f"{words.SHOW_TRASH}(&T)", words.required("氏名"),
                  words.with_key(words.SAVE, "Ctrl+S"), f"{words.SAVE}(&S)", words.REVERT,
                  words.marked_deleted("さくら", True), "Shift_JIS", "*.csv", words.trash_question("記録"),
                  words.moved_to_trash("記録"), words.DELETE):
        assert not variants_in(right), right


# ---- every text on every screen and dialog -----------------------------------------------------------------


def _model_texts(view: QAbstractItemView) -> Iterator[str]:
    model = view.model()
    if model is None:
        return
    root = QModelIndex()
    # A list model's columnCount is private in PySide6: a list has one column.
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(root)
    rows = model.rowCount(root)
    for section in range(columns):
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = model.headerData(section, Qt.Orientation.Horizontal, role)
            if isinstance(value, str):
                yield value
    for row in range(min(rows, 30)):  # kind names and marks shown in cells (「（削除済み）」)
        for column in range(columns):
            value = model.index(row, column).data()
            if isinstance(value, str):
                yield value


def widget_texts(widget: QWidget) -> Iterator[str]:
    """What a user can read on one widget (its children are walked separately)."""
    yield widget.toolTip()
    yield widget.windowTitle()
    if isinstance(widget, QLabel):
        yield widget.text()
    if isinstance(widget, QAbstractButton):
        yield widget.text()
    if isinstance(widget, QGroupBox):
        yield widget.title()
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        yield widget.placeholderText()
    if isinstance(widget, QTabBar):
        for index in range(widget.count()):
            yield widget.tabText(index)
            yield widget.tabToolTip(index)
    if isinstance(widget, QComboBox):
        for index in range(widget.count()):
            yield widget.itemText(index)
    if isinstance(widget, QAbstractItemView):
        yield from _model_texts(widget)
    for action in widget.actions():  # menus, the menu bar, tool buttons
        yield action.text()
        yield action.toolTip()


def every_text() -> list[tuple[str, str]]:
    """(where, text) for every live widget of the application."""
    found = []
    for widget in QApplication.allWidgets():
        where = f"{type(widget).__name__} {widget.objectName()}".strip()
        found.extend((where, text) for text in widget_texts(widget) if text)
    return found


@pytest.fixture(scope="module")
def shown_texts(qapp, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    """Every screen with each view the screenshots show, each list also with its trash shown, and the dialogs."""
    folder = tmp_path_factory.mktemp("words")
    db_path = folder / "demo.sqlite3"
    Database.create_new(db_path, lambda db: create_demo(db, places=12, years=1, seed=5, today=date(2024, 11, 15)),
                        user="デモ")
    qsettings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = open_main_window(db_path, UserSettings(qsettings), today=date(2024, 11, 15))
    window.resize(1280, 800)
    window.show()
    texts: list[tuple[str, str]] = []
    try:
        for index, screen in enumerate(window.screens):
            window.navigation.setCurrentRow(index)
            settle(window)
            for _name, make_view in screen.screenshot_views():
                make_view()
                settle(window)
                texts += every_text()
            trash_boxes = [box for box in screen.findChildren(QCheckBox)
                           if box.text().replace("(&T)", "") == words.SHOW_TRASH]
            for box in trash_boxes:
                box.setChecked(True)
                settle(window)
                texts += every_text()
                box.setChecked(False)
                settle(window)
            texts.append(("trash check boxes", f"{type(screen).__name__}: {len(trash_boxes)}"))
        context = window.context
        folders = ExchangeFolders(qsettings)
        dialogs = [
            ExportDialog(context, window, folders=folders, today=date(2024, 11, 15)),
            ExchangeImportDialog(context, window, folders=folders),
            ConflictsDialog(context, window), PendingDialog(context, window), TrustDialog(context, window),
            ImportDialog(context, window), MergeDialog(context, "places", window), MergeDialog(context, "promoters", window),
            RestoreDialog(folder, [], window), ErrorDialog("保存できませんでした。", "詳細", None, window),
            WelcomeDialog(folder / "new.sqlite3", folder / "demo2.sqlite3", lambda _path: None, parent=window),
            RestoreProgressDialog(window),
        ]
        for dialog in dialogs:
            dialog.show()
            settle(window)
        texts += every_text()
        texts.append(("dialogs", ", ".join(type(d).__name__ for d in dialogs)))
        for dialog in dialogs:
            dialog.hide()
            dialog.deleteLater()
    finally:
        for screen in window.screens:
            screen.discard_changes()
        window.hide()
        window.window_did_close.emit()
        window.deleteLater()
        qapp.processEvents()
    return texts


def test_the_walk_reaches_every_screen_form_and_dialog(shown_texts: list[tuple[str, str]]) -> None:
    texts = {text for _where, text in shown_texts}
    # A form of each kind, the trash check box of each list, the dialogs' buttons: the walk saw them all.
    for expected in (words.required("名称"), words.required("氏名"), words.required("活動日"),
                     words.with_key(words.SAVE, "Ctrl+Enter"), words.REVERT, words.RESTORE,
                     f"{words.SHOW_TRASH}(&T)", words.CLOSE, words.CANCEL, "データの取り込み（CSV・Excel）(&I)…"):
        assert expected in texts, expected
    assert any(text.startswith(f"{words.TRASH}：") for text in texts)  # a list showing its trash
    boxes = dict(text.split(": ") for where, text in shown_texts if where == "trash check boxes")
    for screen in ("PlacesScreen", "GatheringsScreen", "PromotersScreen", "ActivitiesScreen", "MastersScreen"):
        assert boxes[screen] == "1", f"{screen} has one 「{words.SHOW_TRASH}」"


def test_no_screen_or_dialog_uses_another_spelling(shown_texts: list[tuple[str, str]]) -> None:
    wrong = sorted({f"{where}: {text!r}: {', '.join(found)}"
                    for where, text in shown_texts if (found := variants_in(text))})
    assert not wrong, "\n".join(wrong)


# ---- the source --------------------------------------------------------------------------------------------

PACKAGE = Path(kaigo_desktop.__file__).parent


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    """Every string constant, f-string parts and docstrings included."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_source_file_spells_a_ui_word_another_way() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, text in string_literals(path):
            # Keys are looked for on screens only: docstrings name keys in ordinary brackets.
            found = variants_in(text, keys=False)
            if "（必須）" in text and path.name != "ui_words.py":
                found.append("（必須） written out → ui_words.required()")
            wrong += [f"{path.relative_to(PACKAGE)}:{line}: {text!r}: {', '.join(found)}"] if found else []
    designer_forms = PACKAGE.parent / "ui"
    for path in sorted(designer_forms.rglob("*.ui")) if designer_forms.is_dir() else []:
        for text in re.findall(r"<string[^>]*>(.*?)</string>", path.read_text(encoding="utf-8"), re.DOTALL):
            wrong += [f"{path.name}: {text!r}: {found}" for found in variants_in(text)]
    assert not wrong, "\n".join(wrong)
