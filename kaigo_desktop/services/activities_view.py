"""What the 活動記録 screen reads and writes: promoter activities filtered by promoter, 年度 and kind (sorted in
SQL) with their totals, and saving one activity with the checks the generic ones cannot make."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain.fiscal import fiscal_year_of, fiscal_year_range, format_wareki
from kaigo_desktop.domain.records import Activity, Promoter
from kaigo_desktop.domain.validation import FieldError, ValidationFailed, require
from kaigo_desktop.services import records
from kaigo_desktop.services.validators import validate
from kaigo_desktop.storage import activity_queries, lookups
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.rows import from_row

SORT_KEYS = tuple(activity_queries.ACTIVITY_SORTS)
DEFAULT_LIMIT = 5000  # rows shown; the totals always cover the whole filtered list


@dataclass(frozen=True)
class ActivityFilter:
    promoter_id: str | None = None
    fiscal_year: int | None = None  # None = every 年度
    kind: str | None = None
    deleted: bool = False  # True lists the trash instead


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    promoter_name: str
    place_name: str


@dataclass(frozen=True)
class ActivityList:
    rows: list[ActivityRow]
    count: int  # of the whole filtered list, even beyond the rows shown
    minutes: int


def _query(flt: ActivityFilter) -> activity_queries.ActivityQuery:
    start, end = fiscal_year_range(flt.fiscal_year) if flt.fiscal_year else (None, None)
    return activity_queries.ActivityQuery(promoter_id=flt.promoter_id, date_from=start, date_to=end,
                                          kind=flt.kind, deleted=flt.deleted)


def list_activities(db: Database, flt: ActivityFilter, *, order_by: str = "done_on", descending: bool = True,
                    limit: int = DEFAULT_LIMIT) -> ActivityList:
    query = _query(flt)
    rows = [ActivityRow(from_row(Activity, row), row["promoter_name"], row["place_name"] or "")
            for row in activity_queries.activity_rows(db, query, order_by=order_by, descending=descending,
                                                      limit=limit)]
    count, minutes = activity_queries.activity_totals(db, query)
    return ActivityList(rows, count, minutes)


def activity_fiscal_years(db: Database, today: date) -> list[int]:
    """年度 to offer in the filter, newest first: from the first activity's to the current one."""
    current = fiscal_year_of(today)
    span = activity_queries.activity_date_range(db)
    if span is None:
        return [current]
    first, last = fiscal_year_of(span[0]), max(current, fiscal_year_of(span[1]))
    return list(range(last, first - 1, -1))


def format_minutes(minutes: int) -> str:
    """「18時間30分」; under an hour 「45分」."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}分"
    return f"{hours}時間{rest}分" if rest else f"{hours}時間"


def _activity_errors(db: Database, a: Activity, today: date) -> list[FieldError]:
    """Required fields first; then the generic checks and what they cannot know: the date lies in the
    promoter's placement and the place is in the promoter's municipality."""
    errors = require(a.promoter_id or None, "promoter_id", "推進員") + require(a.done_on, "done_on", "活動日")
    errors += require(a.kind or None, "kind", "活動区分")
    if errors:
        return errors
    errors = validate(db, a, today)
    if not lookups.is_live(db, "promoters", a.promoter_id):
        return errors  # the generic checks have said the promoter is gone
    promoter = records.get(db, Promoter, a.promoter_id)
    if a.done_on < promoter.start_date or (promoter.end_date and a.done_on > promoter.end_date):
        end = format_wareki(promoter.end_date) if promoter.end_date else ""
        errors.append(FieldError("done_on", f"活動日（{format_wareki(a.done_on)}）が推進員の配置期間"
                                            f"（{format_wareki(promoter.start_date)}～{end}）の外です。"))
    if a.place_id and lookups.record_municipality(db, "places", a.place_id) != promoter.municipality_code:
        errors.append(FieldError("place_id", "推進員と同じ区市町村の通いの場を選んでください。"))
    return errors


def save_activity(db: Database, activity: Activity, *, today: date | None = None) -> Activity:
    """Add or update one activity; every problem found is reported at once."""
    today = today or date.today()
    errors = _activity_errors(db, activity, today)
    if errors:
        raise ValidationFailed(errors)
    return records.update(db, activity, today=today) if activity.id else records.add(db, activity, today=today)
