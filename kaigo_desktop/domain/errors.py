"""The one typed error every layer raises for something the user can act on.

`kind` says what went wrong for code to branch on (never the message's wording), `field` names the record
field a form should mark ("" when none), and the message is the Japanese text shown to the user. Storage
errors, validation failures and service refusals all derive from it, so a screen or the CLI tells a user
error from a bug with one `isinstance` and picks the field from the error, not from its text.
"""

from __future__ import annotations


class UserFacingError(Exception):
    kind = "error"  # subclasses narrow it; an instance may be given its own

    def __init__(self, message: str = "", *, kind: str | None = None, field: str = ""):
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.field = field

    @property
    def message(self) -> str:
        return str(self)
