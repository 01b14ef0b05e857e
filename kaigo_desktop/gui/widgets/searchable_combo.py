"""A chooser (QComboBox) that also takes typed text, matched as every picker matches it (type_ahead_combo:
find_as_typed, only_match — name, よみ, code, folded for width and ひらがな/カタカナ): 「131164」 or 「１３１１６４」
choose 豊島区 in a 区市町村 filter as they do in the welcome dialog. A text naming one entry chooses it; any
other text (「としま」: 豊島区 and 利島村) is put back to the entry chosen, so nothing half-typed is the value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QComboBox

from kaigo_desktop.gui.widgets.type_ahead_combo import find_as_typed, label_search_texts, only_match


def make_searchable(combo: QComboBox) -> None:
    """Once per combo: editable and completed as a picker, typed text resolved when editing ends."""
    if combo.property("searchable"):
        return
    combo.setProperty("searchable", True)
    find_as_typed(combo)
    combo.lineEdit().editingFinished.connect(lambda: _resolve_typed(combo))


def set_search_texts(combo: QComboBox, texts_by_value: Mapping[Any, Sequence[str]]) -> None:
    """Each entry found by its label and the texts given for its value (よみ, code …)."""
    label_search_texts(combo, {row: tuple(texts_by_value.get(combo.itemData(row), ()))
                               for row in range(combo.count())})


def municipality_texts(municipalities: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """What a 区市町村 is found by besides its name: its よみ and its 6- and 5-digit codes."""
    return {m.code: (getattr(m, "kana", ""), m.code, m.code[:5]) for m in municipalities}


def _resolve_typed(combo: QComboBox) -> None:
    typed = combo.lineEdit().text()
    if combo.currentIndex() >= 0 and typed == combo.itemText(combo.currentIndex()):
        return
    row = combo.findText(typed)
    row = row if row >= 0 else only_match(combo, typed)
    if row >= 0:
        combo.setCurrentIndex(row)
    combo.lineEdit().setText(combo.itemText(combo.currentIndex()))  # nothing half-typed stays shown
