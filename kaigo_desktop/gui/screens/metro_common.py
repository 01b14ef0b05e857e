"""What the 東京都 screens (提出状況, 評価シート) share: the 年度 they offer, how an indicator's value is written,
and the red 「未提出」 mark (a text mark as well as the colour, so it does not rest on colour alone)."""

from __future__ import annotations

from datetime import date

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox

from kaigo_desktop.domain.fiscal import fiscal_year_of

MISSING_MARK = "✕ 未提出"
SUBMITTED_MARK = "○ 提出済"
MISSING_COLOR = QColor("#b00020")
MISSING_BACKGROUND = QColor("#fde7ea")
YEARS_OFFERED = 6  # the 年度 a 東京都 user looks back on: the sheet shows three side by side


def metro_fiscal_years(today: date) -> list[int]:
    """Newest first, from the current 年度 back."""
    current = fiscal_year_of(today)
    return [current - offset for offset in range(YEARS_OFFERED)]


def default_fiscal_year(today: date) -> int:
    """Submissions come in after a 年度 has ended: the 年度 before the current one."""
    return fiscal_year_of(today) - 1


def format_indicator(value: float | None, unit: str) -> str:
    """A value as the sheet writes it: one decimal and its unit (services/metro.INDICATOR_UNITS), 「—」 when
    not known."""
    if value is None:
        return "—"
    return f"{value:.1f}{unit}"


def fiscal_year_combo(name: str) -> QComboBox:
    """The 年度 chooser of a screen, named `<name>_fiscal_year`."""
    combo = QComboBox()
    combo.setObjectName(f"{name}_fiscal_year")
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo
