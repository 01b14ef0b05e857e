"""Users of a database and logging in (issue 13): add, list, change, set a password, remove; `login` makes a
user the database's actor, whose rights every service checks (services/rights.py).

A database without users behaves as before: one implicit 区市町村管理者, nobody logs in. The first user must
be an administrator, and the last administrator can be neither removed nor demoted, so a database never
locks itself out. Only an administrator manages users; anyone logged in may change their own password."""

from __future__ import annotations

from dataclasses import dataclass

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.services import passwords, rights
from kaigo_desktop.storage import user_queries
from kaigo_desktop.storage.database import Database

MAX_NAME_LENGTH = 40
LOGIN_REFUSED = "LOGIN_REFUSED"
# One message for an unknown name and a wrong password: it does not tell which names exist.
LOGIN_REFUSED_MESSAGE = "利用者名またはパスワードが違います。"


class LoginRefused(UserFacingError):
    kind = LOGIN_REFUSED


class UserError(UserFacingError):
    kind = "USER"


@dataclass(frozen=True)
class User:
    name: str
    role: str
    center_id: str | None
    promoter_id: str | None
    has_password: bool

    @property
    def role_label(self) -> str:
        return roles.ROLE_LABELS[self.role]

    @property
    def actor(self) -> roles.Actor:
        return roles.Actor(self.name, self.role, center_id=self.center_id, promoter_id=self.promoter_id)


def _user(row: user_queries.UserRow) -> User:
    return User(row.name, row.role, row.center_id, row.promoter_id, bool(row.password_hash))


def has_users(db: Database) -> bool:
    return user_queries.has_users(db.conn)


def list_users(db: Database) -> list[User]:
    """The users (never their password hashes), by name."""
    return [_user(row) for row in user_queries.live_users(db)]


def describe(actor: roles.Actor) -> str:
    """「鈴木（センター職員）」: who is acting, for the status bar and messages."""
    return f"{actor.name}（{actor.role_label}）" if actor.name else actor.role_label


# ---- checks ------------------------------------------------------------------------------------

