"""Showing and printing a PDF we made: pages rendered with PDFium (pypdfium2), because the Qt PDF module
only exists for a Qt binding we cannot use (see pyproject.toml)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QProgressDialog,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

PREVIEW_DPI = 90
PREVIEW_MAX_PAGES = 30  # a preview is for a look; the whole file prints
PRINT_DPI = 300
PREVIEW_SIZE = QSize(760, 900)  # at most: an A4 page across at PREVIEW_DPI, a few pages high
SCREEN_SHARE = 0.9  # of the available screen (without the taskbar): the window's frame must fit too


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def render_pages(path: Path, dpi: int, limit: int | None = None) -> Iterator[QImage]:
    """Each page as an image (white background, RGBA) at `dpi`."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(document) if limit is None else min(limit, len(document))):
            page = document[index]
            bitmap = page.render(scale=dpi / 72, rev_byteorder=True, prefer_bgrx=False)
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                           QImage.Format.Format_RGB888 if bitmap.n_channels == 3 else QImage.Format.Format_RGBA8888)
            yield image.copy()  # the bitmap's memory goes with the page
            page.close()
    finally:
        document.close()


def preview_size(widget: QWidget | None) -> QSize:
    """PREVIEW_SIZE, made smaller to fit the available geometry of the screen the window is on (a 1366×768
    laptop has about 728 px under its taskbar)."""
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    if screen is None:
        return PREVIEW_SIZE
    available = screen.availableGeometry()
    return QSize(min(PREVIEW_SIZE.width(), int(available.width() * SCREEN_SHARE)),
                 min(PREVIEW_SIZE.height(), int(available.height() * SCREEN_SHARE)))


class PdfPreviewDialog(QDialog):
    """The first pages of a PDF, one under another, the buttons above them (保存 when the file is not saved
    yet: `on_save` asks where; 印刷; 閉じる), sized to the screen."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None,
                 on_save: Callable[[], bool] | None = None):
        super().__init__(parent)
        self.path = path
        self._on_save = on_save
        self.setWindowTitle(f"{title}（プレビュー）")
        pages = QWidget()
        pages_layout = QVBoxLayout(pages)
        total = page_count(path)
        self.page_labels: list[QLabel] = []
        for image in render_pages(path, PREVIEW_DPI, PREVIEW_MAX_PAGES):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            pages_layout.addWidget(label)
            self.page_labels.append(label)
        if total > PREVIEW_MAX_PAGES:
            pages_layout.addWidget(QLabel(f"（全{total}ページのうち最初の{PREVIEW_MAX_PAGES}ページを表示しています。"
                                          "印刷はすべてのページです）"))
        scroll = QScrollArea()
        scroll.setWidget(pages)
        scroll.setWidgetResizable(True)
        # The buttons at the top: at the bottom of a tall window they were below a laptop's screen.
        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存…(&S)")
        self.save_button.setObjectName("preview_save")
        self.save_button.setToolTip("保存先を選んで、このプレビューの報告書を保存します")
        self.save_button.setVisible(on_save is not None)
        self.save_button.clicked.connect(self._save)
        self.print_button = QPushButton("印刷…(&P)")
        self.print_button.clicked.connect(lambda: print_pdf(self.path, title, self))
        self.close_button = QPushButton("閉じる")
        self.close_button.clicked.connect(self.reject)
        for button in (self.save_button, self.print_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(scroll, 1)
        (self.save_button if on_save is not None else self.print_button).setDefault(True)
        self.resize(preview_size(parent))

    def _save(self) -> None:
        """Saved (where the user chose): the preview has done its job."""
        if self._on_save is not None and self._on_save():
            self.accept()


def print_pdf(path: Path, title: str, parent: QWidget | None = None, printer: QPrinter | None = None) -> bool:
    """Ask for a printer (unless one is given) and print every page, fitted to the paper; False when the
    user cancelled the dialog or the progress."""
    if printer is None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(f"{title}を印刷")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
    total = page_count(path)
    progress = QProgressDialog("印刷しています…", "中止", 0, total, parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("プリンターを使えません。プリンターの設定を確かめてください。")
    try:
        for index, image in enumerate(render_pages(path, PRINT_DPI)):
            if progress.wasCanceled():
                printer.abort()
                return False
            if index:
                printer.newPage()
            target = QRectF(painter.viewport())
            scale = min(target.width() / image.width(), target.height() / image.height())
            painter.drawImage(QRectF(0, 0, image.width() * scale, image.height() * scale), image)
            progress.setValue(index + 1)
    finally:
        painter.end()
        progress.close()
    return True
