"""Who may do what: the three roles of the mission and the one rule that says whether an actor may take an
action on a record's center or promoter. Services call it (through services/rights.py) before every write, so
the GUI, the CLI, imports and bundles obey the same rights.

A database without users has one implicit 区市町村管理者 (IMPLICIT_ADMIN): a single-PC user never logs in.
"""

from __future__ import annotations

from dataclasses import dataclass

STAFF, PROMOTER, ADMIN = "staff", "promoter", "admin"
ROLES = (STAFF, PROMOTER, ADMIN)  # the roles a user may be given (db/0010_users.sql)
# Nobody logged in to a database that has users: reading only (never stored, never given to a user).
READER = "reader"
ROLE_LABELS = {STAFF: "センター職員", PROMOTER: "推進員", ADMIN: "区市町村管理者", READER: "閲覧のみ"}

# Actions. A center's records: its places, their gatherings and 参加者実人数, and the center's reports.
WRITE_CENTER_RECORDS = "write_center_records"
CONFIRM_CENTER = "confirm_center"  # センター確認 of a 年度
# A promoter's own activities and activity reports.
WRITE_OWN_ACTIVITIES = "write_own_activities"
READ = "read"
# Everything else that changes the database or its figures belongs to the 区市町村管理者.
ADMINISTER = "administer"  # masters, settings, users, promoters and their assignments, population, expenses
APPROVE = "approve"  # approval, lock and unlock of a 年度
EXCHANGE = "exchange"  # bundles in and out, trust
RESTORE = "restore"  # backups restored, trash emptied
# Participants (issue 19): their records and checks, and seeing who they are (name, よみ). Everyone who may read
# sees participant numbers; identities only a センター職員 of the participant's center and the 区市町村管理者.
WRITE_PARTICIPANTS = "write_participants"
SEE_IDENTITIES = "see_identities"
CENTER_ACTIONS = (WRITE_CENTER_RECORDS, CONFIRM_CENTER, WRITE_PARTICIPANTS, SEE_IDENTITIES)

ACTION_LABELS = {
    WRITE_CENTER_RECORDS: "通いの場・開催記録・参加者実人数の入力",
    CONFIRM_CENTER: "センター確認",
    WRITE_OWN_ACTIVITIES: "活動記録の入力",
    READ: "閲覧",
    ADMINISTER: "マスタ・設定・推進員・利用者の管理",
    APPROVE: "年度の承認・ロック",
    EXCHANGE: "データの受け渡し",
    RESTORE: "バックアップからの復元",
    WRITE_PARTICIPANTS: "参加者・基本チェックリストの入力",
    SEE_IDENTITIES: "参加者の氏名・よみの閲覧",
}


@dataclass(frozen=True)
class Actor:
    name: str
    role: str = ADMIN
    center_id: str | None = None  # a センター職員's center
    promoter_id: str | None = None  # a 推進員's own promoter record
    implicit: bool = False  # the one administrator of a database without users

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


IMPLICIT_ADMIN = Actor("", ADMIN, implicit=True)
# A database with users before anyone logged in (a CLI command without --user, the GUI before its login).
NOBODY = Actor("", READER)


def may(actor: Actor, action: str, *, center_id: str | None = None, promoter_id: str | None = None) -> bool:
    """Whether `actor` may take `action` on a record of `center_id` / `promoter_id` (None: not tied to one)."""
    if actor.role == ADMIN or action == READ:
        return True
    # A record tied to no center (a place without one) is nobody's own: only an administrator writes it.
    if actor.role == STAFF:
        return action in CENTER_ACTIONS and center_id is not None and center_id == actor.center_id
    if actor.role == PROMOTER:
        return action == WRITE_OWN_ACTIVITIES and promoter_id is not None and promoter_id == actor.promoter_id
    return False  # READER: reading only


def refusal_message(actor: Actor, action: str) -> str:
    label = ACTION_LABELS.get(action, action)
    if actor.role == READER:
        return (f"利用者が登録されたデータベースです。「{label}」にはログインが必要です"
                "（コマンドでは --user 利用者名）。")
    if actor.role == STAFF and action in CENTER_ACTIONS:
        return f"{actor.name}さん（{actor.role_label}）は自分のセンター以外の{label}はできません。"
    if actor.role == PROMOTER and action == WRITE_OWN_ACTIVITIES:
        return f"{actor.name}さん（{actor.role_label}）は自分以外の推進員の{label}はできません。"
    return f"{actor.name}さん（{actor.role_label}）には「{label}」の権限がありません。区市町村管理者に依頼してください。"


def may_use(actor: Actor, action: str) -> tuple[bool, str]:
    """Whether the actor may use a command or tab needing `action` on any record, and why not (for a tooltip).
    Staff and promoters write only some records: a command opening on records is enabled for them, and the
    services refuse a record that is not theirs."""
    own = {STAFF: WRITE_CENTER_RECORDS, PROMOTER: WRITE_OWN_ACTIVITIES}
    if actor.role == ADMIN or action == READ or own.get(actor.role) == action:
        return True, ""
    return False, refusal_message(actor, action)
