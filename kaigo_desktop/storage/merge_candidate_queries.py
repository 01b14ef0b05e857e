"""Reads for the merge dialog: every live place or promoter with its municipality's name, by municipality and name."""

from __future__ import annotations

from kaigo_desktop.storage.database import Database

_TABLES = {"places": "places", "promoters": "promoters"}


def live_named_records(db: Database, kind: str) -> list[tuple[str, str, str, str]]:
    """(id, name, municipality_code, municipality name) of the live records of `kind` ("places"/"promoters")."""
    table = _TABLES[kind]
    return [tuple(row) for row in db.query(
        f"SELECT t.id, t.name, t.municipality_code, COALESCE(m.name, t.municipality_code) FROM {table} t"
        " LEFT JOIN municipalities m ON m.code = t.municipality_code WHERE t.deleted_at IS NULL"
        " ORDER BY t.municipality_code, t.name, t.id")]
