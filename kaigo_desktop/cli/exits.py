"""The CLI's exit codes and its one way of saying that a command failed."""

from __future__ import annotations

import sys

EXIT_OK = 0  # done
EXIT_PROBLEMS = 1  # the input or the data has problems (listed); or the person said no
EXIT_ERROR = 2  # a file or an argument cannot be used; nothing was written


def fail(message: str, code: int = EXIT_ERROR) -> int:
    """Print `message` as an error on stderr and return the exit code for it."""
    print(f"エラー: {message}", file=sys.stderr)
    return code


def err(message: str) -> None:
    """A line for stderr as it is (warnings, notes, and messages that carry their own prefix)."""
    print(message, file=sys.stderr)
