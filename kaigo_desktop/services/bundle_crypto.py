"""Passphrase encryption of bundle files: AES-256-GCM with a key derived by scrypt (the `cryptography` library).

An encrypted bundle is MAGIC, one JSON line of key-derivation parameters, then the AES-GCM ciphertext of the
whole plain bundle (header included, so nothing — not even the counts — can be read without the passphrase).
The parameter line is authenticated as associated data: changing a byte anywhere makes decryption fail.
It is bounded before any key is derived: a file asking scrypt for gigabytes or hours is refused at once."""

from __future__ import annotations

import io
import json
import os
from typing import Annotated, BinaryIO, Literal

import msgspec
from msgspec import Meta

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.services.bundle_format import explain

MAGIC = b"KAIGO-ENCRYPTED-BUNDLE\n"
# scrypt cost: 2**15 × 8 × 1 takes ≈ 0.1 s and 32 MiB here — slow for guessing, quick for a person.
_SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


# What this version derives keys with at most (our own files use _SCRYPT): n a power of two up to 2**20,
# r ≤ 16, p ≤ 4, and scrypt's memory (128·n·r bytes) at most 256 MiB.
MAX_N, MAX_R, MAX_P, MAX_MEMORY = 2 ** 20, 16, 4, 256 * 1024 ** 2
_MAX_PARAMS_LINE = 1024
_TAG_BYTES = 16  # AES-GCM's tag, after the ciphertext (as AESGCM.encrypt writes it)
_CHUNK = 1024 ** 2
_Hex = Annotated[str, Meta(pattern="^([0-9a-f]{2})+$")]


class _Params(msgspec.Struct):
    kdf: Literal["scrypt"]
    n: Annotated[int, Meta(ge=2, le=MAX_N)]
    r: Annotated[int, Meta(ge=1, le=MAX_R)]
    p: Annotated[int, Meta(ge=1, le=MAX_P)]
    salt: Annotated[_Hex, Meta(min_length=32, max_length=128)]
    cipher: Literal["AES-256-GCM"]
    nonce: Annotated[_Hex, Meta(min_length=24, max_length=24)]


class PassphraseError(UserFacingError, ValueError):
    """No passphrase for an encrypted bundle, or the wrong one (or the file was changed)."""

    kind = "passphrase"


class SettingsError(UserFacingError, ValueError):
    """The encryption settings line is damaged or beyond the bounds: no password can open this file here."""

    kind = "encryption_settings"


def is_encrypted(data: bytes) -> bool:
    return data.startswith(MAGIC)


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def encrypt(plain: bytes, passphrase: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not passphrase:
        raise PassphraseError("パスワードが空です。")
    salt, nonce = os.urandom(16), os.urandom(12)
    params = json.dumps({"kdf": "scrypt", **_SCRYPT, "salt": salt.hex(), "cipher": "AES-256-GCM",
                         "nonce": nonce.hex()}, separators=(",", ":")).encode("ascii") + b"\n"
    key = _key(passphrase, salt, **_SCRYPT)
    return MAGIC + params + AESGCM(key).encrypt(nonce, plain, MAGIC + params)


def decrypt(data: bytes, passphrase: str | None) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    end, params = settings(data)
    if not passphrase:
        raise PassphraseError("このファイルはパスワードで暗号化されています。書き出したときのパスワードを入力してください。")
    key = _key(passphrase, bytes.fromhex(params.salt), params.n, params.r, params.p)
    try:
        return AESGCM(key).decrypt(bytes.fromhex(params.nonce), data[end:], data[:end])
    except InvalidTag as error:
        raise PassphraseError("パスワードが違うか、ファイルが壊れています。何も取り込みませんでした。") from error


def decrypt_file(file: BinaryIO, size: int, passphrase: str | None) -> io.BytesIO:
    """decrypt() of the `size` bytes of an open file, read in chunks: only the plain bundle is held (once),
    never the ciphertext beside it. Nothing of it is returned unless the whole file is authentic."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    head = file.read(len(MAGIC) + _MAX_PARAMS_LINE + 1)
    end, params = settings(head)
    if not passphrase:
        raise PassphraseError("このファイルはパスワードで暗号化されています。書き出したときのパスワードを入力してください。")
    wrong = PassphraseError("パスワードが違うか、ファイルが壊れています。何も取り込みませんでした。")
    if size - end < _TAG_BYTES:
        raise wrong
    key = _key(passphrase, bytes.fromhex(params.salt), params.n, params.r, params.p)
    file.seek(size - _TAG_BYTES)
    tag = file.read(_TAG_BYTES)
    decryptor = Cipher(algorithms.AES(key), modes.GCM(bytes.fromhex(params.nonce), tag)).decryptor()
    decryptor.authenticate_additional_data(head[:end])
    file.seek(end)
    plain, left = io.BytesIO(), size - end - _TAG_BYTES
    while left > 0:
        chunk = file.read(min(_CHUNK, left))
        if not chunk:
            raise wrong
        left -= len(chunk)
        plain.write(decryptor.update(chunk))
    try:
        plain.write(decryptor.finalize())
    except InvalidTag as error:
        raise wrong from error
    plain.seek(0)
    return plain


def settings(data: bytes) -> tuple[int, _Params]:
    """(where the ciphertext starts, the key-derivation settings), checked against the bounds."""
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_PARAMS_LINE)
    if end < 0:
        raise SettingsError("暗号化されたファイルの形式が壊れています（設定の行がありません）。何も取り込みませんでした。")
    try:
        params = msgspec.json.decode(data[len(MAGIC):end], type=_Params)
    except msgspec.DecodeError as error:
        raise SettingsError(f"暗号化の設定が読めないか、この版で扱える範囲を超えています（{explain(str(error))}）。"
                            "何も取り込みませんでした。") from error
    if params.n & (params.n - 1) or 128 * params.n * params.r > MAX_MEMORY:
        raise SettingsError(f"暗号化の設定がこの版で扱える範囲を超えています（scrypt n={params.n}、r={params.r}）。"
                            "何も取り込みませんでした。")
    return end + 1, params
