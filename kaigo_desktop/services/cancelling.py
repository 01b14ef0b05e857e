"""The one way a long job stops when the person pressed 中止: `Cancelled` raised inside the job's transaction,
so the transaction rolls back and nothing is written. Imports, exchange bundles, bulk writes and reports all
raise and catch this one exception."""

from __future__ import annotations

from collections.abc import Callable

CANCELLED_MESSAGE = "取り消しました。データは書き込まれていません。"

Progress = Callable[[int, int], None]


class Cancelled(Exception):
    """The user cancelled; the transaction was rolled back and nothing was written."""

    def __init__(self, message: str = CANCELLED_MESSAGE):
        super().__init__(message)


def progress_that_stops(report: Progress, is_cancelled: Callable[[], bool]) -> Progress:
    """A progress callback for a service that raises Cancelled once the person asked to stop — but never on
    the last report (done == total): services make it after their commit, and what is committed stands."""

    def progress(done: int, total: int) -> None:
        report(done, total)
        if done < total and is_cancelled():
            raise Cancelled()

    return progress
