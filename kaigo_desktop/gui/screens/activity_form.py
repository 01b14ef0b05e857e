"""The detail form of one promoter activity: promoter, date, kind, place (type-ahead within the promoter's
municipality), minutes and summary, checked inline before and by the save."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.domain.records import Activity
from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.domain.validation import FieldError, count_units
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.widgets.column_widths import on_font_change
from kaigo_desktop.gui.widgets.compact_date_edit import compact_date_edit
from kaigo_desktop.gui.widgets.dialog_parts import stacked
from kaigo_desktop.gui.widgets.form_errors import FormErrors
from kaigo_desktop.gui.widgets.record_form import (
    RecordForm,
    SaveJob,
    refill_keeping_text,
)
from kaigo_desktop.gui.widgets.type_ahead_combo import TypeAheadCombo
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import activities_view, approval
from kaigo_desktop.services.promoters_view import ReferenceLists

EMPTY_HINT = "一覧から活動を選ぶか、「新規」（Ctrl+N）で記録してください。"


def parse_minutes(text: str) -> int | None:
    """時間（分） as the domain reads every count (「９０」「90分」); None when blank; ValueError (Japanese)."""
    return parse_count(text, field_label="時間（分）", units=count_units("minutes"))


class ActivityForm(RecordForm):
    """`set_record(activity or None)` shows a stored activity or starts a new one; `save(then)` writes it
    (RecordForm; `record_did_save` carries the saved Activity)."""

    record_kind = "activities"

    def __init__(self, context: AppContext, today: Callable[[], date] = date.today,
                 parent: QWidget | None = None):
        super().__init__(context, parent)
        self.today = today
        self._reference: ReferenceLists | None = None
        self._loaded: Activity | None = None
        self._build()
        self.set_editable(False)

    def _build(self) -> None:
        self.heading = QLabel(EMPTY_HINT)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        self.promoter = TypeAheadCombo(placeholder="推進員の氏名を入力して選択")
        self.done_on = compact_date_edit(WarekiDateEdit())
        self.kind = QComboBox()
        self.place = TypeAheadCombo(none_label=words.NONE)
        self.place.setToolTip("推進員の区市町村の通いの場から選びます（名前の一部で絞り込めます）")
        self.minutes = QLineEdit()
        self.minutes.setPlaceholderText("例：90")
        on_font_change(self.minutes, lambda: self.minutes.setMaximumWidth(
            self.minutes.fontMetrics().horizontalAdvance("0") * 12 + 16))
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("活動の内容（例：〇〇サロンで体操プログラムの説明）")
        on_font_change(self.summary, lambda: self.summary.setFixedHeight(
            self.summary.fontMetrics().lineSpacing() * 5 + 12))
        minutes_row = QHBoxLayout()
        minutes_row.addWidget(self.minutes)
        minutes_row.addWidget(QLabel("分"))
        minutes_row.addStretch(1)
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        fields.addRow(words.required(words.PROMOTER), self.promoter)
        fields.addRow(words.required("活動日"), self.done_on)
        fields.addRow(words.required("活動区分"), self.kind)
        fields.addRow(words.PLACE, self.place)
        fields.addRow("時間", minutes_row)
        fields.addRow("内容", self.summary)
        self.error_label = QLabel()
        self.errors = FormErrors(self.error_label, {
            "promoter_id": self.promoter, "done_on": self.done_on.editor, "kind": self.kind, "place_id": self.place,
            "minutes": self.minutes, "summary": self.summary})
        stacked(self, self.heading, self.lock_label, fields, self.error_label, self.save_buttons(), 1)
        self.enter_moves_focus()
        self.set_up_saving()
        self.promoter.value_did_change.connect(self._fill_places)

    # ---- reference lists and records -----------------------------------------------------------

    def set_reference(self, reference: ReferenceLists) -> None:
        self._reference = reference
        self.promoter.set_choices([(c.id, c.label, c.kana) for c in reference.promoters])
        refill_keeping_text(self.kind, reference.activity_kinds)
        self._fill_places()

    def _municipality_of(self, promoter_id: object) -> str:
        choices = self._reference.promoters if self._reference else []
        return next((c.municipality_code for c in choices if c.id == promoter_id), "")

    def _fill_places(self) -> None:
        code = self._municipality_of(self.promoter.value())
        places = self._reference.places.get(code, []) if self._reference and code else []
        self.place.set_choices([(c.id, c.label, c.kana) for c in places])

    def new_activity(self, promoter_id: str | None) -> Activity:
        kinds = self._reference.activity_kinds if self._reference else [""]
        return Activity(promoter_id or "", self.today(), kinds[0])

    def set_record(self, activity: Activity | None, *, read_only: bool = False) -> None:
        """Show a stored activity (id set), a new one (no id), or nothing (None)."""
        self.errors.clear()
        self.forget_lock()
        self._loaded = activity if activity is not None and activity.id else None
        if activity is None:
            self.heading.setText(EMPTY_HINT)
            self.forget_baseline()
            self.set_editable(False)
            return
        self.promoter.set_value(activity.promoter_id or None)
        self.done_on.set_value(activity.done_on)
        self.kind.setCurrentText(activity.kind)
        self.place.set_value(activity.place_id)
        self.minutes.setText("" if activity.minutes is None else str(activity.minutes))
        self.summary.setPlainText(activity.summary)
        deleted = activity.meta.deleted_at is not None
        self.heading.setText((words.in_trash_note(words.ACTIVITY) if deleted else "活動記録の詳細")
                             if activity.id else "新しい活動記録")
        self.set_editable(not (read_only or deleted))
        self.take_baseline()
        if activity.id and not deleted:
            self.check_lock(activity)

    def lock_reason_job(self, activity: Activity):
        promoter_id, fiscal_year = activity.promoter_id, fiscal_year_of(activity.done_on)
        return lambda db: approval.locked_reason_for_promoter(db, promoter_id, fiscal_year)

    def loaded(self) -> Activity | None:
        return self._loaded

    def shown_record_id(self) -> str:
        return self._loaded.id if self._loaded is not None else ""

    def shown_record_label(self) -> str:
        return f"{words.ACTIVITY} {self._loaded.done_on}" if self._loaded is not None else ""

    def record(self) -> Activity:
        """The activity as the editors hold it (minutes None when not a whole number)."""
        try:
            minutes = parse_minutes(self.minutes.text())
        except ValueError:
            minutes = None
        base = self._loaded or Activity("", self.today(), "")
        return dataclasses.replace(
            base, promoter_id=str(self.promoter.value() or ""), done_on=self.done_on.value(),
            kind=self.kind.currentText(), place_id=self.place.value() or None,  # type: ignore[arg-type]
            minutes=minutes, summary=self.summary.toPlainText().strip())

    def state(self) -> tuple:
        """What counts as an edit: the record, plus typed text the record cannot hold."""
        unknown = [combo.currentText().strip() if combo.has_unknown_text() else ""
                   for combo in (self.promoter, self.place)]
        return self.record(), self.minutes.text().strip(), *unknown

    def write_widgets(self) -> list[QWidget]:
        """The editors and buttons (disabled for a deleted activity, and all along in a read-only database)."""
        return [self.promoter, self.done_on, self.kind, self.place, self.minutes, self.summary, self.save_button,
                self.revert_button]

    # ---- saving (RecordForm) -------------------------------------------------------------------

    def is_stored(self) -> bool:
        return self._loaded is not None

    def reload(self) -> None:
        baseline: tuple = self._baseline  # type: ignore[assignment]  # set: discard_changes checked
        self.set_record(self._loaded or self.new_activity(baseline[0].promoter_id))

    def input_errors(self) -> list[FieldError]:
        errors = []
        if self.promoter.has_unknown_text():
            errors.append(FieldError("promoter_id", f"推進員「{self.promoter.currentText().strip()}」が見つかりません。"
                                                    "一覧から選んでください。"))
        if self.place.has_unknown_text():
            errors.append(FieldError("place_id", f"通いの場「{self.place.currentText().strip()}」はこの推進員の"
                                                 "区市町村にありません。一覧から選ぶか空欄にしてください。"))
        try:
            parse_minutes(self.minutes.text())
        except ValueError as error:
            errors.append(FieldError("minutes", str(error)))
        return errors

    def save_job(self, record: Activity) -> SaveJob:
        today = self.today()
        return lambda db, _ctx: activities_view.save_activity(db, record, today=today)

    def saved_id(self, result: Activity) -> str:
        return result.id

    def show_saved(self, result: Activity) -> None:
        self.set_record(result)
        self.context.status_did_change.emit("活動記録を保存しました。")
