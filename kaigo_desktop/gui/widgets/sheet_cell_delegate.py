"""Cell editing for the month grid, like a paper sheet typed in: counts take digits only (full-width too), and
Enter moves to the next cell, except while the Japanese IME is converting."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject
from PySide6.QtWidgets import QAbstractItemDelegate, QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from kaigo_desktop.gui.widgets.count_and_time_edits import CountEdit
from kaigo_desktop.gui.widgets.ime_enter import ImeComposition, plain_enter


class SheetCellDelegate(QStyledItemDelegate):
    """`digit_columns` get CountEdit editors; `display` may replace a cell's shown text (the day with its
    weekday) without changing what is edited."""

    def __init__(self, digit_columns: set[int], display: Callable[[QModelIndex], str | None] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.digit_columns = digit_columns
        self.display = display
        self._ime = ImeComposition()
        self.open_editor: QWidget | None = None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget:  # noqa: N802
        editor = CountEdit(parent) if index.column() in self.digit_columns else QLineEdit(parent)
        editor.setFrame(False)
        editor.setMaximumWidth(16_777_215)  # fill the cell, whatever CountEdit prefers in a form
        self.open_editor = editor
        editor.destroyed.connect(lambda *_: self._forget(editor))
        return editor

    def _forget(self, editor: QWidget) -> None:
        self._ime.forget(editor)
        if self.open_editor is editor:
            self.open_editor = None

    def commit_open_editor(self) -> None:
        """Take what is typed in the open cell (before saving)."""
        editor = self.open_editor
        if editor is not None:
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.open_editor = None

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        if self.display is not None:
            text = self.display(index)
            if text is not None:
                option.text = text

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.InputMethod:
            self._ime.note(editor, event)  # type: ignore[arg-type]
        elif plain_enter(event) is not None:
            if self._ime.holds(editor):
                return False  # the IME's Enter: it commits the conversion, nothing else
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.EditNextItem)
            return True
        return super().eventFilter(editor, event)
