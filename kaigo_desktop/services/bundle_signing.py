"""Signed bundles: each database signs the bundles it writes with its own Ed25519 key (`cryptography`), and
accepts bundles only from the PCs (databases) it trusts.

Trust is set up once per pair, the way people can: the first bundle from an unknown PC shows who it says it is
and a short fingerprint of its key, which the two people compare by phone; or one PC's trust file (its public
key) is carried to the other on the first USB stick. What is signed: a fixed label, then the SHA-256 of the
header.json bytes and of the content.json bytes exactly as stored, so a bundle edited and re-hashed fails."""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.services import bundle_format
from kaigo_desktop.services import rights
from kaigo_desktop.storage import signing_queries as q
from kaigo_desktop.storage.database import Database

_SIGNED_LABEL = b"kaigo-bundle-signature-v1\n"
FINGERPRINT_BYTES = 10  # 80 bits: 5 groups of 4 hex digits, read aloud in under a minute
MAX_TRUST_FILE_BYTES = 64 * 1024


class SignatureError(UserFacingError, ValueError):
    """Unsigned, or the signature does not match the bytes (the file was changed after it was signed)."""

    kind = "signature"


class TrustError(UserFacingError, ValueError):
    """Trusting failed: wrong fingerprint, a different key under a trusted id, an unreadable trust file."""

    kind = "trust"


@dataclass(frozen=True)
class Signer:
    """Who a bundle (or trust file) says made it, and the key it was signed with."""
    database_id: str
    name: str
    public_key: bytes
    created_by: str = ""
    municipality: str | None = None
    center: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def description(self) -> str:
        """Japanese lines: who it claims to be, to compare with the sender."""
        lines = [f"名前: {self.name or '（未設定）'}"]
        if self.created_by:
            lines.append(f"書き出した人: {self.created_by}")
        if self.municipality or self.center:
            lines.append(f"書き出した範囲: {' '.join(p for p in (self.municipality, self.center) if p)}")
        lines += [f"データベース ID: {self.database_id}", f"指紋: {self.fingerprint}"]
        return "\n".join(lines)


class UnknownPcError(UserFacingError, ValueError):
    """A correctly signed bundle from a PC this database does not trust (yet): `signer` says who it claims to be."""

    kind = "unknown_pc"

    def __init__(self, signer: Signer, message: str):
        super().__init__(message)
        self.signer = signer


def fingerprint(public_key: bytes) -> str:
    digest = hashlib.sha256(public_key).hexdigest()[:FINGERPRINT_BYTES * 2].upper()
    return "-".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def normalise_fingerprint(text: str) -> str:
    """What a person typed (full-width digits, spaces, lower case, without dashes) in the printed form."""
    hex_digits = "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch in "0123456789ABCDEF")
    return "-".join(hex_digits[i:i + 4] for i in range(0, len(hex_digits), 4))


# ---- this database's key ---------------------------------------------------------------------------

