"""`kaigo-desktop screenshots`: open the main window offscreen on a database, visit every screen and save
a PNG of each view it names (Screen.screenshot_views), numbered in navigation order."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from kaigo_desktop.gui.app import apply_text_scale, create_application, open_main_window, prepare_database
from kaigo_desktop.gui.context import UserSettings
from kaigo_desktop.gui.main_window import MainWindow

WINDOW_SIZE = (1280, 800)
SETTLE_ROUNDS = 5  # results may start further jobs (a list loads, then its first record)
SETTLE_TIMEOUT_S = 60.0


def settle(window: MainWindow) -> None:
    """Wait until the database thread has nothing queued and its results are shown."""
    app = QApplication.instance()
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    for _ in range(SETTLE_ROUNDS):
        # Jobs run in order: once this one is done, all submitted before it are too. The screenshots command
        # has no user to keep responsive, so it simply pumps events until the marker job comes back.
        done: list[bool] = []
        window.context.run(lambda _db, _ctx: None, on_done=lambda _r: done.append(True),
                           on_error=lambda _e: done.append(False))
        while not done and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        app.processEvents()
        if time.monotonic() > deadline:
            break
    for _ in range(3):
        app.processEvents()
        time.sleep(0.02)


def _file_stem(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_\-]+", "_", name).strip("_") or "view"


def grab(widget: QWidget, path: Path) -> None:
    shown_here = widget.isWindow() and not widget.isVisible()
    if shown_here:  # a detail dialog the screen made for us: show it so its layout is done
        widget.show()
        QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"画像を保存できません: {path}")
    if shown_here:
        widget.hide()


def write_screenshots(db_path: Path, out_dir: Path, *, text_scale: int = 100,
                      window_size: tuple[int, int] | None = None) -> list[Path]:
    """Returns the PNG files written, in order. `window_size`: the window's (width, height), WINDOW_SIZE when
    None; a window whose minimum is larger stays larger (the picture shows that it does not fit)."""
    app = create_application([], error_dialogs=False)
    prepare_database(db_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as settings_dir:
        # Fresh settings: the user's own preferences and recent files are neither used nor changed.
        settings = UserSettings(QSettings(str(Path(settings_dir) / "settings.ini"), QSettings.Format.IniFormat))
        settings.text_scale_percent = text_scale
        apply_text_scale(app, text_scale)
        window = open_main_window(db_path, settings)
        window.resize(*(window_size or WINDOW_SIZE))
        window.show()
        settle(window)  # the database has said which screens it has (a metro database has its own)
        try:
            for index, screen in enumerate(window.screens):
                window.navigation.setCurrentRow(index)
                settle(window)
                for name, make_view in screen.screenshot_views():
                    view = make_view()
                    settle(window)
                    path = out_dir / f"{len(written) + 1:02d}_{_file_stem(name)}.png"
                    grab(window if view is screen else view, path)
                    written.append(path)
        finally:
            for screen in window.screens:
                screen.discard_changes()  # nothing is saved by taking pictures
            # Not close(): a screen still holding edits would ask about them in a dialog nobody can see.
            window.hide()
            window.window_did_close.emit()
            window.deleteLater()
            app.processEvents()
    return written
