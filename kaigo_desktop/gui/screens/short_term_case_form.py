"""The form of one 短期集中予防サービス case (issue 19), in a dialog opened from the case lists: referral,
initial assessment (its 基本チェックリスト chosen from the participant's checks, or none, and 握力 / 5m歩行 /
TUG), service period and sessions, re-assessment, 地域ケア会議, outcome (and the 通いの場 for 通いの場へ), and
the follow-ups at 6 and 12 months. Text is read by the domain's parsers and the record checked by the domain's
rules through the services (nothing saved on an error, the messages next to the fields); the period warning is
shown as the dates change, never blocking. Read-only for whom may not write the participant's records; the
地域ケア会議's decision arrives hidden from whom may not see identities (the services hide it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import checklist, roles
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import format_wareki_short
from kaigo_desktop.domain.validation import FieldError
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, is_user_error
from kaigo_desktop.gui.widgets.column_widths import on_font_change
from kaigo_desktop.gui.widgets.compact_date_edit import compact_date_edit
from kaigo_desktop.gui.widgets.dialog_parts import stacked
from kaigo_desktop.gui.widgets.form_errors import FormErrors
from kaigo_desktop.gui.widgets.record_form import RecordForm, SaveJob
from kaigo_desktop.gui.widgets.record_messages import confirm_delete
from kaigo_desktop.gui.widgets.vertical_scroll import VerticalScrollArea
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import participants, promoters_view, short_term_cases
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.participants import ParticipantRecord
from kaigo_desktop.services.promoters_view import Choice
from kaigo_desktop.services.short_term_cases import CaseSaved, CaseView

KIND = "short_term_cases"
STAGES = {"initial": "初回アセスメント", "final": "再アセスメント"}
UNDECIDED = "（未定）"
ATTENDING_CHOICES = ((None, "—"), (1, "はい（参加している）"), (0, "いいえ"))


def check_label(view: participants.CheckView) -> str:
    return f"{format_wareki_short(view.check.checked_on)}　{view.result.level_label}（該当{view.result.total}）"


def who_text(summary: participants.ParticipantSummary) -> str:
    return (f"参加者番号 {summary.number}" + (f"　{summary.name}" if summary.name else "")
            + f"　{summary.center_name}")


def narrow(edit: QLineEdit) -> None:
    """A field for a short number: about eight digits wide at any text size."""
    on_font_change(edit, lambda: edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0") * 8 + 16))


def _combo(items: list[tuple[object, str]], object_name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(object_name)
    for data, label in items:
        combo.addItem(label, data)
    return combo


def _choose(combo: QComboBox, data: object) -> None:
    combo.setCurrentIndex(max(0, combo.findData(data)))


class CaseForm(RecordForm):
    """`set_case(record, case, places)` shows a stored case (id set) or a new one of the participant;
    `save(then)` writes it (RecordForm; `record_did_save` carries the CaseSaved)."""

    record_kind = KIND

    def __init__(self, context: AppContext, today: Callable[[], date] = date.today, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.today = today
        self.participant: ParticipantRecord | None = None
        self._loaded: stc.ShortTermCase | None = None
        self._new: stc.ShortTermCase | None = None  # the case set_case showed (a new one: what 変更を取り消す gives back)
        self._places: list[Choice] = []
        self._build()
        self.set_editable(False)

    # ---- the editors ---------------------------------------------------------------------------

    def _date(self, name: str, *, optional: bool = True) -> WarekiDateEdit:
        edit = compact_date_edit(WarekiDateEdit(optional=optional, none_label="未入力"))
        edit.setObjectName(name)
        edit.date_did_change.connect(self._show_warning)
        return edit

    def _measure_row(self, stage: str) -> QHBoxLayout:
        row = QHBoxLayout()
        for name, (label, _bounds, unit) in stc.MEASURES.items():
            edit = QLineEdit()
            edit.setObjectName(f"{stage}_{name}")
            narrow(edit)
            setattr(self, f"{stage}_{name}", edit)
            row.addWidget(QLabel(label))
            row.addWidget(edit)
            row.addWidget(QLabel(unit))
        row.addStretch(1)
        return row

    def _build(self) -> None:
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        self.referred_on = self._date("referred_on", optional=False)
        self.referral_source = _combo([(s, s) for s in stc.REFERRAL_SOURCES], "referral_source")
        self.assessed_on = self._date("assessed_on")
        self.initial_check = _combo([(None, words.NONE)], "initial_check_id")
        self.service_start_on = self._date("service_start_on")
        self.service_end_on = self._date("service_end_on")
        self.sessions = QLineEdit()
        self.sessions.setObjectName("sessions")
        self.sessions.setPlaceholderText("例: 12")
        narrow(self.sessions)
        self.reassessed_on = self._date("reassessed_on")
        self.final_check = _combo([(None, words.NONE)], "final_check_id")
        self.meeting_on = self._date("meeting_on")
        self.meeting_decision = QLineEdit()
        self.meeting_decision.setObjectName("meeting_decision")
        self.meeting_decision.setMaxLength(stc.DECISION_MAX_CHARS)
        self.outcome = _combo([("", UNDECIDED), *((o, o) for o in stc.OUTCOMES)], "outcome")
        self.outcome_place = _combo([(None, words.CHOOSE)], "outcome_place_id")
        self.followups: dict[int, tuple[WarekiDateEdit, QComboBox, QComboBox]] = {}
        self.warning_label = QLabel()
        self.warning_label.setObjectName("case_period_warning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #8a5a00;")
        self.warning_label.hide()

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)

        def section(title: str) -> None:
            label = QLabel(title)
            label.setStyleSheet("font-weight: bold; margin-top: 6px;")
            form.addRow(label)

        section("紹介")
        form.addRow(words.required("紹介日"), self.referred_on)
        form.addRow(words.required("紹介元"), self.referral_source)
        for stage, title in STAGES.items():
            if stage == "final":
                section("サービス")
                form.addRow("サービス開始日", self.service_start_on)
                form.addRow("サービス終了日", self.service_end_on)
                sessions = QHBoxLayout()
                sessions.addWidget(self.sessions)
                sessions.addWidget(QLabel("回"))
                sessions.addStretch(1)
                form.addRow("実施回数", sessions)
                form.addRow(self.warning_label)
            section(title)
            form.addRow(f"{title}日", self.assessed_on if stage == "initial" else self.reassessed_on)
            form.addRow("基本チェックリスト", self.initial_check if stage == "initial" else self.final_check)
            form.addRow("測定", self._measure_row(stage))
        section("地域ケア会議・結果")
        form.addRow("地域ケア会議の日", self.meeting_on)
        form.addRow("会議の決定", self.meeting_decision)
        form.addRow("結果", self.outcome)
        form.addRow("つないだ通いの場", self.outcome_place)
        for months in (6, 12):
            section(f"{months}か月後の追跡")
            on = self._date(f"followup{months}_on")
            attending = _combo(list(ATTENDING_CHOICES), f"followup{months}_attending")
            level = _combo([(None, "—"), *((k, checklist.LEVEL_LABELS[k]) for k in checklist.LEVELS)],
                           f"followup{months}_level")
            self.followups[months] = (on, attending, level)
            form.addRow("追跡日", on)
            form.addRow("通いの場への参加", attending)
            form.addRow("状態", level)

        self.error_label = QLabel()
        editors: dict[str, QWidget] = {
            "participant_id": self.heading, "referred_on": self.referred_on.editor,
            "referral_source": self.referral_source, "assessed_on": self.assessed_on.editor,
            "initial_check_id": self.initial_check, "service_start_on": self.service_start_on.editor,
            "service_end_on": self.service_end_on.editor, "sessions": self.sessions,
            "reassessed_on": self.reassessed_on.editor, "final_check_id": self.final_check,
            "meeting_on": self.meeting_on.editor, "meeting_decision": self.meeting_decision,
            "outcome": self.outcome, "outcome_place_id": self.outcome_place}
        for stage in STAGES:
            for name in stc.MEASURES:
                editors[f"{stage}_{name}"] = getattr(self, f"{stage}_{name}")
        for months, (on, attending, level) in self.followups.items():
            editors.update({f"followup{months}_on": on.editor, f"followup{months}_attending": attending,
                            f"followup{months}_level": level})
        # Sorted as the form shows them, so the first message is about the first field in error.
        self.errors = FormErrors(self.error_label, editors)
        # The messages and 保存 stay in sight below the scrolling form: the dialog places them (footer).
        self.buttons = self.save_buttons()
        stacked(self, self.heading, form, 1)
        self.enter_moves_focus()
        self.set_up_saving()
        self.outcome.currentIndexChanged.connect(lambda _i: self._outcome_changed())
        for edit in (self.sessions,):
            edit.textEdited.connect(lambda _t: self._show_warning())

    # ---- showing a case -----------------------------------------------------------------------

    def set_case(self, record: ParticipantRecord, case: stc.ShortTermCase, places: list[Choice], *,
                 writable: bool) -> None:
        """Show `case` (stored when it has an id) of the participant `record`; `places`: the 通いの場 choices."""
        self.errors.clear()
        self.participant = record
        self._loaded = case if case.id else None
        self._new, self._places = case, places
        for combo in (self.initial_check, self.final_check):
            combo.clear()
            combo.addItem(words.NONE, None)
            for view in record.checks:
                combo.addItem(check_label(view), view.check.id)
        self.outcome_place.clear()
        self.outcome_place.addItem(words.CHOOSE, None)
        for choice in places:
            self.outcome_place.addItem(choice.label, choice.id)
        self.referred_on.set_value(case.referred_on)
        _choose(self.referral_source, case.referral_source)
        for name in ("assessed_on", "service_start_on", "service_end_on", "reassessed_on", "meeting_on"):
            getattr(self, name).set_value(getattr(case, name))
        _choose(self.initial_check, case.initial_check_id)
        _choose(self.final_check, case.final_check_id)
        for stage in STAGES:
            for name in stc.MEASURES:
                value = getattr(case, f"{stage}_{name}")
                getattr(self, f"{stage}_{name}").setText("" if value is None else f"{value:g}")
        self.sessions.setText("" if case.sessions is None else str(case.sessions))
        self.meeting_decision.setText(case.meeting_decision)
        _choose(self.outcome, case.outcome)
        _choose(self.outcome_place, case.outcome_place_id)
        for months, (on, attending, level) in self.followups.items():
            on.set_value(getattr(case, f"followup{months}_on"))
            _choose(attending, getattr(case, f"followup{months}_attending"))
            _choose(level, getattr(case, f"followup{months}_level"))
        title = "短期集中予防サービスの記録" if case.id else "新しい短期集中予防サービスの記録"
        self.heading.setText(f"{title}\n{who_text(record.summary)}")
        self.set_editable(writable)
        self.meeting_decision.setEnabled(writable and record.summary.identity_shown and not self.is_read_only)
        self._outcome_changed()
        self._show_warning()
        self.take_baseline()

    def _outcome_changed(self) -> None:
        # The place is asked for only with 通いの場へ (the domain refuses one with any other outcome).
        self.outcome_place.setEnabled(not self.is_read_only and self.outcome.currentData() == stc.TO_PLACE)

    def _show_warning(self) -> None:
        warning = stc.service_period_warning(self.record()) if self.participant is not None else None
        self.warning_label.setText(f"⚠ {warning}" if warning else "")
        self.warning_label.setVisible(bool(warning))

    # ---- reading the editors ------------------------------------------------------------------

    def _measure(self, stage: str, name: str) -> float | None:
        found = stc.parse_measure(getattr(self, f"{stage}_{name}").text(), name)
        return None if found is None else float(found)

    def _sessions(self) -> int | None:
        text = self.sessions.text()
        return None if not text.strip() else stc.parse_sessions(text)

    def input_errors(self) -> list[FieldError]:
        errors = []
        for stage in STAGES:
            for name in stc.MEASURES:
                try:
                    self._measure(stage, name)
                except ValueError as error:
                    errors.append(FieldError(f"{stage}_{name}", f"{STAGES[stage]}: {error}"))
        try:
            self._sessions()
        except ValueError as error:
            errors.append(FieldError("sessions", str(error)))
        return errors

    def record(self) -> stc.ShortTermCase:
        """The case as the editors hold it (a measure or count that does not parse: None; input_errors says)."""
        def lenient(read: Callable[[], object]) -> object:
            try:
                return read()
            except ValueError:
                return None

        values: dict[str, object] = {
            "referred_on": self.referred_on.value(), "referral_source": self.referral_source.currentData(),
            "initial_check_id": self.initial_check.currentData(), "final_check_id": self.final_check.currentData(),
            "sessions": lenient(self._sessions), "outcome": self.outcome.currentData() or "",
            "outcome_place_id": (self.outcome_place.currentData()
                                 if self.outcome.currentData() == stc.TO_PLACE else None)}
        for name in ("assessed_on", "service_start_on", "service_end_on", "reassessed_on", "meeting_on"):
            values[name] = getattr(self, name).value()
        for stage in STAGES:
            for name in stc.MEASURES:
                values[f"{stage}_{name}"] = lenient(lambda s=stage, n=name: self._measure(s, n))
        for months, (on, attending, level) in self.followups.items():
            values.update({f"followup{months}_on": on.value(), f"followup{months}_attending": attending.currentData(),
                           f"followup{months}_level": level.currentData()})
        if self.participant is None or self.participant.summary.identity_shown:  # else it holds 「（非表示）」
            values["meeting_decision"] = self.meeting_decision.text().strip()
        base = self._loaded or stc.ShortTermCase(self.participant.summary.id if self.participant else "",
                                                 self.today(), stc.REFERRAL_SOURCES[0])
        return dataclasses.replace(base, **values)  # type: ignore[arg-type]

    def state(self) -> tuple:
        texts = [getattr(self, f"{stage}_{name}").text().strip() for stage in STAGES for name in stc.MEASURES]
        return self.record(), self.sessions.text().strip(), *texts

    def write_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = [
            self.referred_on, self.referral_source, self.assessed_on, self.initial_check, self.service_start_on,
            self.service_end_on, self.sessions, self.reassessed_on, self.final_check, self.meeting_on,
            self.meeting_decision, self.outcome, self.outcome_place, self.save_button, self.revert_button]
        widgets += [getattr(self, f"{stage}_{name}") for stage in STAGES for name in stc.MEASURES]
        for on, attending, level in self.followups.values():
            widgets += [on, attending, level]
        return [w for w in widgets if w is not None]

    # ---- saving (RecordForm) -----------------------------------------------------------------

    def is_stored(self) -> bool:
        return self._loaded is not None

    def shown_record_id(self) -> str:
        return self._loaded.id if self._loaded is not None else ""

    def shown_record_label(self) -> str:
        return "短期集中予防サービスの記録"

    def reload(self) -> None:
        if self.participant is not None:
            self.set_case(self.participant, self._loaded or self._new, self._places, writable=not self.is_read_only)

    def save_job(self, record: stc.ShortTermCase) -> SaveJob:
        today = self.today()
        if record.id:
            return lambda db, _ctx: short_term_cases.update_case(db, record, today=today)
        return lambda db, _ctx: short_term_cases.add_case(db, record, today=today)

    def saved_id(self, result: CaseSaved) -> str:
        return result.case.id

    def show_saved(self, result: CaseSaved) -> None:
        self._loaded = result.case
        self.take_baseline()
        self.context.status_did_change.emit("　".join(["短期集中予防サービスの記録を保存しました。", *result.warnings]))


class CaseDialog(QDialog):
    """A case opened from a list: loads the participant's record (its checks to choose from; audited) and the
    case, shows them in a CaseForm, and closes once saved or removed (`case_did_change` then)."""

    case_did_change = Signal()

    def __init__(self, context: AppContext, participant_id: str, case_id: str | None = None, *,
                 today: Callable[[], date] = date.today, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("short_term_case_dialog")
        self.context = context
        self.today = today
        self.setWindowTitle("短期集中予防サービスの記録")
        self.form = CaseForm(context, today)
        self.loaded = False
        self.delete_button = QPushButton(f"{words.DELETE}…")
        self.delete_button.setObjectName("case_delete")
        self.delete_button.setEnabled(False)
        self.close_button = QPushButton(words.CLOSE)
        self.read_only_note = QLabel("この記録を変更できるのは、参加者のセンターの職員と区市町村管理者です（閲覧のみ）。")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only_note)
        layout.addWidget(VerticalScrollArea(self.form), 1)
        layout.addWidget(self.form.error_label)
        self.form.buttons.insertWidget(0, self.delete_button)
        self.form.buttons.addWidget(self.close_button)
        layout.addLayout(self.form.buttons)
        for button in self.findChildren(QPushButton):  # Enter moves between fields: it never presses 削除
            button.setAutoDefault(False)
            button.setDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.delete_button.clicked.connect(lambda _checked=False: self.delete_case())
        self.form.record_did_save.connect(lambda _saved: self._changed())
        self._load(participant_id, case_id)

    def _load(self, participant_id: str, case_id: str | None) -> None:
        def job(db, _ctx):
            record = participants.show_participant(db, participant_id)
            view = short_term_cases.show_case(db, case_id) if case_id else None
            # The 通いの場 to connect to: those of the participant's 区市町村.
            code = next((c.municipality_code for c in promoters_view.center_choices(db)
                         if c.id == record.summary.center_id), None)
            return record, view, promoters_view.place_choices(db, code)

        QueryOp(self, self.context, job).success(lambda found: self._show(*found)).failure(self._load_failed) \
            .run_in_background()

    def _load_failed(self, error: BaseException) -> None:
        if not is_user_error(error):  # a bug: the application's exception hook
            raise error
        self.read_only_note.setText(f"記録を開けませんでした：{error}")  # e.g. a view that cannot be audited
        self.read_only_note.show()

    def _show(self, record: ParticipantRecord, view: CaseView | None, places: list[Choice]) -> None:
        summary = record.summary
        writable = (not self.context.read_only and summary.identity_shown
                    and roles.may(self.context.actor, roles.WRITE_PARTICIPANTS, center_id=summary.center_id))
        case = view.case if view is not None else stc.ShortTermCase(summary.id, self.today(), stc.REFERRAL_SOURCES[0])
        self.form.set_case(record, case, places, writable=writable)
        self.read_only_note.setVisible(not writable)
        self.delete_button.setEnabled(writable and bool(case.id))
        self.loaded = True
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """As large as the form wants, within the window (or screen) it opens over: the form scrolls."""
        owner = self.parentWidget().window() if self.parentWidget() is not None else None
        room = owner.size() if owner is not None else QGuiApplication.primaryScreen().availableSize()
        hint = self.sizeHint()
        form_height = self.form.sizeHint().height() + 120
        self.resize(min(max(hint.width(), self.form.sizeHint().width() + 60), room.width()),
                    min(form_height, room.height()))

    def _changed(self) -> None:
        self.case_did_change.emit()
        self.accept()

    def delete_case(self) -> None:
        case_id = self.form.shown_record_id()
        if not case_id or not confirm_delete(self, "この短期集中予防サービスの記録"):
            return
        CollectionOp(self, self.context, lambda db, _ctx: short_term_cases.remove_case(db, case_id),
                     changes=Changes.of(KIND, [case_id])) \
            .disabling(self.delete_button).success(lambda _r: self._removed()) \
            .run_in_background()  # a refusal (the rights …) is shown in a message box

    def _removed(self) -> None:
        self.context.status_did_change.emit(words.moved_to_trash("短期集中予防サービスの記録"))
        self._changed()

    def reject(self) -> None:
        """Closing with unsaved edits asks first: save, discard or stay."""
        if not self.form.has_unsaved_changes():
            super().reject()
            return
        answer = QMessageBox.question(
            self, "未保存の変更", "短期集中予防サービスの記録に保存していない変更があります。保存しますか？",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            self.form.save()  # closes the dialog once saved; a refusal shows why and keeps it open
        elif answer == QMessageBox.StandardButton.Discard:
            self.form.discard_changes()
            super().reject()
