"""Approval and period locks, as DHIS2 does them: a center confirms its places' 年度 (センター確認), then the
区市町村管理者 approves and locks the 年度 for the 区市町村 (提出済み). The lock itself is enforced by triggers
(db/0011_period_locks.sql), so every path that writes obeys it; this module decides when a lock may be set
or lifted and keeps every such step in period_events, in the same transaction as the step.

Approval asks for: no エラー and every 注意 acknowledged (submission_checks.CheckReport.ready_for_approval), and
every center with a place active in the 年度 confirmed. Unconfirmed centers block, as in DHIS2: approval is the
municipality saying its centers' figures are final, which a center that has not looked at them cannot be.
A confirmation does not lock anything by itself; it stays when the 年度 is unlocked, and can be withdrawn
(by the center or an administrator) while the 年度 is not locked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.fiscal import format_fiscal_year, format_wareki
from kaigo_desktop.domain.period_lock import FROZEN_BY_LOCK
from kaigo_desktop.services import rights, setup
from kaigo_desktop.services.submission_checks import run_checks
from kaigo_desktop.storage import period_queries as q
from kaigo_desktop.storage.database import Database

NOT_READY = "NOT_READY"  # approval refused: エラー, 注意 not acknowledged, centers not confirmed
ALREADY_LOCKED = "ALREADY_LOCKED"
NOT_LOCKED = "NOT_LOCKED"
ALREADY_CONFIRMED = "ALREADY_CONFIRMED"
NOT_CONFIRMED = "NOT_CONFIRMED"
REASON_REQUIRED = "REASON_REQUIRED"
UNKNOWN_CENTER = "UNKNOWN_CENTER"

REASON_LIMIT = 200
LISTED = 5  # findings named in a refusal; the rest are counted
TOKYO = timezone(timedelta(hours=9))  # the users' day: a lock at 2025-05-09T16:00Z is 令和7年5月10日


class ApprovalError(UserFacingError):
    kind = NOT_READY


def lock_day(locked_at: str) -> date:
    """The day (in Tokyo) of a lock's UTC time stamp."""
    return datetime.fromisoformat(locked_at.replace("Z", "+00:00")).astimezone(TOKYO).date()


def lock_moment(locked_at: str) -> datetime:
    """The lock's time in Tokyo (naive): the creation date of the reports of a locked 年度."""
    moment = datetime.fromisoformat(locked_at.replace("Z", "+00:00")).astimezone(TOKYO)
    return moment.replace(tzinfo=None, microsecond=0)


def submitted_label(locked_at: str) -> str:
    """「提出済み（令和7年5月10日ロック）」: what the screens and the reports of a locked 年度 say."""
    return f"提出済み（{format_wareki(lock_day(locked_at))}ロック）"


@dataclass(frozen=True)
class CenterState:
    center_id: str
    name: str
    confirmed_at: str | None
    confirmed_by: str | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclass(frozen=True)
class PeriodStatus:
    fiscal_year: int
    municipality_code: str
    municipality_name: str
    locked_at: str | None
    locked_by: str | None
    centers: list[CenterState] = field(default_factory=list)
    unlocks: int = 0  # how many times the 年度 was reopened

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    @property
    def unconfirmed(self) -> list[CenterState]:
        return [c for c in self.centers if not c.confirmed]

    @property
    def label(self) -> str:
        """「提出済み（令和7年5月10日ロック）」 or 「入力中（センター確認 2/3）」."""
        if self.locked_at is not None:
            return submitted_label(self.locked_at)
        done = len(self.centers) - len(self.unconfirmed)
        return f"入力中（センター確認 {done}/{len(self.centers)}）"

    def to_json_dict(self) -> dict:
        return {"fiscal_year": self.fiscal_year, "municipality_code": self.municipality_code,
                "municipality_name": self.municipality_name, "locked": self.locked,
                "locked_at": self.locked_at, "locked_by": self.locked_by, "label": self.label,
                "unlocks": self.unlocks,
                "centers": [{"center_id": c.center_id, "name": c.name, "confirmed": c.confirmed,
                             "confirmed_at": c.confirmed_at, "confirmed_by": c.confirmed_by}
                            for c in self.centers]}


def period_status(db: Database, fiscal_year: int, municipality_code: str) -> PeriodStatus:
    name = setup.require_municipality(db, municipality_code)
    lock = q.lock_of(db, fiscal_year, municipality_code)
    centers = [CenterState(row["id"], row["name"], row["confirmed_at"], row["confirmed_by"])
               for row in q.centers_to_confirm(db, fiscal_year, municipality_code)]
    unlocks = sum(1 for event in q.events(db, fiscal_year, municipality_code) if event["action"] == "unlock")
    return PeriodStatus(fiscal_year, municipality_code, name, lock["locked_at"] if lock else None,
                        lock["locked_by"] if lock else None, centers, unlocks)


def list_periods(db: Database) -> list[PeriodStatus]:
    """Every 年度 and 区市町村 that was confirmed, locked or unlocked, oldest first."""
    return [period_status(db, fy, code) for fy, code in q.periods_with_activity(db)]


