"""What a write changed, so the screens showing it refresh and the others do not (Anki's OpChanges).

Every operation that writes returns or declares a `Changes`; the GUI routes it to the screens. Kinds are the
record tables' names ("places", "gatherings", "promoters", "assignments", "activities", "centers", "members",
"population", "expenses", "settings", "conflicts", "pending", "trust").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

EVERYTHING = "*"  # a restore, a bundle import or a merge: any kind may have changed


@dataclass(frozen=True)
class Changes:
    kinds: frozenset[str] = frozenset()
    ids: Mapping[str, frozenset[str]] = field(default_factory=dict)  # kind → the ids known to have changed

    @classmethod
    def of(cls, kind: str, ids: Iterable[str] = ()) -> Changes:
        ids = frozenset(str(i) for i in ids if i is not None)
        return cls(frozenset({kind}), {kind: ids} if ids else {})

    @classmethod
    def everything(cls) -> Changes:
        return cls(frozenset({EVERYTHING}))

    @property
    def is_empty(self) -> bool:
        return not self.kinds

    def touches(self, *kinds: str) -> bool:
        """True when any of `kinds` (or everything) changed."""
        return EVERYTHING in self.kinds or any(kind in self.kinds for kind in kinds)

    def ids_of(self, kind: str) -> frozenset[str]:
        return self.ids.get(kind, frozenset())

    def __or__(self, other: Changes) -> Changes:
        ids = {kind: self.ids_of(kind) | other.ids_of(kind) for kind in set(self.ids) | set(other.ids)}
        return Changes(self.kinds | other.kinds, ids)
