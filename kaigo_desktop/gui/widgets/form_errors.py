"""Inline validation messages: the field's editor is marked and the messages are listed under the form;
`field_errors` turns any refusal into the fields to mark, by the error's type and field, never its wording."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtWidgets import QLabel, QWidget

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.validation import FieldError, ValidationFailed

_INVALID_STYLE = "border: 2px solid #c62828;"


def field_errors(error: BaseException, then: Callable[[bool], None] | None = None) -> list[FieldError]:
    """A failed save as the problems to show: a validation failure's own field errors; any other user error
    (a duplicate name, a locked or read-only file …) on the field it names ("" = the form as a whole).
    Anything else is a bug: `then(False)` is called (the save is over) and the error raised again, for the
    application's exception hook."""
    if isinstance(error, ValidationFailed):
        return list(error.errors)
    if isinstance(error, UserFacingError):
        return [FieldError(error.field, str(error))]
    if then is not None:
        then(False)
    raise error


class FormErrors:
    """`editors` maps a record field name to the widget that edits it."""

    def __init__(self, message_label: QLabel, editors: Mapping[str, QWidget]):
        self.label = message_label
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #c62828;")
        self.label.setObjectName("form_errors")
        self.editors = dict(editors)
        self.clear()

    def clear(self) -> None:
        self.label.setText("")
        self.label.hide()
        for editor in self.editors.values():
            editor = editor.focusProxy() or editor
            if editor.property("invalid"):
                editor.setProperty("invalid", False)
                editor.setStyleSheet("")

    def show(self, errors: Iterable[FieldError]) -> None:
        self.clear()
        errors = list(errors)
        if not errors:
            return
        self.label.setText("\n".join(f"・{e.message}" for e in errors))
        self.label.show()
        first = None
        for error in errors:
            editor = self.editors.get(error.field)
            if editor is not None and editor.focusProxy() is not None:
                editor = editor.focusProxy()  # mark the input itself, not a composite's labels
            if editor is not None:
                editor.setProperty("invalid", True)
                editor.setStyleSheet(_INVALID_STYLE)
                first = first or editor
        if first is not None:
            first.setFocus()

    def messages(self) -> list[str]:
        return [line.removeprefix("・") for line in self.label.text().splitlines() if line]