def locked_reason(db: Database, fiscal_year: int, municipality_code: str | None) -> str | None:
    """Why records of the 年度 cannot be changed (a form shows it beside its disabled fields), or None."""
    if not municipality_code:
        return None
    lock = q.lock_of(db, fiscal_year, municipality_code)
    if lock is None:
        return None
    return (f"{format_fiscal_year(fiscal_year)}は{submitted_label(lock['locked_at'])}のため変更できません。"
            "変更が必要なときは、区市町村管理者が理由を記録してロックを解除してください。")


def report_lock(db: Database, fiscal_year: int | None, municipality_code: str | None = None, *,
                promoter_id: str | None = None, place_id: str | None = None) -> str | None:
    """locked_at of the 年度 a report covers (its 区市町村 given, or that of its promoter or place), or None."""
    if fiscal_year is None:
        return None
    code = (municipality_code or (promoter_id and q.municipality_of(db, "promoters", promoter_id))
            or (place_id and q.municipality_of(db, "places", place_id)))
    lock = q.lock_of(db, fiscal_year, code) if code else None
    return lock["locked_at"] if lock else None


def locked_reason_for_place(db: Database, place_id: str | None, fiscal_year: int) -> str | None:
    """locked_reason for the 年度 of a place's 区市町村 (a gathering's form, a month of the month grid)."""
    if not place_id:
        return None
    return locked_reason(db, fiscal_year, q.municipality_of(db, "places", place_id))


def locked_reason_for_promoter(db: Database, promoter_id: str | None, fiscal_year: int) -> str | None:
    """locked_reason for the 年度 of a promoter's 区市町村 (an activity's form)."""
    if not promoter_id:
        return None
    return locked_reason(db, fiscal_year, q.municipality_of(db, "promoters", promoter_id))


def frozen_fields_reason(db: Database, table: str, record_id: str | None) -> str | None:
    """Why the figure fields (domain/period_lock.FROZEN_BY_LOCK) of a stored place or promoter cannot be
    changed — it is active in a locked 年度 of its 区市町村 — or None. Its name, address and notes stay open."""
    if not record_id:
        return None
    held = q.locks_holding(db, table, record_id)
    if not held:
        return None
    assert table in FROZEN_BY_LOCK
    years = "・".join(format_fiscal_year(row["fiscal_year"]) for row in held)
    kind, open_fields = ("通いの場", "名称・住所・定員") if table == "places" else ("推進員", "氏名")
    return (f"{years}は{submitted_label(held[-1]['locked_at'])}のため、この{kind}の集計に関わる項目（灰色の欄）は"
            f"変更できません。{open_fields}・連絡先・備考などは変更できます。"
            "変更が必要なときは、区市町村管理者が理由を記録してロックを解除してください。")


# ---- センター確認 -----------------------------------------------------------------------------------------


def _center_of(db: Database, center_id: str):
    found = q.center(db, center_id)
    if found is None:
        raise UserFacingError(f"地域包括支援センターが見つかりません: {center_id}", kind=UNKNOWN_CENTER)
    return found


def _refuse_when_locked(db: Database, fiscal_year: int, municipality_code: str, doing: str) -> None:
    lock = q.lock_of(db, fiscal_year, municipality_code)
    if lock is not None:
        raise ApprovalError(f"{format_fiscal_year(fiscal_year)}は{submitted_label(lock['locked_at'])}のため、"
                            f"{doing}はできません。先にロックを解除してください。", kind=ALREADY_LOCKED)


def confirm_center(db: Database, fiscal_year: int, center_id: str) -> None:
    """センター確認: the center says its places' figures of the 年度 are complete and right."""
    center = _center_of(db, center_id)
    rights.require(db, roles.CONFIRM_CENTER, center_id=center_id)
    with db.write() as stamp:
        _refuse_when_locked(db, fiscal_year, center["municipality_code"], "センター確認")
        if q.confirmation(db, fiscal_year, center_id) is not None:
            raise ApprovalError(f"{center['name']}の{format_fiscal_year(fiscal_year)}は既にセンター確認済みです。",
                                kind=ALREADY_CONFIRMED)
        q.add_confirmation(db, stamp, fiscal_year, center_id)
        q.add_event(db, stamp, fiscal_year, center["municipality_code"], "confirm", center_id=center_id)


def withdraw_confirmation(db: Database, fiscal_year: int, center_id: str) -> None:
    center = _center_of(db, center_id)
    rights.require(db, roles.CONFIRM_CENTER, center_id=center_id)
    with db.write() as stamp:
        _refuse_when_locked(db, fiscal_year, center["municipality_code"], "センター確認の取り消し")
        if q.confirmation(db, fiscal_year, center_id) is None:
            raise ApprovalError(f"{center['name']}の{format_fiscal_year(fiscal_year)}はセンター確認されていません。",
                                kind=NOT_CONFIRMED)
        q.remove_confirmation(db, fiscal_year, center_id)
        q.add_event(db, stamp, fiscal_year, center["municipality_code"], "unconfirm", center_id=center_id)


# ---- 承認してロック / ロック解除 ---------------------------------------------------------------------------


