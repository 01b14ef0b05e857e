"""A chooser (QComboBox) that also takes typed text, matched by the one rule of every picker
(domain.text.matches_search: name, よみ, code, folded for width and ひらがな/カタカナ): 「としま」, 「131164」 or
「１３１１６４」 choose 豊島区 in a 区市町村 filter as they do in the welcome dialog. A text naming one entry chooses
it; any other text is put back to the entry chosen (nothing half-typed is ever the value)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QComboBox

from kaigo_desktop.domain.text import matches_search, search_key
from kaigo_desktop.gui.widgets.search_completer import SEARCH_ROLE, SearchCompleter


def make_searchable(combo: QComboBox) -> None:
    """Once per combo: editable, completed by search key, typed text resolved when editing ends."""
    if combo.property("searchable"):
        return
    combo.setProperty("searchable", True)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setCompleter(SearchCompleter(combo.model(), combo))
    combo.lineEdit().editingFinished.connect(lambda: _resolve_typed(combo))


def set_search_texts(combo: QComboBox, texts_by_value: Mapping[Any, Sequence[str]]) -> None:
    """Each entry's search key from its label and the texts given for its value (よみ, code …)."""
    model = combo.model()
    for row in range(combo.count()):
        extra = texts_by_value.get(combo.itemData(row), ())
        model.setData(model.index(row, 0), search_key(combo.itemText(row), *extra), SEARCH_ROLE)


def municipality_texts(municipalities: Iterable[Any]) -> dict[str, tuple[str, ...]]:
    """What a 区市町村 is found by besides its name: its よみ and its 6- and 5-digit codes."""
    return {m.code: (getattr(m, "kana", ""), m.code, m.code[:5]) for m in municipalities}


def _resolve_typed(combo: QComboBox) -> None:
    typed = combo.lineEdit().text()
    current = combo.currentIndex()
    if current >= 0 and typed == combo.itemText(current):
        return
    exact = combo.findText(typed)
    found = [exact] if exact >= 0 else [
        row for row in range(combo.count())
        if matches_search(typed, str(combo.model().index(row, 0).data(SEARCH_ROLE) or ""))]
    if len(found) == 1:
        combo.setCurrentIndex(found[0])
    combo.lineEdit().setText(combo.itemText(combo.currentIndex()))  # nothing half-typed stays shown
