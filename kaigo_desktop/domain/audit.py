"""The audit trail's entries and their hash chain (plain Python).

Who wrote, when and on which PC is kept once per write transaction (its seal, storage: audit_seals), not in
each entry: an entry holds its seq, its write (tx), the action, the record and the changed fields. The chain
is one running sha256 per seal over the hash of the seal before, the seal's header (its who/when/PC,
seal_header) and its entries' canonical texts (ENTRY_FIELDS joined, made by SQLite: fast for 100,000
entries), one after the other; after each entry its running hash is noted (the first DIGEST_CHARS hex digits),
so changing any field of any entry or of a seal, or removing one, is found and the entry named."""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# The fields of an entry its hash covers, in the canonical order (tx: the seal of the write that made it;
# at: only set on an entry written around the app, whose write has no seal of its own).
ENTRY_FIELDS = ("seq", "tx", "at", "action", "table_name", "record_id", "changes", "detail")
# The fields of a seal (one write transaction) its header covers.
SEAL_FIELDS = ("id", "at", "user_name", "pc", "origin_db")

ACTIONS = ("insert", "update", "delete", "restore", "erase", "restore_backup")
DIGEST_CHARS = 16


def seal_header(values: Iterable[Any]) -> str:
    """A seal's SEAL_FIELDS as one unambiguous text (JSON: no field's text can move a boundary)."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


class RunningHash:
    """The chain through one seal: started from the hash of the seal before and the seal's header, then
    each entry's canonical text in seq order; add() answers the hash up to and including that entry. One
    sha256 fed the entries one after the other (copied to read it) costs less than one per entry."""

    def __init__(self, prev_hash: str, header: str) -> None:
        self._sha = hashlib.sha256(f"{prev_hash}\n{header}".encode("utf-8"))

    def add_many(self, framed: Iterable[bytes]) -> None:
        """Entries fed without reading the hash after each (checking a whole seal: only its end counts)."""
        self._sha.update(b"".join(framed))

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    def add(self, framed: bytes) -> str:
        """`framed`: "\\n" + the entry's canonical text, in UTF-8 (as SQLite hands it over: no decoding)."""
        self._sha.update(framed)
        return self._sha.copy().hexdigest()


def chain(canonicals: Iterable[bytes], prev_hash: str, header: str) -> tuple[str, str]:
    """The short digests of a seal's entries (framed canonical texts in seq order, see RunningHash.add)
    joined, and the last full hash."""
    # One buffer, not a list of a million short strings (≈ 70 MB at the seal of a million-row import).
    running, digests, last = RunningHash(prev_hash, header), io.StringIO(), prev_hash
    for canonical in canonicals:
        last = running.add(canonical)
        digests.write(last[:DIGEST_CHARS])
    return digests.getvalue(), last


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
