"""A participant's 短期集中予防サービス cases (issue 19), a tab of the 参加者 screen beside the check history: the
cases listed through the services (audited), 新規 and 開く opening the case form (read-only for whom may not
write the participant's records), 削除 after a confirmation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kaigo_desktop.domain import roles
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, read_failure_on
from kaigo_desktop.gui.screens.short_term_case_form import KIND, CaseDialog, who_text
from kaigo_desktop.gui.screens.short_term_case_list import CaseTable
from kaigo_desktop.gui.widgets.dialog_parts import button_row, stacked
from kaigo_desktop.gui.widgets.record_messages import confirm_delete
from kaigo_desktop.services import short_term_cases
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.participants import ParticipantRecord
from kaigo_desktop.services.short_term_cases import CaseView

NO_PARTICIPANT = "参加者を選んでください。"
OPEN = "開く(&O)…"


def may_write(context: AppContext, center_id: str) -> bool:
    """Whether the logged-in user may add or change a case of a participant of `center_id` (the services decide
    again on the save)."""
    return not context.read_only and roles.may(context.actor, roles.WRITE_PARTICIPANTS, center_id=center_id)


class ParticipantCases(QWidget):
    def __init__(self, context: AppContext, today: Callable[[], date] = date.today, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.today = today
        self.record: ParticipantRecord | None = None
        self.dialog: CaseDialog | None = None
        self._request = 0
        self.summary_label = QLabel(NO_PARTICIPANT)
        self.summary_label.setWordWrap(True)
        self.table = CaseTable("participant_cases", with_people=False)
        self.new_button = QPushButton(f"{words.NEW}…")
        self.new_button.setObjectName("participant_case_new")
        self.open_button = QPushButton(OPEN)
        self.delete_button = QPushButton(f"{words.DELETE}…")
        stacked(self, self.summary_label, (self.table, 1),
                button_row(left=(self.delete_button,), right=(self.new_button, self.open_button)))
        self.new_button.clicked.connect(lambda _checked=False: self.open_case(None))
        self.open_button.clicked.connect(lambda _checked=False: self.open_chosen())
        self.delete_button.clicked.connect(lambda _checked=False: self.delete_chosen())
        self.table.activated.connect(lambda _index: self.open_chosen())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._update_buttons())
        context.changes_did_happen.connect(self._changes_happened)
        self._update_buttons()

    def set_record(self, record: ParticipantRecord | None) -> None:
        self.record = record
        self.table.set_views([])
        if record is None:
            self.summary_label.setText(NO_PARTICIPANT)
            self._update_buttons()
            return
        self.summary_label.setText(who_text(record.summary))
        self._update_buttons()
        self.reload()

    def reload(self) -> None:
        if self.record is None:
            return
        self._request += 1
        request, participant_id = self._request, self.record.summary.id

        def loaded(views: list[CaseView]) -> None:
            if request == self._request:
                self.table.set_views(views, self.table.chosen_id())
                self.summary_label.setText(f"{who_text(self.record.summary)}　短期集中予防サービス {len(views)}件"
                                           if self.record else NO_PARTICIPANT)
                self._update_buttons()

        QueryOp(self, self.context, lambda db, _ctx: short_term_cases.list_cases(db, participant_id=participant_id)) \
            .success(loaded).failure(read_failure_on(self.summary_label)).run_in_background()

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches(KIND, "frailty_checks", "places") and self.record is not None:
            self.reload()

    def _writable(self) -> bool:
        return self.record is not None and may_write(self.context, self.record.summary.center_id)

    def _update_buttons(self) -> None:
        writable, chosen = self._writable(), self.table.chosen()
        self.new_button.setEnabled(writable)
        self.open_button.setEnabled(chosen is not None)
        self.delete_button.setEnabled(writable and chosen is not None)

    # ---- the case form -------------------------------------------------------------------------

    def open_case(self, case_id: str | None) -> CaseDialog | None:
        if self.record is None or (case_id is None and not self._writable()):
            return None
        if self.dialog is not None and not self.dialog.isVisible():
            self.dialog.deleteLater()  # the last one closed: not kept for the window's life
        self.dialog = CaseDialog(self.context, self.record.summary.id, case_id, today=self.today, parent=self)
        self.dialog.setModal(True)
        self.dialog.show()
        return self.dialog

    def open_chosen(self) -> CaseDialog | None:
        chosen = self.table.chosen()
        return self.open_case(chosen.case.id) if chosen is not None else None

    def delete_chosen(self) -> None:
        chosen = self.table.chosen()
        if chosen is None or not self._writable() or not confirm_delete(self, "この短期集中予防サービスの記録"):
            return
        case_id = chosen.case.id
        CollectionOp(self, self.context, lambda db, _ctx: short_term_cases.remove_case(db, case_id),
                     changes=Changes.of(KIND, [case_id])) \
            .disabling(self.delete_button) \
            .run_in_background()  # a refusal (the rights …) is shown in a message box

    def write_widgets(self) -> list[QWidget]:
        return [self.new_button, self.delete_button]
