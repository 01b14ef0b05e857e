"""Passphrase encryption of bundle files: AES-256-GCM with a key derived by scrypt (the `cryptography` library).

An encrypted bundle is MAGIC, one JSON line of key-derivation parameters, then the AES-GCM ciphertext of the
whole plain bundle (header included, so nothing — not even the counts — can be read without the passphrase).
The parameter line is authenticated as associated data: changing a byte anywhere makes decryption fail."""

from __future__ import annotations

import json
import os

MAGIC = b"KAIGO-ENCRYPTED-BUNDLE\n"
# scrypt cost: 2**15 × 8 × 1 takes ≈ 0.1 s and 32 MiB here — slow for guessing, quick for a person.
_SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}


class PassphraseError(ValueError):
    """No passphrase for an encrypted bundle, or the wrong one (or the file was changed)."""


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

    if not passphrase:
        raise PassphraseError("このファイルはパスワードで暗号化されています。書き出したときのパスワードを入力してください。")
    try:
        end = data.index(b"\n", len(MAGIC)) + 1
        params = json.loads(data[len(MAGIC):end])
        if params.get("kdf") != "scrypt" or params.get("cipher") != "AES-256-GCM":
            raise ValueError(params)
        key = _key(passphrase, bytes.fromhex(params["salt"]), int(params["n"]), int(params["r"]), int(params["p"]))
        return AESGCM(key).decrypt(bytes.fromhex(params["nonce"]), data[end:], data[:end])
    except InvalidTag as error:
        raise PassphraseError("パスワードが違うか、ファイルが壊れています。何も取り込みませんでした。") from error
    except (ValueError, KeyError, TypeError) as error:
        raise PassphraseError("暗号化されたファイルの形式が壊れています。何も取り込みませんでした。") from error
