"""Opening a file we made (a report) with the PC's viewer, or its folder, and saying so when the PC has no
program for it (QDesktopServices.openUrl returns False): a 「開く」 that does nothing leaves people clicking."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

SHOW_FOLDER = "フォルダを表示"


def no_viewer_text(path: Path) -> str:
    kind = "PDF" if path.suffix.lower() == ".pdf" else f"{path.suffix.lstrip('.').upper()} ファイル"
    return (f"「{path.name}」を開くアプリがこのパソコンに見つかりませんでした。\n"
            f"{kind}を表示するアプリ（PDF なら Adobe Acrobat Reader や Microsoft Edge など）を入れるか、"
            f"保存先のフォルダから開いてください。\n\nファイルは保存されています: {path}")


def open_file(parent: QWidget | None, path: Path) -> bool:
    """Open `path` with the PC's program for it; when there is none, say so and offer its folder."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return True
    box = QMessageBox(QMessageBox.Icon.Warning, "ファイルを開けません", no_viewer_text(path),
                      QMessageBox.StandardButton.NoButton, parent)
    folder_button = box.addButton(SHOW_FOLDER, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("閉じる", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(folder_button)
    box.exec()
    if box.clickedButton() is folder_button:
        open_folder(parent, path.parent)
    return False


def open_folder(parent: QWidget | None, folder: Path) -> bool:
    """Show `folder` in the PC's file manager; when it cannot, say where it is."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        return True
    QMessageBox.information(parent, "フォルダを開けません",
                            f"フォルダを表示できませんでした。エクスプローラーなどで次の場所を開いてください:\n{folder}")
    return False
