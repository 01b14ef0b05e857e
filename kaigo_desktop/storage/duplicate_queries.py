"""Reads for finding likely duplicate places and promoters: the live names of a municipality."""

from __future__ import annotations

from dataclasses import dataclass

from kaigo_desktop.storage.database import Database


@dataclass(frozen=True)
class NamedRecord:
    id: str
    name: str
    kana: str
    municipality_code: str


def _named(db: Database, table: str, municipality_code: str) -> list[NamedRecord]:
    return [NamedRecord(*row) for row in db.query(
        f"SELECT id, name, kana, municipality_code FROM {table} WHERE municipality_code = ? AND deleted_at IS NULL"
        " ORDER BY name, id", (municipality_code,))]


def live_places(db: Database, municipality_code: str) -> list[NamedRecord]:
    """The live places of one municipality, by name."""
    return _named(db, "places", municipality_code)


def live_promoters(db: Database, municipality_code: str) -> list[NamedRecord]:
    """The live promoters of one municipality, by name."""
    return _named(db, "promoters", municipality_code)
