"""A large bundle goes in by the bulk path: the big table's secondary indexes set aside while it loads and
built again before the commit, new rows staged and written with their bases by one INSERT … SELECT a batch,
their audit entries written at once. The committed file has every index as its migration made it, a bad row
in a late batch leaves nothing (and the indexes as they were), and the audit trail still names, for every
record received, the bundle and the PC it came from. The thresholds are lowered so 60 rows take that path."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import bulk
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage import repository as repo
from kaigo_desktop.storage import audit_log, bulk_indexes, cache_flush
from tests.exchange.test_bundle_streaming import GATHERINGS, _many_gatherings, _tables_here, small_chunks
from tests.exchange.test_exchange import _edit, pcs, rewrite_bundle  # noqa: F401 - fixtures
from tests.storage.test_cache_flush import _temp_file_bytes, linux_only

_ = small_chunks  # a fixture


@pytest.fixture
def bulk_path(monkeypatch):
    """60 gatherings count as a large load: indexes set aside, insert entries logged by one statement."""
    monkeypatch.setattr(bulk_indexes, "MIN_ROWS", 10)
    monkeypatch.setattr(ex, "_BULK_AUDIT_ROWS", 10)


def _indexes(db, table: str = "gatherings") -> list[tuple[str, str | None]]:
    return db.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                           " ORDER BY name", (table,)).fetchall()


def test_the_indexes_are_set_aside_while_a_large_table_loads_and_back_exactly_after(
        pcs, tmp_path, bulk_path) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    before = _indexes(b)
    during = []
    summary = ex.import_bundle(b, path, progress=lambda done, total: during.append(len(_indexes(b))))
    assert summary.added == GATHERINGS + 1
    kept = 1 + sum(bulk_indexes.kept_through_load(sql) for _name, sql in before if sql)
    assert kept < len(before)
    assert min(during) == kept, "only the primary key and the indexes a load appends to stay while it loads"
    assert _indexes(b) == before
    counted = b.scalar("SELECT COUNT(*) FROM gatherings INDEXED BY gatherings_list_date"
                       " WHERE held_on >= '2000-01-01' AND deleted_at IS NULL")
    assert counted == GATHERINGS == b.scalar("SELECT COUNT(*) FROM gatherings")
    assert b.scalar("PRAGMA integrity_check") == "ok"


def test_a_bad_row_in_a_late_batch_leaves_nothing_and_the_indexes_as_they_were(
        pcs, tmp_path, small_chunks, bulk_path) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    bad = rewrite_bundle(a, path, tmp_path / "bad.kaigo",
                         lambda h, c: c["tables"]["gatherings"]["rows"][-1].__setitem__(1, {"x": 1}))
    before, indexes, entries = _tables_here(b), _indexes(b), b.scalar("SELECT COUNT(*) FROM audit_log")
    applied = []
    with pytest.raises(ex.BundleError):
        ex.import_bundle(b, bad, progress=lambda done, total: applied.append(done))
    assert max(applied) >= GATHERINGS // 2  # batches were written before the bad row was read
    assert _tables_here(b) == before and _indexes(b) == indexes
    assert b.scalar("SELECT COUNT(*) FROM audit_log") == entries
    assert b.scalar("SELECT COUNT(*) FROM sqlite_temp_master") == 0  # no staging table left behind
    assert b.scalar("PRAGMA integrity_check") == "ok"


def test_the_audit_trail_of_a_bulk_receipt_names_every_record_its_bundle_and_pc(
        pcs, tmp_path, bulk_path) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    ex.import_bundle(b, path)
    detail = f"取り込みファイル {path.name}（{a.database_id}）"
    unnamed = b.scalar("SELECT COUNT(*) FROM gatherings g WHERE NOT EXISTS (SELECT 1 FROM audit_log e"
                       " WHERE e.record_id = g.id AND e.table_name = 'gatherings' AND e.action = 'insert'"
                       " AND e.detail = ?)", (detail,))
    assert unnamed == 0 and b.scalar("SELECT COUNT(*) FROM gatherings") == GATHERINGS
    # … written by this PC's write (its seal says who and which PC), chained like every other entry
    assert b.scalar("SELECT COUNT(DISTINCT tx) FROM audit_log WHERE detail = ?", (detail,)) == 1
    assert audit_log.chain_breaks(b.conn) == []
    # every record's base is the version received, as the row-by-row path writes it
    unbased = b.scalar("SELECT COUNT(*) FROM gatherings g LEFT JOIN exchange_base x ON x.table_name = 'gatherings'"
                       " AND x.row_id = g.id WHERE x.updated_at IS NOT g.updated_at OR x.origin_db IS NOT g.origin_db"
                       " OR x.ancestors <> '[]'")
    assert unbased == 0


def test_a_bulk_received_record_edited_here_goes_back_as_a_later_version(
        pcs, tmp_path, bulk_path) -> None:  # noqa: F811
    """Its base (written by the bulk path) makes the edit descend from the version received: the sender takes it
    without a conflict."""
    a, b, _ = pcs
    ex.import_bundle(b, _many_gatherings(a, tmp_path))
    first = b.scalar("SELECT min(id) FROM gatherings")
    _edit(b, repo.get(b, r.Gathering, first), notes="晴天")
    back = tmp_path / "back.kaigo"
    ex.export_bundle(b, back, destination="a")
    summary = ex.import_bundle(a, back)
    assert (summary.updated, summary.conflicts) == (1, 0)
    assert a.scalar("SELECT notes FROM gatherings WHERE id = ?", (first,)) == "晴天"


@linux_only
@pytest.mark.skipif(cache_flush._library() is None, reason="this Python's sqlite3 handle is not reachable")
def test_a_batch_copies_no_page_of_the_batches_before_into_its_journal(
        pcs, tmp_path, monkeypatch, bulk_path) -> None:  # noqa: F811
    """The page cache of a large bundle fills; the batches before each one are written out to the WAL before
    its savepoint (cache_flush), so SQLite does not copy them into the batch's journal as it spills them.
    The thresholds are lowered (bulk_path, a 1 MiB cache, batches of 250) so 4,000 rows show it."""
    a, b, _ = pcs
    place = repo.insert(a, r.Place(id="", municipality_code="131016", name="大きな会"))
    bulk.add_gatherings(a, [r.Gathering(id="", place_id=place.id, held_on=date(2024, 5, 1 + n % 28),
                                        attendance_total=10 + n % 50, notes="長い備考" * 40) for n in range(4_000)],
                        today=date(2025, 3, 31))
    path = tmp_path / "big.kaigo"
    ex.export_bundle(a, path, since="all")
    monkeypatch.setattr(ex, "_WRITE_CACHE_MIB", 1)
    monkeypatch.setattr(ex, "_CHUNK", 250)
    journals = []

    summary = ex.import_bundle(b, path, progress=lambda done, total: journals.append(_temp_file_bytes()))
    assert summary.added >= 4_000
    # A batch's journal (SQLite's temporary file, as large as the largest one) holds the few pages the batch
    # changed that were there before it: ~0.46 MB here with the flush, ~1.07 MB without it.
    assert max(journals) < 750_000, f"{max(journals):,} bytes of temporary files while the rows were written"
