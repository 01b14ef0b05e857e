"""Widths of list columns measured from the font (100–200 % text), and measured again when the text size
changes: every list sizes its columns here, so a date or a number is never cut to 「令和8年1…」 or 「9」."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractItemView, QStyle, QTableView, QWidget

# The widest text each kind of cell is expected to hold (8 is the widest digit in most fonts).
DATE = "令和88年88月88日"
DATE_WEEKDAY = "令和88年88月88日（月）"
SHORT_DATE = "R88.88.88"
STAMP = "8888/88/88 88:88"
COUNT = "8,888,888"
SMALL_COUNT = "8,888"
TIME_RANGE = "88:88～88:88"


def chars(n: float) -> str:
    """A sample of n full-width characters, for a column of names or free text."""
    return "あ" * int(n) + ("ア" if n % 1 else "")


def cell_padding(view: QAbstractItemView) -> int:
    """What an item view draws around a cell's text: the style's text margin on both sides (Qt elides the
    text beyond it) and the grid line."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return 2 * margin + 2


def text_width(view: QAbstractItemView, text: str) -> int:
    """The column width that shows `text` whole in the view's font."""
    return view.fontMetrics().horizontalAdvance(text) + cell_padding(view)


def header_width(view: QTableView, column: int) -> int:
    """The width the header needs for its title, as Qt measures it, with room for the sort mark in a sorted
    list even before the mark is shown (Qt then adds the section's height and a margin)."""
    header = view.horizontalHeader()
    width = header.sectionSizeHint(column)
    if view.isSortingEnabled() and not header.isSortIndicatorShown():
        width += header.sizeHint().height() + header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin,
                                                                          None, header)
    return width


def on_font_change(widget: QWidget, resize: Callable[[], object], *also: QWidget) -> None:
    """Run `resize` now and again whenever the font of the widget (or of `also`: a view's header gets the new
    font in its own turn) changes — the text size set in 設定 — so sizes follow the text both up and back
    down without a restart."""
    watcher = _FontWatcher(widget, resize)
    for watched in (widget, *also):
        watched.installEventFilter(watcher)
    resize()


class _FontWatcher(QObject):
    def __init__(self, widget: QWidget, resize: Callable[[], object]):
        super().__init__(widget)
        self._resize = resize

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            self._resize()
        return False


def whole_width(view: QTableView, widths: Sequence[int]) -> int:
    """The list's width that shows columns of these widths without scrolling sideways."""
    bar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, view)
    rows = view.verticalHeader().sizeHint().width() if view.verticalHeader().isVisible() else 0
    return sum(widths) + rows + bar + 2 * view.frameWidth()


def fit_columns(view: QTableView, samples: Sequence[str | None], *, row_padding: int | None = None,
                whole: bool = False, min_rows: int = 0) -> Callable[[], None]:
    """Each column (index in `samples`) as wide as its sample text or its header, whichever is wider; None
    leaves a column alone (it stretches). With `row_padding`, rows are the font's height plus that. With
    `whole`, the list is never narrower than all its columns, the stretching ones as wide as their header
    (a form holding it grows, or goes under its list, instead). With `min_rows`, it is never too low to
    show its header and that many rows (the screen scrolls instead). Kept up to date when the text size
    changes; returns the function that sizes them, for a model whose columns change."""
    def resize() -> None:
        widths = []
        for column, sample in enumerate(samples):
            header = header_width(view, column)
            widths.append(header if sample is None else max(text_width(view, sample), header))
            if sample is not None:
                view.setColumnWidth(column, widths[-1])
        if row_padding is not None:
            view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + row_padding)
        if whole:
            view.setMinimumWidth(whole_width(view, widths))
        if min_rows:
            bar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, view)
            view.setMinimumHeight(view.horizontalHeader().sizeHint().height() + bar + 2 * view.frameWidth()
                                  + min_rows * view.verticalHeader().defaultSectionSize())

    on_font_change(view, resize, view.horizontalHeader())
    return resize
