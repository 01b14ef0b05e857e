"""read_ahead: items made on a helper thread a few ahead, in order; an error comes where its item would have;
leaving early stops the helper before the caller goes on (the bundle's file is closed after it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kaigo_desktop.services.read_ahead import read_ahead


def _helpers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "test-read-ahead"]


def test_items_come_in_order_made_on_the_helper() -> None:
    made_on = []

    def items() -> Iterator[int]:
        for n in range(100):
            made_on.append(threading.current_thread().name)
            yield n

    assert list(read_ahead(items(), depth=3, name="test-read-ahead")) == list(range(100))
    assert set(made_on) == {"test-read-ahead"} and not _helpers()


def test_an_error_comes_where_its_item_would_have() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("the stick was pulled out")

    got = []
    with pytest.raises(OSError, match="pulled out"):
        for item in read_ahead(items(), name="test-read-ahead"):
            got.append(item)
    assert got == [1, 2] and not _helpers()


def test_leaving_early_stops_the_helper_before_going_on() -> None:
    made = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            made.append(n)
            yield n
            n += 1

    ahead = read_ahead(endless(), depth=2, name="test-read-ahead")
    assert next(ahead) == 0
    ahead.close()
    assert not _helpers()  # joined in close()
    count = len(made)
    assert count <= 4  # the first, two waiting, one held while waiting for room
    assert len(made) == count  # and nothing is read after
