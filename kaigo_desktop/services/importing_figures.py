"""Importing the figures: 開催記録 (gatherings, the bulk path), 推進員活動記録 (activities), and the natural-key
records 参加者実人数 (members), 65歳以上人口 (population) and 経費 (expenses)."""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable
from typing import Any

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.text import parse_list
from kaigo_desktop.domain.validation import FieldError
from kaigo_desktop.domain.vocab import EXCLUDED_EXPENSE_CATEGORY, PROFESSIONAL_KINDS, PROGRAM_CODES, PROGRAM_LABELS
from kaigo_desktop.services import bulk, rights
from kaigo_desktop.services.background_write import BackgroundWrite
from kaigo_desktop.services.importing_context import (
    CODE,
    MAX_LISTED_LINES,
    PLACE_ID,
    PLACE_NAME,
    Context,
    lines_text,
)
from kaigo_desktop.services.importing_gathering_cells import COLUMNS, CellReading, GatheringCells
from kaigo_desktop.services.importing_table import Layout, Row, RowStream
from kaigo_desktop.storage import audit_log, bulk_facts, bulk_indexes, import_lookups, repository
from kaigo_desktop.storage.rows import spec_for, to_row
from kaigo_desktop.storage.errors import PeriodLockedError

PLACE_REF = (PLACE_ID, CODE, PLACE_NAME)
PLACE_ONE_OF = ((PLACE_ID,), (CODE, PLACE_NAME))
PROGRAM_LABELS_IN_ORDER = tuple(PROGRAM_LABELS[code] for code in PROGRAM_CODES)
BREAKDOWN = {"男性": "male", "女性": "female", "65歳未満": "age_under_65", "65～74歳": "age_65_74",
             "75歳以上": "age_75_plus"}

# ---------------------------------------------------------------- gatherings

GATHERINGS = Layout(
    headers=(*PLACE_REF, "開催日", "開始時刻", "終了時刻", "参加者数", *BREAKDOWN, "新規参加者数", "実施プログラム",
             "専門職の関与", "推進員", "備考"),
    required=("開催日", "参加者数"),
    one_of=PLACE_ONE_OF,
)
GATHERING_COLUMNS = {"place_id": PLACE_NAME, "held_on": "開催日", "start_time": "開始時刻", "end_time": "終了時刻",
                     "attendance_total": "参加者数", "new_participants": "新規参加者数", "programs": "実施プログラム",
                     "professionals": "専門職の関与", "promoter_id": "推進員", "notes": "備考",
                     **{attr: header for header, attr in BREAKDOWN.items()}}


CHUNK_ROWS = 10_000  # gatherings written at a time: memory stays flat, the per-statement cost is spread
ORDERED_PASS_CACHE_MIB = 8  # the page cache while the duplicate warnings read one index in order


def _programs(row: Row) -> tuple[str, ...]:
    if row.text("実施プログラム"):  # the codes (motor …) are accepted too, as they always were
        row.cells["実施プログラム"] = "、".join(PROGRAM_LABELS.get(item, item) for item in parse_list(row.text("実施プログラム")))
    labels = Context.read_choices(row, "実施プログラム", PROGRAM_LABELS_IN_ORDER)
    return tuple(code for code in PROGRAM_CODES if PROGRAM_LABELS[code] in labels)


def _professionals(row: Row) -> tuple[str, ...]:
    kinds = Context.read_choices(row, "専門職の関与", PROFESSIONAL_KINDS)
    return tuple(kind for kind in PROFESSIONAL_KINDS if kind in kinds)


def _count_reading(header: str, field: str, *, required: bool = False) -> CellReading:
    return header, field, lambda ctx, one: ctx.read_count(one, header, field, required=required)


# The cells of a gatherings row read each by itself (header, the record's field, the reading of a row holding
# that one cell), shared by the row path below and the bulk reader (importing_gathering_cells).
_DATE = ("開催日", "held_on", lambda ctx, one: ctx.read_date(one, "開催日", required=True))
_TOTAL = _count_reading("参加者数", "attendance_total", required=True)
_BREAKDOWN = tuple(_count_reading(header, attr) for header, attr in BREAKDOWN.items())
_START = ("開始時刻", "start_time", lambda ctx, one: ctx.read_time(one, "開始時刻"))
_END = ("終了時刻", "end_time", lambda ctx, one: ctx.read_time(one, "終了時刻"))
_PROGRAMS = ("実施プログラム", "programs", lambda _ctx, one: _programs(one))
_PROFESSIONALS = ("専門職の関与", "professionals", lambda _ctx, one: _professionals(one))
_NEW = _count_reading("新規参加者数", "new_participants")
CELL_READINGS: tuple[CellReading, ...] = (_DATE, _TOTAL, *_BREAKDOWN, _START, _END, _PROGRAMS, _PROFESSIONALS, _NEW)


