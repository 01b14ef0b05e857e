"""One cancellation exception for every long job (imports, exchange bundles, bulk writes, reports), raised
before the last progress report only: what a service reports after its commit stands."""

from __future__ import annotations

import pytest

from kaigo_desktop.services import bulk, cancelling
from kaigo_desktop.services.cancelling import Cancelled, progress_that_stops


def test_the_same_exception_everywhere() -> None:
    from kaigo_desktop.gui import exchange_progress, import_dialog
    from kaigo_desktop.gui.screens import report_job, reports

    assert bulk.Cancelled is Cancelled
    for module in (exchange_progress, import_dialog, report_job, reports):
        assert module.Cancelled is Cancelled
    assert str(Cancelled()) == cancelling.CANCELLED_MESSAGE and "書き込まれていません" in str(Cancelled())


def test_progress_stops_before_the_last_report_only() -> None:
    seen: list[tuple[int, int]] = []
    asked = progress_that_stops(lambda done, total: seen.append((done, total)), lambda: True)
    asked(10, 10)  # the report after the commit: never refused
    with pytest.raises(Cancelled):
        asked(5, 10)
    assert seen == [(10, 10), (5, 10)]  # reported, then stopped


def test_progress_goes_on_when_nobody_cancelled() -> None:
    seen: list[int] = []
    progress = progress_that_stops(lambda done, _total: seen.append(done), lambda: False)
    for done in range(4):
        progress(done, 3)
    assert seen == [0, 1, 2, 3]
