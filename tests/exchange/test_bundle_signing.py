"""Signed bundles: a bundle edited and re-hashed, unsigned, signed by an unknown PC or by another key under a
trusted id is refused whole; trust is set up by trust file or by a fingerprint compared by phone; encrypted
bundles are signed inside the encryption; a copied file given a new id signs with a new key."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from kaigo_desktop.services import bundle_crypto, bundle_signing
from kaigo_desktop.services import exchange as ex
from tests.exchange.test_exchange import _gathering, _make, _place, _records, pcs  # noqa: F401

FINGERPRINT = re.compile(r"[0-9A-F]{4}(-[0-9A-F]{4}){4}")


@pytest.fixture
def another_pc(template_db_path: Path, tmp_path: Path):
    """Open one more PC's database (`another_pc(name)`), not trusted by the pcs; all closed after the test."""
    opened = []

    def make(name: str):
        opened.append(_make(template_db_path, tmp_path, name))
        return opened[-1]

    yield make
    for db in opened:
        db.close()


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def rezip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in parts.items():
            bundle.writestr(name, data)
    return path


def file_bytes(db) -> tuple[bytes, bytes]:
    wal = Path(f"{db.path}-wal")
    return db.path.read_bytes(), wal.read_bytes() if wal.exists() else b""


def vandalise(content: bytes) -> bytes:
    """Every place to the trash and every attendance set to 999, as the issue's attacker did."""
    data = json.loads(content)
    for table, block in data["tables"].items():
        columns = block["columns"]
        for row in block["rows"]:
            if table == "places":
                row[columns.index("deleted_at")] = "2025-01-01T00:00:00.000000Z"
            if "attendance_total" in columns:
                row[columns.index("attendance_total")] = 999
    changed = json.dumps(data, ensure_ascii=False).encode()
    assert changed != content
    return changed


def test_a_bundle_edited_and_rehashed_is_refused(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a), 10)
    path = tmp_path / "a.kaigo"
    ex.export_bundle(a, path)
    parts = members(path)
    parts["content.json"] = vandalise(parts["content.json"])
    header = json.loads(parts["header.json"])
    header["content_sha256"] = hashlib.sha256(parts["content.json"]).hexdigest()  # re-hashed: the checksum fits
    parts["header.json"] = json.dumps(header, ensure_ascii=False).encode()
    forged = rezip(tmp_path / "forged.kaigo", parts)
    before = file_bytes(b)
    with pytest.raises(ex.BundleError, match="署名が一致しません"):
        ex.import_bundle(b, forged)
    assert file_bytes(b) == before
    assert ex.import_bundle(b, path).added == 2  # the real one still comes in


