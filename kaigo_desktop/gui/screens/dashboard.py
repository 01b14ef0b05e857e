"""集計 screen (to be built: see the GUI issue)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout

from kaigo_desktop.gui.screens.base import Screen


class DashboardScreen(Screen):
    title = "集計"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{self.title}（準備中）"))
