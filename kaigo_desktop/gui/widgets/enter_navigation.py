"""Enter moves to the next field, as on paper forms; never while the Japanese IME is converting."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QPlainTextEdit, QTextEdit, QWidget

from kaigo_desktop.gui.widgets.ime_enter import ImeComposition, plain_enter


class EnterMovesFocus(QObject):
    """Install on each editor of a form (`install(form)` does all). Enter (and Shift+Enter backwards) moves
    focus. While the IME holds uncommitted text (a preedit), and for the key press that some input methods
    send right after committing it, Enter belongs to the IME."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._ime = ImeComposition()
        self._just_committed = False

    def install(self, form: QWidget) -> None:
        for child in form.findChildren(QWidget):
            if child.focusPolicy() != Qt.FocusPolicy.NoFocus and not isinstance(
                    child, (QTextEdit, QPlainTextEdit, QAbstractButton)):
                child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.InputMethod:
            if self._ime.note(watched, event):  # type: ignore[arg-type]
                self._just_committed = True
                QTimer.singleShot(0, self._clear_committed)
            return False
        key = plain_enter(event)
        if key is not None and not self._ime.holds(watched) and not self._just_committed:
            widget = watched if isinstance(watched, QWidget) else None
            if widget is not None and self._is_open_popup(widget):
                return False
            if widget is not None:
                move_focus(widget, backwards=bool(key.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                return True
        return False

    def _clear_committed(self) -> None:
        self._just_committed = False

    @staticmethod
    def _is_open_popup(widget: QWidget) -> bool:
        view = getattr(widget, "view", None)
        return bool(view and callable(view) and view() is not None and view().isVisible())


def move_focus(widget: QWidget, *, backwards: bool = False) -> None:
    """Focus the next (or previous) widget in the tab chain that can take keyboard focus."""
    candidate = widget
    for _ in range(500):
        candidate = candidate.previousInFocusChain() if backwards else candidate.nextInFocusChain()
        if candidate is widget:
            return
        if (candidate.isVisible() and candidate.isEnabled()
                and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus and candidate.focusProxy() is None):
            candidate.setFocus(Qt.FocusReason.TabFocusReason)
            return


def add_save_shortcut(form: QWidget, save) -> None:
    """Ctrl+Enter (both Enter keys) saves the form from any of its fields, as the menu's Ctrl+S does."""
    for keys in ("Ctrl+Return", "Ctrl+Enter"):
        QShortcut(QKeySequence(keys), form, save, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
