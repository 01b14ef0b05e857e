"""The two small dialogs of the 評価シート: a 事項's target for a 年度, and an outcome indicator entered by the
東京都 user (value, source, year). Typed text is read into numbers here (full-width digits too, so an IME left
on does not matter); the ranges and rules are the services' (services/metro.py): the dialog stays open with
their message until the save went through."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.gui.screens.masters_common import MessageLine
from kaigo_desktop.gui.widgets.dialog_parts import button_row, push_button, stacked

NO_YEAR = 0  # the source year spin box's 「（不明）」


def parse_indicator_value(text: str, label: str, unit: str) -> float | None:
    """A rate or an age as typed (「80.3」「８０．３」「45.2%」「80.3歳」); blank → None; ValueError in Japanese.
    Whether the number is in range is the service's to say."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if unit:
        cleaned = cleaned.removesuffix(unicodedata.normalize("NFKC", unit)).strip()
    if not cleaned:
        return None
    try:
        return float(cleaned.replace(",", ""))
    except ValueError:
        raise ValueError(f"{label}は数値で入力してください（例: 80.3）。") from None


class _FormDialog(QDialog):
    """A form, a red line saying what is wrong, and OK / キャンセル. OK reads the form, then `submit(dialog)`
    saves it (on the database thread): the caller closes the dialog once saved, or shows the refusal in it."""

    def __init__(self, title: str, explanation: str, parent: QWidget | None):
        super().__init__(parent)
        self.submit: Callable[[_FormDialog], None] = lambda dialog: dialog.accept()
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.message = MessageLine()
        self.message.setObjectName("metro_dialog_message")
        self.ok_button = push_button("OK", self._try_accept)
        self.ok_button.setDefault(True)
        note = QLabel(explanation)
        note.setWordWrap(True)
        stacked(self, note, self.form, self.message, 1,
                button_row(right=(self.ok_button, push_button(words.CANCEL, self.reject))))

    def add_field(self, caption: str, widget: QWidget) -> None:
        label = QLabel(caption)
        label.setBuddy(widget)
        self.form.addRow(label, widget)

    def read(self) -> None:
        """Read the form into the dialog's values (ValueError: what is wrong)."""

    def _try_accept(self) -> None:
        try:
            self.read()
        except ValueError as error:
            self.message.error(str(error))
            return
        self.message.clear_message()
        self.submit(self)

    def refused(self, text: str) -> None:
        self.message.error(text)


class TargetDialog(_FormDialog):
    """目標: a count of 区市町村 (blank: no target)."""

    def __init__(self, number: str, title: str, fiscal_year: int, target: int | None, parent: QWidget | None = None):
        super().__init__(f"事項{number}の目標", f"事項{number}　{title}\n{format_fiscal_year(fiscal_year)}の目標"
                         "（区市町村数）。空欄にすると目標なしになります。", parent)
        self.target = target
        self.target_edit = QLineEdit("" if target is None else str(target))
        self.target_edit.setObjectName("metro_target_value")
        self.target_edit.setMaximumWidth(self.target_edit.fontMetrics().horizontalAdvance("0") * 10)
        self.add_field("目標（区市町村数）(&T)", self.target_edit)

    def read(self) -> None:
        self.target = parse_count(self.target_edit.text(), field_label="目標", units=("区市町村", "団体"))


class IndicatorDialog(_FormDialog):
    """健康寿命 or 生きがいを感じる人の率: the value, where it comes from and the year of the survey."""

    def __init__(self, title: str, unit: str, fiscal_year: int, value: float | None, source: str | None,
                 source_year: int | None, parent: QWidget | None = None):
        super().__init__(f"{title}の入力", f"{title}（{format_fiscal_year(fiscal_year)}の評価シート）\n"
                         "この値はアプリの外の調査によるものです。出典と調査年を必ず書いてください。", parent)
        self.title, self.unit = title, unit
        self.value, self.source, self.source_year = value, source, source_year
        self.value_edit = QLineEdit("" if value is None else f"{value:g}")
        self.value_edit.setObjectName("metro_indicator_value")
        self.value_edit.setMaximumWidth(self.value_edit.fontMetrics().horizontalAdvance("0") * 12)
        self.source_edit = QLineEdit(source or "")
        self.source_edit.setObjectName("metro_indicator_source")
        self.source_edit.setPlaceholderText("例: 東京都福祉局「65歳健康寿命」")
        self.source_edit.setMinimumWidth(self.source_edit.fontMetrics().horizontalAdvance("あ") * 24)
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("metro_indicator_year")
        self.year_spin.setRange(NO_YEAR, 2100)
        self.year_spin.setSpecialValueText("（不明）")
        self.year_spin.setSuffix("年")
        self.year_spin.setValue(source_year or NO_YEAR)
        self.add_field(f"値（{unit}）(&V)", self.value_edit)
        self.add_field("出典(&S)", self.source_edit)
        self.add_field("調査年(&Y)", self.year_spin)

    def read(self) -> None:
        value = parse_indicator_value(self.value_edit.text(), self.title, self.unit)
        year = self.year_spin.value()
        self.value, self.source = value, self.source_edit.text().strip()
        self.source_year = None if year == NO_YEAR else year


RULE_UNITS = {"1": "種類以上（5種類のうち）", "2": "人以上の推進員", "3": "人以上の利用者"}


class RuleDialog(_FormDialog):
    """How a 事項 counts a 区市町村 (services/metro.set_item_rule): the least number of program types, 推進員 or
    users; the sheet states the rule it used."""

    def __init__(self, number: str, title: str, minimum: int, parent: QWidget | None = None):
        super().__init__(f"事項{number}の数え方", f"事項{number}　{title}\nどの区市町村を数えるかの基準です。"
                         "変えると、3年度とも新しい基準で数え直し、評価シートの定義にも書かれます。", parent)
        self.minimum: int | None = minimum
        self.minimum_edit = QLineEdit(str(minimum))
        self.minimum_edit.setObjectName("metro_rule_minimum")
        self.minimum_edit.setMaximumWidth(self.minimum_edit.fontMetrics().horizontalAdvance("0") * 10)
        self.add_field(f"基準（{RULE_UNITS[number]}）(&N)", self.minimum_edit)

    def read(self) -> None:
        minimum = parse_count(self.minimum_edit.text(), field_label="基準", units=("種類", "人"))
        if minimum is None:
            raise ValueError("基準を入力してください。")
        self.minimum = minimum
