"""The reads behind the PDF reports and exports that the 年度 aggregation does not already make: figures per
区市町村, promoters with their activity, the place directory, one promoter's or one place's records."""

from __future__ import annotations

import sqlite3
from datetime import date

from kaigo_desktop.storage import member_figures
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.definitions import active_place, employed, in_municipality, period_params


# ---------------------------------------------------------------- report 1: figures per 区市町村

def active_places_by_municipality(db: Database, start: date, end: date) -> dict[str, int]:
    rows = db.query(
        f"SELECT p.municipality_code, COUNT(*) FROM places p WHERE {active_place('p')}"
        " GROUP BY p.municipality_code", period_params(start, end, None))
    return {row[0]: row[1] for row in rows}


def gathering_figures_by_municipality(db: Database, start: date, end: date, reference_start: date,
                                      reference_end: date, promoter_bit: int = 0) -> list[sqlite3.Row]:
    """Per 区市町村, over its active places: gatherings, attendance, places with 専門職 involvement (any; other
    than `promoter_bit`, the 推進員; that bit alone), places with a gathering in the reference month.
    Aggregates per place first on the covering index, so the join to places is one lookup per place, not
    per gathering."""
    params = period_params(start, end, None, ref_start=reference_start.isoformat(), ref_end=reference_end.isoformat(),
                           promoter_bit=promoter_bit)
    return db.query(
        "SELECT p.municipality_code, SUM(x.gatherings) AS gatherings, SUM(x.attendance) AS attendance,"
        " SUM(x.with_professional) AS with_professional, SUM(x.in_reference > 0) AS survey,"
        " SUM(x.with_other) AS with_professional_excluding_promoter, SUM(x.with_promoter) AS with_promoter"
        " FROM (SELECT place_id, COUNT(*) AS gatherings, SUM(attendance_total) AS attendance,"
        "       MAX(professionals != 0) AS with_professional,"
        "       MAX((professionals & ~:promoter_bit) != 0) AS with_other,"
        "       MAX((professionals & :promoter_bit) != 0) AS with_promoter,"
        "       SUM(held_on BETWEEN :ref_start AND :ref_end) AS in_reference"
        "       FROM gatherings INDEXED BY gatherings_stats"
        "       WHERE deleted_at IS NULL AND held_on BETWEEN :start AND :end GROUP BY place_id) x"
        f" JOIN places p ON p.id = x.place_id WHERE {active_place('p')}"
        " GROUP BY p.municipality_code", params)


def members_of_active_places(db: Database, start: date, end: date, fiscal_year: int) -> list[sqlite3.Row]:
    return db.query(
        f"SELECT p.municipality_code, m.total, m.age_65_74, m.age_75_plus FROM {member_figures.figures()} m"
        " JOIN places p ON p.id = m.place_id"
        f" WHERE {active_place('p')}",
        period_params(start, end, None, fy=fiscal_year))


# ---------------------------------------------------------------- report 2: promoters

def promoters_employed(db: Database, start: date, end: date, municipality_code: str | None) -> list[sqlite3.Row]:
    """Promoters employed at any time in start .. end, by 区市町村 then kana."""
    return db.query(
        "SELECT pr.id, pr.municipality_code, pr.name, pr.kana, pr.qualification, pr.start_date, pr.end_date,"
        " COALESCE(c.name, '') AS center_name FROM promoters pr LEFT JOIN centers c ON c.id = pr.center_id"
        f" WHERE {employed('pr')} AND {in_municipality('pr.municipality_code')}"
        " ORDER BY pr.municipality_code, pr.kana, pr.name, pr.id", period_params(start, end, municipality_code))


