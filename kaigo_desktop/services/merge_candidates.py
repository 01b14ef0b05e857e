"""What the merge dialog offers: the live places or promoters to choose from, and a likely duplicate pair."""

from __future__ import annotations

from dataclasses import dataclass

from kaigo_desktop.domain.text import name_key
from kaigo_desktop.storage import merge_candidate_queries
from kaigo_desktop.storage.database import Database

__all__ = ["MergeCandidate", "MergeCandidates", "merge_candidates"]


@dataclass(frozen=True)
class MergeCandidate:
    id: str
    name: str
    municipality_code: str
    municipality_name: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.municipality_name}）"


@dataclass
class MergeCandidates:
    records: list[MergeCandidate]
    similar_pair: tuple[MergeCandidate, MergeCandidate] | None  # the first two of one municipality named alike


def merge_candidates(db: Database, kind: str) -> MergeCandidates:
    """The live records of `kind` ("places" or "promoters"), by municipality and name, and the first pair
    whose names are equal after normalising (the dialog starts with it)."""
    records = [MergeCandidate(*row) for row in merge_candidate_queries.live_named_records(db, kind)]
    seen: dict[tuple[str, str], MergeCandidate] = {}
    pair = None
    for record in records:
        key = (record.municipality_code, name_key(record.name))
        if not key[1]:
            continue
        if key in seen:
            pair = (seen[key], record)
            break
        seen[key] = record
    return MergeCandidates(records, pair)
