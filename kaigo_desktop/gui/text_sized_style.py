"""Check boxes, radio buttons and combo box arrows as large as the text: Qt keeps them at their 100 % size
whatever the font, so at 200 % they were tiny beside the words. A proxy of the platform's own style (its
look is kept) that scales those three by the text size."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect
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

    def subControlRect(self, control, option, sub_control, widget=None) -> QRect:  # noqa: N802 - Qt's name
        rect = super().subControlRect(control, option, sub_control, widget)
        if (self.factor > 1 and control == QStyle.ComplexControl.CC_ComboBox
                and sub_control in (QStyle.SubControl.SC_ComboBoxArrow, QStyle.SubControl.SC_ComboBoxEditField)):
            extra = round(_arrow_width(self, option, widget) * (self.factor - 1))
            if sub_control == QStyle.SubControl.SC_ComboBoxArrow:
                rect.setLeft(rect.left() - extra)
            else:
                rect.setRight(rect.right() - extra)
        return rect

    def drawComplexControl(self, control, option, painter, widget=None) -> None:  # noqa: N802 - Qt's name
        # Styles draw the combo box arrow themselves at a fixed size: draw the box without it, then the
        # arrow scaled (drawPrimitive below) in the widened arrow area.
        if (self.factor > 1 and control == QStyle.ComplexControl.CC_ComboBox
                and option.subControls & QStyle.SubControl.SC_ComboBoxArrow):
            box = QStyleOptionComboBox(option)
            box.subControls = option.subControls & ~QStyle.SubControl.SC_ComboBoxArrow
            super().drawComplexControl(control, box, painter, widget)
            arrow = QStyleOption(option)
            arrow.rect = self.subControlRect(control, option, QStyle.SubControl.SC_ComboBoxArrow, widget)
            self.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorArrowDown, arrow, painter, widget)
            return
        super().drawComplexControl(control, option, painter, widget)

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: N802 - Qt's name
        arrows = (QStyle.PrimitiveElement.PE_IndicatorArrowDown, QStyle.PrimitiveElement.PE_IndicatorArrowUp)
        if self.factor > 1 and element in arrows:
            centre = QPointF(option.rect.center())
            painter.save()
            painter.translate(centre)
            painter.scale(self.factor, self.factor)
            painter.translate(-centre)
            super().drawPrimitive(element, option, painter, widget)
            painter.restore()
            return
        super().drawPrimitive(element, option, painter, widget)


def _arrow_width(style: QProxyStyle, option, widget) -> int:
    return QProxyStyle.subControlRect(style, QStyle.ComplexControl.CC_ComboBox, option,
                                      QStyle.SubControl.SC_ComboBoxArrow, widget).width()


def set_indicator_scale(app: QApplication, percent: int) -> None:
    """Install the style once, then follow the text size."""
    style = app.style()
    if not isinstance(style, TextSizedStyle):
        style = TextSizedStyle()
        app.setStyle(style)
    style.factor = max(100, min(200, percent)) / 100
