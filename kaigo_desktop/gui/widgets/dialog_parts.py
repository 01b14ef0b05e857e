"""The pieces every dialog is built from, made one way: a button wired to its slot, a row of buttons (actions at
the left, a stretch, the rest — the close button last — at the right), a path field beside its 「選ぶ…」 button,
and the dialog's column of parts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

# A part of stacked(): a widget or layout, (part, stretch) for one that takes the spare height, or an int for
# an empty stretch.
Part = QWidget | QLayout | tuple[QWidget | QLayout, int] | int


def push_button(text: str, on_click: Callable[[], object], *, tooltip: str = "") -> QPushButton:
    button = QPushButton(text)
    if tooltip:
        button.setToolTip(tooltip)
    button.clicked.connect(on_click)
    return button


def button_row(left: Sequence[QWidget] = (), right: Sequence[QWidget] = ()) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in left:
        row.addWidget(button)
    row.addStretch(1)
    for button in right:
        row.addWidget(button)
    return row


def path_row(path_edit: QLineEdit, browse_button: QPushButton, label: str = "") -> QHBoxLayout:
    """The path field takes the width; an optional label goes first."""
    row = QHBoxLayout()
    if label:
        row.addWidget(QLabel(label))
    row.addWidget(path_edit, 1)
    row.addWidget(browse_button)
    return row


def stacked(owner: QWidget, *parts: Part) -> QVBoxLayout:
    """Lay the parts out top to bottom as owner's layout."""
    layout = QVBoxLayout(owner)
    for part in parts:
        if isinstance(part, int):
            layout.addStretch(part)
            continue
        part, stretch = part if isinstance(part, tuple) else (part, 0)
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout
