"""短期集中予防サービス (C) cases (issue 19): add and change them with the participant rights (a センター職員 for
the participant's center, the 区市町村管理者), list them and show one — the participant's name and よみ only to
who may see identities (services/participants.py's rule), every view written to the audit trail — and the
区市町村's 事項3 figures computed from them (domain/short_term_cases.figures)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from kaigo_desktop.domain import checklist, roles
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.domain.fiscal import fiscal_year_range
from kaigo_desktop.services import participants, records, rights
from kaigo_desktop.storage import short_term_case_queries as q
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import RecordNotFoundError


@dataclass(frozen=True)
class CaseSaved:
    case: stc.ShortTermCase
    warnings: list[str]


def _saved(case: stc.ShortTermCase) -> CaseSaved:
    warning = stc.service_period_warning(case)
    return CaseSaved(case, [warning] if warning else [])


def add_case(db: Database, case: stc.ShortTermCase, *, today: date | None = None) -> CaseSaved:
    return _saved(records.add(db, case, today=today))


def update_case(db: Database, case: stc.ShortTermCase, *, today: date | None = None) -> CaseSaved:
    return _saved(records.update(db, case, today=today))


def remove_case(db: Database, case_id: str) -> None:
    records.remove(db, stc.ShortTermCase, case_id)


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class CaseView:
    case: stc.ShortTermCase
    number: str  # the participant number (everyone who may read sees it)
    center_name: str
    name: str | None  # None: not the actor's to see
    kana: str | None
    place_name: str | None
    initial_level: str | None  # the linked checks' frailty levels (this database's cut-offs)
    final_level: str | None
    center_id: str = ""  # the participant's center (whose staff may write the case)

    @property
    def identity_shown(self) -> bool:
        return self.name is not None

    @property
    def improved(self) -> bool | None:
        return stc.improved(self.initial_level, self.final_level)

    @property
    def warning(self) -> str | None:
        return stc.service_period_warning(self.case)


def _levels(db: Database, found: list[stc.ShortTermCase]) -> dict[str, str | None]:
    ids = sorted({i for c in found for i in (c.initial_check_id, c.final_check_id) if i})
    chosen = participants.cutoffs(db)
    return {check_id: check.result(chosen).level for check_id, check in q.checks_by_id(db, ids).items()}


def _views(db: Database, rows: list[q.CaseRow]) -> list[CaseView]:
    levels = _levels(db, [row.case for row in rows])
    views = []
    for row in rows:
        shown = rights.may_see_identity(db, row.participant.center_id)
        # The 地域ケア会議's decision is free text: a name typed into it is hidden like the name itself.
        case = row.case if shown or not row.case.meeting_decision else replace(
            row.case, meeting_decision=participants.HIDDEN)
        views.append(CaseView(case, row.participant.number, row.center_name,
                              row.participant.name if shown else None, row.participant.kana if shown else None,
                              row.place_name, levels.get(row.case.initial_check_id or ""),
                              levels.get(row.case.final_check_id or ""), row.participant.center_id))
    return views


def list_cases(db: Database, *, center_id: str | None = None, municipality_code: str | None = None,
               participant_id: str | None = None, fiscal_year: int | None = None) -> list[CaseView]:
    """The cases as the actor may see them (of `fiscal_year`: domain in_fiscal_year); a list is a view of each
    listed participant's record (audited)."""
    rights.require(db, roles.READ)
    rows = q.cases(db, center_id=center_id, municipality_code=municipality_code, participant_id=participant_id)
    if fiscal_year is not None:
        start, end = fiscal_year_range(fiscal_year)
        rows = [row for row in rows if stc.in_fiscal_year(row.case, start, end)]
    views = _views(db, rows)
    for shown in (True, False):
        ids = sorted({row.participant.id for row, view in zip(rows, views) if view.identity_shown is shown})
        if ids:
            participants.record_view(db, ids, "cases list", shown)
    return views


def show_case(db: Database, case_id: str) -> CaseView:
    """One case, audited as a view of its participant's record."""
    rights.require(db, roles.READ)
    rows = q.cases(db, case_id=case_id)
    if not rows:
        raise RecordNotFoundError(f"短期集中予防サービスの記録が見つかりません: {case_id}")
    [view] = _views(db, rows)
    participants.record_view(db, [rows[0].participant.id], "case", view.identity_shown)
    return view


# ---------------------------------------------------------------- 事項3

def case_figures(db: Database, fiscal_year: int, municipality_code: str) -> stc.CaseFigures:
    """The 区市町村's 事項3 figures of the 年度 from its cases (exact; suppressed where shown to 東京都)."""
    rights.require(db, roles.READ)
    start, end = fiscal_year_range(fiscal_year)
    found = q.cases_in_service(db, municipality_code, start, end)
    levels = _levels(db, found)
    return stc.figures([(c, levels.get(c.initial_check_id or ""), levels.get(c.final_check_id or ""))
                        for c in found], start, end)


LEVEL_TEXT = {None: "—", **{k: checklist.LEVEL_LABELS[k] for k in checklist.LEVELS}}
