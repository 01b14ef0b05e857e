"""An iterator's items made on a helper thread a few ahead of their use: a bundle's content unpacked (zlib)
and hashed (hashlib), both of which let go of the GIL, on one core while the import reads and checks the rows
unpacked before on the other."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()
_PATIENCE_S = 0.1  # how often a helper waiting for room looks whether it is still wanted


def read_ahead(items: Iterator[T], depth: int = 4, name: str = "kaigo-read-ahead") -> Generator[T, None, None]:
    """`items`, at most `depth` of them made before they are asked for; an error making one is raised here,
    where that item would have come. Closing the iterator (or leaving it, with an error or not) stops the
    helper and waits for it, so nothing reads the source after that."""
    ready: queue.Queue[object] = queue.Queue(depth)
    wanted = threading.Event()
    wanted.set()

    def hand_over(item: object) -> bool:
        while wanted.is_set():
            try:
                ready.put(item, timeout=_PATIENCE_S)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not hand_over(item):
                    return
            hand_over(_END)
        except BaseException as error:  # handed to the reading thread
            hand_over(_Failed(error))

    helper = threading.Thread(target=run, name=name, daemon=True)
    helper.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        wanted.clear()
        helper.join()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error
