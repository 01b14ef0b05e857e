"""Record ids: UUIDv7 (time-ordered, so the 1,000,000-row tables grow at the end of their index) and
deterministic UUIDv5 for records that are one per natural key (population per 区市町村 and 年度 …), so two PCs
that enter the same figure offline make the same record rather than a duplicate."""

from __future__ import annotations

import os
import time
import uuid

_NATURAL_KEY_NAMESPACE = uuid.UUID("6f1c9a52-8a0e-4c55-9a57-4b8e2f0c7d11")


def new_id() -> str:
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds & ((1 << 48) - 1)) << 80
    value |= int.from_bytes(os.urandom(10), "big") & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    text = f"{value:032x}"  # formatted by hand: uuid.UUID() costs a third of the bulk path's own time
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def natural_id(kind: str, *parts: object) -> str:
    return str(uuid.uuid5(_NATURAL_KEY_NAMESPACE, "/".join([kind, *map(str, parts)])))


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower() and len(text) == 36
    except (ValueError, AttributeError, TypeError):
        return False
