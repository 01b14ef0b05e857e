"""What a test compares to show that a database changed, or did not: every user table, and the change
counter that exchange bundles are cut by."""

from __future__ import annotations

from kaigo_desktop.storage.database import Database

TABLES = ("centers", "places", "promoters", "assignments", "gatherings", "members", "population", "activities",
          "expenses", "participants", "participant_places", "frailty_checks", "questionnaires",
          "gathering_participants", "short_term_cases")


def counts(db: Database) -> dict[str, int]:
    """Every row of every user table, deleted or not, and the change counter."""
    result = {table: db.scalar(f"SELECT COUNT(*) FROM {table}") for table in TABLES}
    result["change_seq"] = db.scalar("SELECT value FROM db_meta WHERE key = 'change_seq'")
    return result


def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Every row of every user table, as tuples, by id."""
    return {table: [tuple(row) for row in db.query(f"SELECT * FROM {table} ORDER BY id")] for table in TABLES}
