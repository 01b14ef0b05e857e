"""Bar charts for the reports (reportlab graphics): Japanese labels in the report font, value axes from zero,
the value written at the end of each bar."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

BAR_FILL = colors.HexColor("#4a78b5")
AXIS_SIZE = 8.0  # axis and value labels: the reports' smallest text (layout.MIN_TEXT_SIZE)
LABEL_SIZE = 8.0


def _drawing(width: float, height: float, font: str) -> Drawing:
    # The renderer otherwise starts every drawing in Helvetica, a font that is never embedded.
    drawing = Drawing(width, height)
    drawing.initialFontName = font
    drawing.initialFontSize = AXIS_SIZE
    return drawing


def _nice_step(maximum: int, ticks: int = 5) -> int:
    """A round step (1, 2, 5 × 10^n) giving about `ticks` grid lines up to the maximum."""
    raw = max(1, maximum) / ticks
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _value_label(value: float) -> str:
    return f"{int(value):,}"


def _value_axis(axis, values: Sequence[int], font: str, label_share: float = 0.08) -> None:
    """`label_share`: the part of the axis kept free above the tallest bar for its value label."""
    top = max(values, default=0)
    step = _nice_step(top)
    axis.valueMin = 0  # axes start at zero (a shorter bar must mean a smaller count)
    room = top / (1 - min(label_share, 0.6))
    axis.valueMax = max(step, (int(room) // step + (1 if room % step else 0)) * step)
    axis.valueStep = step
    axis.labels.fontName = font
    axis.labels.fontSize = AXIS_SIZE
    axis.labelTextFormat = lambda v: f"{int(v):,}"
    axis.visibleGrid = True
    axis.gridStrokeColor = colors.HexColor("#dddddd")
    axis.gridStrokeWidth = 0.4


def horizontal_bars(labels: Sequence[str], values: Sequence[float], *, width: float, font: str,
                    caption: str = "", bar_height: float = 14, decimals: int = 0) -> Drawing:
    """One bar per label, labels on the left (long Japanese labels read best this way); `decimals` for the
    value labels of rates (「12.3」)."""
    label_width = max((stringWidth(label, font, AXIS_SIZE) for label in labels), default=0) + 8
    height = len(labels) * bar_height + 34
    drawing = _drawing(width, height, font)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 20
    chart.width, chart.height = width - label_width - 30, height - 34
    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.reverseDirection = True  # first label at the top
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = AXIS_SIZE
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.visibleTicks = 0
    value_label = _value_label if not decimals else (lambda v: f"{v:,.{decimals}f}")
    label_width = max((stringWidth(value_label(v), font, LABEL_SIZE) for v in values), default=0)
    _value_axis(chart.valueAxis, values, font, label_share=(label_width + 6) / chart.width)
    chart.bars[0].fillColor = BAR_FILL
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = value_label
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = LABEL_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barWidth = bar_height * 0.6
    drawing.add(chart)
    if caption:
        drawing.add(String(0, height - 10, caption, fontName=font, fontSize=8.5))
    return drawing


def vertical_bars(labels: Sequence[str], values: Sequence[int], *, width: float, height: float, font: str,
                  caption: str = "") -> Drawing:
    """One column per label (months), values above the columns."""
    drawing = _drawing(width, height, font)
    chart = VerticalBarChart()
    left = stringWidth(f"{max(values, default=0) * 2:,}", font, AXIS_SIZE) + 12
    chart.x, chart.y = left, 18
    chart.width, chart.height = width - left - 10, height - 40
    chart.data = [list(values)]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = AXIS_SIZE
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.dy = -2
    chart.bars[0].fillColor = BAR_FILL
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = _value_label
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = LABEL_SIZE
    chart.groupSpacing = 6
    # A value wider than its column (six digits over twelve months) is written upwards from the bar's top,
    # with room kept above the tallest bar, rather than overlapping its neighbours.
    label_width = max((stringWidth(_value_label(v), font, LABEL_SIZE) for v in values), default=0)
    slot = chart.width / max(1, len(values))
    if label_width > slot - 2:
        chart.barLabels.angle = 90
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx, chart.barLabels.dy = 0, 3
        _value_axis(chart.valueAxis, values, font, label_share=(label_width + 6) / chart.height)
    else:
        chart.barLabels.boxAnchor = "s"
        chart.barLabels.dy = 2
        _value_axis(chart.valueAxis, values, font, label_share=(LABEL_SIZE + 5) / chart.height)
    drawing.add(chart)
    if caption:
        drawing.add(String(0, height - 10, caption, fontName=font, fontSize=8.5))
    return drawing
