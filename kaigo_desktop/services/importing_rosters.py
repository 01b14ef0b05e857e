"""Importing rosters (issue 19): one row per participant present at a gathering — the gathering by its place
(通いの場ID, or 区市町村コード + 通いの場名称) and 開催日 (and 開始時刻 when the place met twice that day), the person
by 参加者番号 (and 地域包括支援センター when two centers use the number). All rows or none like every import; each
entry validated and rights-checked by the record services (services/validators.py: the participant attends the
place that day; services/rights.py: the participant's center), and each gathering's 参加者数 must stay at least
its roster. The file adds to the rosters: people already recorded stay (the 「参加者を記録…」 dialog unticks)."""

from __future__ import annotations

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.services.importing_context import CODE, PLACE_ID, PLACE_NAME, Context
from kaigo_desktop.services.importing_participants import CENTER, NUMBER, participant_of_row
from kaigo_desktop.services.importing_table import Layout, Row
from kaigo_desktop.storage import roster_queries

DAY, START = "開催日", "開始時刻"
ROSTER = Layout(
    headers=(PLACE_ID, CODE, PLACE_NAME, DAY, START, NUMBER, CENTER),
    required=(DAY, NUMBER),
    one_of=((PLACE_ID,), (CODE, PLACE_NAME)),
)
ROSTER_COLUMNS = {"gathering_id": DAY, "participant_id": NUMBER}


def _gathering(ctx: Context, row: Row, place_id: str) -> str | None:
    day = ctx.read_date(row, DAY, required=True)
    start = ctx.read_time(row, START)
    if day is None:
        return None
    found = roster_queries.gathering_ids_on(ctx.db, place_id, day, start)
    if len(found) == 1:
        return found[0]
    when = f"{day:%Y-%m-%d}" + (f" {start}" if start else "")
    if not found:
        row.error(DAY, f"この通いの場の{when}の開催記録が見つかりません（先に開催記録を入力してください）。")
    else:
        row.error(START, f"この通いの場には{when}の開催記録が{len(found)}件あります。開始時刻の列で指定してください。")
    return None


def import_roster(ctx: Context, rows: list[Row]) -> None:
    first_line: dict[str, Row] = {}  # gathering id → its first row (where a too-small 参加者数 is reported)
    seen: set[tuple[str, str]] = set()
    repeated: list[int] = []
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        place = ctx.place(row)
        gathering_id = _gathering(ctx, row, place[0]) if place else None
        participant_id = participant_of_row(ctx, row, place[1] if place else None)
        if gathering_id is None or participant_id is None:
            continue
        entry = pr.RosterEntry(gathering_id, participant_id)
        if row.failed:
            ctx.check_only(row, entry, ROSTER_COLUMNS)
            continue
        if (gathering_id, participant_id) in seen:
            repeated.append(row.line)
            continue
        seen.add((gathering_id, participant_id))
        first_line.setdefault(gathering_id, row)
        already = participant_id in roster_queries.present_ids(ctx.db, gathering_id)
        if ctx.save(row, entry, ROSTER_COLUMNS) is not None and not already:
            ctx.added += 1
    for gathering_id, row in first_line.items():  # the rosters as they now stand, inside the transaction
        facts = roster_queries.gathering_facts(ctx.db, gathering_id)
        for error in pr.check_roster_size(facts.attendance_total, roster_queries.roster_size(ctx.db, gathering_id)):
            row.error(DAY, error.message)
    if repeated:
        ctx.warn("同じ開催記録・参加者番号の行が複数あります（1回だけ記録します）: "
                 + "、".join(f"{line}行目" for line in repeated[:10]))
