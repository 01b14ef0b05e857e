"""Participants and their frailty checks (issue 19): add and change them with the rights of the roles, list
them and show one person's record — identities (name, よみ) only to a センター職員 of the participant's center and
the 区市町村管理者; a 推進員 (and anyone else) sees participant numbers only. Every view of a participant's
record is written to the audit trail ('view'), so a view on a file opened read-only is refused."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.text import is_digits
from kaigo_desktop.domain.validation import FieldError, ValidationFailed
from kaigo_desktop.services import records, rights
from kaigo_desktop.storage import aggregates, audit_log, participant_queries, repository
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.settings_store import write_setting

VIEW = "view"  # the audit action of a view of a participant's record
HIDDEN = "（非表示）"  # in place of a name or よみ the actor may not see
NUMBER_DIGITS = 6  # a generated participant number: 000001, 000002 …


class ViewNotRecordable(UserFacingError):
    kind = "view_not_recordable"


# ---------------------------------------------------------------- cut-offs (a database setting)

_CUTOFF_SETTINGS = {"pre_frail_from": "checklist_pre_frail_from", "frail_from": "checklist_frail_from"}


def cutoffs(db: Database) -> checklist.ChecklistCutoffs:
    """The frailty cut-offs of this database (standard 4 / 8 unless the 区市町村管理者 chose others)."""
    chosen = {name: int(value) for name, key in _CUTOFF_SETTINGS.items()
              if (value := aggregates.setting(db, key)) is not None and is_digits(value)}
    try:
        return checklist.ChecklistCutoffs(**chosen)
    except checklist.ChecklistCutoffError:
        return checklist.STANDARD_CUTOFFS


def save_cutoffs(db: Database, chosen: checklist.ChecklistCutoffs) -> None:
    rights.require(db, roles.ADMINISTER)
    with db.write():
        for name, key in _CUTOFF_SETTINGS.items():
            write_setting(db, key, str(getattr(chosen, name)))


# ---------------------------------------------------------------- writing

def next_number(db: Database, center_id: str) -> str:
    return f"{participant_queries.highest_generated_number(db, center_id) + 1:0{NUMBER_DIGITS}d}"


def add_participant(db: Database, participant: pr.Participant, *, today: date | None = None) -> pr.Participant:
    """A blank number is given the center's next generated one."""
    if not participant.number.strip() and participant.center_id:
        participant = dataclasses.replace(participant, number=next_number(db, participant.center_id))
    return records.add(db, participant, today=today)


def update_participant(db: Database, participant: pr.Participant, *, today: date | None = None) -> pr.Participant:
    return records.update(db, participant, today=today)


def add_attendance(db: Database, attendance: pr.Attendance, *, today: date | None = None) -> pr.Attendance:
    return records.add(db, attendance, today=today)


def add_check(db: Database, check: pr.FrailtyCheck, *, today: date | None = None) -> pr.FrailtyCheck:
    """Stored as answers; the results are computed whenever shown (cutoffs(db))."""
    if not check.entered_by:
        check = dataclasses.replace(check, entered_by=db.audit_name[:pr.ENTERED_BY_MAX_CHARS])
    return records.add(db, check, today=today)


def add_questionnaire(db: Database, answers: pr.Questionnaire, *, today: date | None = None) -> pr.Questionnaire:
    if not answers.entered_by:
        answers = dataclasses.replace(answers, entered_by=db.audit_name[:pr.ENTERED_BY_MAX_CHARS])
    return records.add(db, answers, today=today)


def remove_participant(db: Database, participant_id: str) -> None:
    """To the trash (records.remove: the participant's center's WRITE_PARTICIPANTS, audited). Their attendance
    periods, checks, 質問票, rosters and cases stay as they are, attached, and come back with them; meanwhile every
    list, roster, outcome and case figure leaves them out (those queries read live participants only)."""
    records.remove(db, pr.Participant, participant_id)


