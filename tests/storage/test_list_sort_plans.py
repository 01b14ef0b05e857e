"""The 開催記録 list's first rows come from walking an index, for every sortable column, both directions and the
common filters: EXPLAIN QUERY PLAN shows no sort step (USE TEMP B-TREE FOR ORDER BY), so a later change of a
query or an index cannot silently fall back to sorting a million gatherings before the first row shows. The
whole key list read after them walks the same index unfiltered, and finds one 区市町村's rows by place."""

from __future__ import annotations

from datetime import date

import pytest

from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.gathering_queries import LIST_SORTS, ordered_keys_sql
from kaigo_desktop.storage.listing import GatheringFilter

FISCAL_2024 = {"date_from": date(2024, 4, 1), "date_to": date(2025, 3, 31)}
COMMON_FILTERS = {
    "all": GatheringFilter(),
    "年度": GatheringFilter(**FISCAL_2024),
    "区市町村": GatheringFilter(municipality_code="131016"),
    "区市町村と年度": GatheringFilter(municipality_code="131016", **FISCAL_2024),
    "開催日から": GatheringFilter(date_from=date(2024, 4, 1)),
}
# One place has a few hundred gatherings: they are searched for by place, and sorted when the order is not
# the place index's (cheaper than walking a whole index for them).
PLACE_FILTERS = {
    "通いの場": GatheringFilter(place_id="01900000-0000-7000-8000-000000000001"),
    "通いの場と年度": GatheringFilter(place_id="01900000-0000-7000-8000-000000000001", **FISCAL_2024),
}


def plan_of(db: Database, flt: GatheringFilter, sort_key: str, descending: bool, *,
            first_only: bool = True) -> str:
    sql, params = ordered_keys_sql(flt, sort_key, descending, first_only=first_only)
    limit = " LIMIT 400" if first_only else ""
    return " | ".join(row[3] for row in db.query(f"EXPLAIN QUERY PLAN {sql}{limit}", params))


@pytest.mark.parametrize("descending", [True, False], ids=["降順", "昇順"])
@pytest.mark.parametrize("sort_key", list(LIST_SORTS))
def test_every_sort_walks_an_index_with_the_common_filters(db: Database, sort_key: str, descending: bool) -> None:
    for name, flt in COMMON_FILTERS.items():
        plan = plan_of(db, flt, sort_key, descending)
        assert "TEMP B-TREE" not in plan, (name, plan)
        assert "USING" in plan, (name, plan)  # an index, not the table in rowid order


@pytest.mark.parametrize("sort_key", list(LIST_SORTS))
def test_one_place_is_searched_by_its_index(db: Database, sort_key: str) -> None:
    for name, flt in PLACE_FILTERS.items():
        plan = plan_of(db, flt, sort_key, True)
        assert "SEARCH g USING INDEX gatherings_place_stats (place_id=?" in plan, (name, plan)
        assert "SCAN g" not in plan, (name, plan)


def test_the_place_sorts_walk_places_by_reading_then_each_place_by_date(db: Database) -> None:
    plan = plan_of(db, GatheringFilter(), "place", False)
    assert plan.startswith("SCAN p USING COVERING INDEX places_list_kana"), plan
    assert "SEARCH g USING INDEX gatherings_place_stats (place_id=?)" in plan, plan


@pytest.mark.parametrize("descending", [True, False], ids=["降順", "昇順"])
@pytest.mark.parametrize("sort_key", list(LIST_SORTS))
def test_the_whole_unfiltered_list_walks_an_index_too(db: Database, sort_key: str, descending: bool) -> None:
    plan = plan_of(db, GatheringFilter(), sort_key, descending, first_only=False)
    assert "TEMP B-TREE" not in plan and "USING" in plan, plan


def test_the_whole_list_of_one_municipality_is_found_by_place_not_by_walking_every_date(db: Database) -> None:
    for sort_key in ("held_on", "attendance_total", "updated_at"):
        plan = plan_of(db, GatheringFilter(municipality_code="131016"), sort_key, True, first_only=False)
        assert plan.startswith("SEARCH g USING INDEX gatherings_place_stats (place_id=?)"), (sort_key, plan)


def test_the_import_duplicate_probe_seeks_by_place_and_date_not_by_date_alone(db: Database) -> None:
    """The list's held_on index made the planner probe a whole day's gatherings per imported row (a 1,000,000-row
    import took minutes more): the probe must seek gatherings_place_stats (place, date)."""
    from kaigo_desktop.storage.import_lookups import _SAME_PLACE_AND_DATE

    plan = " | ".join(row[3] for row in db.conn.execute("EXPLAIN QUERY PLAN " + _SAME_PLACE_AND_DATE, {"before": 0}))
    assert "gatherings_place_stats (place_id=? AND held_on=?" in plan, plan
