"""Python's cyclic garbage collector held off while a bulk import runs: a bundle of a million rows makes
millions of short-lived lists and tuples (the rows as decoded, their columns, the statements' values), and the
collector, started every 700 of them, looked through the live ones again and again — about 7 s of a 33 s import
of 1.18 million rows (gc.callbacks), 5.6 s of the reading thread's 21 s. The import makes no garbage that only
the collector frees (peak RSS the same with it off); what any code makes meanwhile is collected once it is
back on. Process-wide while it lasts, like background_write.quick_hand_over."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off for the block, and on again after it if it was on before (a block inside another
    leaves it off)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
