"""A bundle read in chunks (bundle_content): its signature is checked over the whole content before anything
is written, a bad row found after earlier chunks were applied leaves nothing written, and the chunked reading
gives the rows exactly as a whole-document decode does, wherever the chunks are cut."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date

import msgspec
import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import bulk, bundle_content, bundle_format, bundle_signing
from kaigo_desktop.services import exchange as ex
from tests.exchange.test_exchange import _place, pcs, rewrite_bundle  # noqa: F401

GATHERINGS = 60


def _tables_here(db) -> dict[str, int]:
    return {table: db.scalar(f"SELECT COUNT(*) FROM {table}")
            for table in ("places", "gatherings", "exchange_base", "exchange_received", "audit_received")}


def _many_gatherings(a, tmp_path):
    place = _place(a)
    bulk.add_gatherings(a, [r.Gathering(id="", place_id=place.id, held_on=date(2024, 5, 1 + n % 28),
                                        attendance_total=10 + n, notes="雨天],[のため") for n in range(GATHERINGS)],
                        today=date(2025, 3, 31))
    path = tmp_path / "many.kaigo"
    ex.export_bundle(a, path, since="all")
    return path


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of a few rows, so a bundle of 60 gatherings is unpacked, read and applied in many."""
    monkeypatch.setattr(bundle_format, "_CHUNK", 512)
    monkeypatch.setattr(bundle_content, "_BATCH_BYTES", 700)
    monkeypatch.setattr(ex, "_CHUNK", 5)


def test_a_bad_row_beyond_the_first_chunk_leaves_nothing_written(pcs, tmp_path, small_chunks) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    bad = rewrite_bundle(a, path, tmp_path / "bad.kaigo",
                         lambda h, c: c["tables"]["gatherings"]["rows"][-1].__setitem__(1, {"x": 1}))
    before = _tables_here(b)
    applied = []
    with pytest.raises(ex.BundleError) as error:
        ex.import_bundle(b, bad, progress=lambda done, total: applied.append(done))
    assert f"rows[{GATHERINGS - 1}][1]" in str(error.value) and "何も取り込みませんでした" in str(error.value)
    assert max(applied) >= GATHERINGS // 2  # earlier chunks were applied before the bad row was read …
    assert _tables_here(b) == before  # … and undone with it
    assert ex.import_bundle(b, path).added == GATHERINGS + 1  # the good bundle still comes in whole


def test_the_signature_is_checked_before_any_write(pcs, tmp_path, small_chunks, monkeypatch) -> None:  # noqa: F811
    a, b, _ = pcs
    path = _many_gatherings(a, tmp_path)
    with zipfile.ZipFile(path) as bundle:
        header, content = json.loads(bundle.read("header.json")), bundle.read("content.json")
    last = content.rfind("雨天".encode())  # the last gathering's notes, in the last chunk
    tampered = content[:last] + "晴天".encode() + content[last + len("雨天".encode()):]
    assert len(tampered) == len(content) and last > 20 * 700  # far past the first chunks
    header["content_sha256"] = hashlib.sha256(tampered).hexdigest()  # only the signature can tell
    header_bytes = json.dumps(header).encode()
    with zipfile.ZipFile(tmp_path / "tampered.kaigo", "w") as out:
        out.writestr("header.json", header_bytes)
        out.writestr("content.json", tampered)
        out.writestr("signature.json", bundle_signing.signature_member(a, header_bytes, content))
    writes = []
    monkeypatch.setattr(ex, "_apply_rows", lambda *args: writes.append(args))
    before = _tables_here(b)
    with pytest.raises(ex.BundleError) as error:
        ex.import_bundle(b, tmp_path / "tampered.kaigo", progress=lambda done, total: writes.append(done))
    assert "署名が一致しません" in str(error.value)
    assert writes == [] and _tables_here(b) == before


@pytest.mark.parametrize("chunk", [1, 2, 5, 64, 700, 10 ** 6])
def test_chunked_reading_gives_what_a_whole_decode_gives(pcs, tmp_path, chunk, monkeypatch) -> None:  # noqa: F811
    a, _, _ = pcs
    path = _many_gatherings(a, tmp_path)
    with zipfile.ZipFile(path) as bundle:
        compact = bundle.read("content.json")
    monkeypatch.setattr(bundle_content, "_BATCH_BYTES", 300)
    for data in (compact, json.dumps(json.loads(compact), ensure_ascii=False, indent=2).encode()):
        whole = msgspec.json.decode(data, type=bundle_format.Content)
        read = list(bundle_content.read(iter([data[i:i + chunk] for i in range(0, len(data), chunk)])))
        rows = {}
        for item in read:
            if isinstance(item, bundle_content.Rows):
                assert item.first == len(rows.setdefault(item.table, []))
                rows[item.table].extend(item.rows)
        assert rows == {table: block.rows for table, block in whole.tables.items() if block.rows}
        audit = [entry for item in read if isinstance(item, bundle_content.AuditEntries) for entry in item.entries]
        assert audit == [msgspec.structs.astuple(entry) for entry in whole.audit.rows]
