"""The completer of every picker: it matches what is typed against each item's search key
(domain.text.search_key: name, よみ, code, folded for width and ひらがな/カタカナ) and puts the item's label in the
field. The folding is domain.text's, so the C++ filtering and matches_search agree."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QCompleter

from kaigo_desktop.domain.text import search_key, search_query

SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1


def set_search_texts(model: QAbstractItemModel, row: int, *texts: str) -> None:
    model.setData(model.index(row, 0), search_key(*texts), SEARCH_ROLE)


class SearchCompleter(QCompleter):
    """Filters on SEARCH_ROLE with the typed text folded (splitPath is the prefix Qt filters with)."""

    def __init__(self, model: QAbstractItemModel, parent: QObject | None = None):
        super().__init__(model, parent)
        self.setCompletionRole(SEARCH_ROLE)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseSensitive)  # search_query has lower-cased already

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt's name
        return [search_query(path)]

    def pathFromIndex(self, index: QModelIndex) -> str:  # noqa: N802 - Qt's name
        return index.data(Qt.ItemDataRole.DisplayRole)
