"""参加者実人数 of each place in one 年度, the single point every stat, report and check reads it from: the figure
typed per place and 年度 (table members), except for a place that kept a roster in that 年度 (a live gathering of the
年度 with live rows in gathering_participants, db/0017): its 実人数 is then the distinct live participants recorded
as present, with sex and age (at the 年度's 1 April, domain/participants.age_at_fiscal_year_start) from their
records, and a typed figure for that place and 年度 is ignored (services/validators.py refuses a new one;
提出前チェック warns about an old one).

figures(fy) is a derived table for FROM / JOIN with the columns id (the typed record's id, NULL when computed),
place_id, fiscal_year, total, male, female, age_under_65, age_65_74, age_75_plus, updated_by, from_roster;
`fy` is the SQL expression of the 年度 (a named parameter by default). The distinct (place, participant) pairs are
made once (a materialised CTE) and counted with plain sums: six COUNT(DISTINCT …) over the roster rows took 2.5×
as long on 238,000 of them (benchmarks/bench_member_figures.py)."""

from __future__ import annotations

from kaigo_desktop.domain.participants import FISCAL_YEAR_FIRST_MONTH

# Age on 1 April of the 年度 from birth year and month: the rule of domain.participants.age_at_fiscal_year_start.
_AGE = f"({{fy}} - p.birth_year - (p.birth_month >= {FISCAL_YEAR_FIRST_MONTH}))"
MALE, FEMALE = "p.sex = '男性'", "p.sex = '女性'"

# Each live participant recorded at a live gathering of the 年度, once per place.
_PRESENT = (
    "SELECT DISTINCT g.place_id, gp.participant_id FROM gatherings g"
    " JOIN gathering_participants gp ON gp.gathering_id = g.id AND gp.deleted_at IS NULL"
    " JOIN participants p ON p.id = gp.participant_id AND p.deleted_at IS NULL"
    " WHERE EXISTS (SELECT 1 FROM gathering_participants) AND g.deleted_at IS NULL"  # no roster: no scan at all
    " AND g.held_on BETWEEN printf('%04d-04-01', {fy}) AND printf('%04d-03-31', {fy} + 1)"
)


def present(fy: str = ":fy", place: str | None = None) -> str:
    """SELECT of the (place_id, participant_id) pairs recorded present in the 年度 (at one place: `place`, the SQL
    expression of its id, which lets the (place, day) index find its gatherings)."""
    return _PRESENT.format(fy=fy) + (f" AND g.place_id = {place}" if place else "")


def roster_places(fy: str = ":fy") -> str:
    """SELECT of the ids of the places whose 実人数 of the 年度 is computed from their roster."""
    return f"SELECT DISTINCT place_id FROM ({_PRESENT.format(fy=fy)})"


def figures(fy: str = ":fy") -> str:
    age = _AGE.format(fy=fy)
    computed = (
        f"SELECT NULL AS id, x.place_id, {fy} AS fiscal_year, COUNT(*) AS total,"
        f" SUM({MALE}) AS male, SUM({FEMALE}) AS female, SUM({age} < 65) AS age_under_65,"
        f" SUM({age} BETWEEN 65 AND 74) AS age_65_74, SUM({age} >= 75) AS age_75_plus,"
        " '' AS updated_by, 1 AS from_roster"
        " FROM present x JOIN participants p ON p.id = x.participant_id GROUP BY x.place_id")
    typed = (
        "SELECT m.id, m.place_id, m.fiscal_year, m.total, m.male, m.female, m.age_under_65, m.age_65_74,"
        " m.age_75_plus, m.updated_by, 0 AS from_roster FROM members m"
        f" WHERE m.deleted_at IS NULL AND m.fiscal_year = {fy} AND m.place_id NOT IN (SELECT place_id FROM present)")
    return f"(WITH present AS MATERIALIZED ({_PRESENT.format(fy=fy)}) {computed} UNION ALL {typed})"
