"""What the GUI takes from resources/: the application icon and Qt's Japanese for standard dialogs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtWidgets import QMainWindow

from kaigo_desktop import paths
from kaigo_desktop.gui.app import _install_translations, create_application


def test_every_window_has_the_application_icon_at_every_size(qapp, qtbot, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KAIGO_DESKTOP_DATA", str(tmp_path))
    app = create_application([], error_dialogs=False)
    sizes = set(app.windowIcon().availableSizes())
    assert {QSize(n, n) for n in (16, 24, 32, 48, 64, 128, 256)} <= sizes
    window = QMainWindow()
    qtbot.addWidget(window)
    assert window.windowIcon().cacheKey() == app.windowIcon().cacheKey()


def test_standard_dialogs_are_translated_from_the_shipped_qm(qapp) -> None:
    """The frozen build does not depend on where PyInstaller puts Qt's translations."""
    installed = _install_translations(qapp)
    try:
        assert [Path(t.filePath()).parent for t in installed] == [paths.resources_dir() / "translations"]
        assert QCoreApplication.translate("QPlatformTheme", "Cancel").startswith("キャンセル")
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
