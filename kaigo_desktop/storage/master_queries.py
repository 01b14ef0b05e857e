"""Reads behind the マスタ・設定 screen and the dashboard's choices: population and expenses of a 年度 beside
the full reference lists, centers of a 区市町村, and the span of 年度 the database holds."""

from __future__ import annotations

import sqlite3

from kaigo_desktop.storage.database import Database


def population_rows(db: Database, fiscal_year: int) -> list[sqlite3.Row]:
    """Every municipality, in code order, with its live population record of the 年度 (NULLs when none)."""
    return db.query(
        "SELECT m.code, m.name, p.id, p.population_65_plus, p.population_75_plus, p.reference_date,"
        " p.updated_at, p.updated_by"
        " FROM municipalities m LEFT JOIN population p"
        " ON p.municipality_code = m.code AND p.fiscal_year = ? AND p.deleted_at IS NULL"
        " ORDER BY m.code", (fiscal_year,))


def expense_rows(db: Database, municipality_code: str, fiscal_year: int) -> list[sqlite3.Row]:
    """Every expense category in display order, with the live amount recorded for the 区市町村 and 年度."""
    return db.query(
        "SELECT c.name AS category, c.eligible, e.id, e.amount, e.notes, e.updated_by"
        " FROM expense_categories c LEFT JOIN expenses e"
        " ON e.category = c.name AND e.municipality_code = ? AND e.fiscal_year = ? AND e.deleted_at IS NULL"
        " ORDER BY c.sort", (municipality_code, fiscal_year))


def center_rows(db: Database, municipality_code: str | None, *, deleted: bool = False) -> list[sqlite3.Row]:
    """Centers (live, or those in the trash) with the number of live places that name them."""
    return db.query(
        "SELECT c.id, c.municipality_code, m.name AS municipality_name, c.name, c.kana, c.address, c.phone,"
        " c.notes, c.updated_at, c.updated_by, c.deleted_at,"
        " (SELECT COUNT(*) FROM places p WHERE p.center_id = c.id AND p.deleted_at IS NULL) AS places"
        " FROM centers c JOIN municipalities m ON m.code = c.municipality_code"
        f" WHERE c.deleted_at IS {'NOT NULL' if deleted else 'NULL'}"
        " AND (:muni IS NULL OR c.municipality_code = :muni)"
        " ORDER BY c.municipality_code, c.kana, c.name", {"muni": municipality_code})


def data_date_span(db: Database) -> tuple[str | None, str | None]:
    """First and last gathering date (ISO), read from the ends of the held_on index."""
    first = db.scalar("SELECT held_on FROM gatherings WHERE deleted_at IS NULL ORDER BY held_on LIMIT 1")
    last = db.scalar("SELECT held_on FROM gatherings WHERE deleted_at IS NULL ORDER BY held_on DESC LIMIT 1")
    return first, last


def recorded_fiscal_years(db: Database) -> list[int]:
    """年度 that population, expense or members figures were recorded for."""
    return [row[0] for row in db.query(
        "SELECT fiscal_year FROM population WHERE deleted_at IS NULL"
        " UNION SELECT fiscal_year FROM expenses WHERE deleted_at IS NULL"
        " UNION SELECT fiscal_year FROM members WHERE deleted_at IS NULL ORDER BY 1")]


def municipalities_in_use(db: Database) -> list[str]:
    """Codes of the 区市町村 that have live centers, places or promoters, in code order."""
    return [row[0] for row in db.query(
        "SELECT municipality_code FROM centers WHERE deleted_at IS NULL"
        " UNION SELECT municipality_code FROM places WHERE deleted_at IS NULL"
        " UNION SELECT municipality_code FROM promoters WHERE deleted_at IS NULL ORDER BY 1")]
