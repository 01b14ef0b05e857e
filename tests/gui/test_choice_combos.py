"""Both combo boxes take their choices as (value, label): the same list fills either one."""

from __future__ import annotations

from kaigo_desktop.gui.widgets.choice_combo import ChoiceCombo
from kaigo_desktop.gui.widgets.type_ahead_combo import TypeAheadCombo

CHOICES = [("p-1", "さくらサロン"), ("p-2", "ひまわり体操")]


def test_choice_combo_shows_labels_and_gives_values(qtbot):
    combo = ChoiceCombo(none_label="（なし）")
    qtbot.addWidget(combo)
    combo.set_choices(CHOICES)
    combo.set_value("p-2")
    assert combo.currentText() == "ひまわり体操"
    assert combo.value() == "p-2"


def test_type_ahead_combo_takes_the_same_order(qtbot):
    combo = TypeAheadCombo(none_label="（なし）")
    qtbot.addWidget(combo)
    combo.set_choices(CHOICES)
    assert combo.labels() == ["（なし）", "さくらサロン", "ひまわり体操"]
    combo.set_value("p-2")
    assert combo.currentText() == "ひまわり体操"
    assert combo.value() == "p-2"
    combo.setEditText("さくらサロン")  # typed in full: the value of the label typed
    assert combo.value() == "p-1"
