"""A gatherings import holds its large page cache (importing.WRITE_CACHE_MIB) only while it writes the rows: the
duplicate warnings' ordered pass over an index runs with a small one, and the audit seal and the commit with
the connection's own. A cache refilled by those reads took a million-row import into a database with no
gatherings over its 300 MB (benchmarks/bench_scale.py); the setting is read from SQLite itself here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import importing, importing_figures, records
from kaigo_desktop.storage import audit_log, import_lookups, repository
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 6, 30)


def _cache_mib(db: Database) -> float:
    return -db.conn.execute("PRAGMA cache_size").fetchone()[0] / 1024


def test_the_large_cache_is_held_only_while_the_rows_are_written(
        database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    place = records.add(database, r.Place("131016", "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)
    own = _cache_mib(database)
    seen: dict[str, float] = {}

    def noting(name: str, function):
        def noted(*args, **kwargs):
            seen[name] = _cache_mib(database)
            return function(*args, **kwargs)
        return noted

    monkeypatch.setattr(repository.RowsLoad, "write", noting("rows", repository.RowsLoad.write))
    monkeypatch.setattr(import_lookups, "same_place_and_date",
                        noting("duplicates", import_lookups.same_place_and_date))
    monkeypatch.setattr(audit_log, "seal", noting("seal", audit_log.seal))
    file = tmp_path / "gatherings.csv"
    file.write_text("通いの場ID,開催日,参加者数\n" + "".join(f"{place.id},2024-05-0{day},12\n" for day in (1, 2, 2)),
                    encoding="utf-8")

    result = importing.import_file(database, "gatherings", file, today=TODAY)

    assert result.ok and result.added == 3 and len(result.warnings) == 1, result
    assert seen == {"rows": importing.WRITE_CACHE_MIB, "duplicates": importing_figures.ORDERED_PASS_CACHE_MIB,
                    "seal": own}, seen
    assert _cache_mib(database) == own
