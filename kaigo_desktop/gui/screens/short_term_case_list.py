"""The table of 短期集中予防サービス cases (issue 19), shared by the browsing page (every case of a 年度 and center)
and a participant's own tab: each cell from the services' CaseView — the participant number always, the name
only where the services gave it (the column is hidden when no row has one), 改善 by the domain's one definition."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.domain.fiscal import format_wareki_short
from kaigo_desktop.gui.screens.list_detail_screen import set_up_record_list
from kaigo_desktop.gui.widgets.column_widths import fit_columns
from kaigo_desktop.gui.widgets.rows_table_model import Column, RowsTableModel
from kaigo_desktop.services.short_term_cases import CaseView

NAME_HEADER = "氏名"
HIDDEN_NAME = "（非表示）"
_ATTENDING = {1: "参加", 0: "不参加", None: "未確認"}


def day_text(day: date | None) -> str:
    return format_wareki_short(day) if day is not None else "—"


def period_text(case: stc.ShortTermCase) -> str:
    if case.service_start_on is None:
        return "—"
    end = format_wareki_short(case.service_end_on) if case.service_end_on else ""
    return f"{format_wareki_short(case.service_start_on)}〜{end}"


def outcome_text(view: CaseView) -> str:
    if not view.case.outcome:
        return "未定"
    return f"{view.case.outcome}（{view.place_name}）" if view.place_name else view.case.outcome


def followups_text(case: stc.ShortTermCase) -> str:
    parts = [f"{months}か月{_ATTENDING[getattr(case, f'followup{months}_attending')]}" for months in (6, 12)
             if getattr(case, f"followup{months}_on") is not None]
    return "・".join(parts) or "—"


def improved_text(view: CaseView) -> str:
    return stc.IMPROVED_LABELS[view.improved]


CASE_COLUMNS: list[Column[CaseView]] = [
    Column("紹介日", lambda v: day_text(v.case.referred_on), width_sample="R88.88.88"),
    Column("紹介元", lambda v: v.case.referral_source, width_sample="地域包括支援センター"),
    Column("サービス期間", lambda v: period_text(v.case), width_sample="R88.88.88〜R88.88.88"),
    Column("回数", lambda v: "—" if v.case.sessions is None else f"{v.case.sessions}回", numeric=True,
           width_sample="888回"),
    Column("再アセスメント", lambda v: day_text(v.case.reassessed_on), width_sample="R88.88.88"),
    Column("改善", improved_text, width_sample="維持・悪化"),
    Column("結果", outcome_text, tooltip=outcome_text, width_sample="通いの場へ（さくら体操の会）"),
    Column("追跡", lambda v: followups_text(v.case), width_sample="6か月不参加・12か月不参加"),
]
PEOPLE_COLUMNS: list[Column[CaseView]] = [
    Column("参加者番号", lambda v: v.number, width_sample="000000"),
    Column(NAME_HEADER, lambda v: v.name if v.name is not None else HIDDEN_NAME, tooltip=lambda v: v.name or "",
           width_sample="長谷川 佳代子"),
    Column("センター", lambda v: v.center_name, tooltip=lambda v: v.center_name, width_sample="北地域包括支援センター"),
]


class CaseTable(QTableView):
    """`with_people`: the participant number, name and center first (the browsing page)."""

    def __init__(self, object_name: str, *, with_people: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        columns = (PEOPLE_COLUMNS if with_people else []) + CASE_COLUMNS
        self.case_model: RowsTableModel[CaseView] = RowsTableModel(columns)
        set_up_record_list(self, self.case_model, multiple=False, row_height=self.fontMetrics().height() + 10)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        fit_columns(self, [c.width_sample or c.header for c in columns], row_padding=10, min_rows=3)
        self._name_column = next((i for i, c in enumerate(columns) if c.header == NAME_HEADER), None)

    def set_views(self, views: list[CaseView], keep_id: str = "") -> None:
        """Show `views`, the row of case `keep_id` selected again if it is still there."""
        self.case_model.set_rows(views)
        if self._name_column is not None:  # a 推進員 sees no column of 「（非表示）」
            self.setColumnHidden(self._name_column, not any(v.identity_shown for v in views))
        index = self.case_model.find_row(lambda v: v.case.id == keep_id) if keep_id else -1
        if index >= 0:
            self.selectRow(index)

    def chosen_id(self) -> str:
        chosen = self.chosen()
        return chosen.case.id if chosen is not None else ""

    def chosen(self) -> CaseView | None:
        return self.case_model.row_at(self.currentIndex().row()) if self.currentIndex().isValid() else None
