"""Record ids: valid time-ordered UUIDv7, deterministic UUIDv5 for natural keys."""

from __future__ import annotations

import uuid

from kaigo_desktop.storage.ids import is_uuid, natural_id, new_id


def test_new_ids_are_version_7_and_sort_by_creation_time() -> None:
    ids = [new_id() for _ in range(2000)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert len(set(ids)) == len(ids)
    milliseconds = [uuid.UUID(t).int >> 80 for t in ids]
    assert milliseconds == sorted(milliseconds)


def test_natural_ids_depend_only_on_the_key() -> None:
    assert natural_id("population", "131016", 2024) == natural_id("population", "131016", 2024)
    assert natural_id("population", "131016", 2024) != natural_id("population", "131016", 2025)
    assert is_uuid(natural_id("expenses", "131016", 2024, "旅費"))
    assert not is_uuid("not-a-uuid")
