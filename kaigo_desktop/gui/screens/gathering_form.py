"""The one-gathering entry form of 開催記録, built for speed: Enter walks the fields, Ctrl+Enter saves, and after
a save the form stays on the place with the next date ready; 「前回と同じ」 copies the routine parts."""

from __future__ import annotations

import dataclasses
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of, format_wareki
from kaigo_desktop.domain.records import Gathering
from kaigo_desktop.domain.validation import FieldError, check_attendance
from kaigo_desktop.domain.vocab import PROFESSIONAL_KINDS, PROGRAM_TYPES
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import QueryOp
from kaigo_desktop.gui.screens.gathering_table_model import WEEKDAYS
from kaigo_desktop.gui.screens.same_day_question import (
    OPEN_EXISTING, SAME_DAY_REFUSAL, SAVE_ANYWAY, ask_same_day,
)
from kaigo_desktop.gui.widgets.column_widths import on_font_change
from kaigo_desktop.gui.widgets.count_and_time_edits import CountEdit, TimeEdit
from kaigo_desktop.gui.widgets.dialog_parts import button_row, stacked
from kaigo_desktop.gui.widgets.form_errors import FormErrors
from kaigo_desktop.gui.widgets.place_picker import PlaceChoiceModel, PlacePicker
from kaigo_desktop.gui.widgets.record_form import RecordForm, SaveJob
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.gui.roster_dialog import RosterDialog
from kaigo_desktop.services import approval, gatherings_view, records, rosters
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.gatherings_view import PlaceChoice, Prefill

ROSTER_BUTTON = "参加者を記録…"
COUNT_FIELDS = ("attendance_total", "male", "female", "age_under_65", "age_65_74", "age_75_plus",
                "new_participants")
_EMPTY_ROUTINE = ((False,) * len(PROGRAM_TYPES), "", "", (), None)
_MISMATCH_STYLE = "color: #b71c1c; background: #ffebee; padding: 2px;"
_MATCH_STYLE = "color: #1b5e20; padding: 2px;"