def _private_key(db: Database):
    """This database's key, made (inside a write) when first needed."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = q.own_key(db.conn, db.database_id)
    if raw is None:
        key = Ed25519PrivateKey.generate()
        with db.write() as stamp:
            q.save_own_key(db.conn, db.database_id, key.private_bytes_raw(), key.public_key().public_bytes_raw(),
                           stamp.at)
        return key
    return Ed25519PrivateKey.from_private_bytes(raw)


def own_signer(db: Database) -> Signer:
    """This PC as others see it (makes the key on first need)."""
    public_key = _private_key(db).public_key().public_bytes_raw()
    return Signer(db.database_id, q.own_name(db.conn), public_key, db.user)


def own_name(db: Database) -> str:
    return q.own_name(db.conn)


def forget_old_keys(db: Database) -> None:
    """After `bundle new-id`: the key of the old id stays with the original file only."""
    with db.write():
        q.forget_keys_except(db.conn, db.database_id)


def _signed_bytes(header: bytes, content: bytes) -> bytes:
    return _signed_digests(header, hashlib.sha256(content).digest())


def _signed_digests(header: bytes, content_digest: bytes) -> bytes:
    return _SIGNED_LABEL + hashlib.sha256(header).digest() + content_digest


def signature_member(db: Database, header: bytes, content: bytes) -> bytes:
    """signature.json for a bundle of these exact header.json and content.json bytes."""
    key = _private_key(db)
    return json.dumps({"algorithm": "Ed25519", "public_key": key.public_key().public_bytes_raw().hex(),
                       "signature": key.sign(_signed_bytes(header, content)).hex()}, indent=1).encode("ascii")


def verify(signature: bytes | None, header: bytes, content: bytes) -> bytes:
    """The public key that signed these bytes; SignatureError when unsigned or when anything was changed."""
    return verify_digest(signature, header, hashlib.sha256(content).digest())


def verify_digest(signature: bytes | None, header: bytes, content_digest: bytes) -> bytes:
    """verify() of a content.json known by its SHA-256 (hashed as it was unpacked, never held whole)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if signature is None:
        raise SignatureError(
            "この取り込みファイルには署名がありません（古い版の Kaigo Desktop で作成されたか、書き換えられています）。"
            "何も取り込みませんでした。送り主に最新の版で書き出しなおしてもらってください。")
    found = bundle_format.decode(bundle_format.Signature, bundle_format.SIGNATURE, signature)
    public_key = bytes.fromhex(found.public_key)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(bytes.fromhex(found.signature),
                                                               _signed_digests(header, content_digest))
    except (InvalidSignature, ValueError) as error:
        raise SignatureError(
            "取り込みファイルの署名が一致しません。書き出したあとに内容が変えられています（改ざんか破損）。"
            "何も取り込みませんでした。送り主に書き出しなおしてもらってください。") from error
    return public_key


def signer_of(header: dict, public_key: bytes) -> Signer:
    return Signer(header["source_db"], header["source_name"], public_key, header["created_by"],
                  header["municipality"], header["center"])


# ---- trust -----------------------------------------------------------------------------------------

def trusted_pcs(db: Database) -> list[q.TrustedPc]:
    return q.trusted_pcs(db.conn)


def require_trusted(db: Database, signer: Signer) -> None:
    """Passes a bundle signed by a trusted PC's key; UnknownPcError for an unknown PC, TrustError for a known
    database id signed with another key. A bundle from this database itself passes here: the import refuses
    it next, with its own explanation (a copied file)."""
    if signer.database_id == db.database_id:
        return
    known = q.trusted_pc(db.conn, signer.database_id)
    if known is None:
        raise UnknownPcError(signer, (
            "この取り込みファイルは、まだ信頼していないパソコンから書き出されています。何も取り込みませんでした。\n"
            f"{signer.description()}\n"
            "送り主に電話などで指紋を読み上げてもらい、一致したら信頼してください"
            "（画面: 取り込みの画面の「このパソコンを信頼して取り込む」、コマンド: "
            f"kaigo-desktop bundle trust add --from-bundle ファイル --fingerprint {signer.fingerprint}）。"))
    if bytes(known.public_key) != signer.public_key:
        raise TrustError(
            f"データベース ID {signer.database_id}（{known.name or '名前なし'}）は信頼していますが、このファイルは"
            f"登録と違う鍵で署名されています（ファイルの指紋 {signer.fingerprint}、登録の指紋 {known.fingerprint}）。"
            "偽造の可能性があるため、何も取り込みませんでした。送り主に確かめてください。")


