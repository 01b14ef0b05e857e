"""Reading rosters — who came at a gathering (gathering_participants, db/0017) — and the facts the rules on them
need: a gathering's place, day and 参加者数, whether a participant attended the place that day, the roster
sizes, and whether a place keeps a roster in a 年度 (storage/member_figures.py)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from kaigo_desktop.storage import member_figures
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.definitions import in_municipality


@dataclass(frozen=True)
class GatheringFacts:
    place_id: str
    held_on: date
    attendance_total: int | None
    center_id: str | None
    live: bool


def gathering_facts(db: Database, gathering_id: str) -> GatheringFacts | None:
    row = db.conn.execute(
        "SELECT g.place_id, g.held_on, g.attendance_total, p.center_id, g.deleted_at IS NULL"
        " FROM gatherings g JOIN places p ON p.id = g.place_id WHERE g.id = ?", (gathering_id,)).fetchone()
    if row is None:
        return None
    return GatheringFacts(row[0], date.fromisoformat(row[1]), row[2], row[3], bool(row[4]))


def gathering_ids_on(db: Database, place_id: str, day: date, start_time: str | None = None) -> list[str]:
    """The live gatherings of the place on the day (at `start_time` when given)."""
    return [row[0] for row in db.query(
        "SELECT id FROM gatherings WHERE place_id = ? AND held_on = ? AND deleted_at IS NULL"
        " AND (? IS NULL OR start_time = ?) ORDER BY start_time, id",
        (place_id, day.isoformat(), start_time, start_time))]


def gatherings_of(db: Database, place_id: str) -> list[tuple[str, date, int | None]]:
    """(id, day, 参加者数) of the place's live gatherings, oldest first."""
    return [(row[0], date.fromisoformat(row[1]), row[2]) for row in db.query(
        "SELECT id, held_on, attendance_total FROM gatherings WHERE place_id = ? AND deleted_at IS NULL"
        " ORDER BY held_on, id", (place_id,))]


def present_ids(db: Database, gathering_id: str) -> set[str]:
    """The live participants recorded as present at the gathering."""
    return {row[0] for row in db.query(
        "SELECT gp.participant_id FROM gathering_participants gp"
        " JOIN participants p ON p.id = gp.participant_id AND p.deleted_at IS NULL"
        " WHERE gp.gathering_id = ? AND gp.deleted_at IS NULL", (gathering_id,))}


def entry_ids(db: Database, gathering_id: str) -> dict[str, str]:
    """participant id → the live roster entry's id, at the gathering."""
    return {row[0]: row[1] for row in db.query(
        "SELECT participant_id, id FROM gathering_participants WHERE gathering_id = ? AND deleted_at IS NULL",
        (gathering_id,))}


def roster_size(db: Database, gathering_id: str) -> int:
    return len(present_ids(db, gathering_id))


def attends_on(db: Database, participant_id: str, place_id: str, day: date) -> bool:
    """Whether the participant's attendance periods at the place include the day."""
    return db.scalar(
        "SELECT 1 FROM participant_places WHERE participant_id = ? AND place_id = ? AND deleted_at IS NULL"
        " AND start_date <= ? AND (end_date IS NULL OR end_date >= ?) LIMIT 1",
        (participant_id, place_id, day.isoformat(), day.isoformat())) == 1


def has_participants(db: Database, place_id: str, day: date) -> bool:
    """Whether the place has live participants attending on the day (its gatherings can record who came)."""
    return db.scalar(
        "SELECT 1 FROM participant_places a JOIN participants p ON p.id = a.participant_id AND p.deleted_at IS NULL"
        " WHERE a.place_id = ? AND a.deleted_at IS NULL AND a.start_date <= ?"
        " AND (a.end_date IS NULL OR a.end_date >= ?) LIMIT 1",
        (place_id, day.isoformat(), day.isoformat())) == 1


def keeps_roster(db: Database, place_id: str, fiscal_year: int) -> bool:
    """Whether the place's 実人数 of the 年度 is computed from its roster (member_figures)."""
    return db.scalar(f"SELECT EXISTS ({member_figures.present(place=':place')})",
                     {"fy": fiscal_year, "place": place_id}) == 1


def short_gatherings(db: Database, start: date, end: date, municipality_code: str | None) -> list[sqlite3.Row]:
    """Live gatherings in start..end whose 参加者数 is below (or blank with) the participants recorded present."""
    return db.query(
        "SELECT g.id, g.place_id, g.held_on, g.attendance_total, COUNT(*) AS present"
        " FROM gathering_participants gp"
        " JOIN gatherings g ON g.id = gp.gathering_id AND g.deleted_at IS NULL"
        " JOIN participants p ON p.id = gp.participant_id AND p.deleted_at IS NULL"
        " JOIN places pl ON pl.id = g.place_id"
        " WHERE gp.deleted_at IS NULL AND g.held_on BETWEEN :start AND :end"
        f" AND {in_municipality('pl.municipality_code')}"
        " GROUP BY g.id HAVING g.attendance_total IS NULL OR g.attendance_total < COUNT(*)"
        " ORDER BY g.held_on, g.id",
        {"start": start.isoformat(), "end": end.isoformat(), "muni": municipality_code})


def ignored_typed_members(db: Database, fiscal_year: int, municipality_code: str | None) -> list[sqlite3.Row]:
    """Live typed 参加者実人数 of the 年度 for places whose figure is computed from the roster (so ignored)."""
    return db.query(
        "SELECT m.id, m.place_id, m.total FROM members m JOIN places pl ON pl.id = m.place_id"
        f" WHERE m.deleted_at IS NULL AND m.fiscal_year = :fy AND {in_municipality('pl.municipality_code')}"
        f" AND m.place_id IN ({member_figures.roster_places()})",
        {"fy": fiscal_year, "muni": municipality_code})
