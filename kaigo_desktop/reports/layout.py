"""The page of every PDF report: A4 portrait or landscape, a header with the title, 年度 (和暦) and 区市町村 on
each page, a footer with the creation date, "n / N" and the app version, PDF metadata, and byte-stable output
(reportlab's invariant mode, with the creation date passed in rather than read from the clock)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from kaigo_desktop import APP_NAME, __version__
from kaigo_desktop.domain.fiscal import format_fiscal_year, format_wareki
from kaigo_desktop.reports.files import write_atomically
from kaigo_desktop.reports.fonts import FontChoice
from kaigo_desktop.reports.line_breaking import JapaneseParagraph
from kaigo_desktop.reports.model import section_label  # noqa: F401 - the reports name sections through layout

APP_LABEL = f"{APP_NAME} {__version__}"
MARGIN_X = 15 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 17 * mm
JST_OFFSET_HOURS = 9


@dataclass
class ReportMeta:
    """What the header, footer, title block and PDF metadata say."""

    title: str
    municipality: str  # "文京区（131059）", "全区市町村", a place's 区市町村 …
    created: date | datetime
    font: FontChoice
    fiscal_year: int | None = None
    period: str | None = None  # printed instead of the 年度 when given ("令和7年6月")
    landscape: bool = False
    extra: list[tuple[str, str]] = field(default_factory=list)  # more rows of the title block
    submitted: str | None = None  # 「提出済み（令和7年5月10日ロック）」: footer and title block of a locked 年度

    @property
    def period_label(self) -> str:
        if self.period:
            return self.period
        if self.fiscal_year is None:
            return ""
        return f"{format_fiscal_year(self.fiscal_year)}（{self.fiscal_year}年度）"

    @property
    def created_label(self) -> str:
        created = self.created.date() if isinstance(self.created, datetime) else self.created
        return format_wareki(created)

    @property
    def pagesize(self) -> tuple[float, float]:
        return landscape(A4) if self.landscape else A4


def begin(title: str, options, scope: str, *, table_size: float = 8.5, **meta: object) -> tuple[ReportMeta, Styles]:
    """The header data and the paragraph styles of a report, in the user's font (or the one found):
    what every report's render starts with. `options` is a ReportOptions; `meta` goes to ReportMeta."""
    from kaigo_desktop.reports.fonts import japanese_font

    font = japanese_font(options.font_path)
    return (ReportMeta(title, scope, options.created_or_today(), font,  # type: ignore[arg-type]
                       submitted=options.submitted, **meta),
            make_styles(font.name, table_size=table_size))


@dataclass
class Styles:
    font: str
    title: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    small: ParagraphStyle
    table_size: float


MIN_TEXT_SIZE = 8.0  # no text of a report is smaller (footnotes, chart labels, dense tables included)


def make_styles(font: str, *, table_size: float = 8.5) -> Styles:
    """Paragraph styles in the report font, none below MIN_TEXT_SIZE. Text is broken into lines by
    line_breaking.wrap_text (through text()); wordWrap='CJK' only lets reportlab keep those lines."""
    def style(name: str, size: float, **kw) -> ParagraphStyle:
        kw.setdefault("leading", size * 1.45)
        return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **kw)

    return Styles(
        font=font,
        title=style("title", 16, alignment=TA_CENTER, spaceAfter=4 * mm, leading=22),
        heading=style("heading", 11.5, spaceBefore=4 * mm, spaceAfter=1.8 * mm,
                      textColor=colors.HexColor("#1f3a5f")),
        subheading=style("subheading", 9.5, spaceBefore=2.5 * mm, spaceAfter=1.2 * mm),
        body=style("body", 9, alignment=TA_LEFT),
        note=style("note", MIN_TEXT_SIZE, textColor=colors.HexColor("#333333")),
        small=style("small", MIN_TEXT_SIZE, textColor=colors.HexColor("#555555")),
        table_size=max(MIN_TEXT_SIZE, table_size),
    )


def text(value: str, style: ParagraphStyle) -> Flowable:
    """A paragraph of plain text in a report: the one way report text is made, so that every paragraph
    breaks lines the Japanese way (line_breaking)."""
    return JapaneseParagraph(value, style)