def normalise_name(name: str) -> str:
    """The user name as stored: trimmed; refused when empty, too long or holding control characters."""
    name = (name or "").strip()
    if not name:
        raise UserError("利用者名を入力してください。", field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise UserError(f"利用者名は{MAX_NAME_LENGTH}文字以内にしてください。", field="name")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise UserError("利用者名に改行や制御文字は使えません。", field="name")
    return name


def _checked_role(db: Database, role: str, center_id: str | None, promoter_id: str | None
                  ) -> tuple[str | None, str | None]:
    """The center and promoter the role needs (staff: a center; promoter: a promoter; admin: neither)."""
    if role not in roles.ROLES:
        choices = "、".join(f"{code}（{roles.ROLE_LABELS[code]}）" for code in roles.ROLES)
        raise UserError(f"役割は {choices} のいずれかです: {role}", field="role")
    center_id, promoter_id = (center_id or "").strip() or None, (promoter_id or "").strip() or None
    if role == roles.STAFF:
        if center_id is None:
            raise UserError("センター職員には所属する地域包括支援センター（--center ID）が必要です。", field="center_id")
        if not user_queries.live_center(db, center_id):
            raise UserError(f"地域包括支援センターが見つかりません: {center_id}", field="center_id")
    elif center_id is not None:
        raise UserError(f"センターを指定できるのはセンター職員だけです（{roles.ROLE_LABELS[role]}）。", field="center_id")
    if role == roles.PROMOTER:
        if promoter_id is None:
            raise UserError("推進員の利用者には本人の推進員（--promoter ID）が必要です。", field="promoter_id")
        if not user_queries.live_promoter(db, promoter_id):
            raise UserError(f"推進員が見つかりません: {promoter_id}", field="promoter_id")
    elif promoter_id is not None:
        raise UserError(f"推進員を指定できるのは推進員の利用者だけです（{roles.ROLE_LABELS[role]}）。",
                        field="promoter_id")
    return center_id, promoter_id


def _existing(db: Database, name: str) -> user_queries.UserRow:
    row = user_queries.find(db, normalise_name(name))
    if row is None:
        raise UserError(f"利用者が見つかりません: {name}", field="name")
    return row


def _keep_an_admin(db: Database, row: user_queries.UserRow, doing: str) -> None:
    if row.role == roles.ADMIN and user_queries.admin_count(db) <= 1:
        raise UserError(f"最後の区市町村管理者は{doing}できません。先に別の利用者を区市町村管理者にしてください。",
                        field="role")


# ---- managing ----------------------------------------------------------------------------------

def add_user(db: Database, name: str, role: str, *, center_id: str | None = None, promoter_id: str | None = None,
             password: str = "") -> User:
    """A new user (a removed one of the same name comes back with these settings)."""
    rights.require(db, roles.ADMINISTER)
    name = normalise_name(name)
    center_id, promoter_id = _checked_role(db, role, center_id, promoter_id)
    if not has_users(db) and role != roles.ADMIN:
        raise UserError("最初の利用者は区市町村管理者（admin）にしてください（管理する人がいなくならないように）。",
                        field="role")
    if user_queries.find(db, name) is not None:
        raise UserError(f"同じ名前の利用者が既にいます: {name}", field="name")
    user_queries.save(db, name, role, center_id, promoter_id, passwords.hash_password(password))
    return _user(user_queries.find(db, name))


def change_role(db: Database, name: str, role: str, *, center_id: str | None = None,
                promoter_id: str | None = None) -> User:
    rights.require(db, roles.ADMINISTER)
    row = _existing(db, name)
    center_id, promoter_id = _checked_role(db, role, center_id, promoter_id)
    if role != roles.ADMIN:
        _keep_an_admin(db, row, "ほかの役割に変更")
    user_queries.set_role(db, row.name, role, center_id, promoter_id)
    return _user(user_queries.find(db, row.name))


def set_password(db: Database, name: str, password: str) -> None:
    """A new password ("" removes it): an administrator for anyone, a user for themselves."""
    row = _existing(db, name)
    if db.actor.name != row.name:
        rights.require(db, roles.ADMINISTER)
    user_queries.set_password(db, row.name, passwords.hash_password(password))


def remove_user(db: Database, name: str) -> None:
    """The user can no longer log in; the row stays (removed) so the names in the records stay explained."""
    rights.require(db, roles.ADMINISTER)
    row = _existing(db, name)
    _keep_an_admin(db, row, "削除")
    user_queries.remove(db, row.name)


# ---- logging in --------------------------------------------------------------------------------

def needs_password(db: Database, name: str) -> bool:
    """Whether to ask for a password: yes unless the user exists without one (an unknown name is asked too,
    so asking does not tell which names exist)."""
    row = user_queries.find(db, (name or "").strip())
    return row is None or bool(row.password_hash)


def login(db: Database, name: str, password: str) -> roles.Actor:
    """Make the user the database's actor (and the name stamped on its writes)."""
    row = user_queries.find(db, (name or "").strip())
    if row is None:
        passwords.spend_like_a_check(password)
        raise LoginRefused(LOGIN_REFUSED_MESSAGE)
    if not passwords.verify(password, row.password_hash):
        raise LoginRefused(LOGIN_REFUSED_MESSAGE)
    actor = _user(row).actor
    db.actor, db.user = actor, actor.name
    return actor


def logout(db: Database) -> None:
    """Nobody acting: reading only until the next login."""
    db.actor = roles.NOBODY if has_users(db) else roles.IMPLICIT_ADMIN
    db.user = ""


@dataclass(frozen=True)
class UserPageData:
    """What the 利用者 page shows: the users, and the centers and promoters a user may be tied to."""

    users: list[User]
    centers: list[tuple[str, str]]
    promoters: list[tuple[str, str]]


def page_data(db: Database) -> UserPageData:
    return UserPageData(list_users(db), user_queries.center_choices(db), user_queries.promoter_choices(db))
