"""A database ready for approval of 年度 2024 in 千代田区 (every rule of the checks met, one center owning both
places), shared by the tests of approval and the lock (services, CLI, import, bundles, GUI, reports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain.records import (
    Activity,
    Center,
    Expense,
    Gathering,
    Members,
    Place,
    Population,
    Promoter,
)
from kaigo_desktop.services import approval, records
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
FY = 2024
TODAY = date(2025, 6, 30)  # the 年度 2024 is over: every month counts


@dataclass(frozen=True)
class Ids:
    center: str
    place: str
    other_place: str
    promoter: str
    gathering: str  # 2024-05-10 at `place`
    activity: str  # 2024-06-01 by `promoter`


def add(db: Database, record):
    return records.add(db, record, today=TODAY)


def ready_for_approval(db: Database) -> Ids:
    center = add(db, Center(CHIYODA, "神田地域包括支援センター"))
    places = []
    for name in ("すこやか体操", "ふれあいサロン"):
        place = add(db, Place(CHIYODA, name, center_id=center.id, programs=("motor",), start_date=date(2020, 4, 1)))
        for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
            add(db, Gathering(place.id, date(FY if month >= 4 else FY + 1, month, 10), attendance_total=12))
        add(db, Members(place.id, FY, total=20, age_under_65=2, age_65_74=8, age_75_plus=10))
        places.append(place)
    add(db, Population(CHIYODA, FY, 12_000))
    promoter = add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1)))
    activity = add(db, Activity(promoter.id, date(2024, 6, 1), "通いの場の立ち上げ支援", places[0].id, 60))
    add(db, Expense(CHIYODA, FY, "給料", 3_000_000))
    gathering = db.scalar("SELECT id FROM gatherings WHERE place_id = ? AND held_on = '2024-05-10'", (places[0].id,))
    return Ids(center.id, places[0].id, places[1].id, promoter.id, gathering, activity.id)


def locked(db: Database) -> Ids:
    """The data above, its center confirmed, 年度 2024 approved and locked for 千代田区."""
    ids = ready_for_approval(db)
    approval.confirm_center(db, FY, ids.center)
    approval.approve_and_lock(db, FY, CHIYODA, today=TODAY)
    return ids
