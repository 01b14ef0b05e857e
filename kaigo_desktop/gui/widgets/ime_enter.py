"""When Enter belongs to the Japanese IME: the one test the form's Enter-moves-focus and the month grid's
Enter-commits-the-cell both use. While an editor holds uncommitted text (a preedit), Enter commits the
conversion and nothing else; Ctrl+Enter is always the screen's "save"."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent


class ImeComposition:
    """Which watched editors hold a preedit, fed with their InputMethod events."""

    def __init__(self) -> None:
        self._composing: set[int] = set()

    def note(self, editor: QObject, event: QInputMethodEvent) -> bool:
        """Remember whether editor now holds a preedit; True when the event committed text."""
        if event.preeditString():
            self._composing.add(id(editor))
            return False
        self._composing.discard(id(editor))
        return bool(event.commitString())

    def holds(self, editor: QObject) -> bool:
        return id(editor) in self._composing

    def forget(self, editor: QObject) -> None:
        self._composing.discard(id(editor))


def plain_enter(event: QEvent) -> QKeyEvent | None:
    """The key press when it is Enter or Return without Ctrl, else None."""
    if event.type() != QEvent.Type.KeyPress:
        return None
    key: QKeyEvent = event  # type: ignore[assignment]
    if key.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return None
    return None if key.modifiers() & Qt.KeyboardModifier.ControlModifier else key
