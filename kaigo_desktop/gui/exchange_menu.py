"""The File menu's exchange between PCs: データの書き出し, データの取り込み (from another PC), 競合の解決 (labelled
with the number of open conflicts) and 信頼するパソコン."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget
from shiboken6 import isValid

from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.services import overview

EXPORT_TEXT = "データの書き出し（ほかのパソコンへ）(&W)…"
IMPORT_TEXT = "データの取り込み（ほかのパソコンから）(&L)…"
CONFLICTS_TEXT = "競合の解決(&C)…"
TRUST_TEXT = "信頼するパソコン(&T)…"
READ_ONLY_TIP = "読み取り専用で開いているため使えません。"


class _ConflictCounter(QObject):
    """Keeps the 競合の解決 label's count current. A child of the window, so its connections to the app-wide
    context end with the window."""

    def __init__(self, context: AppContext, action: QAction, parent: QObject):
        super().__init__(parent)
        self.context = context
        self.action = action
        self._asked = False
        context.changes_did_happen.connect(self._changes_happened)

    def _changes_happened(self, changes) -> None:
        if changes.touches("conflicts"):
            self.refresh()

    def refresh(self) -> None:
        if not self._asked:  # one count on its way is enough
            self._asked = True
            self.context.run(_count_open_conflicts, on_done=self._show, on_error=self._failed)

    def _show(self, count: int) -> None:
        self._asked = False
        if isValid(self.action):  # the window may have closed while the count was on its way
            self.action.setText(conflicts_text(count))

    def _failed(self, _error: BaseException) -> None:
        self._asked = False  # the label keeps its last count; the dialog itself reports problems


def _count_open_conflicts(db, _job_ctx) -> int:
    return overview.open_conflict_count(db)


def conflicts_text(count: int) -> str:
    return f"競合の解決（未解決 {count:,}件）(&C)…" if count else CONFLICTS_TEXT


def _open(module: str, function: str):
    """Opens the dialog `module.function(window, context)`, importing its module when first chosen: the
    dialogs pull in the whole exchange (signing, bundles, conflicts), which the window's first paint does
    not need (issue 17)."""
    def open_dialog(window: QWidget, context: AppContext) -> None:
        getattr(importlib.import_module(f"kaigo_desktop.gui.{module}"), function)(window, context)
    return open_dialog


def install_exchange_actions(window: QWidget, file_menu: QMenu, context: AppContext) -> list[QAction]:
    """Adds the four actions to `file_menu` (where the caller is adding items) and returns them."""
    def action(text: str, name: str, open_dialog) -> QAction:
        entry = QAction(text, window)
        entry.setObjectName(f"exchange_{name}")
        entry.triggered.connect(lambda: open_dialog(window, context))
        return entry

    conflicts_action = action(CONFLICTS_TEXT, "conflicts", _open("conflicts_dialog", "open_conflicts_dialog"))
    actions = [action(EXPORT_TEXT, "export", _open("exchange_export_dialog", "open_export_dialog")),
               action(IMPORT_TEXT, "import", _open("exchange_import_dialog", "open_exchange_import_dialog")),
               conflicts_action,
               action(TRUST_TEXT, "trust", _open("exchange_trust_dialog", "open_trust_dialog"))]
    if getattr(context.worker, "readonly", False):
        # Exporting writes too: the destination remembers what was sent to it.
        for action in actions:
            action.setEnabled(False)
            action.setToolTip(READ_ONLY_TIP)
    file_menu.addActions(actions)
    file_menu.setToolTipsVisible(True)

    counter = _ConflictCounter(context, conflicts_action, window)
    file_menu.aboutToShow.connect(counter.refresh)
    counter.refresh()
    return actions
