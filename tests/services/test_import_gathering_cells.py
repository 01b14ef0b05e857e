"""The bulk reader of a gatherings file (importing_gathering_cells) is only a faster way to the same result as the
row path: a file imported with it stores the very same table rows, and a file with errors gets the very same
errors (line, column, message), as with every record sent through the row path. The duplicate warnings' one
ordered pass over gatherings_place_stats finds what the per-row probe finds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.vocab import PROGRAM_LABELS, programs_to_mask
from kaigo_desktop.services import importing_gathering_cells, records
from kaigo_desktop.services.importing import ImportResult, import_file
from kaigo_desktop.storage import import_lookups
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 6, 30)
CHIYODA, CHUO = "131016", "131024"
HEADER = ("通いの場ID,区市町村コード,通いの場名称,開催日,開始時刻,終了時刻,参加者数,男性,女性,65歳未満,65～74歳,"
          "75歳以上,新規参加者数,実施プログラム,専門職の関与,推進員,備考")
STORED = ("place_id, held_on, start_time, end_time, programs, attendance_total, male, female, age_under_65,"
          " age_65_74, age_75_plus, new_participants, professionals, promoter_id, notes, deleted_at")


@pytest.fixture
def places(database: Database) -> tuple[r.Place, r.Place]:
    sakura = records.add(database, r.Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)
    kaede = records.add(database, r.Place(CHUO, "かえで茶話会", start_date=date(2024, 4, 1),
                                          end_date=date(2025, 3, 31)), today=TODAY)
    return sakura, kaede


@pytest.fixture
def promoter(database: Database) -> r.Promoter:
    return records.add(database, r.Promoter(CHIYODA, "山田花子", "保健師", date(2023, 4, 1)), today=TODAY)


def row_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing_gathering_cells.GatheringCells, "values", lambda self, cells: None)


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def run(db: Database, path: Path) -> ImportResult:
    return import_file(db, "gatherings", path, today=TODAY)


def stored_after(db: Database, rowid: int) -> list[tuple]:
    return [tuple(row) for row in db.query(f"SELECT {STORED} FROM gatherings WHERE rowid > ? ORDER BY rowid",
                                           (rowid,))]


def imported_both_ways(database: Database, path: Path, monkeypatch: pytest.MonkeyPatch
                       ) -> tuple[ImportResult, list[tuple], ImportResult, int]:
    """The file imported by the row path alone, then again with the bulk reader: (row path's result, the rows it
    stored, the bulk import's result, the last rowid before the bulk import)."""
    with monkeypatch.context() as patched:
        row_path_only(patched)
        start = import_lookups.last_gathering_rowid(database)
        by_rows = run(database, path)
        through_rows = stored_after(database, start)
    start = import_lookups.last_gathering_rowid(database)
    return by_rows, through_rows, run(database, path), start


def varied_rows(sakura: r.Place, kaede: r.Place, promoter: r.Promoter) -> list[str]:
    return [
        HEADER,
        f"{sakura.id.upper()},,,2024/5/1,10:00,11:30,２０,5,15,1,4,15,0,motor、口腔機能向上,保健師,山田花子, ｶﾀｶﾅの備考 ",
        f",{CHIYODA},さくら体操クラブ,R6.5.2,9:05,,20人,,,,,,,運動機能向上,,{promoter.id},",
        ",,,,,,,,,,,,,,,,",  # a blank record
        f",１３１０２４,かえで茶話会,2024-06-03,,,7",  # fewer cells than columns
        f"{kaede.id},,,2025-03-31,13:00,15:00,12,,,,,,3,,歯科衛生士、保健師,,\"雨天のため\n室内\"",
        f"{sakura.id},,,2024-05-01,10:00,11:30,20,5,15,1,4,15,0,motor、口腔機能向上,保健師,山田花子,",
    ]


def test_the_bulk_reader_stores_the_same_rows_as_the_row_path(
        database: Database, places: tuple[r.Place, r.Place], promoter: r.Promoter, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, varied_rows(*places, promoter))
    by_rows, through_rows, bulk, start = imported_both_ways(database, path, monkeypatch)
    assert by_rows.ok and bulk.ok and by_rows.added == bulk.added == 5 and by_rows.rows == bulk.rows == 5
    assert stored_after(database, start) == through_rows
    motor_and_oral = programs_to_mask(tuple(code for code, label in PROGRAM_LABELS.items()
                                            if label in ("運動機能向上", "口腔機能向上")))
    assert through_rows[0][4] == motor_and_oral and through_rows[0][14] == "カタカナの備考"  # cells cleaned
    assert through_rows[1][13] == promoter.id and through_rows[0][13] == promoter.id
    entries = database.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'insert' AND table_name = 'gatherings'"
                              " AND record_id IN (SELECT id FROM gatherings WHERE rowid > ?)", (start,))
    assert entries == 5, "every row the bulk reader wrote is in the audit trail"


