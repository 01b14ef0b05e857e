"""The start-up imports only what the main window's first paint needs (issue 17): a fresh process, started the way
`kaigo-desktop --db PATH` starts, lists its modules when the main window first paints. The report, spreadsheet,
exchange and icon-font libraries are imported when first used, so a change that imports one of them again at
start-up (at the top of a module the window imports, or in code the window runs before it paints) fails here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Imported on first use, never before the window paints (each costs tens of milliseconds or more).
NOT_AT_START = (
    "reportlab",  # reports
    "openpyxl",  # Excel import/export
    "pypdfium2",  # report preview
    "cryptography",  # exchange bundles' passwords
    "msgspec",  # exchange bundles' format
    "sqlite_utils",  # Database.utils
    "holidays",  # the month grid
    "qtawesome",  # the icons are drawn from its font file (gui/icons.py), without importing it
    "qtpy",
    "PySide6.QtOpenGL",
    "kaigo_desktop.reports",
    "kaigo_desktop.services.exchange",
    "kaigo_desktop.gui.conflicts_dialog",
    "kaigo_desktop.gui.open_problems",
    "kaigo_desktop.cli.records",
)

# Runs `kaigo-desktop --db PATH --user NAME` in this process and, at the main window's first paint, prints
# the modules then imported and closes the window.
CHILD = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget
from kaigo_desktop.gui.app import create_application
from kaigo_desktop.gui.main_window import MainWindow

app = create_application([])


class FirstPaint(QObject):
    done = False

    def eventFilter(self, watched, event):
        if (not self.done and event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and isinstance(watched.window(), MainWindow)):
            self.done = True
            print("MODULES=" + " ".join(sorted(sys.modules)), flush=True)
            QTimer.singleShot(0, watched.window().close)
        return False


watcher = FirstPaint(app)
app.installEventFilter(watcher)
from kaigo_desktop.cli import main
sys.exit(main(["--db", sys.argv[1], "--user", "起動テスト"]))
"""


def _modules_at_first_paint(db_path: Path, scratch: Path) -> set[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(scratch / "config"),
               KAIGO_DESKTOP_DATA=str(scratch / "data"),
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", CHILD, str(db_path)], capture_output=True, text=True, env=env,
                            cwd=REPO, timeout=120)
    lines = [line for line in result.stdout.splitlines() if line.startswith("MODULES=")]
    assert result.returncode == 0 and lines, f"{result.returncode}\n{result.stdout}\n{result.stderr}"
    return set(lines[0].removeprefix("MODULES=").split())


def test_the_main_window_paints_before_the_libraries_it_does_not_show(db_path: Path, tmp_path: Path) -> None:
    modules = _modules_at_first_paint(db_path, tmp_path)
    assert "kaigo_desktop.gui.main_window" in modules and "kaigo_desktop.gui.screens.places" in modules
    imported_early = sorted(name for name in modules
                            if any(name == lazy or name.startswith(f"{lazy}.") for lazy in NOT_AT_START))
    assert imported_early == []