def activity_figures_by_promoter(db: Database, start: date, end: date,
                                 municipality_code: str | None) -> list[sqlite3.Row]:
    """Per promoter: activities in the period, their minutes, and the distinct live places they concern."""
    return db.query(
        "SELECT a.promoter_id, COUNT(*) AS activities, COALESCE(SUM(a.minutes), 0) AS minutes,"
        " COUNT(DISTINCT CASE WHEN pl.deleted_at IS NULL THEN a.place_id END) AS places"
        " FROM activities a JOIN promoters pr ON pr.id = a.promoter_id AND pr.deleted_at IS NULL"
        " LEFT JOIN places pl ON pl.id = a.place_id"
        " WHERE a.deleted_at IS NULL AND a.done_on BETWEEN :start AND :end"
        f" AND {in_municipality('pr.municipality_code')} GROUP BY a.promoter_id",
        period_params(start, end, municipality_code))


def assigned_places_by_promoter(db: Database, start: date, end: date,
                                municipality_code: str | None) -> dict[str, int]:
    """Per promoter: live places assigned to them for any part of the period."""
    rows = db.query(
        "SELECT s.promoter_id, COUNT(DISTINCT s.place_id) FROM assignments s"
        " JOIN promoters pr ON pr.id = s.promoter_id JOIN places pl ON pl.id = s.place_id"
        f" WHERE {employed('s')} AND pl.deleted_at IS NULL AND pr.deleted_at IS NULL"
        f" AND {in_municipality('pr.municipality_code')} GROUP BY s.promoter_id",
        period_params(start, end, municipality_code))
    return {row[0]: row[1] for row in rows}


def activity_figures_by_municipality_and_kind(db: Database, start: date, end: date,
                                              municipality_code: str | None) -> list[sqlite3.Row]:
    return db.query(
        "SELECT pr.municipality_code, a.kind, COUNT(*) AS activities, COALESCE(SUM(a.minutes), 0) AS minutes"
        " FROM activities a JOIN promoters pr ON pr.id = a.promoter_id AND pr.deleted_at IS NULL"
        " WHERE a.deleted_at IS NULL AND a.done_on BETWEEN :start AND :end"
        f" AND {in_municipality('pr.municipality_code')} GROUP BY pr.municipality_code, a.kind",
        period_params(start, end, municipality_code))


def supported_places(db: Database, start: date, end: date, fiscal_year: int,
                     municipality_code: str | None) -> list[sqlite3.Row]:
    """Live places that promoters' activities in the period concern: one row per place and promoter, with
    the place's 参加者実人数 of the 年度 (NULL when not recorded)."""
    return db.query(
        "SELECT pr.municipality_code, pl.id AS place_id, pl.name AS place_name, pl.kana AS place_kana,"
        " pr.name AS promoter_name, pr.kana AS promoter_kana, COUNT(*) AS activities, m.total AS members"
        " FROM activities a JOIN promoters pr ON pr.id = a.promoter_id AND pr.deleted_at IS NULL"
        " JOIN places pl ON pl.id = a.place_id AND pl.deleted_at IS NULL"
        f" LEFT JOIN {member_figures.figures()} m ON m.place_id = pl.id"
        " WHERE a.deleted_at IS NULL AND a.done_on BETWEEN :start AND :end"
        f" AND {in_municipality('pr.municipality_code')}"
        " GROUP BY pr.municipality_code, pl.id, pr.id"
        " ORDER BY pr.municipality_code, pl.kana, pl.name, pl.id, pr.kana, pr.name",
        period_params(start, end, municipality_code, fy=fiscal_year))


# ---------------------------------------------------------------- report 3: one promoter

def promoter(db: Database, promoter_id: str) -> sqlite3.Row | None:
    """A live promoter with the names of their 区市町村 and center."""
    return db.conn.execute(
        "SELECT pr.id, pr.municipality_code, m.name AS municipality_name, pr.name, pr.kana, pr.qualification,"
        " pr.start_date, pr.end_date, COALESCE(c.name, '') AS center_name"
        " FROM promoters pr JOIN municipalities m ON m.code = pr.municipality_code"
        " LEFT JOIN centers c ON c.id = pr.center_id WHERE pr.id = ? AND pr.deleted_at IS NULL",
        (promoter_id,)).fetchone()


