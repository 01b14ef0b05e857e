"""A picker with type-ahead: an editable combo box whose typed text (Japanese included) finds items by any
part of their label or of their other search texts (よみ, code), folded for width and ひらがな/カタカナ by the
one rule in domain.text; the value is the item whose label the text is, or the one item the text finds."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from kaigo_desktop.domain.text import matches_search
from kaigo_desktop.gui.widgets.choice_combo import replace_items
from kaigo_desktop.gui.widgets.search_completer import SEARCH_ROLE, SearchCompleter, set_search_texts


def find_as_typed(combo: QComboBox) -> None:
    """Make combo editable, offering the items whose search texts (set_search_texts; the label when none are
    set: see label_search_texts) contain what is typed (IME-safe: the completer only reads committed text);
    typed text never becomes a new item."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setMaxVisibleItems(20)
    combo.setCompleter(SearchCompleter(combo.model(), combo))


def label_search_texts(combo: QComboBox, extra: dict[int, tuple[str, ...]] | None = None) -> None:
    """Every item is found by its label (and the extra texts given for its row)."""
    model = combo.model()
    for row in range(combo.count()):
        set_search_texts(model, row, combo.itemText(row), *(extra or {}).get(row, ()))


def matching_rows(combo: QComboBox, typed: str) -> list[int]:
    """The rows of the items `typed` finds."""
    return [row for row in range(combo.count()) if matches_search(typed, combo.itemData(row, SEARCH_ROLE) or "")]


def only_match(combo: QComboBox, typed: str) -> int:
    """The row of the one item `typed` finds, -1 when it finds none or several."""
    found = matching_rows(combo, typed)
    return found[0] if len(found) == 1 else -1


class TypeAheadCombo(QComboBox):
    """`set_choices([(value, label, *search texts), …])`, in ChoiceCombo's order; `value()` is the chosen
    value or None (blank, or text that finds no single item: `has_unknown_text()` tells the two apart). Text
    that finds exactly one item (「さとう」 → 佐藤 花子) chooses it, and the field shows its label once left. An
    optional leading item (e.g. 「すべて」) stands for None; while it is chosen the field is left blank with the
    label as placeholder, so what the user types is not appended to it."""

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
        self.lineEdit().editingFinished.connect(self._show_label)
        self.set_choices([])

    def set_choices(self, choices: Iterable[tuple], *, keep_value: bool = True) -> None:
        """Replace the items; the current value stays selected when it is still among them."""
        previous = self.value() if keep_value else None
        choices = list(choices)
        replace_items(self, ((choice[0], choice[1]) for choice in choices), self._none_label)
        first = 1 if self._none_label is not None else 0
        label_search_texts(self, {first + i: tuple(choice[2:]) for i, choice in enumerate(choices)})
        if self._none_label is not None:
            set_search_texts(self.model(), 0)  # 「すべて」/「（なし）」 is chosen by clearing, not found by typing
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

    def found_labels(self) -> list[str]:
        """The labels of the items the typed text finds (several, when it chooses none)."""
        return [self.itemText(row) for row in matching_rows(self, self.currentText().strip())]

    def _matching_index(self) -> int:
        text = self.currentText().strip()
        if not text:
            return 0 if self._none_label is not None else -1
        exact = self.findText(text)
        return exact if exact >= 0 else only_match(self, text)

    def _show_label(self) -> None:
        """Text that found one item is replaced by that item's label when the field is left."""
        index = self._matching_index()
        text = self.currentText().strip()
        if text and index >= 0 and self.itemText(index) != text:
            self.setCurrentIndex(index)
            self.setEditText(self.itemText(index))

    def _blank_for_none(self, index: int) -> None:
        if index == 0 and self._none_label is not None:
            self.setEditText("")

    def _text_changed(self, *_args: object) -> None:
        value = self.value()
        if value != self._last_value:
            self._last_value = value
            self.value_did_change.emit()
