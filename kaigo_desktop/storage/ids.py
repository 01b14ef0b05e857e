"""Record ids: UUIDv7 (time-ordered, so the 1,000,000-row tables grow at the end of their index) and
deterministic UUIDv5 for records that are one per natural key (population per 区市町村 and 年度 …), so two PCs
that enter the same figure offline make the same record rather than a duplicate."""

from __future__ import annotations

import os
import time
import uuid

_NATURAL_KEY_NAMESPACE = uuid.UUID("6f1c9a52-8a0e-4c55-9a57-4b8e2f0c7d11")


def new_id() -> str:
    return new_ids(1)[0]


def new_ids(count: int) -> list[str]:
    """`count` new ids made at once (a bulk write's: one call for the random bits of all, the time read once)."""
    milliseconds = time.time_ns() // 1_000_000
    stamp = f"{milliseconds & ((1 << 48) - 1):012x}"
    head = f"{stamp[:8]}-{stamp[8:12]}-7"  # version 7
    bits = os.urandom(10 * count).hex()
    ids = []
    for start in range(0, 20 * count, 20):
        text = bits[start:start + 20]
        # 12 random bits, then the RFC 4122 variant (10) over the next 2 bits, then 62 random bits
        ids.append(f"{head}{text[:3]}-{_VARIANT[text[3]]}{text[4:7]}-{text[7:19]}")
    return ids


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def natural_id(kind: str, *parts: object) -> str:
    return str(uuid.uuid5(_NATURAL_KEY_NAMESPACE, "/".join([kind, *map(str, parts)])))


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower() and len(text) == 36
    except (ValueError, AttributeError, TypeError):
        return False
