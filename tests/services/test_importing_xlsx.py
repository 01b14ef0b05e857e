"""Excel (.xlsx) imports against real database files: workbooks written with openpyxl in tmp_path (and, where
openpyxl cannot write what Excel writes — saved formula results, a wrong <dimension> — edited at the XML
level), imported, and what lands checked with plain SQL."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import IMPORT_KINDS, ImportResult, RowError, format_result, import_file
from kaigo_desktop.services.importing_table import MAX_CELL_CHARS
from kaigo_desktop.storage.database import Database
from tests.table_state import counts

TODAY = date(2025, 6, 30)
CHIYODA, CHUO = "131016", "131024"
GATHERING_HEADER = ["区市町村コード", "通いの場名称", "開催日", "参加者数", "開始時刻", "終了時刻", "備考"]


@pytest.fixture
def sakura(database: Database) -> r.Place:
    return records.add(database, r.Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)


def workbook(path: Path, sheets: dict[str, list[list]], *, hidden: tuple[str, ...] = (),
             merged: dict[str, list[str]] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
        for cells in (merged or {}).get(title, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


def edit_sheet_xml(path: Path, edit, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one part of a saved workbook (what openpyxl cannot write itself)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def run(db: Database, kind: str, path: Path, **kwargs) -> ImportResult:
    return import_file(db, kind, path, today=TODAY, **kwargs)


def gatherings(db: Database) -> list[tuple]:
    return [tuple(row) for row in db.query(
        "SELECT held_on, attendance_total, start_time, end_time, notes FROM gatherings ORDER BY held_on")]


# ---------------------------------------------------------------- cells

def test_excel_date_number_and_time_cells(database: Database, tmp_path: Path, sakura: r.Place) -> None:
    path = workbook(tmp_path / "g.xlsx", {"開催記録": [
        GATHERING_HEADER,
        [131016, "さくら体操クラブ", datetime(2024, 5, 1), 12.0, time(10, 0), time(11, 30), "日付セル"],
        [131016, "さくら体操クラブ", datetime(2024, 5, 8, 0, 0), 10, datetime(1899, 12, 30, 9, 30), "11:00", ""],
        [13101, "さくら体操クラブ", 45425, 12.000000000000002, 0.4375, None, "シリアル値"],
        ["１３１０１６", "さくら体操クラブ", 20240520, "１１", "9時", None, "数値の年月日"],
        [131016, "さくら体操クラブ", "令和6年5月27日", 8, None, None, None],
        [131016, "さくら体操クラブ", "R6.6.3", 7, None, None, None],
        [131016, "さくら体操クラブ", "2024/6/10", 6, None, None, None],
        [131016, "さくら体操クラブ", "2024-06-17", 5, None, None, None],
        [131016, "さくら体操クラブ", date(2024, 6, 24), 4, None, None, None],
    ]})
    result = run(database, "gatherings", path)
    assert result.ok, result.errors
    assert (result.rows, result.added) == (9, 9)
    assert gatherings(database) == [
        ("2024-05-01", 12, "10:00", "11:30", "日付セル"),
        ("2024-05-08", 10, "09:30", "11:00", ""),
        ("2024-05-13", 12, "10:30", None, "シリアル値"),  # 45425 = 2024-05-13; 0.4375 of a day = 10:30
        ("2024-05-20", 11, "09:00", None, "数値の年月日"),
        ("2024-05-27", 8, None, None, ""),
        ("2024-06-03", 7, None, None, ""),
        ("2024-06-10", 6, None, None, ""),
        ("2024-06-17", 5, None, None, ""),
        ("2024-06-24", 4, None, None, ""),
    ]


def test_float_noise_is_read_as_excel_shows_it(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "n.xlsx", {"Sheet1": [
        ["区市町村コード", "年度", "65歳以上人口", "75歳以上人口"], [131016, 2024, 1000, 400]]})
    # Excel writes 17 significant digits: a computed 1000 may be saved as 1000.0000000000001.
    edit_sheet_xml(path, lambda xml: xml.replace("<v>1000</v>", "<v>1000.0000000000001</v>")
                   .replace("<v>400</v>", "<v>399.99999999999994</v>"))
    result = run(database, "population", path)
    assert result.ok, result.errors
    assert tuple(database.query("SELECT population_65_plus, population_75_plus FROM population")[0]) == (1000, 400)


def test_places_from_a_workbook_every_column(database: Database, tmp_path: Path) -> None:
    header = ["名称", "名称カナ", "区市町村コード", "地域包括支援センター", "開始日", "終了日", "運動機能向上",
              "低栄養予防", "口腔機能向上", "定員", "主な活動内容", "備考"]
    path = workbook(tmp_path / "p.xlsx", {"通いの場": [
        header,
        ["さくら体操クラブ", "サクラタイソウクラブ", 131016, "千代田地域包括支援センター", datetime(2024, 4, 1), None,
         True, False, "○", 20.0, "体操（運動）、茶話会", "月・木"],
        ["ひまわり会食会", None, 13102, None, "R6.4.1", datetime(2025, 3, 31), 1, "はい", None, 15, "会食", None],
    ]})
    result = run(database, "places", path)
    assert result.ok, result.errors
    rows = {row["name"]: row for row in database.query("SELECT * FROM places")}
    sakura = rows["さくら体操クラブ"]
    assert (sakura["municipality_code"], sakura["start_date"], sakura["capacity"]) == (CHIYODA, "2024-04-01", 20)
    assert sakura["programs"] == 1 | 4 and sakura["notes"] == "月・木"
    himawari = rows["ひまわり会食会"]
    assert (himawari["municipality_code"], himawari["end_date"], himawari["programs"]) == (CHUO, "2025-03-31", 1 | 2)


@pytest.mark.parametrize("kind, header, row, table", [
    ("places", ["名称", "区市町村コード"], ["あおば会", 131016], "places"),
    ("gatherings", ["区市町村コード", "通いの場名称", "開催日", "参加者数"],
     [131016, "さくら体操クラブ", datetime(2024, 5, 1), 9], "gatherings"),
    ("promoters", ["氏名", "区市町村コード", "職種", "配置開始日", "担当通いの場"],
     ["山田花子", 131016, "保健師", datetime(2024, 4, 1), "さくら体操クラブ"], "promoters"),
    ("activities", ["推進員", "区市町村コード", "活動日", "活動区分", "時間（分）"],
     ["既存推進員", 131016, datetime(2024, 6, 1), "その他", 60.0], "activities"),
    ("members", ["区市町村コード", "通いの場名称", "年度", "実人数"], [131016, "さくら体操クラブ", "令和6年度", 30],
     "members"),
    ("population", ["区市町村コード", "年度", "65歳以上人口", "基準日"], [131016, 2024, 12345, datetime(2024, 1, 1)],
     "population"),
    ("expenses", ["区市町村コード", "年度", "経費区分", "金額"], [131016, 2024.0, "旅費", 120000], "expenses"),
])
def test_every_kind_reads_a_workbook(database: Database, tmp_path: Path, sakura: r.Place, kind: str,
                                     header: list[str], row: list, table: str) -> None:
    records.add(database, r.Promoter(CHIYODA, "既存推進員", "保健師", date(2023, 4, 1)), today=TODAY)
    before = database.scalar(f"SELECT COUNT(*) FROM {table}")
    result = run(database, kind, workbook(tmp_path / f"{kind}.xlsx", {"Sheet1": [header, row]}))
    assert result.ok, result.errors
    assert result.added == 1
    assert database.scalar(f"SELECT COUNT(*) FROM {table}") == before + 1
    assert kind in IMPORT_KINDS


# ---------------------------------------------------------------- sheets

def test_first_visible_sheet_or_the_named_one(database: Database, tmp_path: Path, sakura: r.Place) -> None:
    rows = {
        "メモ": [["これは隠しシート"]],
        "4月": [GATHERING_HEADER[:4], [131016, "さくら体操クラブ", datetime(2024, 4, 3), 5]],
        "５月": [GATHERING_HEADER[:4], [131016, "さくら体操クラブ", datetime(2024, 5, 1), 6],
                [131016, "さくら体操クラブ", datetime(2024, 5, 8), 7]],
    }
    path = workbook(tmp_path / "months.xlsx", rows, hidden=("メモ",))
    first = run(database, "gatherings", path, dry_run=True)
    assert first.ok and first.added == 1  # the hidden sheet is passed over
    named = run(database, "gatherings", path, sheet="5月")  # width does not matter
    assert named.ok and named.added == 2
    assert [g[0] for g in gatherings(database)] == ["2024-05-01", "2024-05-08"]
    hidden = run(database, "gatherings", path, sheet="メモ")  # a hidden sheet named is read
    assert [e.message for e in hidden.errors] == ["不明な列名です: これは隠しシート"] + [
        e.message for e in hidden.errors[1:]]
    missing = run(database, "gatherings", path, sheet="6月")
    assert missing.errors == [RowError(0, "", "シート「6月」がありません（このファイルのシート: 「メモ」、「4月」、「５月」）。")]


def test_empty_sheet_and_header_only(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", {"空": [], "見出しだけ": [["区市町村コード", "年度", "65歳以上人口"]]})
    empty = run(database, "population", path)
    assert empty.ok and (empty.rows, empty.added) == (0, 0)
    assert empty.warnings == ["シート「空」は空です（取り込む行はありません）。"]
    header_only = run(database, "population", path, sheet="見出しだけ")
    assert header_only.ok and header_only.rows == 0 and not header_only.warnings
    assert database.scalar("SELECT COUNT(*) FROM population") == 0


def test_sheet_name_for_a_csv_is_an_error(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("区市町村コード,年度,65歳以上人口\n131016,2024,100\n", encoding="utf-8")
    result = run(database, "population", path, sheet="Sheet1")
    assert len(result.errors) == 1 and "Excel" in result.errors[0].message
    assert database.scalar("SELECT COUNT(*) FROM population") == 0


# ---------------------------------------------------------------- formulas and error values

def test_formula_results_saved_by_excel_are_taken(database: Database, tmp_path: Path, sakura: r.Place) -> None:
    path = workbook(tmp_path / "f.xlsx", {"Sheet1": [
        GATHERING_HEADER[:4] + ["男性", "女性", "備考"],
        [131016, "さくら体操クラブ", datetime(2024, 5, 1), "=E2+F2", 4, 8, '=IF(E2>10,"多い","")'],
    ]})

    def as_excel_saves_it(xml: str) -> str:  # Excel keeps each formula's last result in <v>
        xml = xml.replace("<f>E2+F2</f><v />", "<f>E2+F2</f><v>12</v>")
        return re.sub(r'<c r="G2"><f>(.*?)</f><v />', r'<c r="G2" t="str"><f>\1</f><v></v>', xml)

    edit_sheet_xml(path, as_excel_saves_it)
    result = run(database, "gatherings", path)
    assert result.ok, result.errors
    assert [tuple(row) for row in database.query("SELECT attendance_total, male, female, notes FROM gatherings")] == [
        (12, 4, 8, "")]


def test_formula_without_saved_result_is_a_row_error(database: Database, tmp_path: Path, sakura: r.Place) -> None:
    path = workbook(tmp_path / "f.xlsx", {"Sheet1": [
        GATHERING_HEADER[:4] + ["男性", "女性"],
        [131016, "さくら体操クラブ", datetime(2024, 5, 1), 12, 4, 8],
        [131016, "さくら体操クラブ", datetime(2024, 5, 8), "=E3+F3", 4, 8],  # openpyxl cannot calculate
    ]})
    before = counts(database)
    result = run(database, "gatherings", path)
    assert [(e.line, e.column) for e in result.errors] == [(3, "参加者数")]
    assert "セルD3" in result.errors[0].message and "計算結果が保存されていません" in result.errors[0].message
    assert counts(database) == before


def test_excel_error_values_are_row_errors(database: Database, tmp_path: Path, sakura: r.Place) -> None:
    path = workbook(tmp_path / "e.xlsx", {"Sheet1": [
        GATHERING_HEADER[:4], [131016, "さくら体操クラブ", datetime(2024, 5, 1), "#DIV/0!"]]})
    edit_sheet_xml(path, lambda xml: xml.replace('t="inlineStr"><is><t>#DIV/0!</t></is>', 't="e"><v>#DIV/0!</v>'))
    result = run(database, "gatherings", path)
    assert [(e.line, e.column) for e in result.errors] == [(2, "参加者数")]
    assert "#DIV/0!" in result.errors[0].message and "エラー値" in result.errors[0].message


# ---------------------------------------------------------------- layout problems

def test_title_above_the_header_is_explained(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "t.xlsx", {"Sheet1": [
        ["令和6年度 65歳以上人口"], [], ["区市町村コード", "年度", "65歳以上人口"], [131016, 2024, 100]]})
    result = run(database, "population", path)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.line == 1 and "見出し行は表の1行目" in error.message and "3行目が見出し" in error.message
    assert database.scalar("SELECT COUNT(*) FROM population") == 0


def test_merged_header_cells_are_explained(database: Database, tmp_path: Path, sakura: r.Place) -> None:
    path = workbook(tmp_path / "m.xlsx", {"Sheet1": [
        ["区市町村コード", "通いの場名称", "開催日", "参加者", None],
        [None, None, None, "男性", "女性"],
        [131016, "さくら体操クラブ", datetime(2024, 5, 1), 4, 8],
    ]}, merged={"Sheet1": ["D1:E1", "A1:A2"]})
    result = run(database, "gatherings", path)
    assert not result.ok
    assert any("不明な列名です: 参加者" == e.message for e in result.errors)
    hint = result.errors[-1]
    assert hint.line == 0 and "見出し行に結合されたセル" in hint.message and "D1:E1" in hint.message


def test_merged_data_cells_are_explained(database: Database, tmp_path: Path, sakura: r.Place) -> None:
    path = workbook(tmp_path / "m.xlsx", {"Sheet1": [
        GATHERING_HEADER[:4],
        [131016, "さくら体操クラブ", datetime(2024, 5, 1), 4],
        [None, "さくら体操クラブ", datetime(2024, 5, 8), 8],
    ]}, merged={"Sheet1": ["A2:A3"]})
    result = run(database, "gatherings", path)
    assert [(e.line, e.column) for e in result.errors[:-1]] == [(3, "区市町村コード")]
    assert "A2:A3" in result.errors[-1].message and "結合を解除" in result.errors[-1].message


def test_value_right_of_the_header_names_the_column_letter(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "x.xlsx", {"Sheet1": [
        ["区市町村コード", "年度", "65歳以上人口"], [131016, 2024, 100, None, "メモ"]]})
    result = run(database, "population", path)
    assert result.errors == [RowError(2, "", "見出しより右の列（E列）に値があります: メモ")]


def test_wrong_dimension_loses_no_rows_or_columns(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "d.xlsx", {"Sheet1": [
        ["区市町村コード", "年度", "65歳以上人口", "75歳以上人口"],
        [131016, 2024, 100, 40], [131024, 2024, 200, 90], [131032, 2024, 300, 120]]})
    edit_sheet_xml(path, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:B2"/>', xml))
    result = run(database, "population", path)
    assert result.ok and result.added == 3
    assert database.scalar("SELECT SUM(population_75_plus) FROM population") == 250


def test_huge_cells_are_refused_with_their_column(database: Database, tmp_path: Path) -> None:
    path = workbook(tmp_path / "h.xlsx", {"Sheet1": [
        ["区市町村コード", "年度", "経費区分", "金額", "備考"],
        [131016, 2024, "旅費", 1000, "x" * (MAX_CELL_CHARS + 1)],
        [131016, 2025, "旅費", 1000, "x" * MAX_CELL_CHARS],
    ]})
    result = run(database, "expenses", path)
    assert [(e.line, e.column) for e in result.errors] == [(2, "備考")]
    assert "10,000文字まで" in result.errors[0].message and len(result.errors[0].message) < 200
    assert database.scalar("SELECT COUNT(*) FROM expenses") == 0


# ---------------------------------------------------------------- all or nothing

def test_bad_row_in_a_workbook_writes_nothing_and_dry_run_is_exact(database: Database, tmp_path: Path,
                                                                    sakura: r.Place) -> None:
    rows = [GATHERING_HEADER[:4]] + [[131016, "さくら体操クラブ", datetime(2024, 5, d), 5] for d in range(1, 29)]
    bad = workbook(tmp_path / "bad.xlsx", {"Sheet1": [*rows[:10], [131016, "さくら体操クラブ", "2024/2/30", 5],
                                                      *rows[10:]]})
    before = counts(database)
    result = run(database, "gatherings", bad)
    assert result.errors == [RowError(11, "開催日", "存在しない日付です: 2024/2/30")]
    assert counts(database) == before
    good = workbook(tmp_path / "good.xlsx", {"Sheet1": rows})
    trial = run(database, "gatherings", good, dry_run=True)
    assert trial.ok and trial.added == 28 and counts(database) == before
    assert "試行のみ" in format_result(trial)
    assert run(database, "gatherings", good).added == 28


# ---------------------------------------------------------------- not a workbook

def test_files_that_are_not_workbooks(database: Database, tmp_path: Path) -> None:
    text_as_xlsx = tmp_path / "text.xlsx"
    text_as_xlsx.write_text("区市町村コード,年度\n", encoding="utf-8")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    good = workbook(tmp_path / "good.xlsx", {"Sheet1": [["区市町村コード", "年度", "65歳以上人口"], [131016, 2024, 1]]})
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:600])
    ods = tmp_path / "calc.ods"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    ods.write_bytes(buffer.getvalue())
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    messages = {}
    for path in (text_as_xlsx, old, truncated, ods, empty):
        result = run(database, "population", path)
        assert len(result.errors) == 1 and result.errors[0].line == 0, path
        messages[path.name] = result.errors[0].message
    assert "Excel ブックの形式ではありません" in messages["text.xlsx"]
    assert ".xls" in messages["old.xls"] and "パスワード" in messages["old.xls"]
    assert "壊れて" in messages["truncated.xlsx"]
    assert ".ods" in messages["calc.ods"]
    assert "空" in messages["empty.xlsx"]
    assert database.scalar("SELECT COUNT(*) FROM population") == 0
