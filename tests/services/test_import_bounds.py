"""Numbers beyond the bounds (an int64's maximum in 参加者数, 1e30, negatives, anything over the field's
limit) are row errors with their line and column — in CSV and in xlsx — never stored values that later
overflow `stats`; the GUI's path (records.add) refuses them with the same message."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.validation import FIELD_LIMITS, ValidationFailed
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import import_file
from kaigo_desktop.services.stats import fiscal_year_stats
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 6, 30)
CHIYODA = "131016"
INT64_MAX = 9223372036854775807


@pytest.fixture
def database(tmp_path: Path):
    db = Database.open(tmp_path / "t.sqlite3", create=True, user="テスト")
    place = records.add(db, r.Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)
    records.add(db, r.Promoter(CHIYODA, "既存推進員", "保健師", date(2023, 4, 1)), today=TODAY)
    records.add(db, r.Gathering(place.id, date(2024, 5, 1), 12), today=TODAY)
    yield db
    db.close()


def state(db: Database) -> str:
    """Every row of every table and the change counter, as one digest."""
    tables = [row[0] for row in db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
    text = repr([db.query(f"SELECT * FROM {table}") and [tuple(x) for x in db.query(f"SELECT * FROM {table}")]
                 for table in tables])
    return hashlib.sha256(text.encode()).hexdigest()


def csv_file(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path = tmp_path / "in.csv"
    path.write_text("\r\n".join(",".join(line) for line in [header, *rows]) + "\r\n", encoding="utf-8")
    return path


def xlsx_file(tmp_path: Path, header: list[str], rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in [header, *rows]:
        sheet.append(line)
    path = tmp_path / "in.xlsx"
    book.save(path)
    return path


GATHERING = ["区市町村コード", "通いの場名称", "開催日", "参加者数", "男性", "新規参加者数"]
# (kind, header, a good row, the column to spoil): one case per bounded field of each import kind.
CASES = [
    ("gatherings", GATHERING, [CHIYODA, "さくら体操クラブ", "2024-06-01", "10", "", ""], "参加者数"),
    ("gatherings", GATHERING, [CHIYODA, "さくら体操クラブ", "2024-06-01", "10", "3", ""], "男性"),
    ("gatherings", GATHERING, [CHIYODA, "さくら体操クラブ", "2024-06-01", "10", "", "2"], "新規参加者数"),
    ("members", ["区市町村コード", "通いの場名称", "年度", "実人数"], [CHIYODA, "さくら体操クラブ", "2024", "30"], "実人数"),
    ("population", ["区市町村コード", "年度", "65歳以上人口"], [CHIYODA, "2024", "12345"], "65歳以上人口"),
    ("expenses", ["区市町村コード", "年度", "経費区分", "金額"], [CHIYODA, "2024", "旅費", "120000"], "金額"),
    ("activities", ["推進員", "区市町村コード", "活動日", "活動区分", "時間（分）"],
     ["既存推進員", CHIYODA, "2024-06-01", "その他", "60"], "時間（分）"),
    ("places", ["名称", "区市町村コード", "開始日", "定員"], ["ひまわり会", CHIYODA, "2024-04-01", "20"], "定員"),
]
BAD_TEXT = [str(INT64_MAX), "99999999999999999999999", "1e30", "-5", "１０００００００００００００"]


def import_with_one_bad_cell(database: Database, write_file, tmp_path: Path, kind: str, header: list[str],
                             good: list, column: str, bad: object):
    """Import a file (written by `write_file`) whose one row has `bad` in `column`: exactly that cell is
    reported as an error of line 2, and nothing is stored."""
    row = list(good)
    row[header.index(column)] = bad
    before = state(database)
    result = import_file(database, kind, write_file(tmp_path, header, [row]), today=TODAY)
    assert not result.ok
    assert [(e.line, e.column) for e in result.errors] == [(2, column)], result.errors
    assert state(database) == before
    return result


@pytest.mark.parametrize("kind, header, good, column", CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
@pytest.mark.parametrize("bad", BAD_TEXT)
def test_a_csv_cell_beyond_the_bounds_is_a_row_error(database: Database, tmp_path: Path, kind: str,
                                                      header: list[str], good: list[str], column: str,
                                                      bad: str) -> None:
    result = import_with_one_bad_cell(database, csv_file, tmp_path, kind, header, good, column, bad)
    assert column.split("（")[0] in result.errors[0].message or "以下" in result.errors[0].message
    fiscal_year_stats(database, 2024)  # nothing stored that could overflow the sums


@pytest.mark.parametrize("kind, header, good, column", CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
@pytest.mark.parametrize("bad", [INT64_MAX, 1e30, -5, 2 ** 70, float(INT64_MAX)])
def test_an_xlsx_cell_beyond_the_bounds_is_a_row_error(database: Database, tmp_path: Path, kind: str,
                                                        header: list[str], good: list[str], column: str,
                                                        bad: object) -> None:
    import_with_one_bad_cell(database, xlsx_file, tmp_path, kind, header, good, column, bad)


def test_the_limit_itself_is_accepted_and_one_more_is_not(database: Database, tmp_path: Path) -> None:
    limit = FIELD_LIMITS["attendance_total"]
    path = csv_file(tmp_path, GATHERING[:4], [[CHIYODA, "さくら体操クラブ", "2024-06-01", str(limit)],
                                              [CHIYODA, "さくら体操クラブ", "2024-06-02", str(limit + 1)]])
    result = import_file(database, "gatherings", path, today=TODAY)
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (3, "参加者数", f"参加者数は{limit:,}以下で入力してください（{limit + 1:,}）。")]
    path = csv_file(tmp_path, GATHERING[:4], [[CHIYODA, "さくら体操クラブ", "2024-06-01", str(limit)]])
    assert import_file(database, "gatherings", path, today=TODAY).ok


def test_the_forms_path_refuses_the_same_numbers(database: Database) -> None:
    place_id = database.scalar("SELECT id FROM places")
    with pytest.raises(ValidationFailed) as caught:
        records.add(database, r.Gathering(place_id, date(2024, 6, 1), INT64_MAX), today=TODAY)
    assert [e.field for e in caught.value.errors] == ["attendance_total"]
    assert "9,999以下" in caught.value.errors[0].message
    with pytest.raises(ValidationFailed, match="金額は"):
        records.add(database, r.Expense(CHIYODA, 2024, "旅費", 10 ** 30), today=TODAY)
    assert database.scalar("SELECT COUNT(*) FROM expenses") == 0
