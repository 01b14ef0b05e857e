"""マスタ・設定 › 短期集中予防サービス: whether the 区市町村 offered 短期集中予防サービス in a 年度 and how many used it
(declared here until participant records exist; it goes into the submission to 東京都, where 事項3 counts it)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.domain.validation import count_units
from kaigo_desktop.gui.operations import CollectionOp, Then, finish
from kaigo_desktop.gui.screens.masters_common import (
    MasterPage,
    MessageLine,
    YearAndMunicipalityChoice,
    add_choosers,
    save_refused,
    year_and_municipality_combos,
)
from kaigo_desktop.gui.widgets.dialog_parts import button_row, stacked
from kaigo_desktop.services import short_term_cases
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.submissions import (
    ShortTermServiceDeclaration,
    set_short_term_service_declaration,
    short_term_service_declaration,
)

USERS_LABEL = "利用者数"


def records_text(figures) -> str:
    """What the 年度's case records give for 事項3 (exact counts: this screen stays in the 区市町村)."""
    return (f"この年度の短期集中予防サービスの記録: 利用者 {figures.users}人、改善 {figures.improved}人"
            f"（評価できた {figures.evaluated}人のうち）、通いの場へ {figures.connected}人（追跡時も参加 "
            f"{figures.attending}人）。東京都への提出ファイルにはこの記録から計算した数値が入ります"
            "（少ない人数は秘匿）。下の申告は使われません。")


class ShortTermServicePage(YearAndMunicipalityChoice, MasterPage):
    title = "短期集中予防サービス"
    DISCARD_WHAT = "短期集中予防サービス"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self._shown: tuple[str, int] | None = None  # (区市町村, 年度) the form holds
        self._stored = ShortTermServiceDeclaration(False, None)

        self.fiscal_year_combo, self.municipality_combo = year_and_municipality_combos("short_term")
        self.offered_button = QRadioButton("実施した(&J)")
        self.offered_button.setObjectName("short_term_offered")
        self.not_offered_button = QRadioButton("実施していない(&N)")
        self.not_offered_button.setObjectName("short_term_not_offered")
        self.not_offered_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.offered_button)
        group.addButton(self.not_offered_button)
        self.users_edit = QLineEdit()  # typed like every count: full-width digits and 「人」 are read too
        self.users_edit.setObjectName("short_term_users")
        self.users_edit.setPlaceholderText("例: 12")
        self.users_edit.setMaximumWidth(self.users_edit.fontMetrics().horizontalAdvance("0") * 14)
        self.save_button = QPushButton(f"{words.SAVE}(&S)")
        self.save_button.setObjectName("short_term_save")
        self.discard_button = QPushButton(words.REVERT)
        self.message = MessageLine()

        choosers = QHBoxLayout()
        add_choosers(choosers, (("年度(&Y)", self.fiscal_year_combo), ("区市町村(&M)", self.municipality_combo)))
        choosers.addStretch(1)
        offered_row = QHBoxLayout()
        offered_row.addWidget(self.offered_button)
        offered_row.addWidget(self.not_offered_button)
        offered_row.addStretch(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("実施の有無", offered_row)
        users_caption = QLabel(f"{USERS_LABEL}(&R)")
        users_caption.setBuddy(self.users_edit)
        form.addRow(users_caption, self.users_edit)
        hint = QLabel("短期集中予防サービス（通所型・訪問型サービスC など）をこの年度に実施したか、利用者は何人かを申告します。"
                      "この年度の短期集中予防サービスの記録（参加者ごとのケース）がないときに、東京都への提出ファイルに含まれます"
                      "（評価シートの事項3）。")
        hint.setWordWrap(True)
        # Where the 年度 has case records, the submission carries the figures computed from them instead.
        self.records_label = QLabel()
        self.records_label.setObjectName("short_term_records")
        self.records_label.setWordWrap(True)
        self.records_label.hide()
        form_holder = QWidget()
        form_holder.setLayout(form)
        stacked(self, choosers, hint, self.records_label, form_holder,
                button_row(right=(self.discard_button, self.save_button)), self.message, 1)

        self.offered_button.toggled.connect(self._offered_changed)
        self.users_edit.textEdited.connect(lambda _text: self.message.clear_message())
        self.save_button.clicked.connect(lambda: self.save())
        self.discard_button.clicked.connect(self.discard_changes)
        self.fiscal_year_combo.currentIndexChanged.connect(self._choice_changed)
        self.municipality_combo.currentIndexChanged.connect(self._choice_changed)
        self._offered_changed(False)

    # ---- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        selection = self.selection()
        if selection is None:
            return
        code, fiscal_year = selection
        self.context.run(lambda db, _ctx: (short_term_service_declaration(db, fiscal_year, code),
                                           short_term_cases.case_figures(db, fiscal_year, code)),
                         on_done=lambda result: self._show(selection, *result))

    def _show(self, selection: tuple[str, int], declared: ShortTermServiceDeclaration, figures) -> None:
        self._shown, self._stored = selection, declared
        self.message.clear_message()
        self._put(declared)
        self.records_label.setText(records_text(figures))
        self.records_label.setVisible(figures.users > 0)

    def _put(self, declared: ShortTermServiceDeclaration) -> None:
        (self.offered_button if declared.offered else self.not_offered_button).setChecked(True)
        self.users_edit.setText("" if declared.users is None else str(declared.users))
        self._offered_changed(declared.offered)

    def _offered_changed(self, offered: bool) -> None:
        # Users are counted only where the service ran; the number typed is kept should 実施した come back.
        self.users_edit.setEnabled(offered and not self.context.read_only)
        self.message.clear_message()

    # ---- editing -------------------------------------------------------------------------------

    def _typed(self) -> ShortTermServiceDeclaration:
        """The form's declaration; ValueError (Japanese) when the 利用者数 cannot be read."""
        offered = self.offered_button.isChecked()
        users = parse_count(self.users_edit.text(), field_label=USERS_LABEL, units=count_units("users"))
        return ShortTermServiceDeclaration(offered, users if offered else None)

    def has_unsaved_changes(self) -> bool:
        if self._shown is None:
            return False
        try:
            return self._typed() != self._stored
        except ValueError:
            return True  # something typed that is not a number is an edit too

    def discard_changes(self) -> None:
        self._put(self._stored)
        self.message.clear_message()

    def write_widgets(self) -> list[QWidget]:
        return [self.offered_button, self.not_offered_button, self.users_edit, self.save_button, self.discard_button]

    def save(self, then: Then | None = None) -> None:
        if self._shown is None or not self.has_unsaved_changes():
            finish(then, True)
            return
        try:
            declared = self._typed()
        except ValueError as error:
            self.message.error(str(error))
            self.users_edit.setFocus()
            finish(then, False)
            return
        code, fiscal_year = self._shown

        def saved(_result) -> None:
            self._stored = declared
            self.message.done(f"{format_fiscal_year(fiscal_year)}の短期集中予防サービスを保存しました。")
            finish(then, True)

        CollectionOp(self, self.context,
                     lambda db, _ctx: set_short_term_service_declaration(db, fiscal_year, code, declared.offered,
                                                                         declared.users),
                     changes=Changes.of("short_term_services")) \
            .disabling(self.save_button, self.discard_button) \
            .success(saved).failure(save_refused(self.message, then)).run_in_background()
