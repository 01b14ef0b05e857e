"""基本チェックリスト entry (issue 19): the 25 items as はい／いいえ pairs, keyboard-fast (Y or N answers the item
and moves to the next, Tab/Shift+Tab walk the items, Delete clears one), height and weight with the BMI, and
each domain's result and the frailty level computed by domain/checklist.py and shown at once. Digits are not
answer keys: the paper form numbers はい 0 and いいえ 1, the reverse of a yes flag (domain/checklist.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp
from kaigo_desktop.gui.widgets.compact_date_edit import compact_date_edit
from kaigo_desktop.gui.widgets.vertical_scroll import VerticalScrollArea
from kaigo_desktop.gui.widgets.wareki_date_edit import WarekiDateEdit
from kaigo_desktop.services import participants
from kaigo_desktop.services.changes import Changes

YES_KEYS = (Qt.Key.Key_Y,)
NO_KEYS = (Qt.Key.Key_N,)
CLEAR_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
LEVEL_COLORS = {checklist.ROBUST: "#1b6e20", checklist.PRE_FRAIL: "#8a5a00", checklist.FRAIL: "#b00020"}


class ItemAnswer(QObject):
    """One yes/no item: two radio buttons that may both be off (未回答)."""

    answer_did_change = Signal()

    def __init__(self, number: int, parent: QWidget):
        super().__init__(parent)
        self.number = number
        self.yes = QRadioButton(checklist.YES, parent)
        self.no = QRadioButton(checklist.NO, parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # both off = 未回答; exclusivity is kept by hand in set_answer
        for button in (self.yes, self.no):
            self.group.addButton(button)
            button.setAccessibleName(f"No.{number} {button.text()}")
        self.yes.toggled.connect(lambda on: self._toggled(self.yes, on))
        self.no.toggled.connect(lambda on: self._toggled(self.no, on))

    def _toggled(self, button: QRadioButton, on: bool) -> None:
        other = self.no if button is self.yes else self.yes
        if on and other.isChecked():
            other.blockSignals(True)
            other.setChecked(False)
            other.blockSignals(False)
        self.answer_did_change.emit()

    def answer(self) -> bool | None:
        return True if self.yes.isChecked() else (False if self.no.isChecked() else None)

    def set_answer(self, value: bool | None) -> None:
        for button, on in ((self.yes, value is True), (self.no, value is False)):
            button.blockSignals(True)
            button.setChecked(on)
            button.blockSignals(False)
        self.answer_did_change.emit()


class ChecklistEntry(QWidget):
    """Enter one check for the participant set by set_participant; `check_did_save(FrailtyCheck)` after a
    save."""

    check_did_save = Signal(object)

    def __init__(self, context: AppContext, today: Callable[[], date], parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.today = today
        self.participant_id = ""
        self.cutoffs = checklist.STANDARD_CUTOFFS
        self.items: dict[int, ItemAnswer] = {}

        self.who_label = QLabel("参加者を選んでください。")
        self.who_label.setWordWrap(True)
        self.checked_on = compact_date_edit(WarekiDateEdit())
        self.entered_by = QLineEdit()
        self.entered_by.setMaxLength(pr.ENTERED_BY_MAX_CHARS)
        self.entered_by.setPlaceholderText("空欄ならログイン中の利用者")
        head = QFormLayout()
        head.addRow(self.who_label)
        head.addRow("実施日(&D)", self.checked_on)
        head.addRow("記入者(&W)", self.entered_by)

        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        grid.setColumnStretch(1, 1)
        self.height = QLineEdit()
        self.weight = QLineEdit()
        self.bmi_label = QLabel("BMI —")
        row = 0
        for number, question in checklist.CHECKLIST_ITEMS.items():
            grid.addWidget(QLabel(f"{number}"), row, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            text = QLabel(question)
            text.setWordWrap(True)
            grid.addWidget(text, row, 1, 1, 1 if number != checklist.BMI_ITEM else 3)
            if number == checklist.BMI_ITEM:  # the measures on a line of their own: narrow columns for the rest
                measures = QHBoxLayout()
                for edit, unit, placeholder in ((self.height, "cm", "身長"), (self.weight, "kg", "体重")):
                    edit.setPlaceholderText(placeholder)
                    edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0000.0") + 16)
                    edit.textChanged.connect(self._update_results)
                    measures.addWidget(edit)
                    measures.addWidget(QLabel(unit))
                measures.addWidget(self.bmi_label)
                measures.addStretch(1)
                grid.addLayout(measures, row + 1, 1, 1, 3)
                row += 2
                continue
            item = ItemAnswer(number, grid_box)
            item.answer_did_change.connect(self._update_results)
            for button in (item.yes, item.no):
                button.installEventFilter(self)
            grid.addWidget(item.yes, row, 2)
            grid.addWidget(item.no, row, 3)
            self.items[number] = item
            row += 1
        hint = QLabel("キー操作: Y＝はい、N＝いいえ（次の設問へ進みます）、Delete＝未回答に戻す、Tab＝次の設問")
        hint.setWordWrap(True)
        self.questionnaire = QuestionnaireAnswers()
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(head)
        body_layout.addWidget(hint)
        body_layout.addWidget(grid_box)
        body_layout.addWidget(self.questionnaire)
        body_layout.addStretch(1)

        # Always in sight below the items: the level, the total and the domains at risk; every domain's
        # result in detail follows the items (at 200 % text the items need the room).
        self.level_label = QLabel()
        self.level_label.setObjectName("checklist_level")
        self.total_label = QLabel()
        self.at_risk_label = QLabel()
        self.at_risk_label.setWordWrap(True)
        self.domain_labels: dict[str, QLabel] = {}
        summary = QWidget()
        summary_layout = QGridLayout(summary)
        summary_layout.setContentsMargins(6, 6, 6, 0)
        summary_layout.addWidget(self.level_label, 0, 0)
        summary_layout.addWidget(self.total_label, 0, 1)
        summary_layout.addWidget(self.at_risk_label, 1, 0, 1, 2)
        summary_layout.setColumnStretch(1, 1)
        domains = QGroupBox("領域ごとの判定")
        domains_grid = QGridLayout(domains)
        for index, (code, (label, _items)) in enumerate(checklist.DOMAINS.items()):
            self.domain_labels[code] = QLabel()
            row, column = index // 2, 2 * (index % 2)
            domains_grid.addWidget(QLabel(label), row, column)
            domains_grid.addWidget(self.domain_labels[code], row, column + 1)
        domains_grid.setColumnStretch(1, 1)
        domains_grid.setColumnStretch(3, 1)
        body_layout.insertWidget(body_layout.indexOf(self.questionnaire), domains)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b00020;")
        self.save_button = QPushButton("保存(&S)")
        self.clear_button = QPushButton("入力を消す")
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(summary)  # on top: in sight even when 200 % text pushes the buttons below the fold
        layout.addWidget(VerticalScrollArea(body), 1)
        layout.addWidget(self.problem_label)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(lambda: self.save())
        self.clear_button.clicked.connect(self.clear)
        self._set_tab_order()
        self.clear()
        self.set_participant(None)

    def _set_tab_order(self) -> None:
        """Tab goes item by item (to its はい; the arrow keys reach いいえ), height and weight at No.12."""
        chain: list[QWidget] = [self.checked_on, self.entered_by]
        for number in checklist.CHECKLIST_ITEMS:
            chain += [self.height, self.weight] if number == checklist.BMI_ITEM else [self.items[number].yes,
                                                                                     self.items[number].no]
        chain.append(self.save_button)
        for before, after in zip(chain, chain[1:]):
            QWidget.setTabOrder(before, after)

    # ---- keys ----------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            item = next((i for i in self.items.values() if watched in (i.yes, i.no)), None)
            if item is not None:
                if event.key() in YES_KEYS or event.key() in NO_KEYS:
                    item.set_answer(event.key() in YES_KEYS)
                    self._focus_after(item.number)
                    return True
                if event.key() in CLEAR_KEYS:
                    item.set_answer(None)
                    return True
        return super().eventFilter(watched, event)

    def _focus_after(self, number: int) -> None:
        later = [n for n in checklist.CHECKLIST_ITEMS if n > number]
        if not later:
            self.save_button.setFocus()
        elif later[0] == checklist.BMI_ITEM:
            self.height.setFocus()
        else:
            answer = self.items[later[0]]
            (answer.no if answer.answer() is False else answer.yes).setFocus()

    # ---- the participant -----------------------------------------------------------------------

    def set_participant(self, summary, cutoffs: checklist.ChecklistCutoffs | None = None) -> None:
        """Start a blank check (dated today) for `summary` (the screen has asked before dropping one entered)."""
        if summary is None or summary.id != self.participant_id:
            self.clear()
        self.participant_id = summary.id if summary is not None else ""
        if cutoffs is not None:
            self.cutoffs = cutoffs
        if summary is None:
            self.who_label.setText("参加者を選んでください。")
        else:
            who = f"参加者番号 {summary.number}" + (f"　{summary.name}" if summary.name else "")
            self.who_label.setText(f"{who}（{summary.center_name}）")
        may_write = summary is not None and not self.context.read_only and roles.may(
            self.context.actor, roles.WRITE_PARTICIPANTS, center_id=summary.center_id)
        self.save_button.setEnabled(may_write)
        self.save_button.setToolTip("" if may_write or summary is None else
                                    "基本チェックリストの入力は、この参加者のセンターの職員と区市町村管理者ができます。")
        self._update_results()

    def clear(self) -> None:
        for item in self.items.values():
            item.set_answer(None)
        self.height.clear()
        self.weight.clear()
        self.entered_by.clear()
        self.checked_on.set_value(self.today())
        self.questionnaire.clear()
        self.problem_label.clear()
        self._update_results()
        self._baseline = self._entered()

    def show_example(self, yes: dict[int, bool], height: str, weight: str) -> None:
        """Answers filled in for a picture of the form being typed (not unsaved work: nothing to ask about)."""
        for number, value in yes.items():
            self.items[number].set_answer(value)
        self.height.setText(height)
        self.weight.setText(weight)
        self._baseline = self._entered()

    def _entered(self) -> tuple:
        return (tuple(item.answer() for item in self.items.values()), self.height.text(), self.weight.text())

    # ---- results -------------------------------------------------------------------------------

    def answers(self) -> checklist.ChecklistAnswers:
        """The answers as entered (a height or weight that is not a valid number counts as not given)."""
        height, weight = self._measure(self.height, "身長", checklist.HEIGHT_CM_RANGE, "cm"), \
            self._measure(self.weight, "体重", checklist.WEIGHT_KG_RANGE, "kg")
        return checklist.ChecklistAnswers({n: item.answer() for n, item in self.items.items()}, height, weight)

    @staticmethod
    def _measure(edit: QLineEdit, label, bounds, unit):
        try:
            return checklist.parse_measure(edit.text(), label, bounds, unit)
        except ValueError:
            return None

    def result(self) -> checklist.ChecklistResult:
        return checklist.score(self.answers(), self.cutoffs)

    def _update_results(self) -> None:
        result = self.result()
        self.level_label.setText(f"判定：{result.level_label}")
        color = LEVEL_COLORS.get(result.level or "", "#444444")
        self.level_label.setStyleSheet(f"font-weight: bold; color: {color};")
        self.total_label.setText(f"該当数 {result.total}／25" + (f"（未回答 {result.unanswered}）"
                                                                 if result.unanswered else ""))
        for code, domain in result.domains.items():
            label = self.domain_labels[code]
            label.setText(f"{domain.result_label} {domain.score}点")
            label.setToolTip(f"{domain.cutoff}点以上で該当（未回答 {domain.unanswered}）")
        at_risk = [d.label for d in result.domains.values() if d.at_risk]
        self.at_risk_label.setText(f"該当する領域：{'・'.join(at_risk) or 'なし'}")
        self.bmi_label.setText(f"BMI {checklist.bmi_text(result.bmi) or '—'}")

    # ---- saving --------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        found = []
        for edit, label, bounds, unit in ((self.height, "身長", checklist.HEIGHT_CM_RANGE, "cm"),
                                          (self.weight, "体重", checklist.WEIGHT_KG_RANGE, "kg")):
            try:
                checklist.parse_measure(edit.text(), label, bounds, unit)
            except ValueError as error:
                found.append(str(error))
        if self.checked_on.problem():
            found.append(f"実施日: {self.checked_on.problem()}")
        return found + self.questionnaire.problems()

    def check(self) -> pr.FrailtyCheck:
        answers = self.answers()
        values = {f"q{n}": None if answers.yes[n] is None else int(answers.yes[n]) for n in checklist.YES_NO_ITEMS}
        return pr.FrailtyCheck(self.participant_id, self.checked_on.value(), self.entered_by.text().strip(),
                               height_cm=None if answers.height_cm is None else float(answers.height_cm),
                               weight_kg=None if answers.weight_kg is None else float(answers.weight_kg),
                               **values)

    def save(self, then: Callable[[bool], None] | None = None) -> None:
        if not self.participant_id:
            (then or (lambda _ok: None))(False)
            return
        problems = self.problems()
        if problems:
            self.problem_label.setText("\n".join(problems))
            (then or (lambda _ok: None))(False)
            return
        check, today = self.check(), self.today()
        questionnaire = self.questionnaire.answers(self.participant_id, check.checked_on, check.entered_by)

        def job(db, _ctx):
            with db.write():
                saved = participants.add_check(db, check, today=today)
                if questionnaire is not None:
                    participants.add_questionnaire(db, questionnaire, today=today)
            return saved

        def saved(result: pr.FrailtyCheck) -> None:
            self.problem_label.clear()
            self.clear()
            self.check_did_save.emit(result)
            self.context.status_did_change.emit("基本チェックリストを保存しました")
            (then or (lambda _ok: None))(True)

        def failed(error: BaseException) -> None:
            if not isinstance(error, UserFacingError):
                raise error
            self.problem_label.setText(str(error))
            (then or (lambda _ok: None))(False)

        CollectionOp(self, self.context, job, changes=Changes.of("frailty_checks", [self.participant_id])) \
            .disabling(self.save_button).success(saved).failure(failed).run_in_background()

    def has_unsaved_changes(self) -> bool:
        return bool(self.participant_id) and self._entered() != self._baseline

    def write_widgets(self) -> list[QWidget]:
        return [self.save_button]


class QuestionnaireAnswers(QGroupBox):
    """後期高齢者の質問票 (optional): a choice per item, 未回答 first; saved with the check when any is chosen."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("後期高齢者の質問票（任意・同じ日に回答したとき）", parent)
        self.setCheckable(True)
        self.setChecked(False)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.combos: dict[int, QComboBox] = {}
        for number, (kind, question, choices) in checklist.QUESTIONNAIRE_ITEMS.items():
            combo = QComboBox()
            combo.addItem("未回答", None)
            for index, choice in enumerate(choices, start=1):
                combo.addItem(choice, index)
            label = QLabel(f"{number}. {question}（{kind}）")
            label.setWordWrap(True)
            form.addRow(label, combo)
            self.combos[number] = combo
        self.toggled.connect(self._shown)
        self._shown(False)

    def _shown(self, on: bool) -> None:
        for combo in self.combos.values():
            combo.setVisible(on)
        for label in self.findChildren(QLabel):
            label.setVisible(on)

    def clear(self) -> None:
        for combo in self.combos.values():
            combo.setCurrentIndex(0)
        self.setChecked(False)

    def problems(self) -> list[str]:
        return []

    def answers(self, participant_id: str, answered_on: date, entered_by: str) -> pr.Questionnaire | None:
        if not self.isChecked() or all(c.currentData() is None for c in self.combos.values()):
            return None
        return pr.Questionnaire(participant_id, answered_on, entered_by,
                                **{f"a{n}": combo.currentData() for n, combo in self.combos.items()})
