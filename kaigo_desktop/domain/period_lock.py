"""Which fields of a place or promoter a locked 年度 (提出済み) freezes: those that decide its figures and
whether it counts. The lock triggers of db/0011_period_locks.sql refuse exactly these (and a deletion);
the forms disable them in advance (tests/storage/test_period_lock_fields.py keeps both lists equal). A name,
kana, address, 定員, contact or notes may still be corrected."""

from __future__ import annotations

PLACE_FIELDS_FROZEN_BY_LOCK = (
    "municipality_code", "center_id", "venue_kind", "operator_kind", "main_activity_1", "main_activity_2",
    "programs", "frequency_declared", "start_date", "end_date", "status",
)
PROMOTER_FIELDS_FROZEN_BY_LOCK = ("municipality_code", "center_id", "qualification", "start_date", "end_date")
FROZEN_BY_LOCK = {"places": PLACE_FIELDS_FROZEN_BY_LOCK, "promoters": PROMOTER_FIELDS_FROZEN_BY_LOCK}
