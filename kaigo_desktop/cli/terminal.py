"""Questions the CLI asks a person at a terminal (never when the input is not a terminal: scripts give --yes)."""

from __future__ import annotations

import sys

YES = {"y", "yes", "はい", "ｙ"}  # the answers taken as yes


def confirmed(question: str, *, before: str = "") -> bool | None:
    """The answer to `question` (after printing `before`); None when there is no terminal to ask on."""
    if not (sys.stdin and sys.stdin.isatty()):
        return None
    if before:
        print(before)
    try:
        return input(question).strip().lower() in YES
    except EOFError:
        return False
