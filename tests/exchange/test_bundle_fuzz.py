"""Generated malformed bundles (random bytes, zips of random members, signed bundles whose header or content
has the wrong shape, wrong types, huge numbers, and encrypted files with odd settings) never end in anything
but BundleError, whose message is Japanese, and a refused bundle leaves the database file byte for byte."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kaigo_desktop.services import bundle_crypto
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage.database import Database
from tests.exchange.test_bundle_format import signed_zip
from tests.exchange.test_exchange import _gathering, _place, pcs  # noqa: F401

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
HUGE = st.sampled_from([2 ** 63, -(2 ** 63) - 1, 2 ** 64, 10 ** 40, -(10 ** 30)])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | HUGE | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)
NOT_A_CELL = HUGE | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) \
    | st.dictionaries(st.text(max_size=4), st.integers(), max_size=2) | st.lists(st.integers(), min_size=1, max_size=2) \
    | st.lists(st.text(max_size=3), max_size=2)  # a list of text: allowed only as _ancestors
MEMBER_NAMES = st.sampled_from(["header.json", "content.json", "signature.json", "other.json"])


def _replace(document: dict, path: list, value) -> None:
    """Set (or, with value ..., delete) the item at `path` inside the nested dicts and lists."""
    *parents, last = path
    target = document
    for step in parents:
        target = target[step]
    if value is ...:
        del target[last]
    else:
        target[last] = value


def _paths(document, prefix=()):
    yield list(prefix)
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document[:3]):
            yield from _paths(value, (*prefix, index))


@st.composite
def malformed(draw, header: dict, content: dict, signer) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["bytes", "zip", "header", "content", "cell", "numbers", "encrypted"]))
    if kind == "bytes":
        prefix = draw(st.sampled_from([b"", b"PK\x03\x04", bundle_crypto.MAGIC]))
        return kind, prefix + draw(st.binary(max_size=600))
    if kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            for name, data in draw(st.dictionaries(MEMBER_NAMES, st.binary(max_size=300), max_size=4)).items():
                bundle.writestr(name, data)
        return kind, buffer.getvalue()
    if kind == "encrypted":
        line = draw(st.dictionaries(st.sampled_from(["kdf", "n", "r", "p", "salt", "cipher", "nonce"]),
                                    JSON_VALUES | st.integers(0, 2 ** 40), max_size=7))
        return kind, bundle_crypto.MAGIC + json.dumps(line).encode() + b"\n" + draw(st.binary(max_size=100))
    header, content = json.loads(json.dumps(header)), json.loads(json.dumps(content))
    if kind == "header":
        path = draw(st.sampled_from(list(_paths(header))[1:]))
        _replace(header, path, draw(JSON_VALUES | st.just(...)))
    elif kind == "content":
        path = draw(st.sampled_from(list(_paths(content))[1:]))
        _replace(content, path, draw(JSON_VALUES | st.just(...)))
    elif kind == "cell":
        block = content["tables"][draw(st.sampled_from(sorted(content["tables"])))]
        row = block["rows"][0]
        row[draw(st.integers(0, len(row) - 2))] = draw(NOT_A_CELL)
    content_bytes = json.dumps(content, ensure_ascii=False).encode()
    if "content_sha256" in header:  # re-hashed, so the structure check is what refuses it
        header["content_sha256"] = hashlib.sha256(content_bytes).hexdigest()
    header_bytes = json.dumps(header, ensure_ascii=False).encode()
    if kind == "numbers":  # a number written past any integer type, straight into the text
        huge = draw(st.sampled_from([b"1e400", b"99999999999999999999999999", b"-1e999", b"1" * 400]))
        header_bytes = header_bytes.replace(b'"max_seq": ', b'"max_seq": ' + huge + b", \"x\": ", 1)
        content_bytes = content_bytes.replace(b",1,", b"," + huge + b",", 1)
    return kind, signed_zip(signer, header_bytes, content_bytes)


def _file_bytes(db) -> tuple[bytes, bytes]:
    wal = Path(f"{db.path}-wal")
    return db.path.read_bytes(), wal.read_bytes() if wal.exists() else b""


def test_malformed_bundles_end_only_in_a_japanese_bundle_error(pcs, tmp_path) -> None:  # noqa: F811
    a, b, _ = pcs
    _gathering(a, _place(a))
    real = tmp_path / "real.kaigo"
    ex.export_bundle(a, real)
    with zipfile.ZipFile(real) as bundle:
        header, content = json.loads(bundle.read("header.json")), json.loads(bundle.read("content.json"))
    b.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pristine = b.path
    path, work = tmp_path / "fuzz.kaigo", tmp_path / "work.sqlite3"

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow],
              derandomize=True)
    @given(malformed(header, content, a))
    def check(case) -> None:
        kind, data = case
        path.write_bytes(data)
        # each example on a fresh copy of the receiving database: an earlier import must not mask a later one
        for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(pristine, work)
        with Database.open(work, user="fuzz") as receiver:
            before = _file_bytes(receiver)
            try:
                ex.import_bundle(receiver, path, passphrase="合言葉")
            except ex.BundleError as error:
                assert JAPANESE.search(str(error)), str(error)
                assert "Traceback" not in str(error)
                assert _file_bytes(receiver) == before
                event(f"{kind}: refused")
            else:
                event(f"{kind}: a valid bundle after all")

    check()
