"""A picker with type-ahead: an editable combo box whose typed text (Japanese included) finds items by any
part of their label; the value is the id of the item whose label the text matches exactly."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from kaigo_desktop.gui.widgets.choice_combo import replace_items


def find_as_typed(combo: QComboBox) -> None:
    """Make combo editable, offering the items whose label contains what is typed (IME-safe: the completer
    only reads committed text); typed text never becomes a new item."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setMaxVisibleItems(20)
    completer = QCompleter(combo.model(), combo)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)


class TypeAheadCombo(QComboBox):
    """`set_choices([(value, label), …])`, in ChoiceCombo's order; `value()` is the chosen value or None
    (blank, or text that matches no label: `has_unknown_text()` tells the two apart). An optional leading
    item (e.g. 「すべて」) stands for None; while it is chosen the field is left blank with the label as placeholder,
    so what the user types is not appended to it."""

    value_did_change = Signal()

    def __init__(self, parent: QWidget | None = None, *, none_label: str | None = None, placeholder: str = ""):
        super().__init__(parent)
        find_as_typed(self)
        self._none_label = none_label
        if placeholder or none_label:
            self.lineEdit().setPlaceholderText(placeholder or none_label or "")
        self._last_value: object = None
        self.currentTextChanged.connect(self._text_changed)
        self.activated.connect(self._blank_for_none)
        self.set_choices([])

    def set_choices(self, choices: Iterable[tuple[object, str]], *, keep_value: bool = True) -> None:
        """Replace the items; the current value stays selected when it is still among them."""
        previous = self.value() if keep_value else None
        replace_items(self, choices, self._none_label)
        self.set_value(previous)

    def set_value(self, value: object) -> None:
        index = self.findData(value) if value is not None else -1
        if value is None and self._none_label is not None:
            index = 0
        self.setCurrentIndex(index)
        if index < 0 or (index == 0 and self._none_label is not None):
            self.setEditText("")
        self._text_changed()

    def value(self) -> object:
        index = self._matching_index()
        return self.itemData(index) if index >= 0 else None

    def has_unknown_text(self) -> bool:
        return bool(self.currentText().strip()) and self._matching_index() < 0

    def labels(self) -> list[str]:
        return [self.itemText(i) for i in range(self.count())]

    def _matching_index(self) -> int:
        text = self.currentText().strip()
        if not text:
            return 0 if self._none_label is not None else -1
        return self.findText(text, Qt.MatchFlag.MatchExactly)

    def _blank_for_none(self, index: int) -> None:
        if index == 0 and self._none_label is not None:
            self.setEditText("")

    def _text_changed(self, *_args: object) -> None:
        value = self.value()
        if value != self._last_value:
            self._last_value = value
            self.value_did_change.emit()
