"""Whether a database was made for trying the app (`demo`, the GUI's demo database): such a file carries a
mark, and the window says so in a band so that nobody types real records into it."""

from __future__ import annotations

from kaigo_desktop.storage.database import Database, utc_now

# db_meta key (value: when the file was marked, UTC). db_meta describes this one file (its id, its change
# counter) and is never exchanged, so the mark cannot travel to a real database by bundle.
DEMO_MARK = "demo_database"
DEMO_BAND_TEXT = "デモデータ — 実際の記録には使わないでください"


def is_demo_database(db: Database) -> bool:
    return db.meta(DEMO_MARK) is not None


def mark_as_demo(db: Database) -> None:
    db.set_meta(DEMO_MARK, utc_now())
