"""Make the committed files in resources/ that come from elsewhere (run after changing the icon or PySide6):

- resources/icons/kaigo-desktop-<size>.png and kaigo-desktop.ico from resources/icons/kaigo-desktop.svg
  (rendered by Qt's QSvgRenderer; the .ico holds the PNGs, as Windows Vista and later read them);
- resources/translations/qtbase_ja.qm copied from the installed PySide6 (Qt's own Japanese strings for
  standard buttons and dialogs), so every build loads it from resources/ whatever PyInstaller does with Qt.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_resources.py
"""

from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QLibraryInfo, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
TRANSLATIONS = ROOT / "resources" / "translations"
SVG = ICONS / "kaigo-desktop.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)  # what Windows, the title bar and the task bar ask for
_APP = None


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico file whose images are PNGs (ICONDIR, one ICONDIRENTRY per size, then the PNG data)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def main() -> int:
    global _APP
    _APP = QGuiApplication.instance() or QGuiApplication(sys.argv)  # QPainter needs one, kept alive
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"SVG を読めません: {SVG}", file=sys.stderr)
        return 2
    pngs = {size: render_png(renderer, size) for size in PNG_SIZES}
    for size, png in pngs.items():
        (ICONS / f"kaigo-desktop-{size}.png").write_bytes(png)
    (ICONS / "kaigo-desktop.ico").write_bytes(ico_bytes(pngs))
    TRANSLATIONS.mkdir(exist_ok=True)
    qtbase = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) / "qtbase_ja.qm"
    shutil.copyfile(qtbase, TRANSLATIONS / "qtbase_ja.qm")
    print(f"作成しました: {ICONS} ({len(pngs)} PNG + ICO), {TRANSLATIONS / 'qtbase_ja.qm'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