def activities_of_promoter(db: Database, promoter_id: str, start: date, end: date) -> list[sqlite3.Row]:
    return db.query(
        "SELECT a.id, a.done_on, a.kind, a.minutes, a.summary, a.place_id,"
        " CASE WHEN pl.deleted_at IS NULL THEN pl.name END AS place_name, pl.kana AS place_kana"
        " FROM activities a LEFT JOIN places pl ON pl.id = a.place_id"
        " WHERE a.promoter_id = :promoter AND a.deleted_at IS NULL AND a.done_on BETWEEN :start AND :end"
        " ORDER BY a.done_on, a.created_at, a.id",
        {"promoter": promoter_id, "start": start.isoformat(), "end": end.isoformat()})


# ---------------------------------------------------------------- report 4: the directory

def place_directory(db: Database, start: date, end: date, municipality_code: str | None) -> list[sqlite3.Row]:
    """Places active in the period, by 区市町村 then kana."""
    return db.query(
        "SELECT p.id, p.municipality_code, m.name AS municipality_name, p.name, p.kana, p.address,"
        " p.venue_kind, p.operator_kind, p.main_activity_1, p.main_activity_2, p.frequency_declared,"
        " p.start_date, p.end_date, p.status, p.contact, p.programs, COALESCE(c.name, '') AS center_name,"
        " p.capacity, p.postal_code, p.latitude, p.longitude, p.fee"
        " FROM places p JOIN municipalities m ON m.code = p.municipality_code"
        " LEFT JOIN centers c ON c.id = p.center_id"
        f" WHERE {active_place('p')} AND {in_municipality('p.municipality_code')}"
        " ORDER BY p.municipality_code, p.kana, p.name, p.id", period_params(start, end, municipality_code))


def assigned_promoters(db: Database, start: date, end: date, municipality_code: str | None) -> list[sqlite3.Row]:
    """(place id, promoter name) for assignments overlapping the period, live on both sides."""
    return db.query(
        "SELECT DISTINCT s.place_id, pr.name, pr.kana FROM assignments s"
        " JOIN promoters pr ON pr.id = s.promoter_id AND pr.deleted_at IS NULL"
        " JOIN places p ON p.id = s.place_id AND p.deleted_at IS NULL"
        f" WHERE {employed('s')} AND {in_municipality('p.municipality_code')}"
        " ORDER BY s.place_id, pr.kana, pr.name", period_params(start, end, municipality_code))


# ---------------------------------------------------------------- report 5: one place

def place(db: Database, place_id: str) -> sqlite3.Row | None:
    return db.conn.execute(
        "SELECT p.id, p.municipality_code, m.name AS municipality_name, p.name, p.kana, p.address,"
        " p.venue_kind, p.operator_kind, p.frequency_declared, p.start_date, p.end_date, p.contact, p.programs,"
        " COALESCE(c.name, '') AS center_name FROM places p JOIN municipalities m ON m.code = p.municipality_code"
        " LEFT JOIN centers c ON c.id = p.center_id WHERE p.id = ? AND p.deleted_at IS NULL",
        (place_id,)).fetchone()


def gatherings_of_place(db: Database, place_id: str, start: date, end: date) -> list[sqlite3.Row]:
    return db.query(
        "SELECT g.id, g.held_on, g.start_time, g.end_time, g.programs, g.attendance_total, g.male, g.female,"
        " g.age_under_65, g.age_65_74, g.age_75_plus, g.new_participants, g.professionals, g.notes,"
        " pr.name AS promoter_name FROM gatherings g LEFT JOIN promoters pr ON pr.id = g.promoter_id"
        " WHERE g.place_id = :place AND g.deleted_at IS NULL AND g.held_on BETWEEN :start AND :end"
        " ORDER BY g.held_on, g.start_time, g.id",
        {"place": place_id, "start": start.isoformat(), "end": end.isoformat()})
