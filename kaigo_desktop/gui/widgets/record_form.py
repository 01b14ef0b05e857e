"""The one base of the record forms (通いの場, 推進員, 活動記録, 開催記録): what every form does the same way,
written once — edit tracking against the record as loaded, the asynchronous save (checks → a CollectionOp on
the database thread announcing `Changes.of(kind, [id])` → the saved record shown → `then(ok)`), the error
ladder (`form_errors.field_errors`), Ctrl+Enter, and editors kept disabled in a read-only database.

A subclass builds its editors (with `save_button`, optionally `revert_button`, and `errors`, a FormErrors),
calls `set_up_saving()`, and supplies what differs: `state`, `record`, `is_stored`, `save_job`, `saved_id`,
`show_saved`, `reload`, `write_widgets`, and optionally `input_errors` and `check_before_save`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.validation import FieldError
from kaigo_desktop.gui.widgets.lock_note import lock_note, show_lock
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.merge_similar_warning import confirm_similar_name
from kaigo_desktop.gui.operations import CollectionOp, Then
from kaigo_desktop.gui.widgets.dialog_parts import button_row
from kaigo_desktop.gui.widgets.enter_navigation import (
    EnterMovesFocus,
    add_save_shortcut,
)
from kaigo_desktop.gui.widgets.form_errors import FormErrors, field_errors
from kaigo_desktop.gui.widgets.wareki_date_edit import date_problems
from kaigo_desktop.services.changes import Changes

HISTORY = "変更履歴…"

SaveJob = Callable[[Any, Any], Any]  # (Database, JobContext) → what show_saved and saved_id are given


def _ignore(_ok: bool) -> None:
    pass


def refill_keeping_text(combo: QComboBox, items: Iterable[str]) -> None:
    """New choices for a picker; what it showed stays shown (a value being edited is not lost)."""
    shown = combo.currentText()
    combo.clear()
    combo.addItems(list(items))
    if shown:
        combo.setCurrentText(shown)


def hold_disabled(widgets: Iterable[QWidget]) -> Callable[[], None]:
    """Disable the widgets while a write runs (no double submit); the function returned enables again those
    that were enabled before."""
    held = [(widget, widget.isEnabled()) for widget in widgets]
    for widget, _ in held:
        widget.setEnabled(False)

    def release() -> None:
        for widget, enabled in held:
            widget.setEnabled(enabled)

    return release


class RecordForm(QWidget):
    """`save(then)` returns at once; `then(True)` once saved (or when there was nothing to save),
    `then(False)` when refused (the problems are shown on the form) or failed."""

    record_kind = ""  # the record table a save changes, announced to every screen ("places", "promoters" …)
    record_did_save = Signal(object)  # what the save job returned, once shown

    save_button: QPushButton
    revert_button: QPushButton | None = None
    history_button: QPushButton | None = None
    errors: FormErrors

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._baseline: object | None = None  # state() as loaded; None while no record is shown
        self._read_only = True
        self._saving = False
        # A stored record of a locked 年度 (提出済み) is shown with the reason above the disabled editors; the
        # subclass places lock_label in its layout and says how to find the reason (lock_reason_job).
        self.lock_label = lock_note(self, f"{self.record_kind or 'record'}_lock_note")
        self._locked = False
        self._frozen = False  # some fields frozen by a lock (frozen_by_lock)

    # ---- what a subclass supplies ---------------------------------------------------------------

    def state(self) -> object:
        """What the editors hold, comparable: any difference from the loaded state is an unsaved edit."""
        raise NotImplementedError

    def record(self) -> Any:
        """The record as edited, for the save."""
        raise NotImplementedError

    def is_stored(self) -> bool:
        """The form shows a stored record (not a new one): saving it unchanged writes nothing."""
        raise NotImplementedError

    def input_errors(self) -> list[FieldError]:
        """Problems found before asking the services (text that does not parse, a name not in a picker)."""
        return []

    def check_before_save(self, record: Any, then: Callable[[list[FieldError]], None]) -> None:
        """A question to the user before writing (a similar name exists …): then([]) to go on,
        then(errors) to stop with those messages shown."""
        then([])

    def ask_about_similar_name(self, record: Any, then: Callable[[list[FieldError]], None], *, is_new: bool,
                               refusal: str) -> None:
        """For check_before_save: a new record whose name is like a stored one of its kind (same 区市町村) is
        written only if the user says so; cancelling refuses the save with `refusal` on the name."""
        if not is_new:
            then([])
            return
        refused = [FieldError("name", refusal)]
        confirm_similar_name(self, self.context, self.record_kind, record.municipality_code, record.name,
                             then=lambda ok: then([] if ok else refused))

    def save_job(self, record: Any) -> SaveJob:
        """The service call that stores `record`, run on the database thread."""
        raise NotImplementedError

    def saved_id(self, result: Any) -> str:
        """The id of the record the save job stored (for the Changes announced)."""
        raise NotImplementedError

    def show_saved(self, result: Any) -> None:
        """Show what the save stored, as the new unchanged state."""
        raise NotImplementedError

    def reload(self) -> None:
        """Show the loaded record again, dropping edits (discard_changes calls it)."""
        raise NotImplementedError

    def write_widgets(self) -> list[QWidget]:
        """The editors and buttons that change the record."""
        raise NotImplementedError

    def shown_record_id(self) -> str:
        """The id of the stored record shown ("" for a new one): whose 変更履歴 the button opens."""
        return ""

    def shown_record_label(self) -> str:
        return ""

    def busy_widgets(self) -> list[QWidget]:
        """Disabled while a save runs (no double submit)."""
        return [w for w in (self.save_button, self.revert_button) if w is not None]

    # ---- set-up and state -----------------------------------------------------------------------

    def save_buttons(self) -> QHBoxLayout:
        """Make 保存 (Ctrl+S, or Ctrl+Enter) and 変更を取り消す, and the row holding them at the right."""
        self.save_button = QPushButton(words.with_key(words.SAVE, "Ctrl+S"))
        self.save_button.setToolTip("Ctrl+S（または Ctrl+Enter）")
        self.revert_button = QPushButton(words.REVERT)
        return button_row(left=(self.make_history_button(),), right=(self.revert_button, self.save_button))

    def make_history_button(self) -> QPushButton:
        """変更履歴…: who changed the shown record, when and how (enabled while a stored record is shown)."""
        self.history_button = QPushButton(HISTORY)
        self.history_button.setObjectName("history_button")
        self.history_button.setEnabled(False)
        self.history_button.clicked.connect(lambda _checked=False: self.show_history())
        return self.history_button

    def show_history(self) -> QWidget | None:
        record_id = self.shown_record_id()
        if not record_id:
            return None
        from kaigo_desktop.gui.audit_history_dialog import AuditHistoryDialog

        dialog = AuditHistoryDialog(self.context, record_id, self.shown_record_label(), self)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def enter_moves_focus(self) -> EnterMovesFocus:
        """Enter moves from field to field on the whole form (kept as `self.enter`)."""
        self.enter = EnterMovesFocus(self)
        self.enter.install(self)
        return self.enter

    def set_up_saving(self) -> None:
        """Ctrl+Enter and the 保存 button save; 変更を取り消す discards. Called once the editors exist."""
        add_save_shortcut(self, lambda: self.save())
        self.save_button.clicked.connect(lambda _checked=False: self.save())
        if self.revert_button is not None:
            self.revert_button.clicked.connect(lambda _checked=False: self.discard_changes())

    def take_baseline(self) -> None:
        """What the editors hold now is the unchanged state (after loading a record)."""
        self._baseline = self.state()
        if self.history_button is not None:
            self.history_button.setEnabled(bool(self.shown_record_id()))

    def forget_baseline(self) -> None:
        """No record shown: nothing can be unsaved."""
        self._baseline = None
        if self.history_button is not None:
            self.history_button.setEnabled(False)

    # ---- the lock of a 年度 (提出済み) ------------------------------------------------------------------

    def lock_reason_job(self, record: Any) -> Callable[[Any], str | None] | None:
        """fn(db) → why the stored `record` cannot be changed (its 年度 is locked), or None; None when this
        form's records are never locked. The database refuses the write anyway: this says so before typing."""
        return None

    def check_lock(self, record: Any) -> None:
        """Ask on the database thread whether the record shown is locked; show it if it still is shown."""
        job = self.lock_reason_job(record)
        if job is None:
            self.set_locked(None)
            return
        record_id = record.id

        def found(reason: str | None) -> None:
            if self.shown_record_id() == record_id:
                self.set_locked(reason)

        self.context.run(lambda db, _ctx: job(db), on_done=found)

    def frozen_by_lock(self) -> dict[str, QWidget] | None:
        """The editors a locked 年度 freezes (field → widget) when it freezes only some fields of the record
        (a place's or promoter's figures; its name and address stay open), or None: the whole record."""
        return None

    def set_locked(self, reason: str | None) -> None:
        show_lock(self.lock_label, reason)
        frozen = self.frozen_by_lock()
        if frozen is not None:  # only these fields: the rest can still be corrected and saved
            self._frozen = bool(reason)
            for widget in frozen.values():
                widget.setEnabled(not reason and not self._read_only)
            return
        was_locked, self._locked = self._locked, bool(reason)
        if self._locked:
            self.set_editable(False)
        elif was_locked:
            self.set_editable(True)

    def forget_lock(self) -> None:
        """A record is about to be shown: the last one's lock no longer applies (its editability is set anew)."""
        self._locked = self._frozen = False
        show_lock(self.lock_label, None)
        for widget in (self.frozen_by_lock() or {}).values():
            widget.setEnabled(True)  # disabled explicitly, a child stays so when its form is enabled again

    @property
    def is_locked(self) -> bool:
        return self._locked

    def set_editable(self, editable: bool) -> None:
        """Enable or disable the editors; a read-only database keeps them disabled whatever is shown."""
        self._read_only = not editable or self.context.read_only
        for widget in self.write_widgets():
            widget.setEnabled(not self._read_only)
        if self._frozen:  # enabling the form does not reopen what the lock froze
            for widget in (self.frozen_by_lock() or {}).values():
                widget.setEnabled(False)

    @property
    def is_read_only(self) -> bool:
        return self._read_only

    @property
    def is_saving(self) -> bool:
        return self._saving

    def has_unsaved_changes(self) -> bool:
        return not self._read_only and self._baseline is not None and self.state() != self._baseline

    def discard_changes(self) -> None:
        if self._baseline is not None and not self._read_only:
            self.reload()

    def show_errors(self, errors: list[FieldError]) -> None:
        """Messages in the order of the fields on the form (general ones last), the first field focused."""
        order = list(self.errors.editors)
        self.errors.show(sorted(errors, key=lambda e: order.index(e.field) if e.field in order else len(order)))

    # ---- saving ---------------------------------------------------------------------------------

    def save(self, then: Then | None = None) -> None:
        then = then or _ignore
        if self._saving or self._read_only or self._baseline is None or self.context.read_only:
            then(False)
            return
        if self.is_stored() and not self.has_unsaved_changes():
            then(True)  # nothing to write: the stored record keeps its time stamp
            return
        errors = date_problems(self.errors.editors) + self.input_errors()
        if errors:
            self.show_errors(errors)
            then(False)
            return
        record = self.record()

        def checked(refusals: list[FieldError]) -> None:
            if refusals:
                self.show_errors(refusals)
                then(False)
            else:
                self._write(record, then)

        self.check_before_save(record, checked)

    def _write(self, record: Any, then: Then) -> None:
        release = hold_disabled(self.busy_widgets())
        self._saving = True

        def ended() -> None:
            self._saving = False
            release()

        def saved(result: Any) -> None:
            ended()
            self.show_saved(result)
            self.record_did_save.emit(result)
            then(True)

        def failed(error: BaseException) -> None:
            ended()
            self.show_errors(field_errors(error, then))
            then(False)

        CollectionOp(self, self.context, self.save_job(record),
                     changes=lambda result: Changes.of(self.record_kind, [self.saved_id(result)])) \
            .success(saved).failure(failed).run_in_background()
