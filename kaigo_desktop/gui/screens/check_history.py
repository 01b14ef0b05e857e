"""A participant's 基本チェックリスト history (issue 19): each check's date, total, level and domain results, the
change of level from the check before, the 後期高齢者の質問票's answers (questionnaire_history.py), and 「本人用に
印刷」 — the per-person PDF of reports/participant_history.py, offered only to whom the services let see the
person's identity (a 推進員 sees the button disabled)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget, \
    QTableWidgetItem, QVBoxLayout, QWidget

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain.fiscal import format_wareki_short
from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import QueryOp
from kaigo_desktop.gui.screens.questionnaire_history import QuestionnaireHistory
from kaigo_desktop.gui.widgets.record_messages import show_write_error
from kaigo_desktop.services.participants import ParticipantRecord

PRINT_REFUSED = "本人用の印刷は、参加者の氏名を見られる利用者（そのセンターの職員・区市町村管理者）だけができます。"
_DOMAIN_MARK = {True: "該当", False: "—", None: "判定不能"}


def change_text(before: checklist.ChecklistResult | None, after: checklist.ChecklistResult) -> str:
    if before is None:
        return "初回"
    change = checklist.level_change(before.level, after.level)
    return checklist.CHANGE_LABELS[change] if change else "判定不能"


class CheckHistory(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.record: ParticipantRecord | None = None
        self.summary_label = QLabel("参加者を選んでください。")
        self.summary_label.setWordWrap(True)
        headers = ["実施日", "該当数", "判定", "前回から", "BMI", *(label for label, _ in checklist.DOMAINS.values()),
                   "記入者"]
        self.table = QTableWidget(0, len(headers))
        self.table.setObjectName("check_history")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.questionnaires = QuestionnaireHistory()
        self.print_button = QPushButton("本人用に印刷(&P)…")
        self.print_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        self.parts = QSplitter(Qt.Orientation.Vertical)  # the checks above the 質問票, the line between movable
        self.parts.addWidget(self.table)
        self.parts.addWidget(self.questionnaires)
        self.parts.setChildrenCollapsible(False)
        self.parts.setStretchFactor(0, 2)
        self.parts.setStretchFactor(1, 3)
        layout.addWidget(self.parts, 1)
        layout.addLayout(buttons)
        self.print_button.clicked.connect(self.print_for_person)

    def set_record(self, record: ParticipantRecord | None) -> None:
        self.record = record
        self.table.setRowCount(0)
        self.questionnaires.set_answers(record.questionnaires if record is not None else [])
        if record is None:
            self.summary_label.setText("参加者を選んでください。")
            self.print_button.setEnabled(False)
            self.print_button.setToolTip("")
            return
        s = record.summary
        places = "、".join(f"{name}（{format_wareki_short(a.start_date)}〜"
                          f"{format_wareki_short(a.end_date) if a.end_date else ''}）" for a, name in record.attendance)
        who = f"参加者番号 {s.number}" + (f"　{s.name}" if s.name else "")
        self.summary_label.setText(f"{who}　{s.birth_year}年{s.birth_month}月生まれ・{s.sex}・{s.center_name}\n"
                                   f"通いの場：{places or '—'}　チェック {len(record.checks)}回")
        previous = None
        for view in record.checks:
            r = view.result
            cells = [format_wareki_short(view.check.checked_on),
                     f"{r.total}/25" + (f"（未回答{r.unanswered}）" if r.unanswered else ""), r.level_label,
                     change_text(previous, r), checklist.bmi_text(r.bmi) or "—",
                     *(_DOMAIN_MARK[r.domains[code].at_risk] for code in checklist.DOMAINS), view.check.entered_by]
            row = self.table.rowCount()
            self.table.insertRow(row)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
            previous = r
        allowed = s.identity_shown  # the services' rule: who may see the person's identity may print it
        self.print_button.setEnabled(allowed and bool(record.checks or record.questionnaires))
        self._fit_parts()
        self.print_button.setToolTip("" if allowed else PRINT_REFUSED)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit_parts()

    def _fit_parts(self) -> None:
        """The checks get the height of their rows (at most half), the 質問票 the rest; the user may move the line."""
        total = self.parts.height()
        if total <= 0 or not self.questionnaires.table.isVisibleTo(self):
            return
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        needed = (self.table.horizontalHeader().height() + rows + 2 * self.table.frameWidth()
                  + self.table.horizontalScrollBar().sizeHint().height() + 6)
        top = min(needed, total // 2)
        self.parts.setSizes([top, total - top])

    def print_for_person(self, _checked: bool = False, *, out: Path | None = None) -> None:
        """The per-person PDF (audited as a print by the services), saved where the user chooses."""
        if self.record is None or not self.record.summary.identity_shown:
            return
        s = self.record.summary
        if out is None:
            out = file_dialogs.save_file(self, "本人用の基本チェックリストの記録を保存", "PDF ファイル (*.pdf)",
                                         f"基本チェックリストの記録_{s.number}.pdf")
            if out is None:
                return
        participant_id = s.id

        def job(db, job_ctx):
            from kaigo_desktop.gui.screens.report_job import make_report
            from kaigo_desktop.gui.screens.report_kinds import participant_print_kind
            from kaigo_desktop.reports import ReportOptions

            options = ReportOptions(participant_id=participant_id)
            return make_report(db, job_ctx, participant_print_kind(), options, out)

        def made(result) -> None:
            self.context.status_did_change.emit(f"本人用の記録を保存しました: {result.path}")

        QueryOp(self, self.context, job).disabling(self.print_button).showing_progress("印刷用の PDF を作成しています…") \
            .success(made).failure(lambda error: show_write_error(self, "印刷用の PDF を作成できませんでした", error)) \
            .run_in_background()
