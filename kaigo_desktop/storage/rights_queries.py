"""Whose a stored record is, for the rights check (services/rights.py): a place's center, and the centers of
gatherings named by their list keys. Deleted records count too (a restore is checked like any write)."""

from __future__ import annotations

from collections.abc import Sequence

from kaigo_desktop.storage.database import Database


def place_center(db: Database, place_id: str) -> str | None:
    """The center of the place (None when it has none or does not exist)."""
    return db.scalar("SELECT center_id FROM places WHERE id = ?", (place_id,))


def gathering_centers(db: Database, keys: Sequence[int]) -> set[str | None]:
    """The centers of the gatherings with these list keys (rowids)."""
    centers: set[str | None] = set()
    for start in range(0, len(keys), 500):
        chunk = list(keys[start:start + 500])
        marks = ", ".join("?" * len(chunk))
        centers |= {row[0] for row in db.query(
            f"SELECT p.center_id FROM gatherings g JOIN places p ON p.id = g.place_id WHERE g.rowid IN ({marks})",
            chunk)}
    return centers


def participant_center(db: Database, participant_id: str) -> str | None:
    """The center of the participant (None when it does not exist)."""
    return db.scalar("SELECT center_id FROM participants WHERE id = ?", (participant_id,))
