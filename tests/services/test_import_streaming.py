"""Imports stream: a file longer than one chunk is read, checked and written chunk by chunk inside the one
transaction, and stays all or nothing; errors keep their line and column; a dry run writes nothing. The chunk
is made 4 rows here so a few rows span several chunks."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import importing_figures, records
from kaigo_desktop.services.importing import ImportResult, import_file
from kaigo_desktop.storage.database import Database
from tests.table_state import counts

TODAY = date(2025, 6, 30)
CHIYODA = "131016"
CHUNK = 4
HEADER = "通いの場ID,開催日,参加者数,備考"


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing_figures, "CHUNK_ROWS", CHUNK)


@pytest.fixture
def place(database: Database) -> r.Place:
    return records.add(database, r.Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)


def rows(place: r.Place, count: int, first: date = date(2024, 5, 1)) -> list[str]:
    return [f"{place.id},{first + timedelta(days=i)},{10 + i % 5}," for i in range(count)]


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def run(db: Database, path: Path, **kwargs) -> ImportResult:
    return import_file(db, "gatherings", path, today=TODAY, **kwargs)


def traced_gathering_inserts(db: Database) -> list[str]:
    """The INSERT statements into gatherings SQLite runs from now on (seen by SQLite's own trace)."""
    seen: list[str] = []
    db.conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("INSERT INTO gatherings") else None)
    return seen


def audit_entries(db: Database) -> int:
    return db.scalar("SELECT COUNT(*) FROM audit_log")


def test_an_error_on_the_last_row_of_a_later_chunk_leaves_nothing_written(
        database: Database, place: r.Place, tmp_path: Path) -> None:
    lines = rows(place, 3 * CHUNK)
    lines[2 * CHUNK - 1] = f"{place.id},2024-06-01,たくさん,"  # the last row of the second chunk: line 9
    before, entries = counts(database), audit_entries(database)
    inserts = traced_gathering_inserts(database)
    result = run(database, write(tmp_path, [HEADER, *lines]))
    database.conn.set_trace_callback(None)
    assert inserts, "the first chunk was written before the bad row was read (the import streams)"
    assert not result.ok and result.rows == 3 * CHUNK
    assert [(e.line, e.column) for e in result.errors] == [(2 * CHUNK + 1, "参加者数")]
    assert "たくさん" in result.errors[0].message
    assert counts(database) == before and audit_entries(database) == entries


def test_errors_keep_line_and_column_across_chunks_and_multi_line_cells(
        database: Database, place: r.Place, tmp_path: Path) -> None:
    lines = rows(place, 2 * CHUNK + 2)
    lines[1] = f'{place.id},2024-05-02,11,"雨天のため\n室内で実施"'  # one record on lines 3–4
    lines[5] = f"{place.id},2024-05-06,abc,"  # line 8 (the cell above took two lines)
    lines[8] = f"{place.id},2024/13/01,abc,"  # line 11: the same bad count again, and a bad date
    before = counts(database)
    result = run(database, write(tmp_path, [HEADER, *lines]))
    assert [(e.line, e.column) for e in result.errors] == [(8, "参加者数"), (11, "開催日"), (11, "参加者数")]
    assert result.errors[0].message == result.errors[2].message  # the same cell says the same each time
    assert counts(database) == before


def test_a_dry_run_writes_nothing_and_says_what_the_import_would(
        database: Database, place: r.Place, tmp_path: Path) -> None:
    records.add(database, r.Gathering(place.id, date(2024, 5, 3), 8), today=TODAY)
    lines = rows(place, 3 * CHUNK)
    lines[2 * CHUNK + 1] = f"{place.id},2024-05-02,9,"  # line 11 repeats line 3's place and date, two chunks later
    path = write(tmp_path, [HEADER, *lines])
    before, entries = counts(database), audit_entries(database)

    trial = run(database, path, dry_run=True)
    assert trial.ok and trial.dry_run and (trial.rows, trial.added) == (3 * CHUNK, 3 * CHUNK)
    assert counts(database) == before and audit_entries(database) == entries

    done = run(database, path)
    assert done.ok and done.added == trial.added and done.warnings == trial.warnings
    in_file = [w for w in done.warnings if "ファイル内" in w]
    stored = [w for w in done.warnings if "既に登録" in w]
    assert len(in_file) == 1 and "11行目" in in_file[0] and "3行目" not in in_file[0]
    assert len(stored) == 1 and "4行目" in stored[0]
    assert database.scalar("SELECT COUNT(*) FROM gatherings WHERE place_id = ? AND deleted_at IS NULL",
                           (place.id,)) == 1 + 3 * CHUNK


