"""Date entry that shows 和暦 beside the date and in the calendar's year button; optionally empty."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCalendarWidget, QCheckBox, QDateEdit, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget,
)

from kaigo_desktop.domain.fiscal import format_fiscal_year, format_wareki, fiscal_year_of


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class WarekiCalendar(QCalendarWidget):
    """The calendar popup; its year button reads e.g. 「2024年（令和6年）」."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setGridVisible(True)
        self.currentPageChanged.connect(self._label_year)
        self._label_year(self.yearShown(), self.monthShown())

    def _label_year(self, year: int, month: int) -> None:
        button = self.findChild(QToolButton, "qt_calendar_yearbutton")
        if button is not None and 1927 <= year:
            era = format_wareki(date(year, month, 1)).split("年")[0]
            button.setText(f"{year}年（{era}年）")


class WarekiDateEdit(QWidget):
    """A date (yyyy/MM/dd, calendar popup) with its 和暦 and 年度 shown live. `optional` adds a 「未定」 box
    so the value can be None (an open end date)."""

    date_did_change = Signal()

    def __init__(self, parent: QWidget | None = None, *, optional: bool = False, none_label: str = "なし",
                 label_below: bool = False):
        super().__init__(parent)
        self.editor = QDateEdit(self)
        self.editor.setDisplayFormat("yyyy/MM/dd")
        self.editor.setCalendarPopup(True)
        self.editor.setCalendarWidget(WarekiCalendar(self.editor))
        self.editor.setDate(QDate.currentDate())
        self.wareki = QLabel(self)
        self.wareki.setWordWrap(True)  # large text sizes must not force the form wider
        self.none_box = QCheckBox(none_label, self) if optional else None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        layout = QHBoxLayout()
        outer.addLayout(layout)
        layout.addWidget(self.editor)
        if self.none_box is not None:
            layout.addWidget(self.none_box)
            self.none_box.toggled.connect(self._changed)
        if label_below:  # narrow panes: the 和暦 goes under the date instead of beside it
            layout.addStretch(1)
            outer.addWidget(self.wareki)
        else:
            layout.addWidget(self.wareki, 1)
        self.editor.dateChanged.connect(self._changed)
        self.setFocusProxy(self.editor)
        self._changed()

    def value(self) -> date | None:
        if self.none_box is not None and self.none_box.isChecked():
            return None
        return from_qdate(self.editor.date())

    def set_value(self, value: date | None) -> None:
        if self.none_box is not None:
            self.none_box.setChecked(value is None)
        if value is not None:
            self.editor.setDate(to_qdate(value))
        self._changed()

    def _changed(self) -> None:
        value = self.value()
        self.editor.setEnabled(value is not None or self.none_box is None)
        if value is None:
            self.wareki.setText("")
        else:
            self.wareki.setText(f"{format_wareki(value)}（{format_fiscal_year(fiscal_year_of(value))}）")
        self.date_did_change.emit()
