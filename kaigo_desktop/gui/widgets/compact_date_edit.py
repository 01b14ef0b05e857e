"""Layout helpers for the 推進員 and 活動記録 forms, so they stay usable in a narrow pane."""

from __future__ import annotations

from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit


def compact_date_edit(edit: WarekiDateEdit) -> WarekiDateEdit:
    """Let the 和暦 label beside the date wrap (Japanese breaks between characters) instead of forcing
    the whole form wider than its pane."""
    edit.wareki.setWordWrap(True)
    return edit
