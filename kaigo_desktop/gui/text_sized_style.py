"""Check boxes, radio buttons and combo box arrows as large as the text: Qt keeps them at their 100 % size
whatever the font, so at 200 % they were tiny beside the words. A proxy of the platform's own style (its
look is kept) that scales those three by the text size."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QStyleOptionComboBox

_INDICATORS = (QStyle.PixelMetric.PM_IndicatorWidth, QStyle.PixelMetric.PM_IndicatorHeight,
               QStyle.PixelMetric.PM_ExclusiveIndicatorWidth, QStyle.PixelMetric.PM_ExclusiveIndicatorHeight)


class TextSizedStyle(QProxyStyle):
    def __init__(self) -> None:
        super().__init__()  # a proxy of the application's style
        self.factor = 1.0  # the text size / 100 %

    def pixelMetric(self, metric, option=None, widget=None) -> int:  # noqa: N802 - Qt's name
        value = super().pixelMetric(metric, option, widget)
        return round(value * self.factor) if metric in _INDICATORS else value

    def drawComplexControl(self, control, option, painter, widget=None) -> None:  # noqa: N802 - Qt's name
        # Styles draw the combo box arrow themselves at a fixed size: draw the box without it, then the
        # arrow scaled in its area. The area keeps its width: the widgets' sizes (and
        # the date fields' text) are measured with it.
        if (self.factor > 1 and control == QStyle.ComplexControl.CC_ComboBox
                and option.subControls & QStyle.SubControl.SC_ComboBoxArrow):
            box = QStyleOptionComboBox(option)
            box.subControls = option.subControls & ~QStyle.SubControl.SC_ComboBoxArrow
            super().drawComplexControl(control, box, painter, widget)
            arrow = QStyleOption(option)
            arrow.rect = self.subControlRect(control, option, QStyle.SubControl.SC_ComboBoxArrow, widget)
            centre = QPointF(arrow.rect.center())
            painter.save()
            painter.translate(centre)
            painter.scale(self.factor, self.factor)
            painter.translate(-centre)
            self.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorArrowDown, arrow, painter, widget)
            painter.restore()
            return
        super().drawComplexControl(control, option, painter, widget)


def set_indicator_scale(app: QApplication, percent: int) -> None:
    """Install the style once, then follow the text size."""
    style = app.style()
    if not isinstance(style, TextSizedStyle):
        style = TextSizedStyle()
        app.setStyle(style)
    style.factor = max(100, min(200, percent)) / 100
