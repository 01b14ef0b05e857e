"""Passwords kept as scrypt hashes (stdlib hashlib.scrypt, a random salt each), never as the password itself.

Stored form: "scrypt$n$r$p$salt_b64$hash_b64"; "" means the user has no password."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

# RFC 7914's interactive parameters: about 16 MB and a few tens of milliseconds per check on an office PC.
N, R, P = 2**14, 8, 1
SALT_BYTES, HASH_BYTES = 16, 32
_MAX_MEMORY = 64 * 1024 * 1024


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=_MAX_MEMORY)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """The stored form of `password` ("" for no password)."""
    if not password:
        return ""
    salt = os.urandom(SALT_BYTES)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_derive(password, salt, N, R, P))}"


@functools.cache
def _dummy() -> str:
    """Checked against when the user is unknown, so that an unknown name takes as long as a wrong password."""
    return hash_password("kaigo-desktop: no such user")


def verify(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash (constant-time compare). A stored "" (no password) matches
    anything: that user chose not to have one."""
    if not stored:
        return True
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
        return hmac.compare_digest(actual, base64.b64decode(expected))
    except ValueError:  # a damaged hash matches nothing
        return False


def spend_like_a_check(password: str) -> None:
    """Take the time of one check without any user (an unknown name answered as slowly as a known one)."""
    verify(password, _dummy())
