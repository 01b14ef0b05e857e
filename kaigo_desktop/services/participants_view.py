"""What the 参加者 screen shows (issue 19): the list with each person's current places and latest frailty level,
filtered by center, place and level, and saving a participant with a place period in one transaction. Identities
and auditing stay with services/participants.py (one rule, one place)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.services import participants, records, rights
from kaigo_desktop.services.participants import ParticipantSummary
from kaigo_desktop.storage import participant_queries, repository
from kaigo_desktop.storage.database import Database

NOT_CHECKED = "not_checked"  # the level filter's 「未実施」
UNDECIDED = "undecided"
LEVEL_FILTERS: tuple[tuple[str, str], ...] = (
    *((level, checklist.LEVEL_LABELS[level]) for level in checklist.LEVELS),
    (UNDECIDED, "判定不能"), (NOT_CHECKED, "未実施"))


@dataclass(frozen=True)
class ParticipantFilter:
    center_id: str | None = None
    place_id: str | None = None
    level: str | None = None  # a key of LEVEL_FILTERS; None: any
    deleted: bool = False  # the trash instead of the live participants


@dataclass(frozen=True)
class ParticipantListRow:
    summary: ParticipantSummary
    places: tuple[str, ...]  # attended today
    latest_level: str  # a LEVELS key, UNDECIDED or NOT_CHECKED

    @property
    def latest_level_label(self) -> str:
        return dict(LEVEL_FILTERS)[self.latest_level] if self.latest_level != NOT_CHECKED else "—"


def participant_list(db: Database, chosen: ParticipantFilter, *, today: date) -> list[ParticipantListRow]:
    summaries = participants.list_participants(db, center_id=chosen.center_id, place_id=chosen.place_id,
                                               deleted=chosen.deleted)
    ids = [s.id for s in summaries]
    latest_checks = participant_queries.latest_checks(db, ids)
    places = participant_queries.place_names_of(db, ids, today)
    cutoffs = participants.cutoffs(db)
    rows = []
    for summary in summaries:
        latest = latest_checks.get(summary.id)
        level = NOT_CHECKED if latest is None else (latest.result(cutoffs).level or UNDECIDED)
        if chosen.level is None or chosen.level == level:
            rows.append(ParticipantListRow(summary, tuple(places[summary.id]), level))
    return rows


def save_participant(db: Database, participant: pr.Participant, new_period: pr.Attendance | None, *,
                     today: date) -> pr.Participant:
    """Add (blank number: generated) or update a participant and, when given, a period at a place — one
    transaction, so a new person is never left without the place they were entered for."""
    with db.write():
        if participant.id:
            saved = participants.update_participant(db, _edited(db, participant), today=today)
        else:
            saved = participants.add_participant(db, participant, today=today)
        if new_period is not None:
            new_period.participant_id = saved.id
            participants.add_attendance(db, new_period, today=today)
    return saved


_EDITABLE = ("number", "birth_year", "birth_month", "sex", "center_id")


def _edited(db: Database, participant: pr.Participant) -> pr.Participant:
    """The stored record with the form's fields: its bookkeeping kept, and a name the editor may not see
    kept as stored (never blanked by a form that hid it)."""
    stored = repository.get(db, pr.Participant, participant.id, include_deleted=False)
    fields = list(_EDITABLE)
    if rights.may_see_identity(db, stored.center_id):
        fields += ["name", "kana"]
    return dataclasses.replace(stored, **{f: getattr(participant, f) for f in fields})


def end_period(db: Database, attendance_id: str, end_date: date, *, today: date) -> pr.Attendance:
    """The participant stops attending the place: the stored period (not a copy the form may hold from before)
    gets `end_date`, checked by the domain's period rule (not before its start) and the participant's rights."""
    stored = repository.get(db, pr.Attendance, attendance_id, include_deleted=False)
    return records.update(db, dataclasses.replace(stored, end_date=end_date), today=today)
