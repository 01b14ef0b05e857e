"""Small read-only overviews for the GUI's status bar and lists of choices."""

from __future__ import annotations

from kaigo_desktop.domain.records import Municipality
from kaigo_desktop.storage import exchange_queries, lookups, metro_queries
from kaigo_desktop.storage.database import Database


def record_counts(db: Database) -> dict[str, int]:
    """Live (not deleted) records per table."""
    return lookups.table_counts(db)


def open_conflict_count(db: Database) -> int:
    """Conflicts from the exchange not resolved yet (the File menu's 競合の解決 label), counted without
    loading the exchange itself."""
    return exchange_queries.open_conflict_count(db.conn)


def is_metro_database(db: Database) -> bool:
    """A 東京都 database (submissions, not records). Here, not only in services.metro, so the main window can
    ask at start without loading the metro services (bundle signing, msgspec) before its first paint."""
    return metro_queries.is_metro(db)


def municipalities(db: Database) -> list[Municipality]:
    return lookups.municipalities(db)


def choices(db: Database, vocabulary: str) -> list[str]:
    """A reference list in display order (venue_kinds, operator_kinds, qualifications, …)."""
    return lookups.vocabulary(db, vocabulary)