def test_a_locked_year_met_in_a_later_chunk_refuses_the_file_whole(
        database: Database, place: r.Place, tmp_path: Path) -> None:
    database.conn.execute("INSERT INTO period_locks VALUES (2024, ?, '2025-05-10T00:00:00Z', '')", (CHIYODA,))
    lines = rows(place, 2 * CHUNK, first=date(2023, 5, 1))  # 令和5年度: open
    lines.append(f"{place.id},2024-05-01,12,")  # 令和6年度: locked, in the third chunk
    before, entries = counts(database), audit_entries(database)
    result = run(database, write(tmp_path, [HEADER, *lines]))
    assert not result.ok
    assert any("令和6年度" in e.message for e in result.errors)
    assert counts(database) == before and audit_entries(database) == entries


def test_a_file_that_stops_being_csv_in_a_later_chunk_is_refused_at_its_line(
        database: Database, place: r.Place, tmp_path: Path) -> None:
    import csv

    lines = rows(place, 2 * CHUNK + 1)
    lines[-1] = f'{place.id},2024-06-01,9,"閉じていない' + "x" * (csv.field_size_limit() + 10)
    before = counts(database)
    result = run(database, write(tmp_path, [HEADER, *lines]))
    assert not result.ok
    assert [e.line for e in result.errors] == [2 * CHUNK + 2]
    assert counts(database) == before


# ---------------------------------------------------------------- Excel workbooks stream too

def xlsx(path: Path, place: r.Place, count: int, edit=None) -> Path:
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["通いの場ID", "開催日", "参加者数"])
    for i in range(count):
        sheet.append([place.id, date(2024, 5, 1) + timedelta(days=i), 10])
    book.save(path)
    if edit is not None:  # rewrite the sheet's XML (what openpyxl cannot write itself)
        with zipfile.ZipFile(path) as source:
            parts = {info.filename: source.read(info.filename) for info in source.infolist()}
        part = "xl/worksheets/sheet1.xml"
        parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in parts.items():
                target.writestr(name, data)
    return path


def test_a_workbook_over_several_chunks_imports_whole_or_not_at_all(
        database: Database, place: r.Place, tmp_path: Path) -> None:
    good = run(database, xlsx(tmp_path / "good.xlsx", place, 3 * CHUNK), dry_run=True)
    assert good.ok and (good.rows, good.added) == (3 * CHUNK, 3 * CHUNK)
    before, entries = counts(database), audit_entries(database)
    bad_row = 2 * CHUNK + 1  # the sheet's row of the last gathering of the second chunk
    broken = xlsx(tmp_path / "bad.xlsx", place, 3 * CHUNK,
                  edit=lambda text: text.replace(f'<c r="C{bad_row}" t="n"><v>10</v>', f'<c r="C{bad_row}" t="n"><v>-1</v>'))
    inserts = traced_gathering_inserts(database)
    result = run(database, broken)
    database.conn.set_trace_callback(None)
    assert inserts and not result.ok
    assert [(e.line, e.column) for e in result.errors] == [(bad_row, "参加者数")]
    assert counts(database) == before and audit_entries(database) == entries


def test_a_workbook_damaged_below_the_first_chunk_is_refused_whole_with_that_error_alone(
        database: Database, place: r.Place, tmp_path: Path) -> None:
    far_row = 3 * CHUNK
    broken = xlsx(tmp_path / "far.xlsx", place, 3 * CHUNK,
                  edit=lambda text: text.replace(f'<c r="C{far_row}"', '<c r="XFE1"', 1))
    before = counts(database)
    result = run(database, broken)
    assert not result.ok and result.rows == 0 and result.added == 0
    assert [e.message for e in result.errors] == ["Excel ファイル（.xlsx）として読めません。ファイルが壊れているか、"
                                                  "対応していない形式です（セル番地 XFE1 は Excel の範囲外です）。"]
    assert counts(database) == before


@pytest.mark.parametrize("kind", ["csv", "xlsx without <dimension>"])
def test_a_cancel_is_honoured_while_the_file_streams(
        database: Database, place: r.Place, tmp_path: Path, kind: str) -> None:
    """The total of a streamed file is only an estimate (none at all for a sheet without <dimension>): the
    progress must still stay below it until the commit, or progress_that_stops would let the import finish."""
    import openpyxl

    from kaigo_desktop.services.cancelling import Cancelled, progress_that_stops

    count = 2_500  # progress is reported every 1,000 rows
    if kind == "csv":
        path = write(tmp_path, [HEADER, *rows(place, count, first=date(2018, 1, 1))])
    else:
        book = openpyxl.Workbook(write_only=True)  # writes no <dimension>
        sheet = book.create_sheet("開催記録")
        sheet.append(["通いの場ID", "開催日", "参加者数"])
        for i in range(count):
            sheet.append([place.id, date(2018, 1, 1) + timedelta(days=i), 10])
        path = tmp_path / "in.xlsx"
        book.save(path)
    seen: list[tuple[int, int]] = []
    before = counts(database)
    with pytest.raises(Cancelled):
        run(database, path, progress=progress_that_stops(lambda done, total: seen.append((done, total)),
                                                          lambda: bool(seen) and seen[-1][0] >= 1_000))
    assert seen[-1][0] == 1_000 and seen[-1][1] > 1_000
    assert counts(database) == before
