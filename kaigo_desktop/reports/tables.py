"""Tables for the PDF reports: the header repeated on every page, no row split across pages, cell text wrapped
the Japanese way. Rows are measured once and packed a page at a time into small reportlab Tables with fixed
row heights, which is much faster than one long Table with repeatRows (../shared/style.md)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from kaigo_desktop.reports.layout import Styles, text
from kaigo_desktop.reports.line_breaking import wrap_text
from kaigo_desktop.reports.model import FIT, INT, PERCENT, YEN, TableData, format_cell

HEADER_FILL = colors.HexColor("#e4e9f0")
TOTAL_FILL = colors.HexColor("#f2f2f2")
GRID = colors.HexColor("#8c8c8c")
PAD_X, PAD_Y = 3.0, 2.2

@dataclass
class _Prepared:
    available_width: float
    col_widths: list[float]
    header: list[str]
    header_height: float
    rows: list[list[str]]
    heights: list[float]


class PagedTable(Flowable):
    """A TableData laid out as one small Table per page, each with the header row; rows never split."""

    def __init__(self, data: TableData, styles: Styles, *, size: float | None = None, min_row_height: float = 0,
                 _shared: dict | None = None, _start: int = 0, _stop: int | None = None):
        super().__init__()
        self.data = data
        self.min_row_height = min_row_height
        self.styles = styles
        self.size = size or styles.table_size
        self.leading = self.size * 1.25
        self._shared = _shared if _shared is not None else {}
        self._start = _start
        self._stop = len(data.rows) if _stop is None else _stop
        self.hAlign = "LEFT"

    # ---- measuring -----------------------------------------------------------------------------

    def _prepare(self, available_width: float) -> _Prepared:
        prepared = self._shared.get("prepared")
        if prepared is not None and prepared.available_width == available_width:
            return prepared
        font, size = self.styles.font, self.size
        kinds = [c.kind for c in self.data.columns]
        widths = [c.width * mm for c in self.data.columns]
        fitted = [index for index, column in enumerate(self.data.columns) if column.width == FIT]
        for index in fitted:  # as wide as its widest cell (a No. column never wraps 「1,000」)
            texts = self.data.columns[index].title.split("\n") + [format_cell(row[index], kinds[index])
                                                                  for row in self.data.rows]
            widths[index] = max(stringWidth(text, font, size) for text in texts) + 2 * PAD_X + 1
        flexible = sum(w for i, w in enumerate(widths) if i not in fitted)
        room = available_width - sum(widths[i] for i in fitted)
        if flexible > room > 0:  # the other columns share what is left
            widths = [w if i in fitted else w * room / flexible for i, w in enumerate(widths)]

        def cells(values: list[str], minimum: float = 0) -> tuple[list[str], float]:
            wrapped = [wrap_text(v, font, size, w - 2 * PAD_X) for v, w in zip(values, widths)]
            lines = max(len(w) for w in wrapped)
            return ["\n".join(w) for w in wrapped], max(lines * self.leading + 2 * PAD_Y, minimum)

        header, header_height = cells([c.title for c in self.data.columns])
        rows, heights = [], []
        for row in self.data.rows:
            text, height = cells([format_cell(v, k) for v, k in zip(row, kinds)], self.min_row_height)
            rows.append(text)
            heights.append(height)
        prepared = _Prepared(available_width, widths, header, header_height, rows, heights)
        self._shared["prepared"] = prepared
        return prepared

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        prepared = self._prepare(available_width)
        self.width = sum(prepared.col_widths)
        self.height = prepared.header_height + sum(prepared.heights[self._start:self._stop])
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        prepared = self._prepare(available_width)
        room = available_height - prepared.header_height
        stop = self._start
        while stop < self._stop and prepared.heights[stop] <= room:
            room -= prepared.heights[stop]
            stop += 1
        if stop == self._start:
            return []  # not even one row fits: the whole table moves to the next page
        if stop == self._stop:
            return [self]
        return [self._piece(self._start, stop), self._piece(stop, self._stop)]

    def _piece(self, start: int, stop: int) -> "PagedTable":
        return PagedTable(self.data, self.styles, size=self.size, min_row_height=self.min_row_height,
                          _shared=self._shared, _start=start, _stop=stop)

    # ---- drawing -------------------------------------------------------------------------------

    def _style(self, count: int) -> TableStyle:
        commands: list[tuple] = [
            ("FONT", (0, 0), (-1, -1), self.styles.font, self.size, self.leading),
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), PAD_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_Y),
        ]
        for index, column in enumerate(self.data.columns):
            if column.kind in (INT, YEN, PERCENT):
                commands.append(("ALIGN", (index, 1), (index, -1), "RIGHT"))
        for row in self.data.total_rows:
            if self._start <= row < self._start + count:
                at = row - self._start + 1
                commands.append(("BACKGROUND", (0, at), (-1, at), TOTAL_FILL))
                commands.append(("LINEABOVE", (0, at), (-1, at), 0.9, colors.black))
        return TableStyle(commands)

    def draw(self) -> None:
        prepared = self._shared["prepared"]
        rows = prepared.rows[self._start:self._stop]
        table = Table([prepared.header] + rows, colWidths=prepared.col_widths,
                      rowHeights=[prepared.header_height] + prepared.heights[self._start:self._stop])
        table.setStyle(self._style(len(rows)))
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


def table_block(data: TableData, styles: Styles, *, heading: bool = True, size: float | None = None,
                space_after: float = 3 * mm, keep: bool = True, min_row_height: float = 0) -> list[Flowable]:
    """Heading, table and the notes under it (suppression statements …). The heading never ends a page
    alone: a conditional page break asks for room for the header and a few rows first (keep=False leaves
    it out, for a block placed inside another table)."""
    flowables: list[Flowable] = []
    if heading and data.title:
        if keep:
            flowables.append(CondPageBreak(30 * mm))
        flowables.append(text(data.title, styles.subheading))
    if data.rows:
        flowables.append(PagedTable(data, styles, size=size, min_row_height=min_row_height))
    else:
        flowables.append(text("該当するデータはありません。", styles.body))
    for note in data.notes:
        flowables.append(text(note, styles.note))
    flowables.append(Spacer(1, space_after))
    return flowables


def side_by_side(left: list[Flowable], right: list[Flowable], widths: tuple[float, float],
                 styles: Styles) -> list[Flowable]:
    """Two small blocks next to each other (a table and its chart, two short tables); kept on one page."""
    outer = Table([[left, right]], colWidths=list(widths), hAlign="LEFT")
    outer.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), styles.font, styles.table_size),  # not Helvetica, which is never embedded
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return [CondPageBreak(outer.wrap(sum(widths), 10_000)[1] + 2 * mm), outer]
