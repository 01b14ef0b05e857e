"""The rights check every service calls before it writes: `require(db, action, center_id=…, promoter_id=…)`
refuses with a Japanese message (UserFacingError kind FORBIDDEN) when the database's actor may not.

Whose a record is — the one mapping from a record to the action and the center or promoter it is checked
against — lives here only (`scope_of`): a place → its center; a gathering or 参加者実人数 → its place's center;
a 推進員活動記録 → its promoter; a participant → its center, and its attendance, checks, 質問票, presence at a
gathering (roster) and 短期集中予防サービス cases → the participant's center; everything else (centers, promoters,
assignments, population, expenses) is the administrator's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import records as r
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.short_term_cases import ShortTermCase
from kaigo_desktop.storage import repository, rights_queries
from kaigo_desktop.storage.database import Database

FORBIDDEN = "FORBIDDEN"

Scope = tuple[str, "str | None", "str | None"]  # (action, center_id, promoter_id)
PARTICIPANT_PARTS = (pr.Attendance, pr.FrailtyCheck, pr.Questionnaire, pr.RosterEntry,  # records of one participant
                     ShortTermCase)


class Forbidden(UserFacingError):
    kind = FORBIDDEN


def actor_of(db: Database) -> roles.Actor:
    return db.actor


def require(db: Database, action: str, *, center_id: str | None = None, promoter_id: str | None = None) -> None:
    actor = actor_of(db)
    if not roles.may(actor, action, center_id=center_id, promoter_id=promoter_id):
        raise Forbidden(roles.refusal_message(actor, action))


def scope_of(db: Database, record: Any) -> Scope:
    """The action writing `record` needs, with the center or promoter it belongs to."""
    if isinstance(record, r.Place):
        return roles.WRITE_CENTER_RECORDS, record.center_id, None
    if isinstance(record, (r.Gathering, r.Members)):
        return roles.WRITE_CENTER_RECORDS, rights_queries.place_center(db, record.place_id), None
    if isinstance(record, r.Activity):
        return roles.WRITE_OWN_ACTIVITIES, None, record.promoter_id
    if isinstance(record, pr.Participant):
        return roles.WRITE_PARTICIPANTS, record.center_id, None
    if isinstance(record, PARTICIPANT_PARTS):
        return roles.WRITE_PARTICIPANTS, rights_queries.participant_center(db, record.participant_id), None
    return roles.ADMINISTER, None, None


def refusal(db: Database, record: Any) -> str | None:
    """Why the actor may not write `record` (None when it may): for an import to put on the record's row."""
    try:
        require_record(db, record)
    except Forbidden as error:
        return str(error)
    return None


def require_record(db: Database, record: Any) -> None:
    """Adding or changing `record` (as it will be). An administrator may everything: no look-ups then, so a
    bulk import costs nothing more."""
    if actor_of(db).role == roles.ADMIN:
        return
    action, center_id, promoter_id = scope_of(db, record)
    require(db, action, center_id=center_id, promoter_id=promoter_id)


def require_stored(db: Database, record_type: type, record_id: str) -> None:
    """Changing, removing or restoring the stored record (deleted or not); an unknown id is left to the
    write to report as not found."""
    if actor_of(db).role == roles.ADMIN:
        return
    if not _has_owner(record_type):
        require(db, roles.ADMINISTER)
        return
    stored = repository.find(db, record_type, record_id)
    if stored is not None:
        require_record(db, stored)


def require_update(db: Database, record: Any) -> None:
    """An update must be allowed both for the record as stored and as it becomes (a place moved from another
    center into one's own, or out of it, is refused)."""
    if actor_of(db).role == roles.ADMIN:
        return
    if record.id:
        require_stored(db, type(record), record.id)
    require_record(db, record)


def require_places(db: Database, place_ids: Iterable[str]) -> None:
    """Writing gatherings of these places (the bulk path: each place looked up once)."""
    if actor_of(db).role == roles.ADMIN:
        return
    for place_id in set(place_ids):
        require(db, roles.WRITE_CENTER_RECORDS, center_id=rights_queries.place_center(db, place_id))


def require_gathering_keys(db: Database, keys: Sequence[int]) -> None:
    """Writing the gatherings with these list keys (moved to or back from the trash from the list)."""
    if actor_of(db).role == roles.ADMIN:
        return
    for center_id in rights_queries.gathering_centers(db, keys):
        require(db, roles.WRITE_CENTER_RECORDS, center_id=center_id)


def _has_owner(record_type: type) -> bool:
    return record_type in (r.Place, r.Gathering, r.Members, r.Activity, pr.Participant, *PARTICIPANT_PARTS)


def may_see_identity(db: Database, center_id: str | None) -> bool:
    """Whether the actor may see the name and よみ of a participant of `center_id`."""
    return roles.may(actor_of(db), roles.SEE_IDENTITIES, center_id=center_id)
