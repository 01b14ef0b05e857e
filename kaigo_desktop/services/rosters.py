"""Rosters (issue 19): which participants came at a gathering, for places that keep one. Recording them needs the
participants' right (the place's center's センター職員, the 区市町村管理者); the choices list names only to who
may see identities (a 推進員 sees participant numbers) and a list showing names is an audited view
(services/participants.py). Each tick is a gathering_participants row (db/0017) written through services/records,
so the audit trail and the exchange carry it; the 実人数 it yields is computed in storage/member_figures.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import participants, records, rights
from kaigo_desktop.storage import roster_queries
from kaigo_desktop.storage.database import Database


class GatheringNotFound(UserFacingError):
    kind = "not_found"


@dataclass(frozen=True)
class RosterChoice:
    participant_id: str
    number: str
    name: str | None  # None: not the actor's to see (a 推進員 sees numbers only)
    present: bool

    @property
    def label(self) -> str:
        return f"{self.number}　{self.name}" if self.name else self.number


@dataclass(frozen=True)
class RosterView:
    gathering_id: str
    held_on: date
    attendance_total: int | None
    choices: list[RosterChoice]
    may_record: bool  # False: shown read-only

    @property
    def present_count(self) -> int:
        return sum(c.present for c in self.choices)


def _gathering(db: Database, gathering_id: str) -> roster_queries.GatheringFacts:
    facts = roster_queries.gathering_facts(db, gathering_id)
    if facts is None or not facts.live:
        raise GatheringNotFound("開催記録が見つかりません（ごみ箱へ移されたか、削除されています）。")
    return facts


def keeps_participants(db: Database, place_id: str, day: date) -> bool:
    """Whether a gathering of the place on the day can record who came (the place has participants then)."""
    return roster_queries.has_participants(db, place_id, day)


def roster_of(db: Database, gathering_id: str) -> RosterView:
    """The participants of the gathering's place on its day (and anyone already recorded), ticked if present."""
    facts = _gathering(db, gathering_id)
    present = roster_queries.present_ids(db, gathering_id)
    listed = participants.list_participants(db, place_id=facts.place_id, on=facts.held_on)
    missing = present - {s.id for s in listed}
    if missing:  # recorded, then their period changed: still shown so they can be unticked
        listed += [s for s in participants.list_participants(db, place_id=facts.place_id) if s.id in missing]
    choices = [RosterChoice(s.id, s.number, s.name or None, s.id in present) for s in listed]
    may_record = roles.may(rights.actor_of(db), roles.WRITE_PARTICIPANTS, center_id=facts.center_id)
    return RosterView(gathering_id, facts.held_on, facts.attendance_total, choices, may_record)


def record_roster(db: Database, gathering_id: str, participant_ids: Iterable[str], *,
                  today: date | None = None) -> int:
    """Make `participant_ids` the gathering's roster, all or nothing in one transaction: newly ticked entries
    added (or brought back), unticked ones moved to the trash. Returns how many are present."""
    facts = _gathering(db, gathering_id)
    rights.require(db, roles.WRITE_PARTICIPANTS, center_id=facts.center_id)
    chosen = list(dict.fromkeys(participant_ids))
    size_errors = pr.check_roster_size(facts.attendance_total, len(chosen))
    if size_errors:
        raise ValidationFailed(size_errors)
    current = roster_queries.entry_ids(db, gathering_id)
    with db.write():
        for participant_id, entry_id in current.items():
            if participant_id not in chosen:
                records.remove(db, pr.RosterEntry, entry_id)
        added = [pr.RosterEntry(gathering_id, pid) for pid in chosen if pid not in current]
        for entry in added:
            records.add(db, entry, today=today)
    return len(chosen)