class GatheringForm(RecordForm):
    """New gatherings by default; `load(gathering)` edits one. `save(then)` (RecordForm); `record_did_save`
    carries (the saved gathering, the next date for a new one)."""

    record_kind = "gatherings"

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, places: PlaceChoiceModel | None = None):
        super().__init__(context, parent)
        self._places = places
        self._editing: Gathering | None = None
        self._promoters_of: str | None = None  # the 区市町村 whose promoters the combo lists
        self._pending_promoter: str | None = None
        self._prefilled: tuple | None = None  # the routine parts as 「前回と同じ」 last filled them
        self._build()
        self.set_editable(True)
        self._show_mode()
        self.take_baseline()

    # ---- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.mode_label = QLabel()
        self.mode_label.setObjectName("gathering_form_mode")
        self.place = PlacePicker(self, choices=self._places)
        self.held_on = WarekiDateEdit(self)
        self.counts = {name: CountEdit(self) for name in COUNT_FIELDS}
        self.programs = {code: QCheckBox(label, self) for code, label in PROGRAM_TYPES}
        self.professionals = QListWidget(self)
        self.professionals.setFlow(QListView.Flow.LeftToRight)
        self.professionals.setWrapping(True)
        self.professionals.setResizeMode(QListView.ResizeMode.Adjust)
        self.professionals.setSpacing(2)
        for kind in PROFESSIONAL_KINDS:
            item = QListWidgetItem(kind)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.professionals.addItem(item)
        on_font_change(self.professionals, lambda: self.professionals.setFixedHeight(
            self.professionals.fontMetrics().height() * 5 + 24))
        self.promoter = QComboBox(self)
        self.promoter.addItem(words.NONE, None)
        self.start_time, self.end_time = TimeEdit(self), TimeEdit(self)
        self.notes = QLineEdit(self)
        self.notes.setMaxLength(1000)
        self.totals = QLabel(self)
        self.totals.setObjectName("gathering_totals")
        self.hint = QLabel(self)
        self.hint.setStyleSheet("color: #555;")
        self.hint.setWordWrap(True)
        self.error_label = QLabel(self)
        self.roster_button = QPushButton(ROSTER_BUTTON, self)
        self.roster_button.setToolTip("この日に来た参加者を記録します（参加者を登録している通いの場）。"
                                      "この年度の参加者実人数は記録から計算します")
        self.roster_button.hide()  # shown for a stored gathering of a place with participants that day
        self.same_button = QPushButton("前回と同じ", self)
        self.same_button.setToolTip("この通いの場の直近の開催記録から、プログラム・時間・専門職・推進員を写します")
        self.clear_button = QPushButton(words.with_key(words.NEW, "Ctrl+N"), self)
        self.save_button = QPushButton(words.with_key(words.SAVE, "Ctrl+Enter"), self)
        self.save_button.setAutoDefault(True)  # Enter on the button saves: Enter, Enter … Enter, done
        self._lay_out()
        self._connect()

    def _lay_out(self) -> None:
        c = self.counts
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("通いの場", self.place)
        form.addRow("開催日", self.held_on)
        form.addRow("参加者数", self._row(c["attendance_total"], QLabel("うち新規"), c["new_participants"]))
        form.addRow("性別", self._row(QLabel("男性"), c["male"], QLabel("女性"), c["female"]))
        form.addRow("年齢", self._row(QLabel("65歳未満"), c["age_under_65"], QLabel("65～74歳"), c["age_65_74"],
                                      QLabel("75歳以上"), c["age_75_plus"]))
        form.addRow("", self.totals)
        programs = QGridLayout()
        for index, box in enumerate(self.programs.values()):
            programs.addWidget(box, index // 3, index % 3)
        form.addRow("実施プログラム", programs)
        form.addRow("専門職の関与", self.professionals)
        form.addRow("推進員", self.promoter)
        form.addRow("時間", self._row(self.start_time, QLabel("～"), self.end_time))
        form.addRow("備考", self.notes)
        stacked(self, self.mode_label, self.lock_label, form, self.hint, self.error_label,
               button_row((self.make_history_button(), self.same_button, self.roster_button),
                          (self.clear_button, self.save_button)), 1)
        self.errors = FormErrors(self.error_label, {
            "place_id": self.place, "held_on": self.held_on.editor, **self.counts,
            "promoter_id": self.promoter, "start_time": self.start_time, "end_time": self.end_time,
            "notes": self.notes})
        chain = [self.place, self.held_on.editor, c["attendance_total"], c["new_participants"], c["male"],
                 c["female"], c["age_under_65"], c["age_65_74"], c["age_75_plus"], *self.programs.values(),
                 self.professionals, self.promoter, self.start_time, self.end_time, self.notes, self.save_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _row(*widgets: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _connect(self) -> None:
        self.enter_moves_focus()
        for box in self.programs.values():  # install() leaves buttons alone; on this form Enter moves on
            box.installEventFilter(self.enter)
        self.set_up_saving()
        self.clear_button.clicked.connect(lambda: self.new_entry(self.place.place()))
        self.same_button.clicked.connect(lambda: self.copy_last_time(force=True))
        self.roster_button.clicked.connect(self.open_roster)
        self.place.place_did_change.connect(self._place_changed)
        self.held_on.date_did_change.connect(self._show_mode)
        self.context.changes_did_happen.connect(self._changes_happened)
        for edit in self.counts.values():
            edit.textChanged.connect(self._update_totals)
        self._update_totals()

    # ---- public --------------------------------------------------------------------------------

    def set_place_choices(self, choices: list[PlaceChoice]) -> None:
        self.place.set_choices(choices)

    def new_entry(self, place: PlaceChoice | None = None, held_on: date | None = None) -> None:
        """An empty form for a new gathering (routine parts kept when the place stays the same)."""
        same_place = place is not None and self.place.place() is not None and place.id == self.place.place().id
        self._editing = None
        self.errors.clear()
        for edit in self.counts.values():
            edit.clear()
        self.notes.clear()
        if not same_place:
            self._clear_routine()
        self.place.set_place_id(place.id if place else None)
        if held_on is not None:
            self.held_on.set_value(held_on)
        self.set_locked(None)
        self._show_mode()
        self.take_baseline()
        self.roster_button.hide()  # a roster belongs to a saved gathering

    def load(self, gathering: Gathering) -> None:
        """Edit a stored gathering."""
        self.errors.clear()
        self.hint.clear()
        self._editing = gathering  # first: a place change must not pre-fill a stored record
        self.place.set_place_id(gathering.place_id)
        self.held_on.set_value(gathering.held_on)
        for name, edit in self.counts.items():
            edit.set_value(getattr(gathering, name))
        self._set_routine(gathering.programs, gathering.start_time, gathering.end_time, gathering.professionals,
                          gathering.promoter_id)
        self._prefilled = None
        self.notes.setText(gathering.notes)
        self._show_mode()
        self.take_baseline()
        self.check_lock(gathering)
        self._offer_roster(gathering)

    def editing_id(self) -> str:
        return self._editing.id if self._editing else ""

    def shown_record_id(self) -> str:
        return self.editing_id()

    def shown_record_label(self) -> str:
        if self._editing is None:
            return ""
        place = self.place.place()
        return f"{place.name if place else words.GATHERING} {format_wareki(self._editing.held_on)}"

    def has_unsaved_changes(self) -> bool:
        if self._editing is not None or self._read_only:
            return super().has_unsaved_changes()
        # A new record is worth keeping once a count or a note is in: place, date and routine parts alone
        # are what the form prepares by itself.
        return any(edit.text().strip() for edit in self.counts.values()) or bool(self.notes.text().strip())

    def focus_first(self) -> None:
        (self.held_on.editor if self.place.place() else self.place).setFocus()

    # ---- saving (RecordForm) -------------------------------------------------------------------

    def state(self) -> dict:
        return self._values()

    def is_stored(self) -> bool:
        return self._editing is not None

    def reload(self) -> None:
        if self._editing is not None:
            self.load(self._editing)
        else:
            self.new_entry(self.place.place())

    def write_widgets(self) -> list[QWidget]:
        return [self.place, self.held_on, *self.counts.values(), *self.programs.values(), self.professionals,
                self.promoter, self.start_time, self.end_time, self.notes, self.same_button, self.clear_button,
                self.save_button]

    def busy_widgets(self) -> list[QWidget]:
        return [self.save_button, self.clear_button]

    def check_before_save(self, record: Gathering, then) -> None:
        """A gathering of the same place and day already stored: open it, save this one too, or stop."""
        if self._editing is not None and (record.place_id, record.held_on) == (self._editing.place_id,
                                                                               self._editing.held_on):
            then([])  # a correction that keeps its place and date was asked about when it was made
            return
        place_id, held_on, exclude = record.place_id, record.held_on, record.id
        QueryOp(self, self.context, lambda db, _ctx: gatherings_view.same_day_gatherings(
            db, place_id, held_on, exclude_id=exclude)) \
            .success(lambda found: self._ask_same_day(record, found, then)) \
            .failure(lambda _error: then([])) \
            .run_in_background()  # the save that follows reports any real storage problem

    def _ask_same_day(self, record: Gathering, found: list[Gathering], then) -> None:
        if not found:
            then([])
            return
        answer = ask_same_day(self, self.place.place(), record, found)
        if answer == SAVE_ANYWAY:
            then([])
            return
        then([FieldError("held_on", SAME_DAY_REFUSAL)])
        if answer == OPEN_EXISTING:
            self.load(found[0])
            self.hint.setText(f"同じ日の記録を開きました（{format_wareki(found[0].held_on)}）。修正して保存できます。")

    def save_job(self, record: Gathering) -> SaveJob:
        today = date.today()

        def job(db, _ctx):
            if record.id:
                return records.update(db, record, today=today), None
            saved = records.add(db, record, today=today)
            return saved, gatherings_view.next_date(db, saved.place_id, saved.held_on, today)

        return job

    def saved_id(self, result: tuple[Gathering, date | None]) -> str:
        return result[0].id

    def show_saved(self, result: tuple[Gathering, date | None]) -> None:
        """A corrected gathering stays shown; after a new one the form is ready for the place's next date."""
        saved, next_day = result
        place = self.place.place()
        summary = f"{place.name if place else ''}　{format_wareki(saved.held_on)}　{saved.attendance_total}人"
        if self._editing is not None:
            self.load(saved)
            self.hint.setText(f"更新しました：{summary}")
        else:
            self.new_entry(place, next_day)
            self.hint.setText(f"保存しました：{summary}　続けて次の開催日を入力できます。")
            self.held_on.editor.setFocus()

    def copy_last_time(self, *, force: bool = False) -> None:
        """Fill programs, times, 専門職 and promoter from the place's latest gathering (only into an empty
        routine part unless forced by the button)."""
        place = self.place.place()
        if place is None:
            self.errors.show([FieldError("place_id", "先に通いの場を選んでください。")])
            return
        exclude = self.editing_id()
        self.context.run(lambda db, _ctx: gatherings_view.same_as_last_time(db, place.id, exclude_id=exclude),
                         on_done=lambda prefill: self._apply_prefill(place.id, prefill, force))

    # ---- the roster (who came) -------------------------------------------------------------------

    def _offer_roster(self, gathering: Gathering) -> None:
        """The 「参加者を記録…」 button, for a place with participants on the gathering's day."""
        self.roster_button.hide()
        place_id, held_on, gathering_id = gathering.place_id, gathering.held_on, gathering.id
        QueryOp(self, self.context, lambda db, _ctx: rosters.keeps_participants(db, place_id, held_on)) \
            .success(lambda shown: self.roster_button.setVisible(shown and self.editing_id() == gathering_id)) \
            .run_in_background()

    def open_roster(self) -> None:
        gathering_id = self.editing_id()
        if not gathering_id:
            return
        place = self.place.place()
        QueryOp(self, self.context, lambda db, _ctx: rosters.roster_of(db, gathering_id)) \
            .success(lambda view: self._show_roster(view, place.name if place else words.PLACE)) \
            .run_in_background()

    def _show_roster(self, view, place_name: str) -> None:
        self.roster_dialog = RosterDialog(self.context, view, place_name, self)
        self.roster_dialog.roster_did_save.connect(
            lambda present: self.hint.setText(f"参加者を{present:,}人記録しました。"))
        self.roster_dialog.open()

    # ---- the lock of a 年度 ------------------------------------------------------------------------

    def lock_reason_job(self, gathering: Gathering):
        place_id, fiscal_year = gathering.place_id, fiscal_year_of(gathering.held_on)
        return lambda db: approval.locked_reason_for_place(db, place_id, fiscal_year)

    def set_locked(self, reason: str | None) -> None:
        super().set_locked(reason)
        if self.is_locked and not self.context.read_only:
            self.clear_button.setEnabled(True)  # a new gathering (of an open 年度) can still be entered

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches("period_locks") and self._editing is not None:
            self.check_lock(self._editing)

    # ---- internals -----------------------------------------------------------------------------

    def _show_mode(self) -> None:
        """The title names the date being entered, so a date changed after a save is seen before the next."""
        held_on = self.held_on.value()
        shown = f"{format_wareki(held_on)}（{WEEKDAYS[held_on.weekday()]}）" if held_on else ""
        if self._editing is None:
            self.mode_label.setText(f"<b>新しい開催記録</b>　開催日 <b>{shown}</b>")
        else:
            moved = "" if held_on == self._editing.held_on else f" → <b>{shown}</b>"
            self.mode_label.setText(f"<b>開催記録の修正</b>　{format_wareki(self._editing.held_on)}{moved}"
                                    f"（最終更新 {self._editing.meta.updated_by or '—'}）")

    def _clear_routine(self) -> None:
        self._set_routine((), None, None, (), None)
        self._prefilled = None

    def _routine(self) -> tuple:
        """The parts 「前回と同じ」 fills, as they stand (a promoter still loading counts as chosen)."""
        return (tuple(box.isChecked() for box in self.programs.values()), self.start_time.text(),
                self.end_time.text(), self._checked_professionals(),
                self._pending_promoter or self.promoter.currentData())

    def _set_routine(self, programs, start_time, end_time, professionals, promoter_id) -> None:
        for code, box in self.programs.items():
            box.setChecked(code in programs)
        self.start_time.set_value(start_time)
        self.end_time.set_value(end_time)
        for row in range(self.professionals.count()):
            item = self.professionals.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.text() in professionals else Qt.CheckState.Unchecked)
        self._select_promoter(promoter_id)

    def _apply_prefill(self, place_id: str, prefill: Prefill | None, force: bool) -> None:
        current = self.place.place()
        if prefill is None or current is None or current.id != place_id:
            return  # the place changed meanwhile
        if not force and self._routine() not in (_EMPTY_ROUTINE, self._prefilled):
            return  # the user set these: picking another place must not overwrite them
        self._set_routine(prefill.programs, prefill.start_time, prefill.end_time, prefill.professionals,
                          prefill.promoter_id)
        self._prefilled = self._routine()
        if prefill.from_date:
            self.hint.setText(f"前回（{format_wareki(prefill.from_date)}）と同じ内容を入れました。")
        else:
            self.hint.setText("開催記録がまだないため、通いの場に登録されたプログラムを入れました。")

    def _checked_professionals(self) -> tuple[str, ...]:
        items = (self.professionals.item(row) for row in range(self.professionals.count()))
        return tuple(item.text() for item in items if item.checkState() == Qt.CheckState.Checked)

    def _place_changed(self, place: PlaceChoice | None) -> None:
        if place is not None and place.municipality_code != self._promoters_of:
            self._load_promoters(place.municipality_code)
        if place is not None and self._editing is None:
            self.copy_last_time()

    def _load_promoters(self, municipality_code: str) -> None:
        self._promoters_of = municipality_code
        self.context.run(lambda db, _ctx: gatherings_view.promoter_choices(db, municipality_code),
                         on_done=lambda choices: self._fill_promoters(municipality_code, choices))

    def _fill_promoters(self, municipality_code: str, choices) -> None:
        if municipality_code != self._promoters_of:
            return
        wanted = self._pending_promoter
        self.promoter.clear()
        self.promoter.addItem(words.NONE, None)
        for choice in choices:
            self.promoter.addItem(choice.name, choice.id)
        self._select_promoter(wanted)

    def _select_promoter(self, promoter_id: str | None) -> None:
        index = self.promoter.findData(promoter_id) if promoter_id else 0
        # A promoter not listed yet (the list is still loading) is selected when it arrives.
        self._pending_promoter = promoter_id if index < 0 else None
        self.promoter.setCurrentIndex(max(index, 0))

    def _update_totals(self) -> None:
        v = {name: edit.value() for name, edit in self.counts.items()}
        total = v["attendance_total"]
        sexes = [v[f] for f in ("male", "female") if v[f] is not None]
        ages = [v[f] for f in ("age_under_65", "age_65_74", "age_75_plus") if v[f] is not None]
        parts = [f"男女計 {sum(sexes)}人" if sexes else "男女計 —",
                 f"年齢計 {sum(ages)}人" if ages else "年齢計 —",
                 f"参加者数 {total}人" if total is not None else "参加者数 —"]
        problems = check_attendance(**v) if total is not None else []
        if problems:
            self.totals.setText("　".join(parts) + "\n" + "\n".join(f"⚠ {p.message}" for p in problems))
            self.totals.setStyleSheet(_MISMATCH_STYLE)
        else:
            self.totals.setText("　".join(parts))
            self.totals.setStyleSheet(_MATCH_STYLE if total is not None else "")
        self.totals.setProperty("mismatch", bool(problems))

    def _values(self) -> dict:
        return {"place": self.place.text(), "held_on": self.held_on.value(),
                **{name: edit.text() for name, edit in self.counts.items()},
                "programs": tuple(box.isChecked() for box in self.programs.values()),
                "professionals": self._checked_professionals(), "promoter": self.promoter.currentData(),
                "times": (self.start_time.text(), self.end_time.text()), "notes": self.notes.text()}

    def input_errors(self) -> list[FieldError]:
        """Problems the services cannot see: an unreadable time, a place not chosen or not found."""
        errors: list[FieldError] = []
        if self.place.place() is None:
            message = ("通いの場を選んでください。" if not self.place.text().strip()
                       else f"「{self.place.text().strip()}」に当てはまる通いの場が1つに決まりません。候補から選んでください。")
            errors.append(FieldError("place_id", message))
        for field, edit, label in (("start_time", self.start_time, "開始時刻"), ("end_time", self.end_time, "終了時刻")):
            try:
                edit.value()
            except ValueError:
                errors.append(FieldError(field, f"{label}は 10:00 のように入力してください。"))
        return errors

    def record(self) -> Gathering:
        """The gathering the form shows (input_errors has found none)."""
        place = self.place.place()
        base = self._editing or Gathering(place_id="", held_on=date.today(), attendance_total=0)
        return dataclasses.replace(
            base, place_id=place.id if place else "", held_on=self.held_on.value(),
            **{name: edit.value() for name, edit in self.counts.items()},
            programs=tuple(code for code, box in self.programs.items() if box.isChecked()),
            professionals=self._checked_professionals(), promoter_id=self.promoter.currentData(),
            notes=self.notes.text().strip(), start_time=self.start_time.value(), end_time=self.end_time.value())
