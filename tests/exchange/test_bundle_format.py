"""The declared bundle structure and the resource bounds: each malformed bundle (signed by a trusted PC, so it
reaches the structure check) is refused with one Japanese message naming the problem; a zip bomb is refused
while unpacking with little memory; the encryption settings line is bounded before any key is derived."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from kaigo_desktop.services import bundle_crypto, bundle_format, bundle_signing
from kaigo_desktop.services import exchange as ex
from tests.exchange.test_exchange import _gathering, _place, pcs  # noqa: F401


def signed_zip(signer, header: bytes, content: bytes, *, extra: dict[str, bytes] | None = None,
               compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A bundle zip of these exact bytes, signed by `signer`'s key (the receiver trusts it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as bundle:
        bundle.writestr("header.json", header)
        bundle.writestr("content.json", content)
        bundle.writestr("signature.json", bundle_signing.signature_member(signer, header, content))
        for name, data in (extra or {}).items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def exported(db, tmp_path: Path) -> tuple[dict, dict]:
    path = tmp_path / "real.kaigo"
    ex.export_bundle(db, path, since="all")
    with zipfile.ZipFile(path) as bundle:
        return json.loads(bundle.read("header.json")), json.loads(bundle.read("content.json"))


def with_content(header: dict, content: bytes) -> bytes:
    import hashlib

    return json.dumps({**header, "content_sha256": hashlib.sha256(content).hexdigest()}).encode()


def refused(db, path: Path, data: bytes) -> str:
    path.write_bytes(data)
    with pytest.raises(ex.BundleError) as error:
        ex.import_bundle(db, path)
    return str(error.value)


CASES = [
    # (what is changed, the words the message must hold)
    (lambda h, c: h.pop("source_db"), "必要な項目「source_db」がありません"),
    (lambda h, c: h.update(counts=[1, 2]), "表（{…}）であるべきところが一覧（[…]）です"),
    (lambda h, c: h.update(max_seq="12"), "整数であるべきところが文字列です"),
    (lambda h, c: h.update(max_seq=2 ** 64), "数が大きすぎます"),
    (lambda h, c: c.update(tables=[]), "表（{…}）であるべきところが一覧（[…]）です"),
    (lambda h, c: c["tables"].update(secrets={"columns": [], "rows": []}), "想定外の値"),
    (lambda h, c: c["tables"]["gatherings"]["rows"][0].__setitem__(4, 2 ** 63), "数が大きすぎます"),
    (lambda h, c: c["tables"]["gatherings"]["rows"][0].__setitem__(4, {"x": 1}), "$.tables[...].rows[0][4]"),
    (lambda h, c: c["tables"]["gatherings"]["rows"][0].pop(), "列の数"),
    (lambda h, c: c["tables"]["gatherings"]["rows"][0].__setitem__(0, 7), "空でない文字列"),
    (lambda h, c: c["tables"]["gatherings"]["rows"][0].__setitem__(3, ["a"]), "_ancestors の列にだけ"),
    (lambda h, c: c["tables"]["gatherings"]["columns"].remove("updated_at"), "updated_at"),
]


@pytest.mark.parametrize("change, words", CASES)
def test_a_malformed_bundle_is_refused_with_one_message_naming_the_problem(pcs, tmp_path, change, words) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    header, content = exported(a, tmp_path)
    change(header, content)
    content_bytes = json.dumps(content, ensure_ascii=False).encode()
    message = refused(b, tmp_path / "bad.kaigo", signed_zip(a, with_content(header, content_bytes), content_bytes))
    assert words in message and "何も取り込みませんでした" in message
    assert "Traceback" not in message
    assert b.scalar("SELECT COUNT(*) FROM places") == 0


def test_a_zip_bomb_is_refused_while_unpacking(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    header, _ = exported(a, tmp_path)
    bomb = b'{"tables":{},"pad":"' + b" " * (300 * 1024 ** 2) + b'"}'  # 300 MB that packs to ~300 KB
    data = signed_zip(a, with_content(header, bomb), bomb)
    del bomb
    assert len(data) < 2 * 1024 ** 2
    for declared_honestly in (True, False):
        if not declared_honestly:  # a zip whose directory says content.json is small
            data = _understate_size(data, "content.json", 1000)
        tracemalloc.start()
        message = refused(b, tmp_path / "bomb.kaigo", data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert ("大きすぎます" in message) if declared_honestly else ("壊れて" in message or "大きすぎます" in message)
        assert peak < 64 * 1024 ** 2, f"{peak:,} bytes held while refusing"


def _understate_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the sizes recorded for `name` in the central directory and the local header."""
    buffer = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        info = bundle.getinfo(name)
    local = info.header_offset
    buffer[local + 22:local + 26] = size.to_bytes(4, "little")
    start = bytes(buffer).find(b"PK\x01\x02", 0)
    while start >= 0:
        name_length = int.from_bytes(buffer[start + 28:start + 30], "little")
        if bytes(buffer[start + 46:start + 46 + name_length]) == name.encode():
            buffer[start + 24:start + 28] = size.to_bytes(4, "little")
        start = bytes(buffer).find(b"PK\x01\x02", start + 4)
    return bytes(buffer)


