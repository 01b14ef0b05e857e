"""Date entry that is typed whole (R8.4.1, 令和8年4月1日, 8.4.1, 2026/4/1 …, read by the import's own parser),
with its 和暦 and 年度 shown live, a calendar button, and optionally empty."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QCalendarWidget, QCheckBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget,
)

from kaigo_desktop.domain.validation import FieldError
from kaigo_desktop.domain.fiscal import (
    DateParseError, format_fiscal_year, format_wareki, fiscal_year_of, parse_typed_date,
)

SHOWN_FORMAT = "%Y/%m/%d"
_CHANGED_BASE = QColor("#fff3c4")  # a date the user changed since the form set it: seen before saving


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def date_problems(editors: Mapping[str, QWidget]) -> list[FieldError]:
    """Date fields among a form's editors (field → editor) whose text is no date: nothing is saved then."""
    problems = []
    for field, editor in editors.items():
        owner = editor.parentWidget()
        if isinstance(owner, WarekiDateEdit) and owner.problem() is not None:
            problems.append(FieldError(field, owner.problem() or ""))
    return problems


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


class DateLineEdit(QLineEdit):
    """The typed date. Focus (by Tab, Enter or a click) selects all of it, so typing replaces the whole
    date: a keystroke can never change one part of it unseen (QDateEdit's year section did)."""

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        super().focusInEvent(event)
        QTimer.singleShot(0, self.selectAll)  # after the click that gave focus has placed the cursor


