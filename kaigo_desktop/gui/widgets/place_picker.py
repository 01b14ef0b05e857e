"""Picking a 通いの場 by typing part of its name or reading (hiragana or katakana), from a list loaded once."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLineEdit, QWidget

from kaigo_desktop.domain.text import search_key
from kaigo_desktop.gui.widgets.search_completer import SEARCH_ROLE, SearchCompleter
from kaigo_desktop.services.gatherings_view import PlaceChoice

ID_ROLE = Qt.ItemDataRole.UserRole + 2


def search_text(choice: PlaceChoice) -> str:
    """Name, reading and 区市町村: whatever part of them is typed (かな or カナ, any width) finds the place."""
    return search_key(choice.name, choice.kana, choice.municipality_name)


class PlaceChoiceModel(QStandardItemModel):
    """The places to pick from: loaded once and shared by every picker of a screen (10,000 places take
    about 70 ms to turn into items; the completer then filters them in C++ at each keystroke)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._by_id: dict[str, PlaceChoice] = {}
        self._by_text: dict[str, list[PlaceChoice]] = {}

    def set_choices(self, choices: list[PlaceChoice]) -> None:
        self.blockSignals(True)  # one reset for the pickers afterwards, not a signal per row
        self.clear()
        self._by_id = {c.id: c for c in choices}
        self._by_text = {}
        for choice in choices:
            item = QStandardItem(choice.label)
            item.setData(search_text(choice), SEARCH_ROLE)
            item.setData(choice.id, ID_ROLE)
            item.setEditable(False)
            self.appendRow(item)
            for text in {choice.label, choice.name}:
                self._by_text.setdefault(text, []).append(choice)
        self.blockSignals(False)
        self.beginResetModel()
        self.endResetModel()

    def choices(self) -> list[PlaceChoice]:
        return list(self._by_id.values())

    def by_id(self, place_id: str | None) -> PlaceChoice | None:
        return self._by_id.get(place_id) if place_id else None

    def by_text(self, text: str) -> list[PlaceChoice]:
        """Places whose label or exact name is `text`."""
        return self._by_text.get(text, [])


class PlacePicker(QLineEdit):
    """`place()` is the chosen place, or None while the text names none (or several). `place_did_change`
    fires when the choice settles (a completion picked, or the field left)."""

    place_did_change = Signal(object)  # PlaceChoice | None

    def __init__(self, parent: QWidget | None = None, *, choices: PlaceChoiceModel | None = None,
                 placeholder: str = "名称・よみがなの一部を入力"):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._place: PlaceChoice | None = None
        self.places = choices if choices is not None else PlaceChoiceModel(self)
        self.completer_ = SearchCompleter(self.places, self)
        self.completer_.setMaxVisibleItems(12)
        self.setCompleter(self.completer_)
        self.completer_.activated[QModelIndex].connect(self._picked)
        self.editingFinished.connect(self._settle)
        self.places.modelReset.connect(self._choices_reloaded)

    def set_choices(self, choices: list[PlaceChoice]) -> None:
        self.places.set_choices(choices)

    def choices(self) -> list[PlaceChoice]:
        return self.places.choices()

    def place(self) -> PlaceChoice | None:
        if self._place is not None and self.text() == self._place.label:
            return self._place
        return self._resolve(self.text())

    def set_place_id(self, place_id: str | None) -> None:
        self._set(self.places.by_id(place_id))

    # ---- internals -----------------------------------------------------------------------------

    def _choices_reloaded(self) -> None:
        """The same place again (renamed places show their new name), or none if it has gone."""
        if self._place is not None:
            self._set(self.places.by_id(self._place.id))

    def _resolve(self, text: str) -> PlaceChoice | None:
        text = text.strip()
        if not text:
            return None
        exact = self.places.by_text(text)
        if len(exact) == 1:
            return exact[0]
        self.completer_.setCompletionPrefix(text)
        if self.completer_.completionCount() == 1:  # typed enough to name one place
            return self.places.by_id(self.completer_.currentIndex().data(ID_ROLE))
        return None

    def _picked(self, index: QModelIndex) -> None:
        self._set(self.places.by_id(index.data(ID_ROLE)))

    def _settle(self) -> None:
        if self._place is not None and self.text() == self._place.label:
            return
        choice = self._resolve(self.text())
        if choice is not None or not self.text().strip():
            self._set(choice)
        elif self._place is not None:  # text that names no single place: no place chosen
            self._place = None
            self.place_did_change.emit(None)

    def _set(self, choice: PlaceChoice | None) -> None:
        changed = (choice.id if choice else None) != (self._place.id if self._place else None)
        self._place = choice
        label = choice.label if choice else ""
        if self.text() != label:
            self.setText(label)
        if changed:
            self.place_did_change.emit(choice)