def test_the_bound_is_fifty_times_the_file_or_two_gigabytes() -> None:
    assert bundle_format.unpack_limit(10 * 1024 ** 2) == 500 * 1024 ** 2
    assert bundle_format.unpack_limit(100 * 1024 ** 2) == 2 * 1024 ** 3
    assert bundle_format.unpack_limit(1000) == bundle_format.UNPACK_FLOOR


def test_a_zip_of_many_members_is_refused(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    header, content = exported(a, tmp_path)
    content_bytes = json.dumps(content).encode()
    extra = {f"x{n}.json": b"{}" for n in range(20)}
    message = refused(b, tmp_path / "many.kaigo", signed_zip(a, with_content(header, content_bytes), content_bytes,
                                                               extra=extra))
    assert "ファイルの数が多すぎます" in message


def test_a_file_past_the_size_bound_is_refused_before_reading(pcs, tmp_path, monkeypatch) -> None:  # noqa: F811
    _, b, _ = pcs
    monkeypatch.setattr(bundle_format, "MAX_FILE_BYTES", 1000)
    assert "大きすぎます" in refused(b, tmp_path / "big.kaigo", b"PK" + b"\0" * 2000)


@pytest.mark.parametrize("settings, words", [
    ({"n": 2 ** 30}, "上限 1048576"),
    ({"n": 3 * 2 ** 10}, "範囲を超えています"),
    ({"r": 17}, "上限 16"),
    ({"p": 5}, "上限 4"),
    ({"n": 2 ** 20, "r": 16}, "範囲を超えています"),  # 2 GiB of scrypt memory
    ({"salt": "zz" * 16}, "値の形式が違います"),
    ({"salt": "00"}, "短すぎます"),
    ({"kdf": "argon2"}, "想定外の値"),
])
def test_encryption_settings_are_bounded_before_any_key_is_derived(pcs, tmp_path, monkeypatch, settings, words) -> None:  # noqa: F811
    a, b, _ = pcs
    path = tmp_path / "secret.kaigo"
    ex.export_bundle(a, path, passphrase="合言葉")
    data = path.read_bytes()
    end = data.index(b"\n", len(bundle_crypto.MAGIC))
    params = {**json.loads(data[len(bundle_crypto.MAGIC):end]), **settings}
    path.write_bytes(bundle_crypto.MAGIC + json.dumps(params).encode() + data[end:])
    derived = []
    monkeypatch.setattr(bundle_crypto, "_key", lambda *args: derived.append(args) or b"\0" * 32)
    started = time.monotonic()
    with pytest.raises(ex.BundleError) as error:
        ex.import_bundle(b, path, passphrase="合言葉")
    assert words in str(error.value) and "何も取り込みませんでした" in str(error.value)
    assert not isinstance(error.value, ex.PassphraseError)  # not "wrong password": no password opens it here
    assert derived == [] and time.monotonic() - started < 1


def test_damaged_deflate_data_is_a_format_error_not_a_traceback() -> None:
    """A bit flipped inside a member's compressed bytes makes zlib raise its own error (not BadZipFile): it is
    refused with the Japanese message like any other damage (found by the submission files' fuzz, issue 18)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(bundle_format.HEADER, b"{}")
        archive.writestr(bundle_format.CONTENT, json.dumps({"rows": list(range(2000))}).encode())
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(bundle_format.CONTENT)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    kinds = set()
    for offset in range(start + 2, start + info.compress_size - 2, 7):
        damaged = bytearray(data)
        damaged[offset] ^= 0x40
        with pytest.raises(bundle_format.FormatError) as refused:
            bundle_format.unpack(bytes(damaged))
        kinds.add(type(refused.value.__cause__).__name__)
    assert "error" in kinds  # zlib.error was among the causes: the case this test is about