class WarekiDateEdit(QWidget):
    """A date typed whole or picked from the calendar (Alt+↓ / F4), its 和暦 and 年度 shown live. `optional`
    adds a box so the value can be None (an open end date). Text that is no date shows why beside it;
    `problem()` returns that message (the forms refuse to save while there is one), `value()` the last date
    read. A date the user changed since the program set it (`set_value`) is highlighted until set again."""

    date_did_change = Signal()

    def __init__(self, parent: QWidget | None = None, *, optional: bool = False, none_label: str = "なし",
                 label_below: bool = False):
        super().__init__(parent)
        self._date = date.today()
        self._set_date = self._date  # as the program last set it
        self._kept = self._date  # as the field was last left: what unreadable text leaves standing
        self._problem: str | None = None
        self.editor = DateLineEdit(self)
        self._plain_palette = QPalette(self.editor.palette())
        self.editor.setPlaceholderText("例: R8.4.1")
        self.editor.setToolTip("R8.4.1・令和8年4月1日・8.4.1・2026/4/1 のどれでも入力できます（Alt+↓ でカレンダー）")
        metrics = self.editor.fontMetrics()  # sized from the font: the date never elided at any text size
        self.editor.setFixedWidth(metrics.horizontalAdvance("8888/88/88") + 24)  # longer typing scrolls
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("▼")
        self.calendar_button.setToolTip("カレンダーから選ぶ（Alt+↓）")
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field
        self.calendar_button.clicked.connect(self.show_calendar)
        # Made when first shown: a form's EnterMovesFocus (installed on its children once built) must not
        # take the Enter that picks a day in it.
        self.calendar: WarekiCalendar | None = None
        self.wareki = QLabel(self)
        self.wareki.setWordWrap(True)  # large text sizes must not force the form wider
        self.none_box = QCheckBox(none_label, self) if optional else None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        layout = QHBoxLayout()
        layout.setSpacing(2)
        outer.addLayout(layout)
        layout.addWidget(self.editor)
        layout.addWidget(self.calendar_button)
        if self.none_box is not None:
            layout.addWidget(self.none_box)
            self.none_box.toggled.connect(self._changed)
        if label_below:  # narrow panes: the 和暦 goes under the date instead of beside it
            layout.addStretch(1)
            outer.addWidget(self.wareki)
        else:
            layout.addWidget(self.wareki, 1)
        self.editor.textEdited.connect(self._typed)
        self.editor.editingFinished.connect(self._tidy)
        self.editor.installEventFilter(self)
        self.setFocusProxy(self.editor)
        self._show(self._date)
        self._changed()

    # ---- value ---------------------------------------------------------------------------------

    def value(self) -> date | None:
        if self.none_box is not None and self.none_box.isChecked():
            return None
        return self._date

    def set_value(self, value: date | None) -> None:
        if self.none_box is not None:
            self.none_box.setChecked(value is None)
        if value is not None:
            self._date = self._set_date = self._kept = value
            self._problem = None
            self._show(value)
        self._changed()

    def problem(self) -> str | None:
        """Why the typed text is no date (shown beside it), or None."""
        if self.none_box is not None and self.none_box.isChecked():
            return None
        return self._problem

    def is_changed_by_user(self) -> bool:
        return self.value() is not None and self._date != self._set_date

    # ---- the calendar --------------------------------------------------------------------------

    def show_calendar(self) -> None:
        if not self.editor.isEnabled():
            return
        if self.calendar is None:
            self.calendar = WarekiCalendar(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.clicked.connect(self._calendar_picked)
            self.calendar.activated.connect(self._calendar_picked)
        self.calendar.setSelectedDate(to_qdate(self._date))
        self.calendar.adjustSize()
        self.calendar.move(self.editor.mapToGlobal(self.editor.rect().bottomLeft()))
        self.calendar.show()
        self.calendar.setFocus()

    def _calendar_picked(self, picked: QDate) -> None:
        if self.calendar is not None:
            self.calendar.hide()
        self._date = self._kept = from_qdate(picked)
        self._problem = None
        self._show(self._date)
        self.editor.setFocus()
        self._changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.editor and event.type() == QEvent.Type.DynamicPropertyChange \
                and self.editor.property("invalid"):
            self.editor.selectAll()  # a refused date is typed again whole, as on entering the field
        if watched is self.editor and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            alt_down = event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
            if alt_down or event.key() == Qt.Key.Key_F4:
                self.show_calendar()
                return True
        return False

    # ---- internals -----------------------------------------------------------------------------

    def _show(self, value: date) -> None:
        self.editor.setText(value.strftime(SHOWN_FORMAT))

    def _typed(self, text: str) -> None:
        try:
            self._date, self._problem = parse_typed_date(text), None
            format_wareki(self._date)  # before 昭和 there is no 和暦 to show, nor anything this app records
        except (DateParseError, ValueError) as error:
            self._date = self._kept  # not a date half typed on the way (R6.5.2 of R6.5.2x)
            self._problem = str(error) if text.strip() else "日付を入力してください（例: R8.4.1）"
        self._changed()

    def _tidy(self) -> None:
        """A date read is shown in the one form (2026/04/01) once the field is left."""
        if self._problem is None:
            self._kept = self._date
            if self.editor.text() != self._date.strftime(SHOWN_FORMAT):
                self._show(self._date)

    def _changed(self) -> None:
        value = self.value()
        enabled = value is not None or self.none_box is None
        self.editor.setEnabled(enabled)
        self.calendar_button.setEnabled(enabled)
        problem = self.problem()
        if problem is not None:
            self.wareki.setText(f"⚠ {problem}")
            self.wareki.setStyleSheet("color: #b71c1c;")
        elif value is None:
            self.wareki.setText("")
            self.wareki.setStyleSheet("")
        else:
            changed = "（変更）" if self.is_changed_by_user() else ""
            self.wareki.setText(f"{format_wareki(value)}（{format_fiscal_year(fiscal_year_of(value))}）{changed}")
            self.wareki.setStyleSheet("font-weight: bold;" if changed else "")
        palette = QPalette(self._plain_palette)
        if self.is_changed_by_user():  # the disabled look stays as the style draws it
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                palette.setColor(group, QPalette.ColorRole.Base, _CHANGED_BASE)
        self.editor.setPalette(palette)
        self.date_did_change.emit()
