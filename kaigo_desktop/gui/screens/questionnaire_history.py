"""The 後期高齢者の質問票 part of a participant's check history (issue 19): one row per item (No., 類型, the
question in the tool tip) and one column per 質問票, oldest first, each answer in the words of its choice
(domain/checklist.py). Answers, not identities: shown to everyone who may read the participant's record."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.fiscal import format_wareki_short


class QuestionnaireHistory(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = QLabel()
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("questionnaire_history")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)  # one line a row
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        self.set_answers([])

    def set_answers(self, questionnaires: list[pr.Questionnaire]) -> None:
        self.caption.setText(f"後期高齢者の質問票（{len(questionnaires)}回）" if questionnaires
                             else "後期高齢者の質問票：記録なし")
        self.table.setVisible(bool(questionnaires))
        self.table.clear()
        self.table.setColumnCount(1 + len(questionnaires))
        self.table.setHorizontalHeaderLabels(["質問", *(format_wareki_short(q.answered_on) for q in questionnaires)])
        self.table.setRowCount(len(checklist.QUESTIONNAIRE_ITEMS) if questionnaires else 0)
        if not questionnaires:
            return
        for row, (number, (kind, question, _choices)) in enumerate(checklist.QUESTIONNAIRE_ITEMS.items()):
            item = QTableWidgetItem(f"{number} {kind}")
            item.setToolTip(question)
            self.table.setItem(row, 0, item)
            for column, answers in enumerate(questionnaires, start=1):
                self.table.setItem(row, column, QTableWidgetItem(
                    checklist.questionnaire_answer_label(number, getattr(answers, f"a{number}"))))
