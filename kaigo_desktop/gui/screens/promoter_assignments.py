"""A promoter's assignments to 通いの場 over time: the table (place, start, end), adding one (a place of the
promoter's municipality picked by type-ahead), ending one, and removing one to the trash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import format_wareki
from kaigo_desktop.domain.records import Assignment, Promoter
from kaigo_desktop.domain.validation import FieldError, ValidationFailed
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp
from kaigo_desktop.gui.widgets.enter_navigation import EnterMovesFocus
from kaigo_desktop.gui.widgets.form_errors import FormErrors
from kaigo_desktop.gui.widgets.type_ahead_combo import TypeAheadCombo
from kaigo_desktop.gui.widgets.record_messages import confirm_delete, is_user_error
from kaigo_desktop.gui.widgets.rows_table_model import Column, RowsTableModel
from kaigo_desktop.gui.widgets.compact_date_edit import compact_date_edit
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit, date_problems
from kaigo_desktop.services import promoters_view, records
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.promoters_view import AssignmentRow, ReferenceLists


def assignment_status(assignment: Assignment, today: date) -> str:
    if assignment.start_date > today:
        return "開始前"
    return "担当中" if assignment.end_date is None or assignment.end_date >= today else "終了"


def assignment_columns(today: Callable[[], date]) -> list[Column[AssignmentRow]]:
    return [
        Column(words.PLACE, lambda r: words.marked_deleted(r.place_name, r.place_deleted)),
        Column("開始日", lambda r: format_wareki(r.assignment.start_date)),
        Column("終了日", lambda r: format_wareki(r.assignment.end_date) if r.assignment.end_date else "—"),
        Column("状態", lambda r: assignment_status(r.assignment, today())),
    ]


class AssignmentsPanel(QWidget):
    """Shows the assignments of the promoter given to `set_promoter`; every change is written at once."""

    rows_did_load = Signal(int)  # how many assignments are listed

    def __init__(self, context: AppContext, today: Callable[[], date] = date.today,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.today = today
        self._reference: ReferenceLists | None = None
        self._promoter: Promoter | None = None
        self._generation = 0
        self.model: RowsTableModel[AssignmentRow] = RowsTableModel(
            assignment_columns(today), muted=lambda r: assignment_status(r.assignment, today()) == "終了")
        self._build()
        self.context.changes_did_happen.connect(self._changes_happened)
        self.set_promoter(None)

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.show_deleted = QCheckBox("削除した担当を表示")
        self.remove_button = QPushButton("担当を削除…")
        self.restore_button = QPushButton(words.RESTORE)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(self.show_deleted)
        row_buttons.addStretch(1)
        row_buttons.addWidget(self.remove_button)
        row_buttons.addWidget(self.restore_button)

        self.place = TypeAheadCombo(placeholder="通いの場の名前の一部を入力")
        self.start_date = compact_date_edit(WarekiDateEdit())
        self.add_button = QPushButton("担当を追加")
        adding = QGroupBox("担当を追加（同じ区市町村の通いの場）")
        grid = QGridLayout(adding)
        grid.addWidget(QLabel("通いの場"), 0, 0)
        grid.addWidget(self.place, 0, 1, 1, 2)
        grid.addWidget(QLabel("開始日"), 1, 0)
        grid.addWidget(self.start_date, 1, 1)
        grid.addWidget(self.add_button, 1, 2)
        grid.setColumnStretch(1, 1)

        self.end_date = compact_date_edit(WarekiDateEdit())
        self.end_button = QPushButton("終了日を設定")
        ending = QGroupBox("選択した担当を終了")
        end_row = QHBoxLayout(ending)
        end_row.addWidget(QLabel("終了日"))
        end_row.addWidget(self.end_date, 1)
        end_row.addWidget(self.end_button)

        self.error_label = QLabel()
        self.errors = FormErrors(self.error_label, {"place_id": self.place, "start_date": self.start_date.editor,
                                                    "end_date": self.end_date.editor})
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(adding)
        layout.addWidget(ending)
        layout.addWidget(self.error_label)
        EnterMovesFocus(self).install(adding)
        self.add_button.clicked.connect(self.add_assignment)
        self.end_button.clicked.connect(self.end_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.show_deleted.toggled.connect(lambda _on: self.reload())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())

    # ---- what is shown -------------------------------------------------------------------------

    def set_reference(self, reference: ReferenceLists) -> None:
        self._reference = reference
        self._fill_places()

    def _fill_places(self) -> None:
        code = self._promoter.municipality_code if self._promoter else ""
        places = self._reference.places.get(code, []) if self._reference else []
        self.place.set_choices([(c.id, c.label, c.kana) for c in places])

    def set_promoter(self, promoter: Promoter | None) -> None:
        """None, an unsaved or a deleted promoter: nothing can be assigned."""
        usable = promoter is not None and bool(promoter.id) and promoter.meta.deleted_at is None
        self._promoter = promoter if usable else None
        self.errors.clear()
        if promoter is None or not promoter.id:
            self.heading.setText("推進員を保存すると、担当する通いの場を追加できます。")
        elif not usable:
            self.heading.setText(f"{promoter.name}さんは{words.TRASH}にあります。担当は「{words.RESTORE}」を押してから変更できます。")
        else:
            self.heading.setText(f"{promoter.name}さんが担当する通いの場（期間ごと）")
        for widget in (self.table, self.show_deleted, self.place, self.start_date, self.add_button):
            widget.setEnabled(usable)
        if promoter is not None and usable:
            self.start_date.set_value(max(promoter.start_date, self.today()))
        self._fill_places()
        self.model.set_rows([])
        self.rows_did_load.emit(0)
        self._selection_changed()
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        if self._promoter is None:
            return
        generation, promoter_id, deleted = self._generation, self._promoter.id, self.show_deleted.isChecked()
        self.context.run(lambda db, _ctx: promoters_view.assignments_of(db, promoter_id, deleted=deleted),
                         on_done=lambda rows: self._show_rows(generation, rows), on_error=self._load_failed)

    def _show_rows(self, generation: int, rows: list[AssignmentRow]) -> None:
        if generation != self._generation:
            return
        selected = self.selected()
        self.model.set_rows(rows)
        self.rows_did_load.emit(len(rows))
        if selected is not None:
            row = self.model.find_row(lambda r: r.assignment.id == selected.assignment.id)
            if row >= 0:
                self.table.selectRow(row)
        self._selection_changed()

    @staticmethod
    def _load_failed(error: BaseException) -> None:
        if not is_user_error(error):
            raise error

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches("assignments", "places"):
            self.reload()

    def selected(self) -> AssignmentRow | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _selection_changed(self) -> None:
        row = self.selected()
        live = row is not None and not self.show_deleted.isChecked() and self._promoter is not None
        for widget in (self.end_date, self.end_button, self.remove_button):
            widget.setEnabled(live)
        self.restore_button.setEnabled(row is not None and self.show_deleted.isChecked())
        if live and row is not None:
            self.end_date.set_value(row.assignment.end_date or max(row.assignment.start_date, self.today()))

    # ---- changes -------------------------------------------------------------------------------

    def write_widgets(self) -> list[QWidget]:
        return [self.place, self.start_date, self.add_button, self.end_date, self.end_button, self.remove_button,
                self.restore_button]

    def _write(self, job: Callable, assignment_id: str = "", done: Callable[[], None] | None = None) -> bool:
        """Start a write on the database thread (True: started). Errors are shown under the table; `done`
        runs after a success (the list follows from the announced change)."""
        if self.context.read_only:
            return False

        def written(_result) -> None:
            self.errors.clear()
            if done is not None:
                done()

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationFailed):
                self.errors.show(error.errors)
            elif is_user_error(error):
                self.errors.show([FieldError("", str(error))])
            else:
                raise error

        CollectionOp(self, self.context, lambda db, _ctx: job(db),
                     changes=Changes.of("assignments", [assignment_id] if assignment_id else [])) \
            .disabling(self.add_button, self.end_button, self.remove_button, self.restore_button) \
            .success(written).failure(failed).run_in_background()
        return True

    def add_assignment(self) -> bool:
        if self._promoter is None:
            return False
        if self.place.has_unknown_text():
            self.errors.show([FieldError("place_id", f"通いの場「{self.place.currentText().strip()}」は"
                                                     f"{self._municipality_name()}にありません。一覧から選んでください。")])
            return False
        if problems := date_problems({"start_date": self.start_date.editor}):
            self.errors.show(problems)
            return False
        assignment = Assignment(self._promoter.id, str(self.place.value() or ""), self.start_date.value())
        today = self.today()
        return self._write(lambda db: promoters_view.add_assignment(db, assignment, today=today),
                           done=lambda: self.place.set_value(None))

    def end_selected(self) -> bool:
        row = self.selected()
        if row is None or self._promoter is None:
            return False
        if problems := date_problems({"end_date": self.end_date.editor}):
            self.errors.show(problems)
            return False
        assignment_id, end, today = row.assignment.id, self.end_date.value(), self.today()
        return self._write(lambda db: promoters_view.end_assignment(db, assignment_id, end, today=today),
                           assignment_id)

    def remove_selected(self) -> bool:
        row = self.selected()
        if row is None or self._promoter is None or self.show_deleted.isChecked():
            return False
        what = f"「{row.place_name}」の担当（{format_wareki(row.assignment.start_date)}から）"
        if not confirm_delete(self, what):
            return False
        assignment_id = row.assignment.id
        return self._write(lambda db: records.remove(db, Assignment, assignment_id), assignment_id)

    def restore_selected(self) -> bool:
        row = self.selected()
        if row is None or not self.show_deleted.isChecked():
            return False
        assignment_id = row.assignment.id
        return self._write(lambda db: records.restore(db, Assignment, assignment_id), assignment_id)

    def _municipality_name(self) -> str:
        if self._promoter is None or self._reference is None:
            return "この区市町村"
        return next((c.label for c in self._reference.municipalities if c.id == self._promoter.municipality_code),
                    "この区市町村")
