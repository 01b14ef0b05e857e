"""Guards against a Qt binding that loses references to None/True/False (PySide6 6.12.0 on Python 3.11
aborts the process after a few thousand signal emissions)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    value_did_change = Signal(object)


def test_signal_emission_keeps_the_reference_counts_of_singletons(qapp) -> None:
    emitter = _Emitter()
    received = []
    emitter.value_did_change.connect(lambda value: received.append(value is None))
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for index in range(2000):
        emitter.value_did_change.emit(None if index % 2 else index)
    received.clear()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    assert after == before