def missing_for_approval(db: Database, fiscal_year: int, municipality_code: str,
                         today: date | None = None) -> list[str]:
    """What stands between the 年度 and its approval, one Japanese line each ([] = it may be approved)."""
    report = run_checks(db, fiscal_year, municipality_code, today)
    missing = []
    if report.errors:
        missing.append(f"提出前チェックのエラーが{len(report.errors)}件あります（直してください）:")
        missing += [f"  ・{f.message}" for f in report.errors[:LISTED]]
        if len(report.errors) > LISTED:
            missing.append(f"  ・ほか{len(report.errors) - LISTED}件")
    unacknowledged = report.unacknowledged_warnings
    if unacknowledged:
        missing.append(f"確認済みにしていない注意が{len(unacknowledged)}件あります:")
        missing += [f"  ・{f.message}" for f in unacknowledged[:LISTED]]
        if len(unacknowledged) > LISTED:
            missing.append(f"  ・ほか{len(unacknowledged) - LISTED}件")
    unconfirmed = [c for c in period_status(db, fiscal_year, municipality_code).centers if not c.confirmed]
    if unconfirmed:
        missing.append("センター確認がまだのセンター: " + "、".join(c.name for c in unconfirmed))
    return missing


def approve_and_lock(db: Database, fiscal_year: int, municipality_code: str, today: date | None = None) -> None:
    """承認してロック: refused (ApprovalError NOT_READY, listing what is missing) unless the checks before
    sending have no エラー, every 注意 is acknowledged and every center confirmed."""
    setup.require_municipality(db, municipality_code)
    rights.require(db, roles.APPROVE)
    with db.write() as stamp:  # checked and locked in one transaction: nothing changes in between
        _refuse_when_locked(db, fiscal_year, municipality_code, "承認とロック")
        missing = missing_for_approval(db, fiscal_year, municipality_code, today)
        if missing:
            raise ApprovalError(f"{format_fiscal_year(fiscal_year)}はまだ承認できません。\n" + "\n".join(missing))
        q.add_lock(db, stamp, fiscal_year, municipality_code)
        q.add_event(db, stamp, fiscal_year, municipality_code, "lock")


def unlock(db: Database, fiscal_year: int, municipality_code: str, reason: str) -> None:
    """ロック解除: reopens the 年度; the reason is required and kept in period_events."""
    setup.require_municipality(db, municipality_code)
    rights.require(db, roles.APPROVE)
    reason = (reason or "").strip()
    if not reason:
        raise ApprovalError("ロックを解除する理由を入力してください（記録に残ります）。", kind=REASON_REQUIRED,
                            field="reason")
    if len(reason) > REASON_LIMIT:
        raise ApprovalError(f"ロック解除の理由は{REASON_LIMIT}文字までです。", kind=REASON_REQUIRED, field="reason")
    with db.write() as stamp:
        if q.lock_of(db, fiscal_year, municipality_code) is None:
            raise ApprovalError(f"{format_fiscal_year(fiscal_year)}はロックされていません。", kind=NOT_LOCKED)
        q.remove_lock(db, fiscal_year, municipality_code)
        q.add_event(db, stamp, fiscal_year, municipality_code, "unlock", reason=reason)


# ---- what the 提出前チェック screen offers ----------------------------------------------------------------


@dataclass(frozen=True)
class Allowed:
    ok: bool
    why: str = ""  # why not (shown beside the disabled button)


@dataclass(frozen=True)
class ApprovalView:
    """A 年度 and 区市町村 as the approval panel shows it, and what the current user may do with it now."""

    status: PeriodStatus
    confirm: dict[str, Allowed]  # center id → may confirm (or withdraw) it
    lock: Allowed
    unlock: Allowed


def approval_view(db: Database, fiscal_year: int, municipality_code: str, today: date | None = None) -> ApprovalView:
    actor = rights.actor_of(db)
    status = period_status(db, fiscal_year, municipality_code)
    submitted = (f"{format_fiscal_year(fiscal_year)}は{submitted_label(status.locked_at)}です。"
                 if status.locked_at else "")
    confirm = {}
    for center in status.centers:
        if not roles.may(actor, roles.CONFIRM_CENTER, center_id=center.center_id):
            confirm[center.center_id] = Allowed(False, roles.refusal_message(actor, roles.CONFIRM_CENTER))
        else:
            confirm[center.center_id] = Allowed(not status.locked, submitted and submitted + "先にロックを解除してください。")
    if not roles.may(actor, roles.APPROVE):
        refusal = roles.refusal_message(actor, roles.APPROVE)
        return ApprovalView(status, confirm, Allowed(False, refusal), Allowed(False, refusal))
    if status.locked:
        return ApprovalView(status, confirm, Allowed(False, submitted), Allowed(True))
    missing = [line.rstrip(":") for line in missing_for_approval(db, fiscal_year, municipality_code, today)
               if not line.startswith("  ")]
    lock = Allowed(not missing, "承認できません: " + "　".join(missing) if missing else "")
    return ApprovalView(status, confirm, lock, Allowed(False, f"{format_fiscal_year(fiscal_year)}はロックされていません。"))
