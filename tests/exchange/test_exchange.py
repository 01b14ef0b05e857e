"""Bundles between PCs: round trip, repeats, order, conflicts, damage, newer schema, reference data."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import shutil
import uuid
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import bundle_signing
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage import database as database_module
from kaigo_desktop.storage import repository as repo
from kaigo_desktop.storage.database import Database

REFERENCE = ("municipalities", "program_types", "qualifications", "venue_kinds")


def _make(template: Path, tmp_path: Path, name: str) -> Database:
    path = tmp_path / f"{name}.sqlite3"
    shutil.copyfile(template, path)
    db = Database.open(path, user=name)
    with db.write():  # a copy of the template has the template's id: give each PC its own
        db.conn.execute("UPDATE db_meta SET value = ? WHERE key = 'database_id'", (str(uuid.uuid4()),))
    db.database_id = db.meta("database_id")
    return db


def rewrite_bundle(signer: Database, path: Path, out: Path, change) -> Path:
    """A bundle as another PC would write it: `change(header, content)` edits the dicts read from `path`, the
    content's SHA-256 is made again and the result signed by `signer` (which the receiver must trust)."""
    with zipfile.ZipFile(path) as bundle:
        header, content = json.loads(bundle.read("header.json")), json.loads(bundle.read("content.json"))
    change(header, content)
    data = json.dumps(content, ensure_ascii=False).encode()
    header["content_sha256"] = hashlib.sha256(data).hexdigest()
    out.write_bytes(ex.pack_bundle(signer, header, data))
    return out


def trust_each_other(*dbs: Database) -> None:
    """Set up trust between every pair, as people do once per pair (bundles from others are refused before)."""
    signers = [bundle_signing.own_signer(db) for db in dbs]
    for db in dbs:
        for signer in signers:
            if signer.database_id != db.database_id:
                bundle_signing.trust(db, signer, signer.fingerprint)


@pytest.fixture
def pcs(template_db_path: Path, tmp_path: Path):
    made = [_make(template_db_path, tmp_path, name) for name in ("center_a", "center_b", "town")]
    trust_each_other(*made)
    yield made
    for db in made:
        db.close()


def _place(db: Database, name: str = "ひまわり会") -> r.Place:
    return repo.insert(db, r.Place(id="", municipality_code="131016", name=name))


def _gathering(db: Database, place: r.Place, total: int = 10) -> r.Gathering:
    return repo.insert(db, r.Gathering(id="", place_id=place.id, held_on=date(2024, 5, 1), attendance_total=total))


def _send(src: Database, dst: Database, tmp_path: Path, name: str = "b", **kwargs) -> ex.ImportSummary:
    path = tmp_path / f"{name}-{uuid.uuid4().hex[:6]}.kaigo"
    ex.export_bundle(src, path, destination=kwargs.pop("destination", "dest"), **kwargs)
    return ex.import_bundle(dst, path)


def _edit(db: Database, record, **changes):
    """Change fields of a stored record, as the app's forms do."""
    return repo.update(db, dataclasses.replace(repo.get(db, type(record), record.id), **changes))


def _edited_on_both(a: Database, b: Database, tmp_path: Path, a_notes: str, b_notes: str) -> r.Place:
    """A place made on a and sent to b, then its notes edited differently on each: a conflict in the making."""
    place = _place(a)
    _send(a, b, tmp_path, destination="b")
    _edit(a, place, notes=a_notes)
    _edit(b, place, notes=b_notes)
    return place


def _open(db: Database, reason: str | None = None) -> list[ex.Conflict]:
    return [c for c in ex.list_conflicts(db) if reason is None or c.reason == reason]


def _export(db: Database, tmp_path: Path, destination: str, **kwargs) -> Path:
    path = tmp_path / f"{destination}-{uuid.uuid4().hex[:6]}.kaigo"
    ex.export_bundle(db, path, destination=destination, **kwargs)
    return path


@contextlib.contextmanager
def _clock(monkeypatch: pytest.MonkeyPatch, hours: float):
    """This PC's clock is `hours` off (negative: behind) while the block runs."""
    def skewed() -> str:
        at = datetime.now(timezone.utc) + timedelta(hours=hours)
        return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with monkeypatch.context() as patch:
        patch.setattr(database_module, "utc_now", skewed)
        yield


