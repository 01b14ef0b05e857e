"""Asking before a second gathering of the same place and day is saved: open the stored one (the usual
case: a sheet typed twice), save this one as well (two sessions that day), or go back to the form."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from kaigo_desktop.domain.fiscal import format_wareki
from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.gui.screens.gathering_table_model import WEEKDAYS
from kaigo_desktop.services.gatherings_view import PlaceChoice

TITLE = "同じ日の記録がすでにあります"
OPEN_EXISTING, SAVE_ANYWAY, CANCEL = "open", "save", "cancel"
OPEN_LABEL, SAVE_LABEL, CANCEL_LABEL = "既存の記録を開く(&O)", "このまま保存(&S)", "キャンセル"
SAME_DAY_REFUSAL = "同じ日の記録がすでにあるため、保存していません。"


def same_day_text(place: PlaceChoice | None, record: Gathering, found: list[Gathering]) -> str:
    day = f"{format_wareki(record.held_on)}（{WEEKDAYS[record.held_on.weekday()]}）"
    stored = "、".join(
        f"参加者{g.attendance_total}人" + (f" {g.start_time}～{g.end_time or ''}" if g.start_time else "")
        for g in found)
    return (f"{place.name if place else 'この通いの場'}の{day}の記録がすでにあります（{stored}）。\n\n"
            "同じ記録の入力し直しなら「既存の記録を開く」で開いて直してください。"
            "同じ日に2回開催したときは「このまま保存」を選びます。")


def ask_same_day(parent: QWidget, place: PlaceChoice | None, record: Gathering, found: list[Gathering]) -> str:
    """OPEN_EXISTING, SAVE_ANYWAY or CANCEL (also Esc); opening the stored record is the default."""
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE, same_day_text(place, record, found), parent=parent)
    box.setObjectName("same_day_question")
    open_button = box.addButton(OPEN_LABEL, QMessageBox.ButtonRole.AcceptRole)
    save_button = box.addButton(SAVE_LABEL, QMessageBox.ButtonRole.DestructiveRole)
    cancel_button = box.addButton(CANCEL_LABEL, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_button)
    box.setEscapeButton(cancel_button)
    box.exec()
    clicked = box.clickedButton()
    return OPEN_EXISTING if clicked is open_button else SAVE_ANYWAY if clicked is save_button else CANCEL
