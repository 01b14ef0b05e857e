"""参加者実人数 of each place in one 年度, the single point every stat, report and check reads it from: the figure
typed per place and 年度 (table members), except for a place that kept a roster in that 年度 (a live gathering of the
年度 with live rows in gathering_participants, db/0017): its 実人数 is then the distinct live participants recorded
as present, with sex and age (at the 年度's 1 April, domain/participants.age_at_fiscal_year_start) from their
records, and a typed figure for that place and 年度 is ignored (services/validators.py refuses a new one;
提出前チェック warns about an old one).

figures(fy) is a derived table for FROM / JOIN with the columns id (the typed record's id, NULL when computed),
place_id, fiscal_year, total, male, female, age_under_65, age_65_74, age_75_plus, updated_by, from_roster;
`fy` is the SQL expression of the 年度 (a named parameter by default)."""

from __future__ import annotations

from kaigo_desktop.domain.participants import FISCAL_YEAR_FIRST_MONTH

# Age on 1 April of the 年度 from birth year and month: the rule of domain.participants.age_at_fiscal_year_start.
_AGE = f"({{fy}} - p.birth_year - (p.birth_month >= {FISCAL_YEAR_FIRST_MONTH}))"

_PRESENT = (
    " FROM gathering_participants gp"
    " JOIN gatherings g ON g.id = gp.gathering_id AND g.deleted_at IS NULL"
    " JOIN participants p ON p.id = gp.participant_id AND p.deleted_at IS NULL"
    " WHERE gp.deleted_at IS NULL"
    " AND g.held_on BETWEEN printf('%04d-04-01', {fy}) AND printf('%04d-03-31', {fy} + 1)"
)


def roster_places(fy: str = ":fy") -> str:
    """SELECT of the ids of the places whose 実人数 of the 年度 is computed from their roster."""
    return "SELECT DISTINCT g.place_id" + _PRESENT.format(fy=fy)


MALE, FEMALE = "p.sex = '男性'", "p.sex = '女性'"


def figures(fy: str = ":fy") -> str:
    age = _AGE.format(fy=fy)

    def distinct_where(condition: str) -> str:
        return f"COUNT(DISTINCT CASE WHEN {condition} THEN p.id END)"

    computed = (
        f"SELECT NULL AS id, g.place_id, {fy} AS fiscal_year, COUNT(DISTINCT p.id) AS total,"
        f" {distinct_where(MALE)} AS male, {distinct_where(FEMALE)} AS female,"
        f" {distinct_where(f'{age} < 65')} AS age_under_65,"
        f" {distinct_where(f'{age} BETWEEN 65 AND 74')} AS age_65_74,"
        f" {distinct_where(f'{age} >= 75')} AS age_75_plus,"
        " '' AS updated_by, 1 AS from_roster" + _PRESENT.format(fy=fy) + " GROUP BY g.place_id")
    typed = (
        "SELECT m.id, m.place_id, m.fiscal_year, m.total, m.male, m.female, m.age_under_65, m.age_65_74,"
        " m.age_75_plus, m.updated_by, 0 AS from_roster FROM members m"
        f" WHERE m.deleted_at IS NULL AND m.fiscal_year = {fy} AND m.place_id NOT IN ({roster_places(fy)})")
    return f"({computed} UNION ALL {typed})"