def restore_participant(db: Database, participant_id: str) -> pr.Participant:
    """Back from the trash; refused (ValidationFailed on number) when a live participant of the same center has
    taken the number meanwhile (generated numbers never are: they count the trash too)."""
    rights.require_stored(db, pr.Participant, participant_id)
    stored = repository.get(db, pr.Participant, participant_id)
    if stored.meta.deleted_at is not None and participant_queries.participant_ids_by_number(
            db, stored.center_id, stored.number):
        raise ValidationFailed(FieldError(
            "number", f"同じセンターに参加者番号 {stored.number} の参加者が既にいるため、元に戻せません。"
                      "先に今いる方の参加者番号を変えてください。"))
    records.restore(db, pr.Participant, participant_id)
    return repository.get(db, pr.Participant, participant_id)


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class ParticipantSummary:
    id: str
    number: str
    center_id: str
    center_name: str
    birth_year: int
    birth_month: int
    sex: str
    name: str | None  # None: not the actor's to see
    kana: str | None
    checks: int
    last_checked_on: str | None

    @property
    def identity_shown(self) -> bool:
        return self.name is not None

    def to_json(self) -> dict:
        data = {"id": self.id, "number": self.number, "center": self.center_name, "birth_year": self.birth_year,
                "birth_month": self.birth_month, "sex": self.sex, "checks": self.checks,
                "last_checked_on": self.last_checked_on}
        if self.identity_shown:
            data.update(name=self.name, kana=self.kana)
        return data


def _summary(db: Database, row: participant_queries.ParticipantRow) -> ParticipantSummary:
    p = row.participant
    shown = rights.may_see_identity(db, p.center_id)
    return ParticipantSummary(p.id, p.number, p.center_id, row.center_name, p.birth_year, p.birth_month, p.sex,
                              p.name if shown else None, p.kana if shown else None, row.checks, row.last_checked_on)


def record_view(db: Database, participant_ids: list[str], what: str, identities: bool) -> None:
    if db.readonly:
        raise ViewNotRecordable(
            "参加者の記録の閲覧は変更履歴に残します。読み取り専用で開いているため記録できないので、表示しません"
            "（編集用に開いてから表示してください）。")
    with db.write():
        detail = json.dumps({"what": what, "identities": identities}, ensure_ascii=False)
        for participant_id in participant_ids:
            audit_log.note(db.conn, VIEW, detail, table_name="participants", record_id=participant_id)


def list_participants(db: Database, *, center_id: str | None = None, place_id: str | None = None,
                      on: date | None = None, deleted: bool = False) -> list[ParticipantSummary]:
    """Participants (`deleted`: those in the trash) with their identities where the actor may see them; a list
    showing identities is a view of those participants' records (audited)."""
    rights.require(db, roles.READ)
    found = [_summary(db, row) for row in participant_queries.participants(
        db, center_id=center_id, place_id=place_id, on=on, deleted=deleted)]
    shown = [s.id for s in found if s.identity_shown]
    if shown:
        record_view(db, shown, "trash" if deleted else "list", True)
    return found


@dataclass(frozen=True)
class CheckView:
    check: pr.FrailtyCheck
    result: checklist.ChecklistResult


@dataclass(frozen=True)
class ParticipantRecord:
    summary: ParticipantSummary
    attendance: list[tuple[pr.Attendance, str]]  # (period, place name)
    checks: list[CheckView]
    questionnaires: list[pr.Questionnaire]
    cutoffs: checklist.ChecklistCutoffs


def show_participant(db: Database, participant_id: str, *, purpose: str = "show") -> ParticipantRecord:
    """One participant's whole record (identity only if the actor may see it), its checks scored; audited
    (`purpose`: "show", or "print" for the per-person print)."""
    rights.require(db, roles.READ)
    participant = repository.get(db, pr.Participant, participant_id, include_deleted=False)
    rows = [row for row in participant_queries.participants(db, center_id=participant.center_id)
            if row.participant.id == participant_id]
    summary = _summary(db, rows[0])
    record_view(db, [participant_id], purpose, summary.identity_shown)
    chosen = cutoffs(db)
    checks = [CheckView(c, c.result(chosen)) for c in participant_queries.checks_of(db, participant_id)]
    return ParticipantRecord(summary, participant_queries.attendance_of(db, participant_id), checks,
                             participant_queries.questionnaires_of(db, participant_id), chosen)


def print_record(db: Database, participant_id: str) -> ParticipantRecord:
    """The record for a per-person print (the participant's own check history, handed to them): it names the
    person, so only who may see identities may make it (a 推進員 is refused); audited as "print"."""
    participant = repository.get(db, pr.Participant, participant_id, include_deleted=False)
    rights.require(db, roles.SEE_IDENTITIES, center_id=participant.center_id)
    return show_participant(db, participant_id, purpose="print")


def find_by_number(db: Database, municipality_code: str, number: str) -> str | None:
    """The id of the live participant with this number in the 区市町村 (None: none, or several centers use it)."""
    ids = participant_queries.participant_ids_by_number_in(db, municipality_code, number)
    return ids[0] if len(ids) == 1 else None
