"""The rights check every service calls before it writes: `require(db, action, center_id=…, promoter_id=…)`
refuses with a Japanese message (UserFacingError kind FORBIDDEN) when the database's actor may not."""

from __future__ import annotations

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.storage.database import Database

FORBIDDEN = "FORBIDDEN"


class Forbidden(UserFacingError):
    kind = FORBIDDEN


def actor_of(db: Database) -> roles.Actor:
    return db.actor


def require(db: Database, action: str, *, center_id: str | None = None, promoter_id: str | None = None) -> None:
    actor = actor_of(db)
    if not roles.may(actor, action, center_id=center_id, promoter_id=promoter_id):
        raise Forbidden(roles.refusal_message(actor, action))
