"""The audit trail's entries and their hash chain (plain Python: the same rule for own and received entries).

An entry's hash is sha256 over the canonical JSON of its fields and the hash of the entry before it (UTF-8, no
spaces, keys in this order), so changing any field of any entry, or removing one, breaks every hash after it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

# The fields an entry's hash covers, in the canonical order.
HASHED_FIELDS = ("seq", "at", "user_name", "pc", "origin_db", "action", "table_name", "record_id", "changes",
                 "detail")

ACTIONS = ("insert", "update", "delete", "restore", "erase", "restore_backup", "note")


def entry_hash(fields: dict[str, Any] | Any, prev_hash: str) -> str:
    """The hash of one entry (a mapping or sqlite3.Row holding HASHED_FIELDS) chained to `prev_hash`."""
    canonical = canonical_json([fields[name] for name in HASHED_FIELDS] + [prev_hash])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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


def changes_from_raw(raw: str) -> str:
    """The triggers' raw form (storage/audit_triggers.py) as the stored JSON: {"field": value} for a row
    inserted or erased, {"field": [before, after]} for an update. Canonical: keys in the table's order."""
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
    return canonical_json(result)


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