def _records(db: Database) -> dict:
    out = {}
    for table in ex.USER_TABLES:
        for row in db.query(f"SELECT * FROM {table} ORDER BY id"):
            data = dict(row)
            data.pop("change_seq")
            out[(table, data["id"])] = data
    return out


def test_round_trip_brings_records_and_deletions(pcs, tmp_path) -> None:
    a, b, _ = pcs
    place = _place(a)
    kept, gone = _gathering(a, place, 10), _gathering(a, place, 20)
    summary = _send(a, b, tmp_path)
    assert (summary.added, summary.conflicts) == (3, 0)
    assert _records(a) == _records(b)
    repo.soft_delete(a, r.Gathering, gone.id)
    repo.update(a, kept.__class__(**{**kept.__dict__, "attendance_total": 11}))
    summary = _send(a, b, tmp_path)
    assert (summary.added, summary.updated, summary.deleted, summary.conflicts) == (0, 1, 1, 0)
    assert _records(a) == _records(b)
    assert b.scalar("SELECT deleted_at IS NOT NULL FROM gatherings WHERE id = ?", (gone.id,)) == 1


def test_importing_the_same_bundle_twice_changes_nothing(pcs, tmp_path) -> None:
    a, b, _ = pcs
    _gathering(a, _place(a))
    path = tmp_path / "one.kaigo"
    ex.export_bundle(a, path)
    ex.import_bundle(b, path)
    before = _records(b), b.meta("change_seq")
    again = ex.import_bundle(b, path)
    assert again.already_imported and (again.added, again.updated, again.conflicts) == (0, 0, 0)
    assert (_records(b), b.meta("change_seq")) == before
    # sent back to where it came from: nothing changes there either
    back = _send(b, a, tmp_path)
    assert (back.added, back.updated, back.conflicts) == (0, 0, 0)


def test_bundles_out_of_order(pcs, tmp_path) -> None:
    a, b, _ = pcs
    place = _place(a)
    first = tmp_path / "1.kaigo"
    ex.export_bundle(a, first)
    g = _gathering(a, place, 5)
    g2 = repo.update(a, r.Gathering(**{**g.__dict__, "attendance_total": 6}))
    second = tmp_path / "2.kaigo"
    ex.export_bundle(a, second)
    repo.update(a, r.Gathering(**{**g2.__dict__, "attendance_total": 7}))
    third = tmp_path / "3.kaigo"
    ex.export_bundle(a, third)
    s3 = ex.import_bundle(b, third)  # its place has not arrived: kept pending
    assert s3.pending == 1
    ex.import_bundle(b, second)
    s1 = ex.import_bundle(b, first)
    assert s1.pending == 0
    assert _records(a) == _records(b)
    assert b.scalar("SELECT attendance_total FROM gatherings") == 7
    assert ex.list_conflicts(b) == []


def _both_edit(pcs, tmp_path):
    a, b, _ = pcs
    place = _place(a)
    _send(a, b, tmp_path)
    repo.update(a, r.Place(**{**place.__dict__, "notes": "A の修正"}))
    repo.update(b, r.Place(**{**place.__dict__, "notes": "B の修正"}))
    summary = _send(a, b, tmp_path)
    return a, b, place, summary


def test_both_changed_is_a_conflict_and_nothing_is_overwritten(pcs, tmp_path) -> None:
    a, b, place, summary = _both_edit(pcs, tmp_path)
    assert summary.conflicts == 1 and summary.updated == 0
    assert b.scalar("SELECT notes FROM places") == "B の修正"
    [conflict] = ex.list_conflicts(b)
    assert conflict.local["notes"] == "B の修正" and conflict.incoming["notes"] == "A の修正"
    # the other way round too
    back = _send(b, a, tmp_path)
    assert back.conflicts == 1 and a.scalar("SELECT notes FROM places") == "A の修正"


@pytest.mark.parametrize("keep, expected", [("local", "B の修正"), ("incoming", "A の修正")])
def test_resolve_then_everyone_takes_it(pcs, tmp_path, keep, expected) -> None:
    a, b, place, _ = _both_edit(pcs, tmp_path)
    [conflict] = ex.list_conflicts(b)
    ex.resolve_conflict(b, conflict.id, keep=keep)
    assert b.scalar("SELECT notes FROM places") == expected
    assert ex.list_conflicts(b) == []
    summary = _send(b, a, tmp_path)
    # keeping A's edit changes nothing at A but the version (counted as unchanged); keeping B's updates A
    assert summary.conflicts == 0 and (summary.updated, summary.skipped) == ((1, 0) if keep == "local" else (0, 1))
    assert a.scalar("SELECT notes FROM places") == expected
    assert _records(a) == _records(b)
    # A had the same conflict (from B's bundle); B's resolution settles it there too
    _send(a, b, tmp_path)
    assert ex.list_conflicts(a) == [] and ex.list_conflicts(b) == []


