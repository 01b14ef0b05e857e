"""A date edit made to fit a form in a narrow pane (the 推進員, 担当 and 活動記録 forms)."""

from __future__ import annotations

from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit


def compact_date_edit(edit: WarekiDateEdit) -> WarekiDateEdit:
    """Let the 和暦 label beside the date wrap (Japanese breaks between characters) instead of forcing
    the whole form wider than its pane."""
    edit.wareki.setWordWrap(True)
    return edit
