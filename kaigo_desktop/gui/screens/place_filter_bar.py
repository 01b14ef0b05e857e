"""The search box and filters above the table of places; it only says what the user asked for (the screen
runs the query)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.vocab import PLACE_STATUSES, PROGRAM_TYPES
from kaigo_desktop.gui.widgets.choice_combo import ChoiceCombo
from kaigo_desktop.gui.widgets.column_widths import on_font_change
from kaigo_desktop.gui.widgets.searchable_combo import make_searchable, municipality_texts, set_search_texts
from kaigo_desktop.services.places_view import PlaceFieldChoices


class PlaceFilterBar(QWidget):
    """`text_did_change` as the user types (the screen waits for a pause), `filters_did_change` when a
    filter or the trash switch changes (the screen queries at once), `leave_search` on Enter or Down."""

    text_did_change = Signal()
    filters_did_change = Signal()
    leave_search = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._choices: PlaceFieldChoices | None = None
        self.search_edit = QLineEdit(placeholderText="名称・フリガナ・住所で検索（ひらがな可、Ctrl+F）")
        self.search_edit.setClearButtonEnabled(True)
        on_font_change(self.search_edit, lambda: self.search_edit.setMinimumWidth(
            self.search_edit.fontMetrics().horizontalAdvance("あ") * 14))
        self.search_edit.installEventFilter(self)
        self.municipality_combo = ChoiceCombo(none_label="すべての区市町村")
        self.center_combo = ChoiceCombo(none_label="すべてのセンター")
        self.program_combo = ChoiceCombo(none_label="すべてのプログラム")
        self.program_combo.set_choices(PROGRAM_TYPES)
        self.status_combo = ChoiceCombo(none_label="すべての状態")
        self.status_combo.set_labelled_choices(PLACE_STATUSES)
        self.trash_check = QCheckBox(words.SHOW_TRASH)
        self.trash_check.setToolTip("削除した通いの場を表示します。ここから元に戻せます。")
        # Two lines, so that the filters keep their width at large text sizes.
        search_line = QHBoxLayout()
        search_line.addWidget(QLabel("検索"))
        search_line.addWidget(self.search_edit, 1)
        search_line.addWidget(self.trash_check)
        filter_line = QHBoxLayout()
        filter_line.addWidget(QLabel("絞り込み"))
        for combo in (self.municipality_combo, self.center_combo, self.program_combo, self.status_combo):
            filter_line.addWidget(combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(search_line)
        layout.addLayout(filter_line)
        self.search_edit.textChanged.connect(lambda _text: self.text_did_change.emit())
        self.municipality_combo.currentIndexChanged.connect(self._municipality_changed)
        for combo in (self.center_combo, self.program_combo, self.status_combo):
            combo.currentIndexChanged.connect(lambda _index: self.filters_did_change.emit())
        self.trash_check.toggled.connect(lambda _on: self.filters_did_change.emit())

    def set_choices(self, choices: PlaceFieldChoices) -> None:
        self._choices = choices
        self.municipality_combo.blockSignals(True)
        self.municipality_combo.set_choices((m.code, m.name) for m in choices.municipalities)
        make_searchable(self.municipality_combo)  # a typed name, よみ or code chooses too
        set_search_texts(self.municipality_combo, municipality_texts(choices.municipalities))
        self.municipality_combo.blockSignals(False)
        self._offer_centers()

    def _offer_centers(self) -> None:
        if self._choices is None:
            return
        self.center_combo.blockSignals(True)
        self.center_combo.set_choices((c.id, c.name) for c in self._choices.centers_of(
            self.municipality_combo.value()))
        self.center_combo.blockSignals(False)

    def _municipality_changed(self) -> None:
        self._offer_centers()
        self.filters_did_change.emit()

    # ---- what was asked -------------------------------------------------------------------------

    def text(self) -> str:
        return self.search_edit.text()

    def municipality_code(self) -> str | None:
        return self.municipality_combo.value()

    def center_id(self) -> str | None:
        return self.center_combo.value()

    def program(self) -> str | None:
        return self.program_combo.value()

    def status(self) -> str | None:
        return self.status_combo.value()

    def showing_trash(self) -> bool:
        return self.trash_check.isChecked()

    def set_showing_trash(self, on: bool) -> None:
        self.trash_check.setChecked(on)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            key: QKeyEvent = event  # type: ignore[assignment]
            if key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
                self.leave_search.emit()
                return True
            if key.key() == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
        return False
