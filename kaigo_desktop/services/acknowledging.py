"""Acknowledging the 注意 of the checks before sending: someone looked at each and says the figure stands.
Approval of a 年度 (services/approval.py) asks for every 注意 to be acknowledged and no エラー."""

from __future__ import annotations

from collections.abc import Iterable

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.services import rights
from kaigo_desktop.services.submission_checks import WARNING, CheckFinding, CheckReport
from kaigo_desktop.storage import acknowledgement_queries
from kaigo_desktop.storage.database import Database

NOTE_LIMIT = 200


def acknowledge(db: Database, fiscal_year: int, findings: Iterable[CheckFinding], note: str = "") -> int:
    """Acknowledge these 注意 (エラー cannot be: they must be mended). Returns how many were acknowledged."""
    findings = list(findings)
    if any(f.level != WARNING for f in findings):
        raise UserFacingError("エラーは確認済みにできません。記録を直してから、もう一度チェックしてください。",
                              kind="NOT_A_WARNING")
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise UserFacingError(f"確認のメモは{NOTE_LIMIT}文字までです。", kind="TOO_LONG", field="note")
    rights.require(db, roles.APPROVE)  # acknowledging is part of approving the 年度
    return acknowledgement_queries.acknowledge(
        db, fiscal_year, [(f.municipality_code or "", f.key, f.code) for f in findings], note)


def withdraw(db: Database, fiscal_year: int, findings: Iterable[CheckFinding]) -> None:
    rights.require(db, roles.APPROVE)
    acknowledgement_queries.withdraw(db, fiscal_year, [(f.municipality_code or "", f.key) for f in findings])


def acknowledge_matching(db: Database, report: CheckReport, selectors: Iterable[str], note: str = "") -> int:
    """The CLI's `validate --acknowledge`: each selector is a rule code, a finding's key or "all" (every 注意);
    a selector that matches no 注意 refuses the whole command, so a typo acknowledges nothing."""
    chosen: dict[str, CheckFinding] = {}
    for selector in selectors:
        matched = [f for f in report.warnings
                   if selector.strip().lower() == "all" or selector.strip() in (f.code, f.key)]
        if not matched:
            raise UserFacingError(f"確認済みにする注意が見つかりません: {selector}（規則コード・キー・all のいずれか）",
                                  kind="NO_SUCH_WARNING")
        chosen.update((f.key, f) for f in matched)
    return acknowledge(db, report.fiscal_year, chosen.values(), note)
