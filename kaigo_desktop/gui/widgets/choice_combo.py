"""A combo box of (value, label) choices with an optional 「未選択」 entry whose value is None; the value, not
the label, is what the screens read and set. TypeAheadCombo is the editable one that finds choices as typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget


def replace_items(combo: QComboBox, choices: Iterable[tuple[Any, str]], none_label: str | None) -> None:
    """The (value, label) choices, after a leading none_label standing for None when given; silently (the
    caller chooses the value afterwards)."""
    combo.blockSignals(True)
    combo.clear()
    if none_label is not None:
        combo.addItem(none_label, None)
    for value, label in choices:
        combo.addItem(label, value)
    combo.blockSignals(False)


class ChoiceCombo(QComboBox):
    def __init__(self, parent: QWidget | None = None, *, none_label: str | None = None):
        super().__init__(parent)
        self.none_label = none_label
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)
        self.setMaxVisibleItems(20)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no wheel-scrolling through values by accident

    def set_choices(self, choices: Iterable[tuple[Any, str]], *, keep_value: bool = True) -> None:
        """Replace the entries; the current value stays chosen when it is still offered."""
        previous = self.value()
        replace_items(self, choices, self.none_label)
        self.set_value(previous if keep_value else None)

    def set_labelled_choices(self, labels: Iterable[str]) -> None:
        """Choices whose value is their label (the reference lists)."""
        self.set_choices((label, label) for label in labels)

    def value(self) -> Any:
        return self.currentData() if self.currentIndex() >= 0 else None

    def set_value(self, value: Any, *, missing_label: str | None = None) -> None:
        """Choose the entry holding value; a value not offered is added (as missing_label) when given, so a
        stored value that is no longer in the list is shown rather than silently replaced."""
        index = self.findData(value) if value is not None else (0 if self.none_label is not None else -1)
        if index < 0 and value is not None and missing_label is not None:
            self.addItem(missing_label, value)
            index = self.count() - 1
        if index < 0 and self.count():
            index = 0
        self.setCurrentIndex(index)
