"""A participant's own fields (issue 19): number (blank: the center's next generated one), birth year and month,
sex, center, the places attended from–to (a period added, or an open one ended on a day), and — only for whom
may see identities — name and よみ."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.fiscal import format_wareki_short
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp
from kaigo_desktop.gui.widgets.compact_date_edit import compact_date_edit
from kaigo_desktop.gui.widgets.vertical_scroll import VerticalScrollArea
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import participants_view
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.participants import ParticipantRecord


class ParticipantForm(QWidget):
    """`participant_did_save(Participant)` after a save; `period_did_end(participant id)` after a period ended."""

    participant_did_save = Signal(object)
    period_did_end = Signal(str)

    def __init__(self, context: AppContext, today: Callable[[], date], parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.today = today
        self.record: ParticipantRecord | None = None
        self._places: list = []  # Choice of every place, for the period picker
        self._dirty = False

        self.number = QLineEdit()
        self.number.setMaxLength(pr.NUMBER_MAX_CHARS)
        self.number.setPlaceholderText("空欄なら自動で付番")
        self.birth_year = QSpinBox()
        self.birth_year.setRange(1900, 2100)
        self.birth_year.setSuffix("年")
        self.birth_month = QSpinBox()
        self.birth_month.setRange(1, 12)
        self.birth_month.setSuffix("月")
        birth = QHBoxLayout()
        birth.addWidget(self.birth_year)
        birth.addWidget(self.birth_month)
        birth.addStretch(1)
        self.sex = QComboBox()
        self.sex.addItems(pr.SEXES)
        self.center = QComboBox()
        self.name = QLineEdit()
        self.name.setMaxLength(pr.NAME_MAX_CHARS)
        self.name.setPlaceholderText("センターが記録する場合のみ")
        self.kana = QLineEdit()
        self.kana.setMaxLength(pr.NAME_MAX_CHARS)
        self.identity_note = QLabel("氏名・よみは、この参加者のセンターの職員と区市町村管理者だけが見られます。")
        self.identity_note.setWordWrap(True)
        self.periods_label = QLabel("—")
        self.periods_label.setWordWrap(True)
        self.place = QComboBox()
        self.place.addItem("（追加しない）", None)
        self.start = compact_date_edit(WarekiDateEdit())
        self.end = compact_date_edit(WarekiDateEdit(optional=True, none_label="参加中"))
        self.ending = QComboBox()  # the open periods, one of which 「参加を終える」 ends
        self.ending_date = compact_date_edit(WarekiDateEdit())
        self.end_button = QPushButton("参加を終える")
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b00020;")
        self.save_button = QPushButton("保存(&S)")

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("参加者番号(&B)", self.number)
        form.addRow("生まれ年月", birth)
        form.addRow("性別", self.sex)
        form.addRow("センター(&C)", self.center)
        form.addRow("氏名", self.name)
        form.addRow("よみ", self.kana)
        form.addRow(self.identity_note)
        form.addRow("参加している通いの場", self.periods_label)
        ending = QHBoxLayout()
        ending.addWidget(self.ending_date)
        ending.addWidget(self.end_button)
        ending.addStretch(1)
        form.addRow("参加を終える通いの場(&E)", self.ending)
        form.addRow("その終了日", ending)
        form.addRow("通いの場を追加(&L)", self.place)
        form.addRow("参加開始日", self.start)
        form.addRow("参加終了日", self.end)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        fields = QWidget()  # scrolls at 200 % text on a 768 px screen; 保存 stays in sight below it
        fields_layout = QVBoxLayout(fields)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        fields_layout.addLayout(form)
        fields_layout.addWidget(self.problem_label)
        fields_layout.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(VerticalScrollArea(fields), 1)
        layout.addLayout(buttons)
        for edit in (self.number, self.name, self.kana):
            edit.textEdited.connect(self._edited)
        for spin in (self.birth_year, self.birth_month):
            spin.valueChanged.connect(self._edited)
        for combo in (self.sex, self.center, self.place):
            combo.activated.connect(self._edited)
        self.center.currentIndexChanged.connect(lambda _i: self._show_identity_fields())
        self.save_button.clicked.connect(lambda: self.save())
        self.end_button.clicked.connect(lambda: self.end_period())
        self.set_record(None)

    def _edited(self, *_args) -> None:
        self._dirty = True

    def set_choices(self, centers: list, places: list) -> None:
        chosen = self.center.currentData()
        self.center.blockSignals(True)
        self.center.clear()
        for choice in centers:
            self.center.addItem(choice.label, choice.id)
        self.center.setCurrentIndex(max(0, self.center.findData(chosen)))
        self.center.blockSignals(False)
        self._places = places
        self.place.clear()
        self.place.addItem("（追加しない）", None)
        for choice in places:
            self.place.addItem(choice.label, choice.id)
        self._show_identity_fields()

    def set_record(self, record: ParticipantRecord | None, *, center_id: str | None = None) -> None:
        """Show a stored participant, or a new one (record None) at `center_id`."""
        self.record = record
        self._dirty = False
        self.problem_label.clear()
        self.place.setCurrentIndex(0)
        self.start.set_value(self.today())
        self.end.set_value(None)
        self.ending_date.set_value(self.today())
        self.ending.clear()
        for attendance, name in record.attendance if record is not None else ():
            if attendance.end_date is None:
                self.ending.addItem(f"{name}（{format_wareki_short(attendance.start_date)}〜）", attendance.id)
        if not self.ending.count():
            self.ending.addItem("（参加中の通いの場はありません）", None)
        if record is None:
            self.number.clear()
            self.birth_year.setValue(self.today().year - 75)
            self.birth_month.setValue(1)
            self.sex.setCurrentIndex(1)
            self.center.setCurrentIndex(max(0, self.center.findData(center_id)))
            self.name.clear()
            self.kana.clear()
            self.periods_label.setText("—")
        else:
            s = record.summary
            self.number.setText(s.number)
            self.birth_year.setValue(s.birth_year)
            self.birth_month.setValue(s.birth_month)
            self.sex.setCurrentText(s.sex)
            self.center.setCurrentIndex(max(0, self.center.findData(s.center_id)))
            self.name.setText(s.name or "")
            self.kana.setText(s.kana or "")
            self.periods_label.setText("\n".join(
                f"{name}　{format_wareki_short(a.start_date)}〜{format_wareki_short(a.end_date) if a.end_date else '参加中'}"
                for a, name in record.attendance) or "—")
        self._show_identity_fields()
        self._dirty = False  # the spin boxes said "changed" while being filled

    def _identity_allowed(self) -> bool:
        if self.record is not None:
            return self.record.summary.identity_shown
        return roles.may(self.context.actor, roles.SEE_IDENTITIES, center_id=self.center.currentData())

    def _may_write(self) -> bool:
        center_id = self.record.summary.center_id if self.record is not None else self.center.currentData()
        return not self.context.read_only and roles.may(self.context.actor, roles.WRITE_PARTICIPANTS,
                                                        center_id=center_id)

    def _show_identity_fields(self) -> None:
        shown = self._identity_allowed()
        for edit in (self.name, self.kana):
            edit.setEnabled(shown)
            if not shown:
                edit.clear()
                edit.setPlaceholderText("（非表示）")
        self.save_button.setEnabled(self._may_write())
        can_end = self._may_write() and self.ending.currentData() is not None
        for widget in (self.ending, self.ending_date, self.end_button):
            widget.setEnabled(can_end)

    def participant(self) -> pr.Participant:
        shown = self._identity_allowed()
        return pr.Participant(self.center.currentData() or "", self.number.text().strip(), self.birth_year.value(),
                              self.birth_month.value(), self.sex.currentText(),
                              name=self.name.text().strip() if shown else "",
                              kana=self.kana.text().strip() if shown else "",
                              id=self.record.summary.id if self.record is not None else "")

    def new_period(self) -> pr.Attendance | None:
        place_id = self.place.currentData()
        if place_id is None:
            return None
        return pr.Attendance("", place_id, self.start.value(), self.end.value())

    def save(self, then: Callable[[bool], None] | None = None) -> None:
        done = then or (lambda _ok: None)
        problems = [f"参加開始日: {p}" for p in [self.start.problem()] if p and self.place.currentData()]
        if problems:
            self.problem_label.setText("\n".join(problems))
            done(False)
            return
        participant, period, today = self.participant(), self.new_period(), self.today()

        def saved(result: pr.Participant) -> None:
            self._dirty = False
            self.problem_label.clear()
            self.participant_did_save.emit(result)
            done(True)

        CollectionOp(self, self.context,
                     lambda db, _ctx: participants_view.save_participant(db, participant, period, today=today),
                     changes=lambda saved_one: Changes.of("participants", [saved_one.id])) \
            .disabling(self.save_button).success(saved).failure(self._refusal_shown(done)).run_in_background()

    def end_period(self, then: Callable[[bool], None] | None = None) -> None:
        """The chosen open period gets the end date (participants_view.end_period: the domain's period rule and
        the participant's rights); the record is shown again after it."""
        done = then or (lambda _ok: None)
        attendance_id, day = self.ending.currentData(), self.ending_date.value()
        problem = self.ending_date.problem()
        if attendance_id is None or self.record is None or problem or day is None:
            self.problem_label.setText(f"参加終了日: {problem or '日付を入力してください。'}" if attendance_id else "")
            done(False)
            return
        participant_id, today = self.record.summary.id, self.today()

        def ended(_result: pr.Attendance) -> None:
            self.problem_label.clear()
            self.period_did_end.emit(participant_id)
            done(True)

        CollectionOp(self, self.context,
                     lambda db, _ctx: participants_view.end_period(db, attendance_id, day, today=today),
                     changes=Changes.of("participant_places", [attendance_id])) \
            .disabling(self.end_button).success(ended).failure(self._refusal_shown(done)).run_in_background()

    def _refusal_shown(self, done: Callable[[bool], None]) -> Callable[[BaseException], None]:
        """A failure handler: a refusal (UserFacingError) shown under the form, anything else raised as a bug."""

        def failed(error: BaseException) -> None:
            if not isinstance(error, UserFacingError):
                raise error
            self.problem_label.setText(str(error))
            done(False)

        return failed

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def discard_changes(self) -> None:
        self.set_record(self.record)

    def write_widgets(self) -> list[QWidget]:
        return [self.save_button, self.end_button]