def _cell(ctx: Context, row: Row, reading: CellReading) -> Any:
    header, field, read = reading
    return ctx.memo(row, header, field, lambda one: read(ctx, one))


def times_out_of_order(start: str | None, end: str | None) -> bool:
    return bool(start and end and end < start)


def _gathering(ctx: Context, row: Row, facts: tuple[dict, set]) -> r.Gathering | None:
    place = ctx.place(row)
    held_on = _cell(ctx, row, _DATE)
    total = _cell(ctx, row, _TOTAL)
    counts = {reading[1]: _cell(ctx, row, reading) for reading in _BREAKDOWN}
    start = _cell(ctx, row, _START)
    end = _cell(ctx, row, _END)
    programs = _cell(ctx, row, _PROGRAMS)
    professionals = _cell(ctx, row, _PROFESSIONALS)
    promoter = None
    if row.text("推進員") and place is not None:
        promoter = ctx.promoter(row, "推進員", place[1])
    if place is None or held_on is None or total is None:
        return None
    gathering = r.Gathering(
        place[0], held_on, total, start_time=start, end_time=end, programs=programs,
        new_participants=_cell(ctx, row, _NEW), professionals=professionals,
        promoter_id=promoter[0] if promoter else None, notes=row.text("備考"), **counts)
    errors = bulk.gathering_errors(gathering, facts[0], facts[1], ctx.today)
    refused = rights.refusal(ctx.db, gathering)
    if refused:
        errors.append(FieldError("place_id", refused))
    if times_out_of_order(start, end):
        errors.append(FieldError("end_time", "終了時刻が開始時刻より前です。"))
    for error in errors:
        column = GATHERING_COLUMNS.get(error.field, "")
        if not row.column_failed(column):
            row.error(column, error.message)
    return None if row.failed else gathering


