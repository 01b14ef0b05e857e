"""「テンプレートを保存」: the template of each import kind has exactly the headers the import reads and a
drop-down list on each single-choice column; a saved template, filled in and imported, stores its rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kaigo_desktop.cli import main
from kaigo_desktop.domain.records import Place
from kaigo_desktop.reports.import_templates import (
    DATA_SHEET,
    HELP_SHEET,
    LISTS_SHEET,
    write_template,
)
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import IMPORT_KINDS, import_file, layout_of
from kaigo_desktop.storage.database import Database

CHIYODA, HINODE = "131016", "133051"
TODAY = date(2025, 6, 30)


@pytest.mark.parametrize("kind", IMPORT_KINDS)
def test_each_template_has_the_exact_headers_and_a_list_for_each_choice_column(db: Database, tmp_path: Path,
                                                                               kind: str) -> None:
    out = tmp_path / f"{kind}.xlsx"
    write_template(db, kind, out)
    book = load_workbook(out)
    assert book.sheetnames == [DATA_SHEET, LISTS_SHEET, HELP_SHEET]
    sheet = book[DATA_SHEET]
    assert tuple(cell.value for cell in sheet[1]) == layout_of(kind).headers
    listed = {str(v.sqref).split(":")[0].rstrip("0123456789") for v in sheet.data_validations.dataValidation}
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    with_list = {headers[letter] for letter in listed}
    expected = {"places": {"会場種別", "運営主体", "開催頻度", "区市町村コード", "運動機能向上", "低栄養予防", "口腔機能向上",
                           "認知機能低下予防", "社会参加促進"},
                "promoters": {"区市町村コード", "職種"}, "activities": {"区市町村コード", "活動区分"},
                "expenses": {"区市町村コード", "経費区分"},
                "questionnaires": {"区市町村コード", *(f"質問{n}" for n in range(1, 16))}}
    assert with_list == expected.get(kind, {"区市町村コード"})


def test_a_members_template_filled_in_imports(db: Database, db_path: Path, tmp_path: Path) -> None:
    for name in ("すこやか体操", "ふれあいサロン"):
        records.add(db, Place(CHIYODA, name, start_date=date(2020, 4, 1)), today=TODAY)
    records.add(db, Place(CHIYODA, "閉じた会", start_date=date(2020, 4, 1), end_date=date(2024, 3, 31)), today=TODAY)
    records.add(db, Place(HINODE, "日の出の会", start_date=date(2020, 4, 1)), today=TODAY)
    out = tmp_path / "members.xlsx"
    assert write_template(db, "members", out, municipality_code=CHIYODA, fiscal_year=2024) == 2
    book = load_workbook(out)
    sheet = book[DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    names = [row[header.index("通いの場名称")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["すこやか体操", "ふれあいサロン"]  # active in 2024 in 千代田区 only
    for row, total in zip(range(2, 4), ("25", "３０人"), strict=True):
        sheet.cell(row=row, column=header.index("実人数") + 1, value=total)
    book.save(out)
    result = import_file(db, "members", out)
    assert result.ok, result.errors
    stored = db.query("SELECT p.name, m.total FROM members m JOIN places p ON p.id = m.place_id"
                      " WHERE m.fiscal_year = 2024 ORDER BY m.total")
    assert [tuple(row) for row in stored] == [(names[0], 25), (names[1], 30)]


def test_a_places_template_filled_with_the_lists_values_imports(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "places.xlsx"
    write_template(db, "places", out)
    book = load_workbook(out)
    lists = {column[0].value: [cell.value for cell in column[1:] if cell.value]
             for column in book[LISTS_SHEET].iter_cols()}
    sheet = book[DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    values = {"名称": "=ようこそ体操", "区市町村コード": CHIYODA, "運営主体": lists["運営主体"][0],
              "会場種別": lists["会場種別"][-1], "開催頻度": lists["開催頻度"][0], "運動機能向上": lists["運動機能向上"][0]}
    for column, value in values.items():
        sheet.cell(row=2, column=header.index(column) + 1, value=value).data_type = "s"
    book.save(out)
    result = import_file(db, "places", out)
    assert result.ok, result.errors
    stored = db.query("SELECT name, operator_kind, venue_kind, programs FROM places")
    assert [tuple(r) for r in stored] == [("=ようこそ体操", lists["運営主体"][0], lists["会場種別"][-1], 1)]


def test_the_template_command_refuses_to_replace_a_file(db_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["--db", str(db_path), "template", "gatherings", "--out", str(out)]) == 0
    assert main(["--db", str(db_path), "template", "gatherings", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["--db", str(db_path), "--read-only", "template", "gatherings", "--out", str(out), "--force"]) == 0


def test_a_gatherings_template_for_one_municipality_lists_its_places(db: Database, tmp_path: Path) -> None:
    """For one 区市町村 the place-name column has a drop-down of its own live places (and only its code is listed);
    a row filled from the lists imports."""
    for name, kana in (("すこやか体操", "すこやかたいそう"), ("あおぞらサロン", "あおぞらさろん")):
        records.add(db, Place(CHIYODA, name, kana=kana, start_date=date(2020, 4, 1)), today=TODAY)
    records.add(db, Place(HINODE, "日の出の会", start_date=date(2020, 4, 1)), today=TODAY)
    out = tmp_path / "gatherings.xlsx"
    write_template(db, "gatherings", out, municipality_code=CHIYODA)
    book = load_workbook(out)
    lists = {column[0].value: [cell.value for cell in column[1:] if cell.value]
             for column in book[LISTS_SHEET].iter_cols()}
    assert lists["通いの場名称"] == ["あおぞらサロン", "すこやか体操"]  # よみ order, 日の出町's place left out
    assert lists["区市町村コード"] == [CHIYODA]
    sheet = book[DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    validated = {header[next(iter(v.sqref.ranges)).min_col - 1] for v in sheet.data_validations.dataValidation}
    assert "通いの場名称" in validated
    for column, value in {"区市町村コード": CHIYODA, "通いの場名称": lists["通いの場名称"][1],
                          "開催日": "2024/5/10", "参加者数": "12"}.items():
        sheet.cell(row=2, column=header.index(column) + 1, value=value).data_type = "s"
    book.save(out)
    result = import_file(db, "gatherings", out)
    assert result.ok, result.errors
    assert [tuple(r) for r in db.query("SELECT p.name, g.attendance_total FROM gatherings g"
                                       " JOIN places p ON p.id = g.place_id")] == [("すこやか体操", 12)]
