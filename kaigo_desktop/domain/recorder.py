"""The recording person's name (更新者, written into every record's updated_by): one rule for the first-start
question, the welcome dialog and the settings screen."""

from __future__ import annotations

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.errors import UserFacingError

MAX_LENGTH = 40  # a name, not a note: long enough for 「地域包括支援センター 山田 花子」


def recorder_name(text: str) -> str:
    """The name as stored: spaces at the ends and doubled inside dropped. Refuses an empty or overlong one."""
    name = " ".join(text.replace("\u3000", " ").split())
    if not name:
        raise UserFacingError(f"{words.RECORDER}を入力してください。記録の「{words.UPDATED_BY}」として残ります。",
                              field="user_name")
    if len(name) > MAX_LENGTH:
        raise UserFacingError(f"{words.RECORDER}は{MAX_LENGTH}文字以内で入力してください。", field="user_name")
    return name
