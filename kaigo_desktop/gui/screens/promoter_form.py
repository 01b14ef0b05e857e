"""The detail form of one 推進員: entry with inline validation, and the cap warning shown (never blocking)
as soon as the placement being entered would exceed the municipality's subsidised number."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.records import Promoter
from kaigo_desktop.domain.period_lock import PROMOTER_FIELDS_FROZEN_BY_LOCK
from kaigo_desktop.domain.text import to_katakana
from kaigo_desktop.domain.validation import FieldError
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
from kaigo_desktop.gui.widgets.record_messages import is_user_error
from kaigo_desktop.gui.widgets.type_ahead_combo import TypeAheadCombo
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import approval, promoters_view
from kaigo_desktop.services.database_defaults import center_to_preselect
from kaigo_desktop.services.promoters_view import ReferenceLists, SavedPromoter

BANNER_STYLE = ("background: #fff3b0; color: #5c4400; border: 1px solid #e0b800; border-radius: 3px;"
                " padding: 6px;")
PREVIEW_DELAY_MS = 250


class PromoterForm(RecordForm):
    """`set_record(promoter or None)` shows a stored promoter or starts a new one; `save(then)` writes it
    (RecordForm; `record_did_save` carries the SavedPromoter)."""

    record_kind = "promoters"

    def __init__(self, context: AppContext, today: Callable[[], date] = date.today,
                 parent: QWidget | None = None):
        super().__init__(context, parent)
        self.today = today
        self._reference: ReferenceLists | None = None
        self._default_center = ""  # the database's default center, for a new promoter after 「元に戻す」
        self._loaded: Promoter | None = None  # the stored record shown (None: a new one)
        self._saved_warnings: tuple[str, ...] = ()
        self._preview_generation = 0
        self._build()
        self.set_editable(False)

    # ---- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        self.heading = QLabel("一覧から推進員を選ぶか、「新規」（Ctrl+N）で追加してください。")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        self.name = QLineEdit()
        self.name.setPlaceholderText("例：山田 花子")
        self.kana = QLineEdit()
        self.kana.setPlaceholderText("例：ヤマダ ハナコ")
        self.kana.setToolTip("ひらがなで入力してもカタカナで保存します")
        self.municipality = TypeAheadCombo(placeholder="区市町村名を入力して選択")
        self.center = TypeAheadCombo(none_label=words.NONE)
        self.qualification = QComboBox()
        # No 職種 is chosen for the user: a preselected first entry gets saved unread.
        self.qualification.setPlaceholderText(words.CHOOSE)
        self.start_date = compact_date_edit(WarekiDateEdit())
        self.end_date = compact_date_edit(WarekiDateEdit(optional=True, none_label="在職中"))
        self.contact = QLineEdit()
        self.contact.setPlaceholderText("電話番号・メールなど")
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        on_font_change(self.notes, lambda: self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4 + 12))
        fields = QFormLayout()
        fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, editor in ((words.required("氏名"), self.name), ("フリガナ", self.kana),
                              (words.required("区市町村"), self.municipality), (words.CENTER, self.center),
                              (words.required("職種"), self.qualification), (words.required("配置開始日"), self.start_date), ("配置終了日", self.end_date),
                              ("連絡先", self.contact), ("備考", self.notes)):
            fields.addRow(label, editor)
        self.banner = QLabel()
        self.banner.setObjectName("cap_warning")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.error_label = QLabel()
        self.errors = FormErrors(self.error_label, {
            "name": self.name, "kana": self.kana, "municipality_code": self.municipality,
            "center_id": self.center, "qualification": self.qualification,
            # the date box itself: a style on the composite would frame its 和暦 label and checkbox too
            "start_date": self.start_date.editor, "end_date": self.end_date.editor,
            "contact": self.contact, "notes": self.notes})
        stacked(self, self.heading, self.lock_label, fields, self.banner, self.error_label, self.save_buttons(), 1)
        self.enter_moves_focus()
        self.set_up_saving()
        self.municipality.value_did_change.connect(self._municipality_changed)
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._start_preview)
        for signal in (self.municipality.value_did_change, self.start_date.date_did_change,
                       self.end_date.date_did_change):
            signal.connect(self._schedule_preview)

    # ---- reference lists and records -----------------------------------------------------------

    def set_reference(self, reference: ReferenceLists) -> None:
        """Fill the pickers (values being edited stay)."""
        self._reference = reference
        self.municipality.set_choices([(c.id, c.label, c.kana, c.id) for c in reference.municipalities])
        refill_keeping_text(self.qualification, reference.qualifications)  # a placeholder: -1 stays -1
        self._municipality_changed()

    def _municipality_changed(self) -> None:
        centers = self._reference.centers.get(str(self.municipality.value() or ""), []) if self._reference else []
        self.center.set_choices([(c.id, c.label) for c in centers])

    def new_promoter(self, municipality_code: str, default_center: str = "") -> Promoter:
        """A blank promoter of the 区市町村: its センター the database's default or the only one there is
        (database_defaults.center_to_preselect), no 職種 chosen."""
        self._default_center = default_center
        centers = self._reference.centers.get(municipality_code, []) if self._reference else []
        center_id = center_to_preselect([c.id for c in centers], default_center)
        return Promoter(municipality_code, "", "", self.today(), center_id=center_id)

    def set_record(self, promoter: Promoter | None, *, read_only: bool = False,
                   warnings: tuple[str, ...] = ()) -> None:
        """Show a stored promoter (id set), a new one (no id), or nothing (None)."""
        self.errors.clear()
        self.forget_lock()
        self._loaded = promoter if promoter is not None and promoter.id else None
        self._saved_warnings = warnings
        self._show_banner(list(warnings))
        if promoter is None:
            self.heading.setText("一覧から推進員を選ぶか、「新規」（Ctrl+N）で追加してください。")
            self.forget_baseline()
            self.set_editable(False)
            return
        self.name.setText(promoter.name)
        self.kana.setText(promoter.kana)
        self.municipality.set_value(promoter.municipality_code)
        self.center.set_value(promoter.center_id)
        self.qualification.setCurrentIndex(self.qualification.findText(promoter.qualification))
        self.start_date.set_value(promoter.start_date)
        self.end_date.set_value(promoter.end_date)
        self.contact.setText(promoter.contact)
        self.notes.setPlainText(promoter.notes)
        deleted = promoter.meta.deleted_at is not None
        self.heading.setText((words.in_trash_note(words.PROMOTER) if deleted else "推進員の詳細")
                             if promoter.id else "新しい推進員")
        self.set_editable(not (read_only or deleted))
        self.take_baseline()
        if promoter.id and not (read_only or deleted):
            self.check_lock(promoter)
        if not promoter.id:
            self._schedule_preview()

    def loaded(self) -> Promoter | None:
        return self._loaded

    def shown_record_id(self) -> str:
        return self._loaded.id if self._loaded is not None else ""

    def shown_record_label(self) -> str:
        return self._loaded.name if self._loaded is not None else ""

    def record(self) -> Promoter:
        """The promoter as the editors hold it."""
        base = self._loaded or Promoter("", "", "", self.today())
        return dataclasses.replace(
            base, municipality_code=str(self.municipality.value() or ""), name=self.name.text().strip(),
            kana=to_katakana(self.kana.text().strip()), center_id=self.center.value() or None,  # type: ignore[arg-type]
            qualification=self.qualification.currentText(), start_date=self.start_date.value(),
            end_date=self.end_date.value(), contact=self.contact.text().strip(),
            notes=self.notes.toPlainText().strip())

    def write_widgets(self) -> list[QWidget]:
        """The editors and buttons (disabled for a deleted promoter, and all along in a read-only database)."""
        return [self.name, self.kana, self.municipality, self.center, self.qualification, self.start_date,
                self.end_date, self.contact, self.notes, self.save_button, self.revert_button]

    def lock_reason_job(self, record: Promoter):
        return lambda db: approval.frozen_fields_reason(db, "promoters", record.id)

    def frozen_by_lock(self) -> dict[str, QWidget]:
        editors = {"start_date": self.start_date, "end_date": self.end_date}
        return {name: editors.get(name) or self.errors.editors[name] for name in PROMOTER_FIELDS_FROZEN_BY_LOCK}

    # ---- saving (RecordForm) -------------------------------------------------------------------

    def state(self) -> Promoter:
        return self.record()

    def is_stored(self) -> bool:
        return self._loaded is not None

    def reload(self) -> None:
        baseline: Promoter = self._baseline  # type: ignore[assignment]  # set: discard_changes checked
        self.set_record(self._loaded or self.new_promoter(baseline.municipality_code, self._default_center),
                        warnings=self._saved_warnings)

    def input_errors(self) -> list[FieldError]:
        errors = []
        if self.municipality.has_unknown_text():
            errors.append(FieldError("municipality_code", f"区市町村「{self.municipality.currentText().strip()}」"
                                                          "が見つかりません。一覧から選んでください。"))
        elif not self.municipality.value():
            errors.append(FieldError("municipality_code", "区市町村を選んでください。"))
        if self.center.has_unknown_text():
            errors.append(FieldError("center_id", f"センター「{self.center.currentText().strip()}」が見つかりません。"
                                                  "一覧から選ぶか空欄にしてください。"))
        return errors

    def check_before_save(self, record: Promoter, then: Callable[[list[FieldError]], None]) -> None:
        """A new promoter whose name is like a stored one: the user is asked first."""
        self.ask_about_similar_name(record, then, is_new=self._loaded is None,
                                    refusal="似た名前の推進員があるため、追加を取り消しました。")

    def save_job(self, record: Promoter) -> SaveJob:
        today = self.today()
        return lambda db, _ctx: promoters_view.save_promoter(db, record, today=today)

    def saved_id(self, result: SavedPromoter) -> str:
        return result.promoter.id

    def show_saved(self, result: SavedPromoter) -> None:
        """A cap warning is shown but never stops the save."""
        self.set_record(result.promoter, warnings=result.warnings)
        if result.warnings:
            QMessageBox.warning(self, "推進員の配置人数", "保存しました。ただし次の点に注意してください。\n\n"
                                + "\n".join(result.warnings))

    # ---- the cap warning while editing ---------------------------------------------------------

    def _schedule_preview(self) -> None:
        if not self._read_only:
            self._preview_timer.start()

    def _start_preview(self) -> None:
        if self._read_only or self.municipality.value() is None:
            self._show_banner(list(self._saved_warnings))
            return
        self._preview_generation += 1
        generation, record, today = self._preview_generation, self.record(), self.today()
        self.context.run(lambda db, _ctx: promoters_view.preview_cap_warnings(db, record, today),
                         on_done=lambda warnings: self._preview_done(generation, warnings),
                         on_error=self._preview_failed)

    @staticmethod
    def _preview_failed(error: BaseException) -> None:
        if not is_user_error(error):  # a file problem shows nothing here: saving will tell
            raise error

    def _preview_done(self, generation: int, warnings: list[str]) -> None:
        if generation == self._preview_generation:
            self._show_banner(list(self._saved_warnings) + [w for w in warnings if w not in self._saved_warnings])

    def _show_banner(self, warnings: list[str]) -> None:
        self.banner.setText("⚠ " + "\n⚠ ".join(warnings) + "\n（保存はできます。）" if warnings else "")
        self.banner.setVisible(bool(warnings))

    def banner_text(self) -> str:
        """The cap warning shown, "" when none."""
        return "" if self.banner.isHidden() else self.banner.text()
