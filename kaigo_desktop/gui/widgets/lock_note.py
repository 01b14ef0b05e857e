"""The line a form or table of a locked 年度 shows above its disabled editors: why nothing can be changed
(services/approval.locked_reason), hidden while the 年度 is open."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

_STYLE = "color: #6d4c41; background: #fff3e0; border: 1px solid #ffb74d; padding: 4px;"


def lock_note(parent: QWidget | None = None, name: str = "lock_note") -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(_STYLE)
    label.hide()
    return label


def show_lock(label: QLabel, reason: str | None) -> None:
    """The reason, or nothing (hidden) when the 年度 is open."""
    label.setText(reason or "")
    label.setVisible(bool(reason))