def test_a_file_with_errors_gets_the_same_errors_with_the_bulk_reader(
        database: Database, places: tuple[r.Place, r.Place], promoter: r.Promoter, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sakura, kaede = places
    lines = varied_rows(sakura, kaede, promoter) + [
        f"{sakura.id},,,2024-05-03,11:00,10:00,10,,,,,,,,,,",  # 終了時刻 before 開始時刻
        f"{kaede.id},,,2025-04-01,,,10,,,,,,,,,,",  # after the place's end
        f"{sakura.id},,,2025-07-01,,,10,8,8,,,,,,,,",  # in the future, 男性+女性 over the total
        f"{sakura.id},,,2024-05-04,,,10,,,,,,11,ヨガ,占い師,知らない人,",
        f",{CHIYODA},ないの会,2024-05-05,,,10,,,,,,,,,,",
        f"{sakura.id},,,2024-05-06,,,たくさん,,,,,,,,,,",
        f"{sakura.id},,,2024-05-06,,,たくさん,,,,,,,,,,,余る",  # a cell right of the last column
        f"{sakura.id},,,2024-05-07,,,10,6,6,,,,,,,,",  # 男性+女性 over the total, nothing else wrong
        f"{sakura.id},,,2024-05-08,,,10,,,,,,11,,,,",  # more new participants than the total, alone
    ]
    path = write(tmp_path, lines)
    with monkeypatch.context() as patched:
        row_path_only(patched)
        by_rows = run(database, path)
    bulk = run(database, path)
    assert by_rows.errors and bulk.errors == by_rows.errors
    assert {error.line for error in bulk.errors} == set(range(9, 18))
    assert database.scalar("SELECT COUNT(*) FROM gatherings") == 0


def test_one_pass_over_the_place_index_finds_what_the_probe_per_row_finds(
        database: Database, places: tuple[r.Place, r.Place]) -> None:
    sakura, kaede = places
    stored = [r.Gathering(sakura.id, date(2024, 5, day), 10) for day in (1, 2, 2, 3)]
    records.add_many(database, stored, today=TODAY)
    with database.write():
        database.conn.execute("UPDATE gatherings SET deleted_at = '2025-01-01' WHERE held_on = '2024-05-03'")
    before = import_lookups.last_gathering_rowid(database)
    new = [r.Gathering(place.id, date(2024, 5, day), 10 + day)
           for place, day in ((sakura, 1), (sakura, 4), (kaede, 4), (sakura, 4), (sakura, 2), (sakura, 3),
                              (kaede, 4), (sakura, 4), (kaede, 5))]
    records.add_many(database, new, today=TODAY)
    probe = database.conn.execute(import_lookups._SAME_PLACE_AND_DATE, {"before": before}).fetchall()
    found = sorted(import_lookups.same_place_and_date(database, before))
    assert found == sorted((position, bool(again)) for position, again in probe)
    assert found == [(0, False), (3, True), (4, False), (6, True), (7, True)]


def test_the_pass_walks_the_place_index_in_order_without_sorting(database: Database) -> None:
    plan = " | ".join(row[3] for row in database.conn.execute(
        "EXPLAIN QUERY PLAN " + import_lookups.SAME_PLACE_AND_DATE_GROUPS, {"before": 0}))
    assert "gatherings_place_stats" in plan and "TEMP B-TREE" not in plan, plan


def typed_workbook(tmp_path: Path, sakura: r.Place, kaede: r.Place, promoter: r.Promoter) -> Path:
    """A workbook as Excel keeps one: dates, counts and times typed, with the cells whose type changes their
    reading (an 8-digit number date, a serial number, a fraction-of-a-day time, a whole-number time, a bool)."""
    import openpyxl
    from datetime import datetime, time

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    rows = [
        [sakura.id, None, None, date(2024, 5, 1), time(10, 0), time(11, 30), 20, 5, 15, 1, 4, 15, 0,
         "運動機能向上", "保健師", "山田花子", "typed"],
        [None, int(CHIYODA), "さくら体操クラブ", datetime(2024, 5, 2), "9:05", None, 20.0, None, None, None, None,
         None, None, None, None, promoter.id, None],
        [kaede.id, None, None, 20240603, 0.5, 0.625, 12, None, None, None, None, None, 3, None, None, None, 12],
        [kaede.id, None, None, 45383, 0.375, 0.5, 7, None, None, None, None, None, None, None, None, None, None],
        [sakura.id, None, None, date(2024, 5, 3), None, None, True, None, None, None, None, None, None, None, None,
         None, None],  # a bool total: the row path's reading (TRUE is no count)
        [sakura.id, None, None, date(2024, 5, 4), None, None, 10.5, None, None, None, None, None, None, None, None,
         None, None],  # not a whole count
        [sakura.id, None, None, datetime(2024, 5, 5, 14, 30), 0, None, 9, None, None, None, None, None, None,
         None, None, None, None],  # a time of 0: a number, not a fraction of a day
    ]
    for cells in rows:
        sheet.append(cells)
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    return path


def test_a_workbooks_typed_cells_read_straight_give_what_the_row_path_gives(
        database: Database, places: tuple[r.Place, r.Place], promoter: r.Promoter, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = typed_workbook(tmp_path, *places, promoter)
    with monkeypatch.context() as patched:
        row_path_only(patched)
        by_rows = run(database, path)
    read_straight: list[bool] = []
    values = importing_gathering_cells.GatheringCells.values

    def values_seen(self, cells):
        found = values(self, list(cells))
        read_straight.append(found is not None)
        return found

    monkeypatch.setattr(importing_gathering_cells.GatheringCells, "values", values_seen)
    bulk = run(database, path)
    assert by_rows.errors and bulk.errors == by_rows.errors
    assert sum(read_straight) >= 3, "the typed rows without a fault went the bulk reader's way"
    assert database.scalar("SELECT COUNT(*) FROM gatherings") == 0
    faulty = {error.line for error in bulk.errors}
    assert faulty == {6, 7, 8}, bulk.errors  # a bool total, 10.5 people, a time of 0
    keep = [line for line in range(2, 9) if line not in faulty]
    # the same file without its faulty rows: stored alike both ways
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    for line in sorted(faulty, reverse=True):
        sheet.delete_rows(line)
    workbook.save(path)
    by_rows, through_rows, bulk, start = imported_both_ways(database, path, monkeypatch)
    assert by_rows.ok and bulk.ok and bulk.added == by_rows.added == len(keep)
    assert stored_after(database, start) == through_rows
    assert [row[1] for row in through_rows] == ["2024-05-01", "2024-05-02", "2024-06-03", "2024-04-01"]
