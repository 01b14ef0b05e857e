"""The audit trail's entries and their hash chain (plain Python).

An entry's hash is sha256 over the hash of the entry before it and the entry's canonical text (its
HASHED_FIELDS joined, made by SQLite: fast for 100,000 entries), so changing any field of any entry, or removing one, breaks every hash
after it. The hashes are kept per write transaction (storage: audit_seals), each entry's as its first
DIGEST_CHARS hex digits, the last one whole."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

# The fields an entry's hash covers, in the canonical order.
HASHED_FIELDS = ("seq", "at", "user_name", "pc", "origin_db", "action", "table_name", "record_id", "changes",
                 "detail")

ACTIONS = ("insert", "update", "delete", "restore", "erase", "restore_backup")
DIGEST_CHARS = 16


def entry_hash(canonical: str, prev_hash: str) -> str:
    """The hash of one entry, given its canonical text (its HASHED_FIELDS joined; see
    storage/audit_log.CANONICAL), chained to the hash of the entry before it."""
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode("utf-8")).hexdigest()


def chain(canonicals: Any, prev_hash: str) -> tuple[str, str]:
    """The short digests of the entries (canonical texts in seq order) joined, and the last full hash."""
    digests = []
    for canonical in canonicals:
        prev_hash = entry_hash(canonical, prev_hash)
        digests.append(prev_hash[:DIGEST_CHARS])
    return "".join(digests), prev_hash


@dataclass(frozen=True)
class ChainBreak:
    """Where a chain stops being what it says: the entry `seq` was changed, or entries before it are missing."""

    seq: int
    reason: str  # "changed", "missing", "unsealed"



class RawChangesError(ValueError):
    pass


_LITERAL = r"NULL|'(?:[^']|'')*'|[Xx]'[0-9A-Fa-f]*'|[-+]?[0-9][0-9.eE+-]*|[-+]?Inf"
_RAW_ITEM = re.compile(rf"([A-Za-z_][A-Za-z0-9_]*)=({_LITERAL})(?:>({_LITERAL}))?,")


def _literal_value(text: str) -> Any:
    if text == "NULL":
        return None
    if text[0] == "'":
        return text[1:-1].replace("''", "'")
    if text[0] in "Xx":
        return text[2:-1].upper()  # a BLOB, as hex
    if text.lstrip("+-").startswith("Inf"):
        return text
    if any(ch in text for ch in ".eE"):
        return float(text)
    return int(text)


def changes_from_raw(raw: str) -> dict[str, Any]:
    """The stored form (storage/audit_triggers.py) read: {"field": value} for a row inserted or erased,
    {"field": [before, after]} for an update, in the table's column order."""
    result: dict[str, Any] = {}
    position = 0
    while position < len(raw):
        match = _RAW_ITEM.match(raw, position)
        if match is None:
            raise RawChangesError(f"unreadable raw audit changes at {position}: {raw[position:position + 40]!r}")
        name, first, second = match.groups()
        result[name] = (_literal_value(first) if second is None
                        else [_literal_value(first), _literal_value(second)])
        position = match.end()
    return result


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
