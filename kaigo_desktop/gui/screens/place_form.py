"""The detail form of one 通いの場: every field of the record, the five program types as checkboxes, the
promoters assigned over time (read-only here), inline validation messages and unsaved-change tracking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import format_wareki_short
from kaigo_desktop.domain.period_lock import PLACE_FIELDS_FROZEN_BY_LOCK
from kaigo_desktop.domain.records import Place
from kaigo_desktop.domain.place_details import parse_coordinate, parse_postal_code
from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.domain.validation import FieldError, count_units
from kaigo_desktop.domain.vocab import PROGRAM_TYPES
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.widgets import column_widths as widths
from kaigo_desktop.gui.widgets.column_widths import fit_columns, on_font_change
from kaigo_desktop.gui.widgets.enter_navigation import EnterMovesFocus
from kaigo_desktop.gui.widgets.form_errors import FormErrors
from kaigo_desktop.gui.widgets.choice_combo import ChoiceCombo
from kaigo_desktop.gui.widgets.record_form import RecordForm, SaveJob
from kaigo_desktop.gui.widgets.type_ahead_combo import TypeAheadCombo
from kaigo_desktop.gui.widgets.side_by_side import SideBySideRow
from kaigo_desktop.gui.widgets.vertical_scroll import VerticalScrollArea
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import places_view as pv
from kaigo_desktop.services.places_view import AssignedPromoter, PlaceDetail, PlaceFieldChoices


def promoter_period_text(promoter: AssignedPromoter) -> str:
    end = format_wareki_short(promoter.end_date) if promoter.end_date else "（継続中）"
    return f"{format_wareki_short(promoter.start_date)} ～ {end}"


class PlaceForm(RecordForm):
    """Saves on the 保存 button or Ctrl+Enter (RecordForm); `edits_did_change(dirty)` on every edit."""

    record_kind = "places"
    edits_did_change = Signal(bool)

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self._place = Place("", "")
        self._detail: PlaceDetail | None = None
        self._loading = False
        self._choices: PlaceFieldChoices | None = None
        self._build()
        self.errors = FormErrors(self.error_label, {
            "name": self.name_edit, "kana": self.kana_edit, "municipality_code": self.municipality_combo,
            "center_id": self.center_combo, "address": self.address_edit, "venue_kind": self.venue_combo,
            "operator_kind": self.operator_combo, "main_activity_1": self.activity1_combo,
            "main_activity_2": self.activity2_combo, "frequency_declared": self.frequency_combo,
            "capacity": self.capacity_edit, "start_date": self.start_edit.editor,
            "end_date": self.end_edit.editor, "status": self.status_combo, "contact": self.contact_edit,
            "notes": self.notes_edit, "programs": self.programs_box, "postal_code": self.postal_edit,
            "latitude": self.latitude_edit, "longitude": self.longitude_edit, "fee": self.fee_edit,
        })
        self.enter_navigation = EnterMovesFocus(self)
        self.enter_navigation.install(self.fields)
        self.set_up_saving()
        self._connect_changes()
        self.set_editable(True)
        self.take_baseline()

    # ---- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.title_label = QLabel("通いの場の詳細")
        self.title_label.setObjectName("form_title")
        self.title_label.setStyleSheet("font-weight: bold; font-size: 120%;")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff4e5; color: #6d4c00; padding: 6px; border-radius: 4px;")
        self.banner.hide()
        self.blank_space = QWidget()  # takes the room of the hidden fields when no place is shown
        self.blank_space.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.blank_space.hide()
        self.fields = QWidget()
        form = QFormLayout(self.fields)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Rows that do not fit (large text sizes, a narrow pane) put their label above the field.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.name_edit = QLineEdit(placeholderText="例：さくら体操の会")
        self.kana_edit = QLineEdit(placeholderText="例：サクラタイソウノカイ（ひらがなでも可）")
        # Found by name, よみ (としまく) or code (131164 / 13116), as every 区市町村 picker.
        self.municipality_combo = TypeAheadCombo(none_label=words.CHOOSE, placeholder="名前・よみ・コードで選択")
        self.center_combo = ChoiceCombo(none_label=words.NONE)
        self.address_edit = QLineEdit()
        # The open data's fields (domain/place_details.py reads them).
        self.postal_edit = QLineEdit(placeholderText="例：112-0003")
        self.postal_edit.setMaximumWidth(160)
        self.latitude_edit = QLineEdit(placeholderText="緯度 例：35.7081")
        self.longitude_edit = QLineEdit(placeholderText="経度 例：139.7524")
        self.location_box = QWidget()
        location = QHBoxLayout(self.location_box)
        location.setContentsMargins(0, 0, 0, 0)
        location.addWidget(self.latitude_edit)
        location.addWidget(self.longitude_edit)
        self.fee_edit = QLineEdit(placeholderText="例：無料、1回100円")
        self.venue_combo = ChoiceCombo(none_label=words.NOT_CHOSEN)
        self.operator_combo = ChoiceCombo(none_label=words.NOT_CHOSEN)
        self.activity1_combo = ChoiceCombo(none_label=words.NOT_CHOSEN)
        self.activity2_combo = ChoiceCombo(none_label=words.NOT_CHOSEN)
        self.program_checks: dict[str, QCheckBox] = {}
        halves = QVBoxLayout(), QVBoxLayout()  # two columns, one under the other when the form is narrow
        for index, (code, label) in enumerate(PROGRAM_TYPES):
            self.program_checks[code] = check = QCheckBox(label)
            halves[index % 2].addWidget(check)
        halves[1].addStretch(1)
        self.programs_box = SideBySideRow(*halves)
        self.frequency_combo = ChoiceCombo(none_label=words.NOT_CHOSEN)
        self.capacity_edit = QLineEdit(placeholderText="人数（空欄可）")
        on_font_change(self.capacity_edit, lambda: self.capacity_edit.setMaximumWidth(
            self.capacity_edit.fontMetrics().horizontalAdvance("あ") * 9))
        self.start_edit = WarekiDateEdit(optional=True, none_label="不明")
        self.end_edit = WarekiDateEdit(optional=True, none_label="なし（継続中）")
        self.start_box = _wareki_below(self.start_edit)
        self.end_box = _wareki_below(self.end_edit)
        self.status_combo = ChoiceCombo()
        self.contact_edit = QLineEdit(placeholderText="代表者・電話番号など")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setTabChangesFocus(True)
        on_font_change(self.notes_edit, lambda: self.notes_edit.setFixedHeight(
            self.notes_edit.fontMetrics().height() * 4))  # three lines and the margins, at any text size
        self.promoters_table = QTableWidget(0, 2)
        self.promoters_table.setHorizontalHeaderLabels(["推進員", "担当期間"])
        self.promoters_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.promoters_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # read-only: keep it out of the entry path
        self.promoters_table.verticalHeader().hide()
        self.promoters_table.horizontalHeader().setStretchLastSection(True)
        fit_columns(self.promoters_table, ["長谷川 佳代子", f"{widths.SHORT_DATE} ～ （継続中）"], whole=True)
        on_font_change(self.promoters_table, lambda: self.promoters_table.setFixedHeight(
            self.promoters_table.fontMetrics().height() * 6))  # the header and about four promoters
        self.promoters_note = QLabel("担当した推進員はいません（推進員の画面で登録します）。")
        self.promoters_note.setWordWrap(True)
        center_label = QLabel("センター")
        center_label.setToolTip(words.CENTER)
        rows: list[tuple[Any, QWidget]] = [
            (words.required("名称"), self.name_edit), ("フリガナ", self.kana_edit),
            (words.required("区市町村"), self.municipality_combo), (center_label, self.center_combo),
            ("郵便番号", self.postal_edit), ("住所", self.address_edit), ("緯度・経度", self.location_box),
            ("会場種別", self.venue_combo), ("運営主体", self.operator_combo),
            ("主な活動内容1", self.activity1_combo), ("主な活動内容2", self.activity2_combo),
            ("プログラム種別", self.programs_box), ("開催頻度（届出）", self.frequency_combo),
            ("定員", self.capacity_edit), ("料金", self.fee_edit), ("開始日", self.start_box), ("終了日", self.end_box),
            ("状態", self.status_combo), ("連絡先", self.contact_edit), ("備考", self.notes_edit),
            ("担当した推進員", self.promoters_table), ("", self.promoters_note),
        ]
        for label, widget in rows:
            form.addRow(label, widget)
        page = QWidget()  # the fields at the top, any room left below them (rows never stretch)
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.fields)
        page_layout.addStretch(1)
        self.scroll = scroll = VerticalScrollArea(page)
        self.error_label = QLabel()
        self.dirty_label = QLabel("")
        self.dirty_label.setStyleSheet("color: #8a6d00;")
        self.save_button = QPushButton(words.with_key(words.SAVE, "Ctrl+S"))
        self.revert_button = QPushButton(words.REVERT)
        buttons = QHBoxLayout()
        buttons.addWidget(self.make_history_button())
        buttons.addWidget(self.dirty_label, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.lock_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.blank_space, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.municipality_combo.value_did_change.connect(self._offer_centers)

    def _connect_changes(self) -> None:
        for edit in (self.name_edit, self.kana_edit, self.address_edit, self.capacity_edit, self.contact_edit,
                     self.postal_edit, self.latitude_edit, self.longitude_edit, self.fee_edit):
            edit.textChanged.connect(self._changed)
        self.notes_edit.textChanged.connect(self._changed)
        self.municipality_combo.value_did_change.connect(self._changed)
        for combo in (self.center_combo, self.venue_combo, self.operator_combo,
                      self.activity1_combo, self.activity2_combo, self.frequency_combo, self.status_combo):
            combo.currentIndexChanged.connect(self._changed)
        for check in self.program_checks.values():
            check.toggled.connect(self._changed)
        self.start_edit.date_did_change.connect(self._changed)
        self.end_edit.date_did_change.connect(self._changed)

    # ---- choices --------------------------------------------------------------------------------

    def set_choices(self, choices: PlaceFieldChoices) -> None:
        self._choices = choices
        was_loading, self._loading = self._loading, True
        self.municipality_combo.set_choices((m.code, m.name, m.kana, m.code) for m in choices.municipalities)
        self.venue_combo.set_labelled_choices(choices.venue_kinds)
        self.operator_combo.set_labelled_choices(choices.operator_kinds)
        self.activity1_combo.set_labelled_choices(choices.main_activities)
        self.activity2_combo.set_labelled_choices(choices.main_activities)
        self.frequency_combo.set_labelled_choices(choices.frequencies)
        self.status_combo.set_labelled_choices(choices.statuses)
        self._offer_centers()
        self._loading = was_loading

    def _offer_centers(self) -> None:
        if self._choices is None:
            return
        code = self.municipality_combo.value()
        centers = self._choices.centers_of(code) if code else []
        self.center_combo.set_choices((c.id, c.name) for c in centers)

    # ---- loading and reading --------------------------------------------------------------------

    @property
    def place_id(self) -> str:
        return self._place.id

    @property
    def place_name(self) -> str:
        return self._place.name

    def shown_record_id(self) -> str:
        return self._place.id or ""

    def shown_record_label(self) -> str:
        return self._place.name

    def load(self, place: Place, detail: PlaceDetail | None = None, *, read_only: bool = False) -> None:
        """Show a place (a new one has no id) and take it as the unchanged state."""
        self._loading = True
        self.forget_lock()
        self._place = place
        self._detail = detail
        self.errors.clear()
        self.name_edit.setText(place.name)
        self.kana_edit.setText(place.kana)
        self.municipality_combo.set_value(place.municipality_code or None)
        self._offer_centers()
        center_label = detail.center_name if detail and detail.center_name else "（削除されたセンター）"
        self.center_combo.set_value(place.center_id, missing_label=center_label)
        self.address_edit.setText(place.address)
        for combo, value in ((self.venue_combo, place.venue_kind), (self.operator_combo, place.operator_kind),
                             (self.activity1_combo, place.main_activity_1),
                             (self.activity2_combo, place.main_activity_2),
                             (self.frequency_combo, place.frequency_declared), (self.status_combo, place.status)):
            combo.set_value(value, missing_label=value)
        for code, check in self.program_checks.items():
            check.setChecked(code in place.programs)
        self.capacity_edit.setText("" if place.capacity is None else str(place.capacity))
        _set_date(self.start_edit, place.start_date, fallback=date.today())
        _set_date(self.end_edit, place.end_date, fallback=place.start_date or date.today())
        self.contact_edit.setText(place.contact)
        self.postal_edit.setText(place.postal_code)
        self.latitude_edit.setText("" if place.latitude is None else f"{place.latitude:g}")
        self.longitude_edit.setText("" if place.longitude is None else f"{place.longitude:g}")
        self.fee_edit.setText(place.fee)
        self.notes_edit.setPlainText(place.notes)
        self._show_promoters(detail.promoters if detail else [])
        self.title_label.setText(f"通いの場：{place.name}" if place.id else "新しい通いの場")
        self.set_read_only(read_only)
        self.scroll.show()
        self.blank_space.hide()
        self._loading = False
        self.take_baseline()
        self._changed()
        if place.id and not read_only:
            self.check_lock(place)

    def _show_promoters(self, promoters: list[AssignedPromoter]) -> None:
        self.promoters_table.setRowCount(len(promoters))
        for row, promoter in enumerate(promoters):
            name = words.marked_deleted(promoter.name, promoter.promoter_deleted)
            self.promoters_table.setItem(row, 0, QTableWidgetItem(name))
            self.promoters_table.setItem(row, 1, QTableWidgetItem(promoter_period_text(promoter)))
        self.promoters_table.setVisible(bool(promoters))
        self.promoters_note.setVisible(not promoters)

    def set_read_only(self, read_only: bool, banner: str = "") -> None:
        """A place in the trash (or no place at all) is shown but cannot be edited."""
        self.set_editable(not read_only)
        if read_only and not banner:
            banner = words.in_trash_note(words.PLACE)
        self.banner.setText(banner)
        self.banner.setVisible(read_only)

    def show_nothing(self, message: str) -> None:
        """No place chosen: blank, not editable, with a hint of what to do."""
        self.load(Place("", ""))
        self.title_label.setText("通いの場の詳細")
        self.set_read_only(True, message)
        self.scroll.hide()  # empty disabled fields say nothing; the hint does
        self.blank_space.show()

    def _raw(self) -> dict[str, Any]:
        """What the editors hold, unparsed: compared with the loaded state to know about unsaved edits."""
        return {
            "name": self.name_edit.text(), "kana": self.kana_edit.text(),
            "municipality_code": self.municipality_combo.value(), "center_id": self.center_combo.value(),
            "address": self.address_edit.text(), "venue_kind": self.venue_combo.value(),
            "operator_kind": self.operator_combo.value(), "main_activity_1": self.activity1_combo.value(),
            "main_activity_2": self.activity2_combo.value(), "frequency_declared": self.frequency_combo.value(),
            "capacity": self.capacity_edit.text(), "start_date": self.start_edit.value(),
            "end_date": self.end_edit.value(), "status": self.status_combo.value(),
            "contact": self.contact_edit.text(), "notes": self.notes_edit.toPlainText(),
            "programs": tuple(code for code, check in self.program_checks.items() if check.isChecked()),
            "postal_code": self.postal_edit.text(), "latitude": self.latitude_edit.text(),
            "longitude": self.longitude_edit.text(), "fee": self.fee_edit.text(),
        }

    # ---- saving (RecordForm) --------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return self._raw()

    def is_stored(self) -> bool:
        return bool(self._place.id)

    def write_widgets(self) -> list[QWidget]:
        return [self.fields, self.save_button, self.revert_button]

    def lock_reason_job(self, record: Place):
        def frozen_fields_reason(db):
            # Imported on the database thread when a place is first shown: the approval rules pull in the
            # submission checks, which the window's first paint does not need (issue 17).
            from kaigo_desktop.services import approval

            return approval.frozen_fields_reason(db, "places", record.id)
        return frozen_fields_reason

    def frozen_by_lock(self) -> dict[str, QWidget]:
        editors = {"start_date": self.start_box, "end_date": self.end_box}
        return {name: editors.get(name) or self.errors.editors[name] for name in PLACE_FIELDS_FROZEN_BY_LOCK}

    def input_errors(self) -> list[FieldError]:
        """An unreadable 定員: found before asking the services."""
        return _parse_capacity(self.capacity_edit.text())[1] + _parse_details(self._raw())[1]

    def record(self) -> Place:
        """The place as edited (an unreadable 定員 as unknown: input_errors has refused it)."""
        raw = self._raw()
        capacity, _errors = _parse_capacity(raw.pop("capacity"))
        details, _errors = _parse_details(raw)
        raw.update(details)
        raw["fee"] = raw["fee"].strip()
        raw["municipality_code"] = raw["municipality_code"] or ""
        raw["status"] = raw["status"] or "活動中"
        raw["kana"] = raw["kana"].strip()
        raw["address"] = raw["address"].strip()
        raw["contact"] = raw["contact"].strip()
        return replace(self._place, **raw, capacity=capacity)

    def check_before_save(self, record: Place, then: Callable[[list[FieldError]], None]) -> None:
        """A new place whose name is like a stored one: the user is asked first."""
        self.ask_about_similar_name(record, then, is_new=not record.id,
                                    refusal="似た名前の通いの場があるため、追加を取り消しました。")

    def save_job(self, record: Place) -> SaveJob:
        return lambda db, _ctx: pv.place_detail(db, pv.save_place(db, record).id)

    def saved_id(self, result: PlaceDetail) -> str:
        return result.place.id

    def show_saved(self, result: PlaceDetail) -> None:
        self.load(result.place, result)
        self.context.status_did_change.emit(f"通いの場「{result.place.name}」を保存しました。")

    def reload(self) -> None:
        self.load(self._place, self._detail)

    # ---- unsaved edits --------------------------------------------------------------------------

    def _changed(self) -> None:
        if self._loading:
            return
        dirty = self.has_unsaved_changes()
        self.dirty_label.setText("● 未保存の変更があります" if dirty else "")
        self.edits_did_change.emit(dirty)


def _wareki_below(date_edit: WarekiDateEdit) -> QWidget:
    """The date with its 和暦 and 年度 on a line of their own: beside the date they need more width than the
    side pane has and would be clipped."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    below = QLabel(date_edit.wareki.text())
    below.setStyleSheet("color: #444;")
    date_edit.wareki.hide()

    def mirror() -> None:
        below.setText(date_edit.wareki.text())
        below.setVisible(bool(below.text()))

    date_edit.date_did_change.connect(mirror)
    mirror()
    layout.addWidget(date_edit)
    layout.addWidget(below)
    date_edit.wareki_below = below  # type: ignore[attr-defined]  # tests read what the user sees
    return box


def _set_date(date_edit: WarekiDateEdit, value: date | None, *, fallback: date) -> None:
    """An empty date still leaves a sensible day in the editor for when the user unticks 「なし」/「不明」."""
    if value is None:
        date_edit.set_value(fallback)
    date_edit.set_value(value)


def _parse_capacity(text: str) -> tuple[int | None, list[FieldError]]:
    """定員 as the domain reads every count (「２０」「20人」「1,234」); its bound is checked with the record."""
    try:
        return parse_count(text, field_label="定員", units=count_units("capacity")), []
    except ValueError as error:
        return None, [FieldError("capacity", str(error))]


def _parse_details(raw: dict[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """郵便番号 and 緯度・経度 as typed, read by the domain's parsers (an unreadable one as blank, with its error)."""
    parsers = {"postal_code": parse_postal_code,
               "latitude": lambda text: parse_coordinate(text, latitude=True),
               "longitude": lambda text: parse_coordinate(text, latitude=False)}
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field, parse in parsers.items():
        try:
            values[field] = parse(raw[field])
        except ValueError as error:
            values[field] = "" if field == "postal_code" else None
            errors.append(FieldError(field, str(error)))
    return values, errors
