"""評価シート › 区市町村別のグラフ: one indicator at a time (those with values per 区市町村) as bars across the
区市町村 that submitted (gui/widgets/bar_chart.py), with Tokyo's figure and how many have no value beside it."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout

from kaigo_desktop.gui.screens.masters_common import add_choosers
from kaigo_desktop.gui.screens.metro_common import format_indicator
from kaigo_desktop.gui.widgets.bar_chart import HorizontalBarChart
from kaigo_desktop.services.metro import EvaluationSheet


class IndicatorChartBox(QGroupBox):
    def __init__(self, parent=None):
        super().__init__("区市町村別のグラフ", parent)
        self.sheet: EvaluationSheet | None = None
        self.combo = QComboBox()
        self.combo.setObjectName("metro_chart_indicator")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.currentIndexChanged.connect(lambda _i: self._show_chart())
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.chart = HorizontalBarChart("")
        self.chart.setObjectName("metro_chart")
        bar = QHBoxLayout()
        add_choosers(bar, (("指標(&I)", self.combo),))
        bar.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.chart)

    def show_sheet(self, sheet: EvaluationSheet) -> None:
        """The indicators with values per 区市町村 to choose from; the one chosen before stays chosen."""
        self.sheet = sheet
        wanted = self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        for indicator in sheet.indicators.values():
            if any(value is not None for value in indicator.by_municipality.values()):
                self.combo.addItem(indicator.title, indicator.key)
        self.combo.setCurrentIndex(max(0, self.combo.findData(wanted)))
        self.combo.blockSignals(False)
        self._show_chart()

    def _show_chart(self) -> None:
        key = self.combo.currentData()
        if self.sheet is None or key is None:
            self.chart.set_data([])
            self.note.setText("区市町村別の値がある指標はありません。")
            return
        indicator, names = self.sheet.indicators[key], self.sheet.municipality_names
        values = [(names.get(code, code), value) for code, value in indicator.by_municipality.items()
                  if value is not None]
        self.chart.value_format = lambda v, unit=indicator.unit: format_indicator(v, unit)
        self.chart.set_data(values)
        without = len(self.sheet.submitted) + len(self.sheet.missing) - len(values)
        self.note.setText(f"東京都 {format_indicator(indicator.tokyo, indicator.unit)}"
                          + (f"　値のない区市町村（未提出など）{without}は含みません" if without else ""))
