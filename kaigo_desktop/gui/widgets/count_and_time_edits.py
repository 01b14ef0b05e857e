"""Small editors of the 開催記録 forms: head counts read by the domain's count parser (１２, 1,234, 20人 become
plain digits as they arrive) and times of day typed freely (9:30, ９：３０, 9時30分)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from kaigo_desktop.domain.text import parse_count, parse_time
from kaigo_desktop.domain.validation import MAX_PEOPLE, count_units
from kaigo_desktop.gui.widgets.column_widths import on_font_change

_FULL_WIDTH_DIGITS = {ord("０") + n: ord("0") + n for n in range(10)}
PEOPLE_DIGITS = len(str(MAX_PEOPLE))  # a head count field takes every number up to the domain's bound


def ascii_digits(text: str) -> str:
    return text.translate(_FULL_WIDTH_DIGITS)


def _count(text: str, units: tuple[str, ...]) -> int | None:
    return parse_count(text, field_label="人数", units=units)


class DigitsValidator(QValidator):
    """A count as the domain reads it (text.parse_count): what it accepts, typed, pasted or committed by the
    IME (「１２」「1,234」「20人」「20名」), is shown at once as plain digits, up to `max_digits` of them. Anything else
    (-5, 1.5, 12,34, and a separator typed on its own) is refused, so typing 1,234 gives 1234."""

    def __init__(self, max_digits: int = PEOPLE_DIGITS, parent=None, *,
                 units: tuple[str, ...] = count_units("attendance_total")):
        super().__init__(parent)
        self.max_digits = max_digits
        self.units = units

    def validate(self, text: str, pos: int):  # noqa: D401 - Qt's signature
        try:
            value = _count(text, self.units)
        except ValueError:
            return QValidator.State.Invalid, text, pos
        shown = "" if value is None else str(value)
        if len(shown) > self.max_digits:
            return QValidator.State.Invalid, text, pos
        digits_after = sum(ch.isdigit() for ch in text[pos:])  # the cursor stays before the same digits
        return QValidator.State.Acceptable, shown, max(0, len(shown) - digits_after)


class CountEdit(QLineEdit):
    """A head count; blank means not known (None)."""

    def __init__(self, parent: QWidget | None = None, *, max_digits: int = PEOPLE_DIGITS):
        super().__init__(parent)
        self.setValidator(DigitsValidator(max_digits, self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setInputMethodHints(Qt.InputMethodHint.ImhPreferNumbers)
        on_font_change(self, lambda: self.setMaximumWidth(
            self.fontMetrics().horizontalAdvance("0") * (max_digits + 4) + 16))

    def value(self) -> int | None:
        """The count shown (the validator has made it plain digits; the domain parser reads it)."""
        return _count(self.text(), self.validator().units)

    def set_value(self, value: int | None) -> None:
        self.setText("" if value is None else str(value))


class TimeEdit(QLineEdit):
    """A time of day shown as HH:MM once the field is left; blank means none. value() raises ValueError with
    a Japanese message for text that is not a time."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText("例 10:00")
        self.setMaxLength(8)
        on_font_change(self, lambda: self.setMaximumWidth(self.fontMetrics().horizontalAdvance("00:00") * 2 + 16))
        self.editingFinished.connect(self._tidy)

    def value(self) -> str | None:
        return parse_time(self.text())

    def set_value(self, value: str | None) -> None:
        self.setText(value or "")

    def _tidy(self) -> None:
        try:
            value = self.value()
        except ValueError:
            return  # left as typed; saving shows the message
        if value is not None and value != self.text():
            self.setText(value)
