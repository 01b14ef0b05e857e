"""Reading generated PDFs back for the report tests (pypdf), and the figures of domain.md computed
independently by plain SQL over the same database — never through the code under test."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from pypdf import PdfReader

DEMO_TODAY = date(2026, 11, 27)
CREATED = date(2026, 12, 1)  # the creation date printed on the test reports
FY = 2025
CHIYODA, HINODE, SHINJUKU = "131016", "133051", "131041"

# ---------------------------------------------------------------- PDF

def page_texts(path: Path) -> list[str]:
    """Text per page in drawing order: pypdf gives each table cell its own line."""
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def flat_text(path: Path) -> str:
    """All text with line breaks removed (wrapped paragraphs read as one string)."""
    return "".join(text.replace("\n", "") for text in page_texts(path))


def cells(path: Path) -> list[str]:
    return [line.strip() for text in page_texts(path) for line in text.splitlines() if line.strip()]


def after(items: list[str], label: str, count: int = 1, *, start: str | None = None, nth: int = 0) -> list[str]:
    """The `count` cells following the nth cell equal to `label` (after the cell `start`, when given)."""
    begin = items.index(start) if start else 0
    found = [i for i in range(begin, len(items)) if items[i] == label]
    assert len(found) > nth, f"{label!r} not found after {start!r}"
    i = found[nth]
    return items[i + 1:i + 1 + count]


def row_numbers(items: list[str], label: str, count: int) -> list[int]:
    """The first `count` consecutive integer cells after the cell `label` (skips wrapped text cells)."""
    i = items.index(label) + 1
    while i < len(items):
        window = items[i:i + count]
        if len(window) == count and all(isinstance(number(v), int) for v in window):
            return [number(v) for v in window]  # type: ignore[misc]
        i += 1
    raise AssertionError(f"no {count} numbers after {label!r}")


def number(text: str) -> int | float | None:
    """"1,234" → 1234, "1.5%" → 1.5, "—" → None; anything else is returned as is (e.g. "<5")."""
    if text == "—":
        return None
    cleaned = text.replace(",", "").rstrip("%")
    try:
        return float(cleaned) if "." in cleaned else int(cleaned)
    except ValueError:
        return text  # type: ignore[return-value]


def numbers(items: list[str]) -> list:
    return [number(v) for v in items]


def fonts(path: Path) -> list[tuple[str, bool]]:
    """(BaseFont, embedded) of every font used on any page: embedded = its descriptor has a font file."""
    found = {}
    for page in PdfReader(str(path)).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        for ref in (font_dict.get_object().values() if font_dict else []):
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type0":
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = embedded and "/FontFile2" in descriptor
    return sorted(found.items())


# ---------------------------------------------------------------- independent SQL

ACTIVE = ("p.deleted_at IS NULL AND (p.start_date IS NULL OR p.start_date <= :end)"
          " AND (p.end_date IS NULL OR p.end_date >= :start)")
SCOPE = "(:code IS NULL OR p.municipality_code = :code)"
PROGRAM_BITS = {"運動機能向上": 1, "低栄養予防": 2, "口腔機能向上": 4, "認知機能低下予防": 8, "社会参加促進": 16}


def params(fy: int, code: str | None) -> dict:
    return {"start": f"{fy}-04-01", "end": f"{fy + 1}-03-31", "code": code,
            "ref_start": f"{fy + 1}-03-01", "ref_end": f"{fy + 1}-03-31", "fy": fy}


def one(db, sql: str, p: dict):
    return db.conn.execute(sql, p).fetchone()[0]


def rate(members_65: int, population: int | None) -> float | None:
    if not population:
        return None
    return float((Decimal(members_65) * 100 / Decimal(population)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def submission_figures(db, fy: int, code: str | None) -> dict:
    """Every figure of report 1, each by its own query."""
    p = params(fy, code)
    g_in_year = (f"FROM gatherings g JOIN places p ON p.id = g.place_id WHERE g.deleted_at IS NULL AND {ACTIVE}"
                 f" AND {SCOPE} AND g.held_on BETWEEN :start AND :end")
    # A place with someone recorded at a live gathering of the 年度 (roster) counts its distinct participants
    # instead of its typed figure (issue 19): both written out here, apart from the app's SQL.
    present = ("FROM gathering_participants gp JOIN gatherings g ON g.id = gp.gathering_id"
               " JOIN participants pa ON pa.id = gp.participant_id JOIN places p ON p.id = g.place_id"
               " WHERE gp.deleted_at IS NULL AND g.deleted_at IS NULL AND pa.deleted_at IS NULL"
               " AND g.held_on BETWEEN :start AND :end")
    members = (f"FROM members m JOIN places p ON p.id = m.place_id WHERE m.deleted_at IS NULL AND m.fiscal_year = :fy"
               f" AND {ACTIVE} AND {SCOPE} AND m.place_id NOT IN (SELECT g.place_id {present})")
    roster = f"{present} AND {ACTIVE} AND {SCOPE}"
    age = "(:fy - pa.birth_year - CASE WHEN pa.birth_month >= 4 THEN 1 ELSE 0 END)"

    def distinct(condition: str = "1") -> str:
        return (f"SELECT COUNT(DISTINCT CASE WHEN {condition} THEN g.place_id || '|' || pa.id END) {roster}")
    f = {
        "places": one(db, f"SELECT COUNT(*) FROM places p WHERE {ACTIVE} AND {SCOPE}", p),
        "survey": one(db, f"SELECT COUNT(DISTINCT g.place_id) {g_in_year}"
                          " AND g.held_on BETWEEN :ref_start AND :ref_end", p),
        "gatherings": one(db, f"SELECT COUNT(*) {g_in_year}", p),
        "attendance": one(db, f"SELECT COALESCE(SUM(g.attendance_total), 0) {g_in_year}", p),
        "professional": one(db, f"SELECT COUNT(DISTINCT g.place_id) {g_in_year} AND g.professionals != 0", p),
        "members": one(db, f"SELECT COALESCE(SUM(m.total), 0) {members}", p) + one(db, distinct(), p),
        "male": one(db, f"SELECT COALESCE(SUM(m.male), 0) {members}", p) + one(db, distinct("pa.sex = '男性'"), p),
        "female": one(db, f"SELECT COALESCE(SUM(m.female), 0) {members}", p)
        + one(db, distinct("pa.sex = '女性'"), p),
        "under_65": one(db, f"SELECT COALESCE(SUM(m.age_under_65), 0) {members}", p)
        + one(db, distinct(f"{age} < 65"), p),
        "age_65_74": one(db, f"SELECT COALESCE(SUM(m.age_65_74), 0) {members}", p)
        + one(db, distinct(f"{age} BETWEEN 65 AND 74"), p),
        "age_75_plus": one(db, f"SELECT COALESCE(SUM(m.age_75_plus), 0) {members}", p)
        + one(db, distinct(f"{age} >= 75"), p),
        "members_65": one(db, "SELECT COALESCE(SUM(CASE WHEN m.age_65_74 IS NULL AND m.age_75_plus IS NULL"
                              " THEN m.total ELSE COALESCE(m.age_65_74, 0) + COALESCE(m.age_75_plus, 0) END), 0) "
                              + members, p) + one(db, distinct(f"{age} >= 65"), p),
        "roster_members": one(db, distinct(), p),
        "population": one(db, "SELECT SUM(population_65_plus) FROM population p WHERE p.deleted_at IS NULL"
                              f" AND p.fiscal_year = :fy AND {SCOPE}", p),
    }
    f["rate"] = rate(f["members_65"], f["population"])
    f["programs"] = {
        label: one(db, f"SELECT COUNT(*) FROM places p WHERE {ACTIVE} AND {SCOPE} AND p.programs & {bit}", p)
        for label, bit in PROGRAM_BITS.items()}
    f["declared"] = {row[0]: row[1] for row in db.conn.execute(
        f"SELECT COALESCE(p.frequency_declared, '未設定'), COUNT(*) FROM places p WHERE {ACTIVE} AND {SCOPE}"
        " GROUP BY 1", p)}
    f["operators"] = {row[0]: row[1] for row in db.conn.execute(
        f"SELECT COALESCE(p.operator_kind, '未設定'), COUNT(*) FROM places p WHERE {ACTIVE} AND {SCOPE} GROUP BY 1", p)}
    f["monthly"] = {row[0]: row[1] for row in db.conn.execute(
        f"SELECT substr(g.held_on, 1, 7), SUM(g.attendance_total) {g_in_year} GROUP BY 1", p)}
    f["actual"] = actual_frequencies(db, fy, code)
    return f


def _open_months(start: str | None, end: str | None, fy: int) -> int:
    months = 0
    for i in range(12):
        year, month = (fy, 4 + i) if i < 9 else (fy + 1, i - 8)
        first = date(year, month, 1)
        last = date.fromordinal(date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1)
        opened = start is None or date.fromisoformat(start) <= last
        still_open = end is None or date.fromisoformat(end) >= first
        months += opened and still_open
    return months


def actual_frequencies(db, fy: int, code: str | None) -> Counter:
    p = params(fy, code)
    held = dict(db.conn.execute(
        "SELECT g.place_id, COUNT(*) FROM gatherings g WHERE g.deleted_at IS NULL AND g.held_on BETWEEN :start AND :end"
        " GROUP BY g.place_id", p).fetchall())
    result: Counter = Counter()
    places = db.conn.execute(f"SELECT p.id, p.start_date, p.end_date FROM places p WHERE {ACTIVE} AND {SCOPE}", p)
    for place_id, start, end in places:
        months = _open_months(start, end, fy)
        per_month = held.get(place_id, 0) / months if months else 0
        result["週1回以上" if per_month >= 4 else "月2回以上4回未満" if per_month >= 2
               else "月1回以上2回未満" if per_month >= 1 else "月1回未満"] += 1
    return result


def recorded_municipalities(db, fy: int) -> list[str]:
    """The 区市町村 with figures in report 1's table (the others read データなし): an active place in the
    年度 (its gatherings and participant counts belong to one)."""
    return [row[0] for row in db.conn.execute(
        f"SELECT DISTINCT p.municipality_code FROM places p WHERE {ACTIVE} ORDER BY 1", params(fy, None))]


EMPLOYED = "pr.deleted_at IS NULL AND pr.start_date <= :end AND (pr.end_date IS NULL OR pr.end_date >= :start)"


def report2_municipalities(db, fy: int) -> list[str]:
    """The 区市町村 with a section in report 2: a promoter employed in the 年度 or an expense of it."""
    return [row[0] for row in db.conn.execute(
        f"SELECT pr.municipality_code FROM promoters pr WHERE {EMPLOYED} UNION SELECT municipality_code"
        " FROM expenses WHERE deleted_at IS NULL AND fiscal_year = :fy ORDER BY 1", params(fy, None))]


def out_of_scope(db, fy: int) -> dict[str, int]:
    """How many places and promoters are outside the 年度 each way: a fixture holding none cannot show that
    a definition left them out."""
    ways = {"trashed": "deleted_at IS NOT NULL", "closed": "deleted_at IS NULL AND end_date < :start",
            "not yet open": "deleted_at IS NULL AND start_date > :end"}
    return {f"{table} {way}": one(db, f"SELECT COUNT(*) FROM {table} WHERE {condition}", params(fy, None))
            for table in ("places", "promoters") for way, condition in ways.items()}


def promoter_figures(db, fy: int, code: str) -> dict:
    """Report 2 for one 区市町村."""
    p = params(fy, code)
    employed = f"{EMPLOYED} AND pr.municipality_code = :code"
    promoters = db.conn.execute(
        f"SELECT pr.id, pr.name, pr.qualification, pr.start_date, pr.end_date FROM promoters pr WHERE {employed}"
        " ORDER BY pr.kana", p).fetchall()
    activity = {row[0]: (row[1], row[2]) for row in db.conn.execute(
        "SELECT a.promoter_id, COUNT(*), COALESCE(SUM(a.minutes), 0) FROM activities a WHERE a.deleted_at IS NULL"
        " AND a.done_on BETWEEN :start AND :end GROUP BY a.promoter_id", p)}
    by_kind = {row[0]: (row[1], row[2]) for row in db.conn.execute(
        "SELECT a.kind, COUNT(*), COALESCE(SUM(a.minutes), 0) FROM activities a"
        " JOIN promoters pr ON pr.id = a.promoter_id WHERE a.deleted_at IS NULL AND pr.deleted_at IS NULL"
        " AND pr.municipality_code = :code"
        " AND a.done_on BETWEEN :start AND :end GROUP BY a.kind", p)}
    expenses = dict(db.conn.execute(
        "SELECT category, amount FROM expenses WHERE deleted_at IS NULL AND fiscal_year = :fy"
        " AND municipality_code = :code", p).fetchall())
    population = one(db, "SELECT population_65_plus FROM population WHERE deleted_at IS NULL AND fiscal_year = :fy"
                         " AND municipality_code = :code", p)
    cap = None if population is None else (2 if population >= 10_000 else 1)
    placed = len(promoters)
    eligible = sum(amount for category, amount in expenses.items() if category != "備品購入費")
    base = 5_500_000 * min(placed, cap or 1)
    return {"promoters": promoters, "activity": activity, "by_kind": by_kind, "expenses": expenses,
            "population": population, "cap": cap, "placed": placed, "eligible": eligible, "base": base,
            "claim": min(eligible, base) // 1000 * 1000}
