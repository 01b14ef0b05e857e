"""Reading participants, their attendance, checks and 質問票 (issue 19), and the check history the outcome
figures are computed from. Live records only, unless said otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.rows import from_row


@dataclass(frozen=True)
class ParticipantRow:
    participant: pr.Participant
    center_name: str
    checks: int
    last_checked_on: str | None


def participants(db: Database, *, center_id: str | None = None, place_id: str | None = None,
                 on: date | None = None, deleted: bool = False) -> list[ParticipantRow]:
    """Live participants (`deleted`: those in the trash), by center then number; `place_id`: those attending it
    (on the day `on`, else ever)."""
    where, params = ["p.deleted_at IS NOT NULL" if deleted else "p.deleted_at IS NULL"], []
    if center_id:
        where.append("p.center_id = ?")
        params.append(center_id)
    if place_id:
        where.append("EXISTS (SELECT 1 FROM participant_places a WHERE a.participant_id = p.id"
                     " AND a.place_id = ? AND a.deleted_at IS NULL"
                     + (" AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?)" if on else "") + ")")
        params += [place_id, *((on.isoformat(), on.isoformat()) if on else ())]
    rows = db.query(
        "SELECT p.*, c.name AS center_name,"
        " (SELECT count(*) FROM frailty_checks f WHERE f.participant_id = p.id AND f.deleted_at IS NULL) AS checks,"
        " (SELECT max(checked_on) FROM frailty_checks f WHERE f.participant_id = p.id AND f.deleted_at IS NULL)"
        " AS last_checked_on"
        f" FROM participants p JOIN centers c ON c.id = p.center_id WHERE {' AND '.join(where)}"
        " ORDER BY c.name, length(p.number), p.number", params)
    return [ParticipantRow(from_row(pr.Participant, row), row["center_name"], row["checks"], row["last_checked_on"])
            for row in rows]


def participant_ids_by_number(db: Database, center_id: str, number: str) -> list[str]:
    return [row[0] for row in db.query(
        "SELECT id FROM participants WHERE center_id = ? AND number = ? AND deleted_at IS NULL", (center_id, number))]


def participant_ids_by_number_in(db: Database, municipality_code: str, number: str) -> list[str]:
    """Live participants with this number at any center of the 区市町村."""
    return [row[0] for row in db.query(
        "SELECT p.id FROM participants p JOIN centers c ON c.id = p.center_id"
        " WHERE c.municipality_code = ? AND p.number = ? AND p.deleted_at IS NULL", (municipality_code, number))]


def highest_generated_number(db: Database, center_id: str) -> int:
    """The largest all-digit participant number of the center, deleted ones too (so none is given twice)."""
    return db.scalar(
        "SELECT coalesce(max(CAST(number AS INTEGER)), 0) FROM participants"
        " WHERE center_id = ? AND number NOT GLOB '*[^0-9]*'", (center_id,)) or 0


def attendance_of(db: Database, participant_id: str) -> list[tuple[pr.Attendance, str]]:
    """(attendance, place name), oldest first."""
    rows = db.query(
        "SELECT a.*, pl.name AS place_name FROM participant_places a JOIN places pl ON pl.id = a.place_id"
        " WHERE a.participant_id = ? AND a.deleted_at IS NULL ORDER BY a.start_date, pl.name", (participant_id,))
    return [(from_row(pr.Attendance, row), row["place_name"]) for row in rows]


def checks_of(db: Database, participant_id: str) -> list[pr.FrailtyCheck]:
    rows = db.query("SELECT * FROM frailty_checks WHERE participant_id = ? AND deleted_at IS NULL"
                    " ORDER BY checked_on", (participant_id,))
    return [from_row(pr.FrailtyCheck, row) for row in rows]


def questionnaires_of(db: Database, participant_id: str) -> list[pr.Questionnaire]:
    rows = db.query("SELECT * FROM questionnaires WHERE participant_id = ? AND deleted_at IS NULL"
                    " ORDER BY answered_on", (participant_id,))
    return [from_row(pr.Questionnaire, row) for row in rows]


@dataclass(frozen=True)
class PlaceParticipant:
    place_id: str
    place_name: str
    participant_id: str


def attending_in(db: Database, start: date, end: date, *, place_id: str | None = None,
                 municipality_code: str | None = None) -> list[PlaceParticipant]:
    """Each (live place, live participant) whose attendance period overlaps start..end."""
    where, params = [], [end.isoformat(), start.isoformat()]
    if place_id:
        where.append("pl.id = ?")
        params.append(place_id)
    if municipality_code:
        where.append("pl.municipality_code = ?")
        params.append(municipality_code)
    rows = db.query(
        "SELECT DISTINCT pl.id, pl.name, p.id FROM participant_places a"
        " JOIN participants p ON p.id = a.participant_id AND p.deleted_at IS NULL"
        " JOIN places pl ON pl.id = a.place_id AND pl.deleted_at IS NULL"
        " WHERE a.deleted_at IS NULL AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?)"
        + "".join(f" AND {w}" for w in where) + " ORDER BY pl.name, pl.id", params)
    return [PlaceParticipant(row[0], row[1], row[2]) for row in rows]


def checks_until(db: Database, participant_ids: list[str], end: date) -> dict[str, list[pr.FrailtyCheck]]:
    """Each participant's live checks up to `end`, oldest first."""
    found: dict[str, list[pr.FrailtyCheck]] = {pid: [] for pid in participant_ids}
    for first in range(0, len(participant_ids), 500):
        chunk = participant_ids[first:first + 500]
        rows = db.query(
            f"SELECT * FROM frailty_checks WHERE participant_id IN ({', '.join('?' * len(chunk))})"
            " AND deleted_at IS NULL AND checked_on <= ? ORDER BY participant_id, checked_on",
            [*chunk, end.isoformat()])
        for row in rows:
            found[row["participant_id"]].append(from_row(pr.FrailtyCheck, row))
    return found


def place_names_of(db: Database, participant_ids: list[str], on: date) -> dict[str, list[str]]:
    """The live places each participant attends on the day `on`, by name (for the participants' list)."""
    found: dict[str, list[str]] = {pid: [] for pid in participant_ids}
    for first in range(0, len(participant_ids), 500):
        chunk = participant_ids[first:first + 500]
        rows = db.query(
            "SELECT a.participant_id, pl.name FROM participant_places a"
            " JOIN places pl ON pl.id = a.place_id AND pl.deleted_at IS NULL"
            f" WHERE a.participant_id IN ({', '.join('?' * len(chunk))}) AND a.deleted_at IS NULL"
            " AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?) ORDER BY pl.name",
            [*chunk, on.isoformat(), on.isoformat()])
        for row in rows:
            found[row[0]].append(row[1])
    return found


def latest_checks(db: Database, participant_ids: list[str]) -> dict[str, pr.FrailtyCheck]:
    """Each participant's latest live check (none: not in the result) — the list's 最新の判定, without reading
    every older check."""
    found: dict[str, pr.FrailtyCheck] = {}
    for first in range(0, len(participant_ids), 500):
        chunk = participant_ids[first:first + 500]
        rows = db.query(
            "SELECT * FROM (SELECT f.*, row_number() OVER (PARTITION BY f.participant_id"
            " ORDER BY f.checked_on DESC, f.created_at DESC, f.id DESC) AS newest FROM frailty_checks f"
            f" WHERE f.participant_id IN ({', '.join('?' * len(chunk))}) AND f.deleted_at IS NULL) WHERE newest = 1",
            chunk)
        for row in rows:
            found[row["participant_id"]] = from_row(pr.FrailtyCheck, row)
    return found
