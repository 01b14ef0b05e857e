"""The per-place reads of the checks before sending: for one 区市町村 they read its places' gatherings through the
covering index (a plan test, so a later change cannot fall back to a scan of every gathering) and give exactly
the rows the all-区市町村 read gives for its places."""

from __future__ import annotations

from datetime import date

from kaigo_desktop.domain.records import Gathering, Place
from kaigo_desktop.services import records
from kaigo_desktop.storage import check_queries
from kaigo_desktop.storage.aggregates import Scope
from kaigo_desktop.storage.check_queries import _per_place
from kaigo_desktop.storage.database import Database

CHIYODA, HINODE = "131016", "133051"
TODAY = date(2025, 6, 30)
SCOPE_ALL = Scope(date(2024, 4, 1), date(2025, 3, 31), None)


def fill(db: Database) -> dict[str, str]:
    places = {}
    for code, name in ((CHIYODA, "すこやか体操"), (CHIYODA, "ふれあいサロン"), (HINODE, "日の出の会")):
        place = records.add(db, Place(code, name, start_date=date(2020, 4, 1)), today=TODAY)
        places[place.id] = code
        for month, attendance in ((3, 9), (4, 12), (7, 15), (3, 20)):
            year = 2025 if month < 4 and attendance == 20 else 2024
            records.add(db, Gathering(place.id, date(year, month, 10), attendance_total=attendance), today=TODAY)
    gone = db.scalar("SELECT id FROM gatherings WHERE attendance_total = 15 LIMIT 1")
    records.remove(db, Gathering, gone)  # a gathering in the trash counts nowhere
    return places


def test_one_municipality_reads_its_places_rows_of_the_all_read(db: Database) -> None:
    places = fill(db)
    everything = {tuple(row) for row in check_queries.gathering_span_by_place(db, SCOPE_ALL)}
    assert len(everything) == 3
    for code in (CHIYODA, HINODE):
        scope = Scope(SCOPE_ALL.fy_start, SCOPE_ALL.fy_end, code)
        one = {tuple(row) for row in check_queries.gathering_span_by_place(db, scope)}
        assert one == {row for row in everything if places[row[0]] == code}
        assert check_queries.months_with_gatherings(db, scope) == {
            pid: months for pid, months in check_queries.months_with_gatherings(db, SCOPE_ALL).items()
            if places[pid] == code}
        assert check_queries.attendance_by_place(db, scope) == {
            pid: values for pid, values in check_queries.attendance_by_place(db, SCOPE_ALL).items()
            if places[pid] == code}


def test_one_municipality_seeks_gatherings_by_place_in_the_covering_index(db: Database) -> None:
    scope = Scope(SCOPE_ALL.fy_start, SCOPE_ALL.fy_end, CHIYODA)
    plan = " | ".join(row[3] for row in db.query("EXPLAIN QUERY PLAN " + _per_place("COUNT(*)", scope),
                                                 scope.params()))
    assert "SEARCH gatherings USING INDEX gatherings_place_stats (place_id=?" in plan, plan