def trust(db: Database, signer: Signer, confirmed_fingerprint: str | None = None) -> bool:
    """Add `signer` to the trusted PCs; the fingerprint the person compared must match when given.
    Returns False when it was trusted already (with the same key)."""
    rights.require(db, roles.EXCHANGE)
    if confirmed_fingerprint is not None and normalise_fingerprint(confirmed_fingerprint) != signer.fingerprint:
        raise TrustError(f"指紋が一致しません（入力: {confirmed_fingerprint.strip()}、ファイル: {signer.fingerprint}）。"
                         "信頼していません。送り主にもう一度確かめてください。")
    if signer.database_id == db.database_id:
        raise TrustError("このパソコン自身のデータベースです。信頼の登録は要りません。")
    with db.write() as stamp:
        known = q.trusted_pc(db.conn, signer.database_id)
        if known is not None:
            if bytes(known.public_key) == signer.public_key:
                return False
            raise TrustError(
                f"データベース ID {signer.database_id} は別の鍵（指紋 {known.fingerprint}）で信頼済みです。"
                "入れ替えるときは、先に信頼を取り消してください（kaigo-desktop bundle trust remove）。")
        if any(bytes(pc.public_key) == signer.public_key for pc in q.trusted_pcs(db.conn)):
            raise TrustError(f"この鍵（指紋 {signer.fingerprint}）は別のデータベース ID で信頼済みです。信頼していません。")
        q.add_trusted_pc(db.conn, q.TrustedPc(signer.database_id, signer.name, signer.public_key,
                                              signer.fingerprint, stamp.at, db.user))
    return True


def untrust(db: Database, id_or_fingerprint: str) -> q.TrustedPc:
    """Remove a trusted PC named by its database id or its fingerprint."""
    rights.require(db, roles.EXCHANGE)
    wanted = id_or_fingerprint.strip()
    for pc in q.trusted_pcs(db.conn):
        if wanted == pc.database_id or normalise_fingerprint(wanted) == pc.fingerprint:
            with db.write():
                q.remove_trusted_pc(db.conn, pc.database_id)
            return pc
    raise TrustError(f"信頼するパソコンに見つかりません: {wanted}（`kaigo-desktop bundle trust list` で確かめてください）")


# ---- trust files -----------------------------------------------------------------------------------

def trust_file_bytes(db: Database) -> bytes:
    """This PC's trust file: its database id, name and public key (nothing secret)."""
    me = own_signer(db)
    return json.dumps({"format": "kaigo-trust", "format_version": 1, "database_id": me.database_id,
                       "name": me.name, "public_key": me.public_key.hex(), "fingerprint": me.fingerprint},
                      ensure_ascii=False, indent=1).encode("utf-8")


def save_trust_file(db: Database, path: Path | str) -> None:
    """Write this PC's trust file to a new file (an existing one is never replaced)."""
    path = Path(path)
    data = trust_file_bytes(db)
    try:
        with open(path, "xb") as out:
            try:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            except BaseException:
                out.close()
                path.unlink(missing_ok=True)
                raise
    except FileExistsError as error:
        raise TrustError(f"ファイルが既にあります: {path}（別の名前を指定してください）。何も書き出していません。") from error
    except OSError as error:
        raise TrustError(f"信頼ファイルを書き出せませんでした: {path}（{error}）") from error


def read_trust_file(path: Path | str) -> Signer:
    path = Path(path)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_TRUST_FILE_BYTES + 1)
    except OSError as error:
        raise TrustError(f"信頼ファイルを読めませんでした: {path}（{error}）") from error
    if len(data) > MAX_TRUST_FILE_BYTES:
        raise TrustError(f"信頼ファイルではありません（大きすぎます）: {path}")
    try:
        found = bundle_format.decode(bundle_format.TrustFile, path.name, data, "信頼ファイルとして読めません。")
    except bundle_format.FormatError as error:
        raise TrustError(str(error)) from error
    signer = Signer(found.database_id, found.name, bytes.fromhex(found.public_key))
    if normalise_fingerprint(found.fingerprint) != signer.fingerprint:
        raise TrustError(f"信頼ファイルの指紋が鍵と一致しません（書き換えられています）: {path}")
    return signer
