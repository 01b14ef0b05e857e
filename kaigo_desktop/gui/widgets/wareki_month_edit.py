"""A month picker that shows and reads 和暦 (「令和8年4月」): typed whole like a date field (R8.4, 8.4, 2026/4 …,
domain/fiscal.parse_typed_month), with ◀ ▶ beside it in the screens that use it. A text it cannot read says
why under the box and keeps the month it had. The same calls as the QDateEdit it replaces (date, setDate,
dateChanged), so its screens need not change."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from kaigo_desktop.domain.fiscal import DateParseError, format_wareki_month, parse_typed_month
from kaigo_desktop.gui.widgets.wareki_date_edit import DateLineEdit


class WarekiMonthEdit(QWidget):
    dateChanged = Signal(QDate)  # noqa: N815 - QDateEdit's name

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        today = date.today()
        self._year, self._month = today.year, today.month
        self.editor = DateLineEdit(self)  # selected whole on entering: typing replaces the month
        self.editor.setToolTip("和暦でも西暦でも入力できます（例: 令和8年4月、R8.4、8.4、2026/4）")
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.editor)
        layout.addWidget(self.problem)
        self.setFocusProxy(self.editor)
        self.editor.editingFinished.connect(self._typed)
        self._show()

    def date(self) -> QDate:
        return QDate(self._year, self._month, 1)

    def setDate(self, value: QDate) -> None:  # noqa: N802 - QDateEdit's name
        self._set(value.year(), value.month())

    def _set(self, year: int, month: int) -> None:
        changed = (year, month) != (self._year, self._month)
        self._year, self._month = year, month
        self.problem.hide()
        self._show()
        if changed:
            self.dateChanged.emit(self.date())

    def _show(self) -> None:
        self.editor.setText(format_wareki_month(self._year, self._month))
        self.editor.setMinimumWidth(self.editor.fontMetrics().horizontalAdvance("令和88年88月") + 16)

    def _typed(self) -> None:
        text = self.editor.text()
        if text == format_wareki_month(self._year, self._month):
            return
        try:
            year, month = parse_typed_month(text)
        except DateParseError as error:
            self.problem.setText(f"⚠ {error}")
            self.problem.show()
            self.editor.setText(format_wareki_month(self._year, self._month))
            return
        self._set(year, month)
