"""Every change from the GUI runs as an operation (gui/operations.CollectionOp) and screens refresh from the
`Changes` it announces: no file under kaigo_desktop/gui waits on the database thread in a nested event loop
(`run_blocking(`) or emits/listens to the old string signal (`records_did_change`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kaigo_desktop.gui

GUI = Path(kaigo_desktop.gui.__file__).parent

# Still converted by the FORMS part of issue 11 in parallel; the lead empties this set at merge, together with
# removing run_blocking and records_did_change from context.py and the one caller-less fallback below.
NOT_YET_CONVERTED = frozenset({
    "context.py",  # defines both until every caller is gone
    "merge_similar_warning.py",  # its waiting fallback serves the record forms until they pass `then`
    "screens/places.py", "screens/promoters.py", "screens/promoter_form.py", "screens/activities.py",
    "screens/activity_form.py", "screens/gatherings.py", "screens/gathering_form.py",
    "screens/gathering_month_grid.py",
})
FORBIDDEN = ("run_blocking(", "records_did_change")


def gui_files() -> list[str]:
    return sorted(path.relative_to(GUI).as_posix() for path in GUI.rglob("*.py"))


@pytest.mark.parametrize("name", gui_files())
def test_no_nested_event_loop_and_no_string_refresh(name: str) -> None:
    if name in NOT_YET_CONVERTED:
        pytest.skip("converted by the FORMS part (issue 11)")
    text = (GUI / name).read_text(encoding="utf-8")
    found = [word for word in FORBIDDEN if word in text]
    assert not found, f"{name} uses {found}: run writes with CollectionOp, reads with QueryOp, refresh from Changes"


def test_the_exceptions_name_real_files() -> None:
    assert NOT_YET_CONVERTED <= set(gui_files())