def test_same_name_on_two_pcs_is_a_conflict_not_a_crash(pcs, tmp_path) -> None:
    a, b, _ = pcs
    _place(a, "さくら会")
    _place(b, "さくら会")
    summary = _send(a, b, tmp_path)
    assert summary.conflicts == 1
    [conflict] = ex.list_conflicts(b)
    assert conflict.reason == "same_name" and conflict.local["name"] == "さくら会"
    ex.resolve_conflict(b, conflict.id, keep="incoming")
    assert b.scalar("SELECT COUNT(*) FROM places WHERE deleted_at IS NULL") == 1


def test_tampered_bundle_is_refused_whole(pcs, tmp_path) -> None:
    a, b, _ = pcs
    _gathering(a, _place(a))
    path = tmp_path / "x.kaigo"
    ex.export_bundle(a, path)
    with zipfile.ZipFile(path) as z:
        header, content = z.read("header.json"), z.read("content.json").replace(b'"ab', b'"ac', 1)
        signature = z.read("signature.json")
    content = content.replace("ひまわり".encode(), "ひまわリ".encode())
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("header.json", header)
        z.writestr("content.json", content)
        z.writestr("signature.json", signature)
    before = _records(b)
    with pytest.raises(ex.BundleError, match="改ざん"):
        ex.import_bundle(b, path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ex.BundleError, match="壊れて"):
        ex.import_bundle(b, path)
    assert _records(b) == before


def test_newer_schema_is_refused(pcs, tmp_path) -> None:
    a, b, _ = pcs
    path = tmp_path / "new.kaigo"
    ex.export_bundle(a, path)
    with zipfile.ZipFile(path) as z:
        header, content = json.loads(z.read("header.json")), z.read("content.json")
    header["schema_version"] += 1
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("header.json", json.dumps(header))
        z.writestr("content.json", content)
    with pytest.raises(ex.BundleError, match="新しい版"):
        ex.import_bundle(b, path)


def test_reference_data_is_never_sent_nor_duplicated(pcs, tmp_path) -> None:
    a, b, _ = pcs
    _gathering(a, _place(a))
    path = tmp_path / "r.kaigo"
    ex.export_bundle(a, path, since="all")
    with zipfile.ZipFile(path) as z:
        tables = json.loads(z.read("content.json"))["tables"]
    assert set(tables) <= set(ex.USER_TABLES)
    counts = {t: b.scalar(f"SELECT COUNT(*) FROM {t}") for t in REFERENCE}
    ex.import_bundle(b, path)
    assert {t: b.scalar(f"SELECT COUNT(*) FROM {t}") for t in REFERENCE} == counts


def test_dry_run_writes_nothing(pcs, tmp_path) -> None:
    a, b, _ = pcs
    _gathering(a, _place(a))
    path = tmp_path / "d.kaigo"
    ex.export_bundle(a, path)
    before = _records(b)
    summary = ex.import_bundle(b, path, dry_run=True)
    assert summary.added == 2 and _records(b) == before
    assert ex.import_bundle(b, path).added == 2


def test_own_bundle_or_copy_is_refused(pcs, tmp_path) -> None:
    a, _, _ = pcs
    path = tmp_path / "own.kaigo"
    ex.export_bundle(a, path)
    with pytest.raises(ex.BundleError, match="コピー"):
        ex.import_bundle(a, path)


def test_three_pcs_forward_through_the_town(pcs, tmp_path) -> None:
    a, b, town = pcs
    _gathering(a, _place(a, "A会"))
    _gathering(b, _place(b, "B会"))
    _send(a, town, tmp_path, destination="town")
    _send(b, town, tmp_path, destination="town")
    _send(town, a, tmp_path, destination="a")
    _send(town, b, tmp_path, destination="b")
    assert _records(a) == _records(b) == _records(town)
