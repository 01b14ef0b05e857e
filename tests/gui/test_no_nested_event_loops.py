"""Every change from the GUI runs as an operation (gui/operations.CollectionOp) and screens refresh from the
`Changes` it announces: no file under kaigo_desktop/gui waits on the database thread in a nested event loop
(`run_blocking(`) or emits/listens to the old string signal (`records_did_change`)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kaigo_desktop.gui

GUI = Path(kaigo_desktop.gui.__file__).parent

FORBIDDEN = ("run_blocking(", "records_did_change", "QEventLoop")
# A restore replaces the file while no database is open (there is no database thread to run on); its modal
# progress dialog waits for the copying thread in a local loop that takes input only for that dialog.
WAITS_WITHOUT_A_DATABASE = {"restore_progress.py": ("QEventLoop",)}


def gui_files() -> list[str]:
    return sorted(path.relative_to(GUI).as_posix() for path in GUI.rglob("*.py"))


@pytest.mark.parametrize("name", gui_files())
def test_no_nested_event_loop_and_no_string_refresh(name: str) -> None:
    text = (GUI / name).read_text(encoding="utf-8")
    found = [word for word in FORBIDDEN if word in text and word not in WAITS_WITHOUT_A_DATABASE.get(name, ())]
    assert not found, f"{name} uses {found}: run writes with CollectionOp, reads with QueryOp, refresh from Changes"



def test_every_gui_file_is_checked() -> None:
    assert len(gui_files()) > 60 and "operations.py" in gui_files()
