"""One database write at a time on a helper thread while the caller goes on reading: sqlite3 lets go of the GIL
while SQLite works, so a bulk import's reading and checking (Python) and its inserts (SQLite) run on two cores.

The connection is used by one thread at a time: the caller calls `wait()` before it touches the database
itself (and before it starts the next write), and `stop()` before its transaction ends, so a commit or a
rollback never meets a running statement. An error of the write comes out of the next `wait()`."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

QUICK_SWITCH_S = 0.0005


@contextmanager
def quick_hand_over() -> Iterator[None]:
    """Around a bulk write behind the reading: a thread holding the GIL lets go of it after 0.5 ms (Python's
    default is 5 ms) when another waits for it. The helper comes back from SQLite after each of its
    statements (a million-row bundle: about 2,000) and would otherwise wait up to 5 ms for the reading thread
    each time. Process-wide while it lasts; the interval before is put back."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, QUICK_SWITCH_S))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class BackgroundWrite:
    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, write: Callable[[], None]) -> None:
        """Run `write` on the helper thread, after the write before it has ended (its error raised here)."""
        self.wait()
        self._thread = threading.Thread(target=self._run, args=(write,), name="kaigo-bulk-write", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Until no write runs; the error of the last one, if any, is raised here."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error

    def stop(self) -> None:
        """wait() for a caller already on its way out with an error of its own: the write's error is dropped
        (the transaction is rolled back whatever it was)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._error = None

    def _run(self, write: Callable[[], None]) -> None:
        try:
            write()
        except BaseException as error:  # handed to the caller's thread
            self._error = error
