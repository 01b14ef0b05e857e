"""Tables for the PDF reports: the header repeated on every page, no row split across pages, cell text wrapped
the Japanese way. Rows are measured once and packed a page at a time into small reportlab Tables with fixed
row heights, which is much faster than one long Table with repeatRows (../shared/style.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from kaigo_desktop.reports.layout import Styles, escape
from kaigo_desktop.reports.model import INT, PERCENT, YEN, TableData, format_cell

HEADER_FILL = colors.HexColor("#e4e9f0")
TOTAL_FILL = colors.HexColor("#f2f2f2")
GRID = colors.HexColor("#8c8c8c")
PAD_X, PAD_Y = 3.0, 2.2

# Characters that may not begin a line (行頭禁則) or end one (行末禁則).
_NO_LINE_START = frozenset("、。，．・：；？！ー―‐）」』】〕〉》”’ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々)]},.:;?!%％")
_NO_LINE_END = frozenset("（「『【〔〈《“‘([{")
# Runs that stay together: Latin words, numbers with their separators, phone numbers, codes.
_TOKEN = re.compile(r"[A-Za-z0-9０-９_\-−‐.,:/@#%+&'~～]+|\s+|.", re.S)


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width` (points), breaking between any two Japanese characters but
    not inside a Latin word or number, and keeping 禁則 (no 、。） at a line start, no （「 at a line end)."""
    text = str(text)
    if "\n" not in text and stringWidth(text, font, size) <= width:
        return [text]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for token in _TOKEN.findall(paragraph):
            token_width = stringWidth(token, font, size)
            if token_width > width and not token.isspace():  # a run longer than a whole line: split it
                for ch in token:
                    w = stringWidth(ch, font, size)
                    if line and line_width + w > width and ch not in _NO_LINE_START:
                        lines.append(line.rstrip())
                        line, line_width = "", 0.0
                    line += ch
                    line_width += w
            elif line_width + token_width <= width or not line:
                line += token
                line_width += token_width
            elif token.isspace():
                lines.append(line)
                line, line_width = "", 0.0
            else:
                # 追い出し: characters move down with the token until the new line does not start with
                # 、。） and the old one does not end with （「.
                carried = token
                while len(line) > 1 and (carried[0] in _NO_LINE_START or line[-1] in _NO_LINE_END):
                    carried, line = line[-1] + carried, line[:-1]
                lines.append(line.rstrip())
                line = carried
                line_width = stringWidth(line, font, size)
        lines.append(line.rstrip())
    return lines or [""]


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
        widths = [c.width * mm for c in self.data.columns]
        if sum(widths) > available_width:
            widths = [w * available_width / sum(widths) for w in widths]
        font, size = self.styles.font, self.size

        def cells(values: list[str], minimum: float = 0) -> tuple[list[str], float]:
            wrapped = [wrap_text(v, font, size, w - 2 * PAD_X) for v, w in zip(values, widths)]
            lines = max(len(w) for w in wrapped)
            return ["\n".join(w) for w in wrapped], max(lines * self.leading + 2 * PAD_Y, minimum)

        header, header_height = cells([c.title for c in self.data.columns])
        rows, heights = [], []
        kinds = [c.kind for c in self.data.columns]
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
        flowables.append(Paragraph(escape(data.title), styles.subheading))
    if data.rows:
        flowables.append(PagedTable(data, styles, size=size, min_row_height=min_row_height))
    else:
        flowables.append(Paragraph("該当するデータはありません。", styles.body))
    for note in data.notes:
        flowables.append(Paragraph(escape(note), styles.note))
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