class _GatheringWriter:
    """Writes the checked gatherings inside the import's transaction as table rows (importing_gathering_cells.
    COLUMNS), remembering the line of each: the statements' values are put together here as rows come
    (repository.RowsLoad) and every CHUNK_ROWS rows the statements complete are inserted on a helper thread
    while the next ones are read (background_write: reading waits for it before it looks anything up in the
    database). Valid rows are written even after an error elsewhere in the file (the transaction is rolled
    back then), so the duplicate warnings are those of the whole file; a 年度's lock ends the writing."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.before = import_lookups.last_gathering_rowid(ctx.db)
        # import_gatherings holds audit_log.inserts_logged_in_bulk around the writing
        self.load = repository.RowsLoad(ctx.db, spec_for(r.Gathering), COLUMNS, entries_in_bulk=False)
        self.lines = array("q")  # the line of every gathering written, in the order written
        self.locked = False
        self.inserts = BackgroundWrite()

    def add(self, gathering: r.Gathering, line: int) -> None:
        row = to_row(gathering)
        self.add_values(tuple([row[name] for name in COLUMNS]), line)

    def add_values(self, values: tuple, line: int) -> None:
        self.ctx.added += 1
        if self.locked:
            return
        self.load.add(values)
        self.lines.append(line)
        if self.load.pending >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        """Start writing the rows added (once the chunk before them is written)."""
        self.settle()
        if self.locked:
            return
        statements = self.load.take(final=True)
        if statements:
            self.inserts.start(lambda: self.load.write(statements))

    def settle(self) -> None:
        """Until the chunk being written is in (before reading the database, and at the end)."""
        try:
            self.inserts.wait()
        except PeriodLockedError as error:  # the chunk was undone; the file is refused whole
            self.ctx.sink.add(0, "", str(error))
            self.locked = True

    def warn_duplicates(self) -> None:
        """Rows sharing their place and date with an earlier row of the file, or (the first of them) with a
        gathering stored before: found by SQL over the rows written, so nothing grows with the file."""
        if self.locked:
            return
        first_positions: tuple[list[int], list[int]] = ([], [])  # (in the file, in the database), as heaps
        counts = [0, 0]
        for position, again in import_lookups.same_place_and_date(self.ctx.db, self.before):
            kind = 0 if again else 1
            counts[kind] += 1
            found = first_positions[kind]  # the MAX_LISTED_LINES first positions are kept (largest on top)
            if len(found) < MAX_LISTED_LINES:
                heapq.heappush(found, -position)
            elif -found[0] > position:
                heapq.heapreplace(found, -position)
        in_file, in_database = ([self.lines[-negated] for negated in sorted(found, reverse=True)]
                                for found in first_positions)
        if counts[0]:
            self.ctx.warn("同じ通いの場・開催日の行がファイル内に複数あります（別々の開催として取り込みます）: "
                          + lines_text(in_file, counts[0]))
        if counts[1]:
            self.ctx.warn("同じ通いの場・開催日の開催記録が既に登録されています（重複していないか確認してください）: "
                          + lines_text(in_database, counts[1]))


def import_gatherings(ctx: Context, rows: RowStream) -> None:
    """Read, check and write in one stream: the places, promoters and periods are looked up once. Plain records
    (RowStream.records) go through the bulk reader; a record it cannot take, and any other row, through the
    row path (which names every error)."""
    facts = (bulk_facts.live_place_periods(ctx.db), bulk_facts.live_promoter_ids(ctx.db))
    writer = _GatheringWriter(ctx)
    # A large file: the date- and place-ordered indexes are built again once, after the last row, instead of
    # being updated at a random place for every row (they are back before the duplicate query, which uses one).
    try:
        with bulk_indexes.set_aside_for_load(ctx.db, "gatherings", ctx.expected_rows,
                                             before_each_build=lambda: ctx.report.again(rows.count)) as set_aside:
            # The audit entries of all the rows in one INSERT … SELECT at the end, not one per chunk.
            with audit_log.inserts_logged_in_bulk(ctx.db.conn, "gatherings"):
                try:
                    _read_and_write(ctx, rows, facts, writer)
                finally:
                    writer.inserts.stop()  # no statement runs on when the block ends, with an error or not
            if set_aside and ctx.has_errors:
                raise _Refused  # the file is refused: its rows and the indexes come back at once, nothing rebuilt
    except _Refused:
        return
    # One ordered pass over an index: the import's large cache would only fill with pages read once (a
    # million rows into a database with none: 60 MiB more, over the 300 MB target).
    with ctx.db.page_cache(ORDERED_PASS_CACHE_MIB):
        writer.warn_duplicates()


def _read_and_write(ctx: Context, rows: RowStream, facts: tuple[dict, set], writer: _GatheringWriter) -> None:
    ctx.preload_places()  # so that finding a place reads no database while a chunk is being written
    cells = GatheringCells(ctx, rows.columns, CELL_READINGS, facts, times_out_of_order, writer.settle)
    for done, item in enumerate(rows.records(), 1):
        ctx.report(done)
        if isinstance(item, Row):
            row = item
        else:
            values = cells.values(item[1])
            if values is not None:
                writer.add_values(values, item[0])
                continue
            row = rows.row(*item)
        writer.settle()  # the row path may read the database
        gathering = _gathering(ctx, row, facts)
        if gathering is not None:
            writer.add(gathering, row.line)
    writer.flush()
    writer.settle()


class _Refused(Exception):
    """Ends a large import whose file has errors before the indexes are built again (all is rolled back)."""


# ---------------------------------------------------------------- activities

ACTIVITIES = Layout(
    headers=("推進員", CODE, "活動日", "活動区分", "通いの場", "時間（分）", "内容"),
    required=("推進員", "活動日", "活動区分"),
)
ACTIVITY_COLUMNS = {"promoter_id": "推進員", "done_on": "活動日", "kind": "活動区分", "place_id": "通いの場",
                    "minutes": "時間（分）", "summary": "内容"}


def import_activities(ctx: Context, rows: Iterable[Row]) -> None:
    seen: set[tuple] = set()
    repeated: list[int] = []
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        code = ctx.municipality(row, required=False)
        promoter = None
        if row.value("推進員", required=True) and not row.column_failed(CODE):
            promoter = ctx.promoter(row, "推進員", code, code_column=CODE)
        done_on = ctx.read_date(row, "活動日", required=True)
        kind = ctx.read_choice(row, "活動区分", "activity_kinds", required=True)
        place_id = None
        if row.text("通いの場") and promoter is not None:
            place = ctx.place_in(row, promoter[1], row.text("通いの場"), "通いの場")
            place_id = place[0] if place else None
        minutes = ctx.read_count(row, "時間（分）", "minutes")
        if promoter is None or done_on is None or kind is None:
            continue
        activity = r.Activity(promoter[0], done_on, kind, place_id, minutes, row.text("内容"))
        if row.failed:
            ctx.check_only(row, activity, ACTIVITY_COLUMNS)
            continue
        key = (promoter[0], done_on, kind, place_id)
        if key in seen or import_lookups.activity_exists(ctx.db, *key):
            repeated.append(row.line)
        seen.add(key)
        if ctx.save(row, activity, ACTIVITY_COLUMNS) is not None:
            ctx.added += 1
    if repeated:
        ctx.warn("同じ推進員・活動日・活動区分・通いの場の活動記録が既にあります（重複していないか確認してください）: "
                 + lines_text(repeated))


# ---------------------------------------------------------------- natural-key records

def _save_natural(ctx: Context, row: Row, record: Any, columns: dict[str, str], key: tuple,
                  first_line: dict[tuple, int], what: str) -> None:
    """Members, population and expenses are one per key: a key twice in a file is an error; stored
    before (live) → updated, else added."""
    if key in first_line:
        row.error("", f"{what}が{first_line[key]}行目と重複しています。")
    first_line.setdefault(key, row.line)
    if row.failed:
        ctx.check_only(row, record, columns)
        return
    existed = import_lookups.live_natural_record_exists(ctx.db, record)
    if ctx.save(row, record, columns) is not None:
        if existed:
            ctx.updated += 1
        else:
            ctx.added += 1


MEMBERS = Layout(headers=(*PLACE_REF, "年度", "実人数", *BREAKDOWN), required=("年度", "実人数"),
                 one_of=PLACE_ONE_OF)
MEMBER_COLUMNS = {"place_id": PLACE_NAME, "fiscal_year": "年度", "total": "実人数",
                  **{attr: header for header, attr in BREAKDOWN.items()}}


def import_members(ctx: Context, rows: Iterable[Row]) -> None:
    first_line: dict[tuple, int] = {}
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        place = ctx.place(row)
        fiscal_year = ctx.read_fiscal_year(row)
        total = ctx.read_count(row, "実人数", "total", required=True)
        counts = {attr: ctx.read_count(row, header, attr) for header, attr in BREAKDOWN.items()}
        if place is None or fiscal_year is None or total is None:
            continue
        _save_natural(ctx, row, r.Members(place[0], fiscal_year, total, **counts), MEMBER_COLUMNS,
                      (place[0], fiscal_year), first_line, "同じ通いの場・年度の行")


POPULATION = Layout(headers=(CODE, "年度", "65歳以上人口", "75歳以上人口", "基準日"),
                    required=(CODE, "年度", "65歳以上人口"))
POPULATION_COLUMNS = {"municipality_code": CODE, "fiscal_year": "年度", "population_65_plus": "65歳以上人口",
                      "population_75_plus": "75歳以上人口", "reference_date": "基準日"}


def import_population(ctx: Context, rows: Iterable[Row]) -> None:
    first_line: dict[tuple, int] = {}
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        code = ctx.municipality(row)
        fiscal_year = ctx.read_fiscal_year(row)
        over_65 = ctx.read_count(row, "65歳以上人口", "population_65_plus", required=True)
        over_75 = ctx.read_count(row, "75歳以上人口", "population_75_plus")
        reference_date = ctx.read_date(row, "基準日")
        if code is None or fiscal_year is None or over_65 is None:
            continue
        _save_natural(ctx, row, r.Population(code, fiscal_year, over_65, over_75, reference_date),
                      POPULATION_COLUMNS, (code, fiscal_year), first_line, "同じ区市町村・年度の行")


EXPENSES = Layout(headers=(CODE, "年度", "経費区分", "金額", "備考"), required=(CODE, "年度", "経費区分", "金額"))
EXPENSE_COLUMNS = {"municipality_code": CODE, "fiscal_year": "年度", "category": "経費区分", "amount": "金額",
                   "notes": "備考"}


def import_expenses(ctx: Context, rows: Iterable[Row]) -> None:
    first_line: dict[tuple, int] = {}
    excluded = False
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        code = ctx.municipality(row)
        fiscal_year = ctx.read_fiscal_year(row)
        category = ctx.read_choice(row, "経費区分", "expense_categories", required=True)
        amount = ctx.read_count(row, "金額", "amount", required=True)
        if code is None or fiscal_year is None or category is None or amount is None:
            continue
        excluded = excluded or category == EXCLUDED_EXPENSE_CATEGORY
        _save_natural(ctx, row, r.Expense(code, fiscal_year, category, amount, row.text("備考")), EXPENSE_COLUMNS,
                      (code, fiscal_year, category), first_line, "同じ区市町村・年度・経費区分の行")
    if excluded:
        ctx.warn(f"{EXCLUDED_EXPENSE_CATEGORY}は記録しますが、補助対象経費には含まれません。")
