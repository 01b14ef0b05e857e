"""参加者 screen (issue 19): the participants (number, birth, sex, center, places, latest frailty level; name and
よみ only where the services show them — a 推進員 sees numbers only), filtered by center, place and level; beside
it the participant's fields, the 基本チェックリスト entry and the check history with the per-person print; a
participant to the trash (after a confirmation naming them and what stays attached) and back. Every list and
record shown is audited by the services; a database open read-only cannot record that, so shows why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, \
    QTabWidget, QTableView, QVBoxLayout, QWidget

from kaigo_desktop.domain import roles
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, Then, is_user_error, read_failure_on
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.check_history import CheckHistory
from kaigo_desktop.gui.screens.checklist_entry import ChecklistEntry
from kaigo_desktop.gui.screens.list_detail_screen import set_up_record_list
from kaigo_desktop.gui.screens.participant_cases import ParticipantCases
from kaigo_desktop.gui.screens.participant_form import ParticipantForm
from kaigo_desktop.gui.widgets.column_widths import fit_columns
from kaigo_desktop.gui.widgets.record_messages import confirm_delete
from kaigo_desktop.gui.widgets.rows_table_model import Column, RowsTableModel
from kaigo_desktop.gui.widgets.side_by_side import SideBySideRow, SideBySideSplitter
from kaigo_desktop.services import participants, participants_view, promoters_view
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.participants_view import LEVEL_FILTERS, ParticipantFilter, ParticipantListRow

SHOWN_KINDS = ("participants", "frailty_checks", "participant_places", "questionnaires", "places", "centers")


def _places_text(row: ParticipantListRow) -> str:
    return "、".join(row.places) or "—"


PARTICIPANT_COLUMNS: list[Column[ParticipantListRow]] = [
    Column("番号", lambda r: r.summary.number, width_sample="000000"),
    Column("氏名", lambda r: r.summary.name if r.summary.name is not None else "（非表示）",
           width_sample="長谷川 佳代子"),
    Column("生年月", lambda r: f"{r.summary.birth_year}年{r.summary.birth_month}月", width_sample="1944年12月"),
    Column("性別", lambda r: r.summary.sex, width_sample="女性"),
    Column("センター", lambda r: r.summary.center_name, tooltip=lambda r: r.summary.center_name,
           width_sample="北地域包括支援センター"),
    Column("通いの場", _places_text, tooltip=_places_text, width_sample="さくら体操の会"),
    Column("最新の判定", lambda r: r.latest_level_label, width_sample="ロバスト（健常）"),
]


def participant_label(row: ParticipantListRow) -> str:
    """「参加者「A-1 秘密野花子」」 — the name only where the services showed it."""
    s = row.summary
    return f"参加者「{s.number}{'　' + s.name if s.name else ''}」"


class ParticipantsScreen(Screen):
    title = "参加者"

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.today: Callable[[], date] = date.today
        self.rows_loaded = False
        self._stale = True
        self._request = 0
        self._sized = False
        self.record = None  # the ParticipantRecord shown

        self.center_filter = QComboBox()
        self.place_filter = QComboBox()
        self.level_filter = QComboBox()
        self.level_filter.addItem("すべての判定", None)
        for key, label in LEVEL_FILTERS:
            self.level_filter.addItem(label, key)
        for combo, everything in ((self.center_filter, "すべてのセンター"), (self.place_filter, "すべての通いの場")):
            combo.addItem(everything, None)
        self.new_button = QPushButton(words.with_key(words.NEW, "Ctrl+N"))
        self.show_deleted = QCheckBox(f"{words.SHOW_TRASH}(&T)")
        self.delete_button = QPushButton(words.with_key(words.DELETE, "Delete"))
        self.restore_button = QPushButton(f"{words.RESTORE}(&R)")
        filters = QHBoxLayout()
        for label, combo in (("センター", self.center_filter), ("通いの場", self.place_filter),
                             ("判定", self.level_filter)):
            filters.addWidget(QLabel(label))
            filters.addWidget(combo, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.show_deleted)
        actions.addStretch(1)
        for button in (self.new_button, self.delete_button, self.restore_button):
            actions.addWidget(button)

        self.model: RowsTableModel[ParticipantListRow] = RowsTableModel(PARTICIPANT_COLUMNS)
        self.table = QTableView()
        self.table.setObjectName("participants")
        set_up_record_list(self.table, self.model, multiple=False, row_height=self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        fit_columns(self.table, [c.width_sample or c.header for c in PARTICIPANT_COLUMNS], row_padding=10,
                    min_rows=3)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)

        self.form = ParticipantForm(context, lambda: self.today())
        self.entry = ChecklistEntry(context, lambda: self.today())
        self.history = CheckHistory(context)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.form, "基本情報")
        self.tabs.addTab(self.entry, "チェックリスト入力")
        self.tabs.addTab(self.history, "チェック履歴")
        self.cases = ParticipantCases(context, lambda: self.today())
        self.tabs.addTab(self.cases, "短期集中予防サービス")
        self.splitter = SideBySideSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(SideBySideRow(filters, actions))
        layout.addWidget(self.splitter, 1)

        for combo in (self.center_filter, self.place_filter, self.level_filter):
            combo.currentIndexChanged.connect(lambda _i: self.reload_list())
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._row_chosen(current.row()))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.new_button.clicked.connect(self.new_record)
        self.show_deleted.toggled.connect(self._trash_toggled)
        self.delete_button.clicked.connect(self.delete_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.form.participant_did_save.connect(lambda saved: self.show_participant(saved.id))
        self.form.period_did_end.connect(self.show_participant)
        self.entry.check_did_save.connect(lambda check: self._check_saved(check.participant_id))
        context.changes_did_happen.connect(self._changes_happened)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self.splitter.setSizes([self.width() * 55 // 100, self.width() * 45 // 100])

    # ---- loading -------------------------------------------------------------------------------

    def activate(self) -> None:
        self._update_buttons()
        if self._stale:
            self.reload_choices()

    def reload_choices(self) -> None:
        self._stale = False
        self.context.run(lambda db, _ctx: (promoters_view.center_choices(db), promoters_view.place_choices(db)),
                         on_done=lambda result: self._fill_choices(*result), on_error=read_failure_on(self.count_label))

    def _fill_choices(self, centers: list, places: list) -> None:
        for combo, choices in ((self.center_filter, centers), (self.place_filter, places)):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for choice in choices:
                combo.addItem(choice.label, choice.id)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)
        self.form.set_choices(centers, places)
        self.reload_list()

    def current_filter(self) -> ParticipantFilter:
        return ParticipantFilter(self.center_filter.currentData(), self.place_filter.currentData(),
                                 self.level_filter.currentData(), self.show_deleted.isChecked())

    def reload_list(self, then: Callable[[], None] | None = None) -> None:
        self._request += 1
        request, chosen, today = self._request, self.current_filter(), self.today()

        def loaded(rows: list[ParticipantListRow]) -> None:
            if request != self._request:
                return
            shown_id = self.record.summary.id if self.record is not None else ""
            self.model.set_rows(rows)
            self.rows_loaded = True
            hidden = sum(1 for r in rows if not r.summary.identity_shown)
            note = "（氏名は表示できる権限がないため非表示）" if rows and hidden == len(rows) else ""
            self.count_label.setText(words.counted(f"{len(rows)}人", in_trash=chosen.deleted) + note)
            index = self.model.find_row(lambda r: r.summary.id == shown_id) if shown_id else -1
            if index >= 0:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(index)
                self.table.selectionModel().blockSignals(False)
            self._update_buttons()
            if then is not None:
                then()

        QueryOp(self, self.context, lambda db, _ctx: participants_view.participant_list(db, chosen, today=today)) \
            .success(loaded).failure(read_failure_on(self.count_label)).run_in_background()

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches(*SHOWN_KINDS):
            self._stale = True
            if self.isVisible():
                self.activate()

    # ---- one participant -----------------------------------------------------------------------

    def _row_chosen(self, index: int) -> None:
        self._update_buttons()
        row = self.model.row_at(index)
        if self.show_deleted.isChecked():  # a participant in the trash is not shown (nor audited) until restored
            return
        if row is None or (self.record is not None and row.summary.id == self.record.summary.id):
            return

        def left(ok: bool) -> None:
            if ok:
                self.show_participant(row.summary.id)

        self.confirm_leave(left)

    def show_participant(self, participant_id: str, then: Callable[[], None] | None = None) -> None:
        """Read the participant's whole record (audited by the services) and show it in the three tabs."""
        def shown(record) -> None:
            self.record = record
            self.form.set_record(record)
            self.entry.set_participant(record.summary, record.cutoffs)
            self.history.set_record(record)
            self.cases.set_record(record)
            if then is not None:
                then()

        QueryOp(self, self.context, lambda db, _ctx: participants.show_participant(db, participant_id)) \
            .success(shown).failure(read_failure_on(self.count_label)).run_in_background()

    def _check_saved(self, participant_id: str) -> None:
        self.show_participant(participant_id, then=lambda: self.tabs.setCurrentWidget(self.history))

    # ---- the trash ------------------------------------------------------------------------------

    def selected_row(self) -> ParticipantListRow | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.row_at(index.row()) if index.isValid() and self.table.selectionModel().hasSelection() \
            else None

    def _may_write(self, center_id: str | None) -> bool:
        return not self.read_only and roles.may(self.context.actor, roles.WRITE_PARTICIPANTS, center_id=center_id)

    def _update_buttons(self) -> None:
        trash, row = self.show_deleted.isChecked(), self.selected_row()
        # a 推進員 (or a reader, or another center's staff for that person) neither adds nor moves to the trash
        self.new_button.setEnabled(not trash and self._may_write(self.context.actor.center_id))
        allowed = row is not None and self._may_write(row.summary.center_id)
        self.delete_button.setVisible(not trash)
        self.delete_button.setEnabled(allowed)
        self.restore_button.setVisible(trash)
        self.restore_button.setEnabled(allowed)

    def _trash_toggled(self, on: bool) -> None:
        def left(ok: bool) -> None:
            if not ok:
                self.show_deleted.blockSignals(True)
                self.show_deleted.setChecked(not on)
                self.show_deleted.blockSignals(False)
                return
            self._show_nothing()
            self.tabs.setEnabled(not on)
            self.model.set_rows([])  # no live row can be picked while the trash is on its way
            self._update_buttons()
            self.reload_list()

        self.confirm_leave(left)

    def _show_nothing(self) -> None:
        self.record = None
        self.form.set_record(None, center_id=self.context.actor.center_id)
        self.entry.set_participant(None)
        self.history.set_record(None)

    def delete_selected(self) -> bool:
        row = self.selected_row()
        if self.read_only or row is None or self.show_deleted.isChecked() or not self.delete_button.isEnabled():
            return False
        if not confirm_delete(self, participant_label(row), detail=self._what_stays(row)):
            return False
        if self.record is not None and self.record.summary.id == row.summary.id:
            self.discard_changes()  # the participant goes to the trash as stored, not as being edited
        self._write(row, lambda db, _ctx: participants.remove_participant(db, row.summary.id),
                    words.moved_to_trash(participant_label(row)), f"{words.TRASH}へ移せませんでした")
        return True

    def restore_selected(self) -> bool:
        row = self.selected_row()
        if self.read_only or row is None or not self.show_deleted.isChecked():
            return False
        self._write(row, lambda db, _ctx: participants.restore_participant(db, row.summary.id),
                    f"{participant_label(row)}を元に戻しました。", "元に戻せませんでした")
        return True

    def _what_stays(self, row: ParticipantListRow) -> str:
        """What the confirmation says goes with the participant: nothing of theirs is deleted."""
        shown = self.record if self.record is not None and self.record.summary.id == row.summary.id else None
        parts = [f"基本チェックリスト {len(shown.checks) if shown else row.summary.checks}回"]
        if shown is not None:
            parts += [f"後期高齢者の質問票 {len(shown.questionnaires)}回", f"通いの場の参加期間 {len(shown.attendance)}件"]
        return ("この参加者の" + "・".join(parts) + "（短期集中予防サービスの記録があればそれも）は、参加者に付いたまま"
                "残り、元に戻すと一緒に戻ります。ごみ箱にある間は、一覧・集計・報告書に数えません。")

    def _write(self, row: ParticipantListRow, job: Callable[[Any, Any], Any], done: str, title: str) -> None:
        """Run a move to the trash or back on the database thread; a refusal is explained in a message box."""
        def written(_result: Any) -> None:
            if self.record is not None and self.record.summary.id == row.summary.id:
                self._show_nothing()
            self._update_buttons()
            self.context.status_did_change.emit(done)

        def failed(error: BaseException) -> None:
            self._update_buttons()
            if not is_user_error(error):
                raise error
            QMessageBox.warning(self, title, str(error))

        CollectionOp(self, self.context, job, changes=Changes.of("participants", [row.summary.id])) \
            .disabling(self.delete_button, self.restore_button).success(written).failure(failed) \
            .run_in_background()

    # ---- the Screen interface ------------------------------------------------------------------

    def new_record(self) -> bool:
        if self.show_deleted.isChecked() and not self.read_only:
            self.show_deleted.setChecked(False)  # a new participant is entered beside the live ones
        if self.read_only or not self.new_button.isEnabled():
            return False

        def left(ok: bool) -> None:
            if not ok:
                return
            self.record = None
            self.table.clearSelection()
            self.form.set_record(None, center_id=self.center_filter.currentData()
                                 or self.context.actor.center_id)
            self.entry.set_participant(None)
            self.history.set_record(None)
            self.cases.set_record(None)
            self.tabs.setCurrentWidget(self.form)
            self.form.number.setFocus()

        self.confirm_leave(left)
        return True

    def save(self, then: Then | None = None) -> None:
        if self.tabs.currentWidget() is self.entry:
            self.entry.save(then)
        else:
            self.form.save(then)

    def has_unsaved_changes(self) -> bool:
        return self.form.has_unsaved_changes() or self.entry.has_unsaved_changes()

    def discard_changes(self) -> None:
        self.form.discard_changes()
        self.entry.clear()

    def write_widgets(self) -> list[QWidget]:
        return [self.new_button, self.delete_button, self.restore_button, *self.form.write_widgets(),
                *self.entry.write_widgets()]

    def screenshot_views(self) -> list[tuple[str, Callable[[], QWidget]]]:
        return [("participants", lambda: self._first_shown(self.form)),
                ("checklist_entry", lambda: self._first_shown(self.entry)),
                ("check_history", lambda: self._first_shown(self.history))]

    def _first_shown(self, tab: QWidget) -> QWidget:
        """For a screenshot: the list read and its first checked participant shown on the tab `tab`."""
        def pick() -> None:
            index = self.model.find_row(lambda r: r.latest_level != participants_view.NOT_CHECKED)
            if index >= 0:
                self.table.selectRow(max(0, index))
        self.tabs.setCurrentWidget(tab)
        if tab is self.entry:
            self._fill_example()
        if self.record is None:
            self.reload_list(then=pick)
        return self

    def _fill_example(self) -> None:
        """A check half entered, as a user sees it while typing (the screenshot of the entry form)."""
        answers = {1: True, 2: True, 3: True, 4: False, 5: True, 6: False, 7: True, 8: True, 9: True, 10: True}
        self.entry.show_example(answers, "152", "41.5")

    def focus_search(self) -> bool:
        self.center_filter.setFocus()
        return True
