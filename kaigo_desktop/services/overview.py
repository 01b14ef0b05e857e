"""Small read-only overviews for the GUI's status bar and lists of choices."""

from __future__ import annotations

from kaigo_desktop.domain.records import Municipality
from kaigo_desktop.storage import lookups
from kaigo_desktop.storage.database import Database


def record_counts(db: Database) -> dict[str, int]:
    """Live (not deleted) records per table."""
    return lookups.table_counts(db)


def municipalities(db: Database) -> list[Municipality]:
    return lookups.municipalities(db)


def choices(db: Database, vocabulary: str) -> list[str]:
    """A reference list in display order (venue_kinds, operator_kinds, qualifications, …)."""
    return lookups.vocabulary(db, vocabulary)