def test_an_unsigned_bundle_is_refused(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    path = tmp_path / "a.kaigo"
    ex.export_bundle(a, path)
    parts = members(path)
    del parts["signature.json"]
    before = file_bytes(b)
    with pytest.raises(ex.BundleError, match="署名がありません"):
        ex.import_bundle(b, rezip(tmp_path / "unsigned.kaigo", parts))
    assert file_bytes(b) == before


def test_a_bundle_from_an_unknown_pc_shows_who_it_claims_to_be(pcs, another_pc, tmp_path) -> None:  # noqa: F811
    _, b, _ = pcs
    stranger = another_pc("stranger")
    _gathering(stranger, _place(stranger))
    path = tmp_path / "s.kaigo"
    ex.export_bundle(stranger, path, municipality="131016")
    before = file_bytes(b)
    with pytest.raises(ex.UnknownPcError) as refused:
        ex.import_bundle(b, path)
    message = str(refused.value)
    me = bundle_signing.own_signer(stranger)
    assert "まだ信頼していないパソコン" in message and me.fingerprint in message
    assert stranger.database_id in message and "stranger" in message and "131016" in message
    assert FINGERPRINT.fullmatch(refused.value.signer.fingerprint)
    assert file_bytes(b) == before
    # the person compared the fingerprint by phone: trusted, then it comes in
    with pytest.raises(bundle_signing.TrustError, match="一致しません"):
        bundle_signing.trust(b, refused.value.signer, "0000-0000-0000-0000-0000")
    typed = me.fingerprint.lower().replace("-", " ")
    assert bundle_signing.trust(b, ex.inspect_bundle(path, b.schema_version()), typed)
    assert ex.import_bundle(b, path).added == 2


def test_another_key_under_a_trusted_database_id_is_refused(pcs, another_pc, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    forger = another_pc("forger")
    _gathering(forger, _place(forger))
    # the forger claims to be A (A's database id in the header), signs with its own key
    real_id, forger.database_id = forger.database_id, a.database_id
    path = tmp_path / "f.kaigo"
    with forger.write():
        forger.conn.execute("UPDATE db_meta SET value = ? WHERE key = 'database_id'", (a.database_id,))
    ex.export_bundle(forger, path)
    before = file_bytes(b)
    with pytest.raises(ex.BundleError, match="登録と違う鍵"):
        ex.import_bundle(b, path)
    assert file_bytes(b) == before and real_id != a.database_id


def test_trust_file_round_trip_and_removal(pcs, another_pc, tmp_path) -> None:  # noqa: F811
    a, _, _ = pcs
    newcomer = another_pc("newcomer")
    _gathering(a, _place(a))
    trust_file = tmp_path / "a-trust.json"
    bundle_signing.save_trust_file(a, trust_file)
    with pytest.raises(bundle_signing.TrustError, match="既にあります"):
        bundle_signing.save_trust_file(a, trust_file)
    assert b"private" not in trust_file.read_bytes()
    path = tmp_path / "a.kaigo"
    ex.export_bundle(a, path, destination="newcomer")
    with pytest.raises(ex.UnknownPcError):
        ex.import_bundle(newcomer, path)
    assert bundle_signing.trust(newcomer, bundle_signing.read_trust_file(trust_file))
    assert not bundle_signing.trust(newcomer, bundle_signing.read_trust_file(trust_file))  # already
    [pc] = bundle_signing.trusted_pcs(newcomer)
    assert pc.database_id == a.database_id and pc.fingerprint == bundle_signing.own_signer(a).fingerprint
    assert ex.import_bundle(newcomer, path, dry_run=True).added == 2
    bundle_signing.untrust(newcomer, pc.fingerprint.lower())
    with pytest.raises(ex.UnknownPcError):
        ex.import_bundle(newcomer, path)
    # a trust file whose key was swapped (its fingerprint no longer fits) is refused
    data = json.loads(trust_file.read_text(encoding="utf-8"))
    data["public_key"] = "11" * 32
    trust_file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(bundle_signing.TrustError, match="一致しません"):
        bundle_signing.read_trust_file(trust_file)
    trust_file.write_text('{"format": "kaigo-trust", "format_version": 1}', encoding="utf-8")
    with pytest.raises(bundle_signing.TrustError, match="database_id"):
        bundle_signing.read_trust_file(trust_file)


def test_an_encrypted_bundle_is_signed_inside_the_encryption(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    path = tmp_path / "secret.kaigo"
    ex.export_bundle(a, path, passphrase="合言葉")
    plain = bundle_crypto.decrypt(path.read_bytes(), "合言葉")
    with zipfile.ZipFile(io.BytesIO(plain)) as bundle:
        assert "signature.json" in bundle.namelist()
    # re-encrypted without the signature by someone who knows the passphrase: refused
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as bundle, zipfile.ZipFile(buffer, "w") as out:
        for name in ("header.json", "content.json"):
            out.writestr(name, bundle.read(name))
    forged = tmp_path / "forged.kaigo"
    forged.write_bytes(bundle_crypto.encrypt(buffer.getvalue(), "合言葉"))
    with pytest.raises(ex.BundleError, match="署名がありません"):
        ex.import_bundle(b, forged, passphrase="合言葉")
    assert ex.import_bundle(b, path, passphrase="合言葉").added == 2


def test_a_new_id_signs_with_a_new_key(pcs) -> None:  # noqa: F811
    a, _, _ = pcs
    before = bundle_signing.own_signer(a)
    ex.give_new_database_id(a)
    after = bundle_signing.own_signer(a)
    assert after.public_key != before.public_key and after.database_id != before.database_id
    assert a.scalar("SELECT COUNT(*) FROM exchange_signing_key") == 1
