"""Small editors of the 開催記録 form and month grid: head counts that take only digits (full-width ones from
the IME too) and times of day typed freely (9:30, ９：３０, 9時30分)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from kaigo_desktop.domain.text import parse_time
from kaigo_desktop.domain.validation import MAX_PEOPLE

_FULL_WIDTH_DIGITS = {ord("０") + n: ord("0") + n for n in range(10)}
PEOPLE_DIGITS = len(str(MAX_PEOPLE))  # a head count field takes every number up to the domain's bound


def ascii_digits(text: str) -> str:
    return text.translate(_FULL_WIDTH_DIGITS)


class DigitsValidator(QValidator):
    """Accepts blank or up to `max_digits` digits; full-width digits are turned into ASCII as they arrive,
    whether typed or committed by the IME, so 「１２」 becomes 12."""

    def __init__(self, max_digits: int = PEOPLE_DIGITS, parent=None):
        super().__init__(parent)
        self.max_digits = max_digits

    def validate(self, text: str, pos: int):  # noqa: D401 - Qt's signature
        converted = ascii_digits(text)
        if converted == "" or (converted.isdigit() and converted.isascii() and len(converted) <= self.max_digits):
            return QValidator.State.Acceptable, converted, pos
        return QValidator.State.Invalid, text, pos


class CountEdit(QLineEdit):
    """A head count; blank means not known (None)."""

    def __init__(self, parent: QWidget | None = None, *, max_digits: int = PEOPLE_DIGITS):
        super().__init__(parent)
        self.setValidator(DigitsValidator(max_digits, self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setInputMethodHints(Qt.InputMethodHint.ImhPreferNumbers)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * (max_digits + 4) + 16)

    def value(self) -> int | None:
        text = ascii_digits(self.text()).strip()
        return int(text) if text.isdigit() else None

    def set_value(self, value: int | None) -> None:
        self.setText("" if value is None else str(value))


class TimeEdit(QLineEdit):
    """A time of day shown as HH:MM once the field is left; blank means none. value() raises ValueError with
    a Japanese message for text that is not a time."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText("例 10:00")
        self.setMaxLength(8)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("00:00") * 2 + 16)
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