def escape(text: str) -> str:
    """Text for a Paragraph (which reads a little markup)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _FixedTimeStamp:
    """What reportlab's PDFInfo reads for CreationDate/ModDate: the report's creation date (JST), so that
    the same data and date give the same bytes."""

    def __init__(self, created: date | datetime):
        moment = created if isinstance(created, datetime) else datetime(created.year, created.month, created.day)
        self.YMDhms = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
        self.dhh, self.dmm = JST_OFFSET_HOURS, 0
        self.t = 0.0


def _canvas_maker(meta: ReportMeta, styles: Styles) -> type[Canvas]:
    """A canvas that holds each page until the end, then stamps "n / N" on all of them."""

    class ReportCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _FixedTimeStamp(meta.created)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width, _ = meta.pagesize
                self.setFont(styles.font, 8)
                self.setFillColor(colors.black)
                self.drawCentredString(width / 2, MARGIN_BOTTOM - 9 * mm, f"{number} / {total}")
                Canvas.showPage(self)
            Canvas.save(self)

    return ReportCanvas


class SectionMark(Flowable):
    """Marks where a section (one 区市町村 of a report on several) begins in the story: the running header of
    every page names the section(s) on it, 「（続き）」 on a page that continues one. None ends the sections
    (the notes after the last one)."""

    def __init__(self, label: str | None):
        super().__init__()
        self.label = label
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802 - reportlab's name
        # Read by the page's header (_draw_frame); a mark at the top of the frame means the page does not
        # continue the section before it.
        at_top = y >= canvas._pagesize[1] - MARGIN_TOP - 1
        canvas._kaigo_started.append(self.label)
        if at_top and len(canvas._kaigo_started) == 1:
            canvas._kaigo_at_start = None


def running_scope(meta: ReportMeta, at_start: str | None, started: list[str | None]) -> str:
    """What the header says the page covers: the report's scope, or the section(s) on the page — the one it
    continues (「（続き）」) and those starting on it."""
    labels = ([f"{at_start}（続き）"] if at_start else []) + [label for label in started if label]
    if not labels:
        return meta.municipality
    return labels[0] if len(labels) == 1 else f"{labels[0]}～{labels[-1].removesuffix('（続き）')}"


def _start_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
    canvas._kaigo_at_start = getattr(canvas, "_kaigo_current", None)
    canvas._kaigo_started = []


def _draw_frame(meta: ReportMeta, styles: Styles) -> Callable[[Canvas, BaseDocTemplate], None]:
    """The header and footer, drawn when the page is full (so that the header knows its sections)."""

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        started = canvas._kaigo_started
        at_start = canvas._kaigo_at_start
        if started:
            canvas._kaigo_current = started[-1]
        scope = running_scope(meta, at_start, started)
        width, height = meta.pagesize
        canvas.saveState()
        canvas.setFont(styles.font, 8)
        canvas.setFillColor(colors.HexColor("#333333"))
        top = height - MARGIN_TOP + 7 * mm
        canvas.drawString(MARGIN_X, top, meta.title)
        canvas.drawRightString(width - MARGIN_X, top, "　".join(p for p in (meta.period_label, scope) if p))
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 2 * mm, width - MARGIN_X, top - 2 * mm)
        bottom = MARGIN_BOTTOM - 9 * mm
        canvas.line(MARGIN_X, bottom + 4 * mm, width - MARGIN_X, bottom + 4 * mm)
        canvas.drawString(MARGIN_X, bottom, meta.submitted or f"作成日 {meta.created_label}")
        canvas.drawRightString(width - MARGIN_X, bottom, APP_LABEL)
        canvas.restoreState()

    return draw


def title_block(meta: ReportMeta, styles: Styles, rows: list[tuple[str, str]] | None = None, *,
                pairs: int = 1) -> list[Flowable]:
    """The report title and a small table of what it covers (年度, 区市町村, 作成日 and any extra rows);
    `pairs=2` sets two label/value pairs side by side (landscape forms)."""
    cells = []
    if meta.period_label:
        cells.append(("年度" if meta.period is None else "対象期間", meta.period_label))
    if meta.municipality:
        cells.append(("区市町村", meta.municipality))
    cells += list(meta.extra) + list(rows or [])
    if meta.submitted:
        cells.append(("提出状況", meta.submitted))
    cells.append(("作成日", meta.created_label))
    label_style = ParagraphStyle("label", parent=styles.body, fontSize=9)

    def paragraph(value: str) -> Paragraph:
        # Paragraphs collapse runs of spaces; a form's blanks ("令和　　年　　月") must keep their width.
        return Paragraph(escape(value).replace("　", "&nbsp;&nbsp;"), label_style)

    data = []
    for start in range(0, len(cells), pairs):
        row: list[Paragraph | str] = []
        for label, value in cells[start:start + pairs]:
            row += [paragraph(label), paragraph(value)]
        data.append(row + [""] * (2 * pairs - len(row)))
    width = frame_width(meta)
    label_width = 30 * mm if pairs == 1 else 38 * mm
    value_width = (width - pairs * label_width) / pairs
    table = Table(data, colWidths=[label_width, value_width] * pairs, hAlign="LEFT")
    commands = [
        ("FONT", (0, 0), (-1, -1), styles.font, 9),  # a Table starts each cell in Helvetica otherwise
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    commands += [("BACKGROUND", (2 * i, 0), (2 * i, -1), colors.HexColor("#eef1f5")) for i in range(pairs)]
    table.setStyle(TableStyle(commands))
    return [text(meta.title, styles.title), table, Spacer(1, 3 * mm)]


def notes_block(title: str, items: list[tuple[str, str]], styles: Styles, *, numbered: bool = True) -> list[Flowable]:
    """Definitions as footnotes: "注1 活動中の通いの場: …"."""
    flowables: list[Flowable] = [text(title, styles.subheading)]
    for number, (term, definition) in enumerate(items, start=1):
        prefix = f"注{number}　" if numbered else ""
        flowables.append(text(f"{prefix}{term}: {definition}", styles.note))
    return flowables


def build_pdf(out: Path, meta: ReportMeta, story: list[Flowable], styles: Styles, *, subject: str = "") -> int:
    """Lay the story out on the report page and write the PDF; returns the number of pages."""
    width, height = meta.pagesize
    pages: list[int] = []

    def write(path: Path) -> None:
        doc = BaseDocTemplate(
            str(path), pagesize=meta.pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=" ".join(p for p in (meta.title, meta.period_label, meta.municipality) if p),
            author=APP_LABEL, subject=subject or meta.title, creator=APP_LABEL, producer=APP_LABEL,
            keywords="", invariant=1, initialFontName=styles.font, initialFontSize=9, lang="ja-JP")
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, width - 2 * MARGIN_X, height - MARGIN_TOP - MARGIN_BOTTOM,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_start_page,
                                           onPageEnd=_draw_frame(meta, styles))])
        doc.build(list(story), canvasmaker=_canvas_maker(meta, styles))
        pages.append(doc.page)

    write_atomically(out, write)
    return pages[0]


def frame_width(meta: ReportMeta) -> float:
    return meta.pagesize[0] - 2 * MARGIN_X
