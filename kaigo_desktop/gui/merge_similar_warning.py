"""Asks before adding a place or promoter whose name is like an existing one (全角/半角, かな, ヶ/ケ … folded)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import QueryOp
from kaigo_desktop.services.duplicates import similar_places, similar_promoters

_WHAT = {"places": (words.PLACE, similar_places), "promoters": (words.PROMOTER, similar_promoters)}
MAX_LISTED = 5


def confirm_similar_name(parent: QWidget, context: AppContext, kind: str, municipality_code: str, name: str,
                         then: Callable[[bool], None]) -> None:
    """Looks for similar names on the database thread, then `then(True)` when nothing alike exists or the
    user chooses to add anyway, `then(False)` when they cancel. A failed look-up does not stop the save (the
    warning is a help, not a rule)."""
    if not municipality_code or not name.strip():
        then(True)
        return
    _, find = _WHAT[kind]
    QueryOp(parent, context, lambda db, _ctx: find(db, municipality_code, name)) \
        .success(lambda similar: then(_ask(parent, kind, name, similar))) \
        .failure(lambda _error: then(True)) \
        .run_in_background()  # the save that follows reports any real storage problem


def _ask(parent: QWidget, kind: str, name: str, similar: list) -> bool:
    label, _ = _WHAT[kind]
    if not similar or any(record.name == name.strip() for record in similar):
        return True  # an identical name is refused by the save itself, with its own message
    names = "、".join(f"「{record.name}」" for record in similar[:MAX_LISTED])
    if len(similar) > MAX_LISTED:
        names += f" ほか{len(similar) - MAX_LISTED}件"
    answer = QMessageBox.question(
        parent, f"似た名前の{label}",
        f"似た名前の{label}があります: {names}\u3000このまま追加しますか？\n\n"
        f"同じ{label}なら「キャンセル」を選び、既存の記録を使ってください。",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes

