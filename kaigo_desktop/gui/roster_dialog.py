"""「参加者を記録…」: who came at one gathering of a place that keeps a roster, as a check box per participant of
the place on that day (names only for who may see them: a 推進員 sees numbers, read-only). Saving writes the whole
roster in one operation (services/rosters.record_roster); the count beside the 参加者数 warns before the service
refuses a roster larger than it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QWidget,
)

from kaigo_desktop.domain.fiscal import format_wareki
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp, is_user_error
from kaigo_desktop.gui.widgets.dialog_parts import button_row, push_button, stacked
from kaigo_desktop.services import rosters
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.rosters import RosterView

COLUMNS = 3
TITLE = "参加者を記録"
_OVER_STYLE = "color: #b71c1c; background: #ffebee; padding: 2px;"


class RosterDialog(QDialog):
    """Opened with `open()` (no nested loop); `roster_did_save` carries how many were recorded."""

    roster_did_save = Signal(int)

    def __init__(self, context: AppContext, view: RosterView, place_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.view = view
        self.setWindowTitle(f"{TITLE} — {place_name}")
        total = "未入力" if view.attendance_total is None else f"{view.attendance_total:,}人"
        heading = QLabel(f"<b>{place_name}</b>　{format_wareki(view.held_on)}　参加者数 {total}")
        explain = QLabel("この日に来た参加者にチェックを付けてください。この年度の参加者実人数は、記録した参加者から"
                         "計算します。" if view.may_record else
                         "参加の記録を変更する権限がないため、表示のみです。")
        explain.setWordWrap(True)
        self.boxes: dict[str, QCheckBox] = {}
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        for index, choice in enumerate(view.choices):
            box = QCheckBox(choice.label)
            box.setChecked(choice.present)
            box.setEnabled(view.may_record)
            box.toggled.connect(self._update_count)
            self.boxes[choice.participant_id] = box
            grid.addWidget(box, index // COLUMNS, index % COLUMNS)
        if not view.choices:
            grid.addWidget(QLabel("この日にこの通いの場に登録されている参加者はいません。"), 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_holder)
        # the columns always fit (names are never cut): only a long list scrolls, downwards
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(grid_holder.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
                               + 2 * scroll.frameWidth())
        self.count_label = QLabel()
        self.count_label.setObjectName("roster_count")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(_OVER_STYLE)
        self.error_label.hide()
        self.all_button = push_button("全員", lambda: self._check_all(True))
        self.none_button = push_button("全員外す", lambda: self._check_all(False))
        self.save_button = QPushButton("保存")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.close_button = push_button("閉じる" if not view.may_record else "キャンセル", self.reject)
        for button in (self.all_button, self.none_button, self.save_button):
            button.setVisible(view.may_record)
        stacked(self, heading, explain, (scroll, 1), self.count_label, self.error_label,
                button_row((self.all_button, self.none_button), (self.save_button, self.close_button)))
        self._update_count()

    def chosen_ids(self) -> list[str]:
        return [pid for pid, box in self.boxes.items() if box.isChecked()]

    def _check_all(self, checked: bool) -> None:
        for box in self.boxes.values():
            box.setChecked(checked)

    def _update_count(self) -> None:
        chosen, total = len(self.chosen_ids()), self.view.attendance_total
        over = total is not None and chosen > total
        text = f"記録する参加者 {chosen:,}人"
        if total is not None:
            text += f"（参加者数 {total:,}人）"
        if over:
            text += "　参加者数より多くなっています。開催記録の参加者数を直してから保存してください。"
        self.count_label.setText(text)
        self.count_label.setStyleSheet(_OVER_STYLE if over else "")
        self.save_button.setEnabled(self.view.may_record and not over)

    def save(self) -> None:
        gathering_id, chosen = self.view.gathering_id, self.chosen_ids()
        self.error_label.hide()
        CollectionOp(self, self.context, lambda db, _ctx: rosters.record_roster(db, gathering_id, chosen),
                     changes=Changes.of("gathering_participants", [gathering_id]) | Changes.of("members")) \
            .disabling(self.save_button, self.all_button, self.none_button) \
            .success(self._saved).failure(self._failed).run_in_background()

    def _saved(self, present: int) -> None:
        self.roster_did_save.emit(present)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if not is_user_error(error):
            raise error  # a bug: the application's exception hook shows it
        self.error_label.setText(str(error))
        self.error_label.show()
