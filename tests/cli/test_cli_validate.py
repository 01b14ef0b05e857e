"""`kaigo-desktop validate`: the checks before sending from the command line — exit 1 with any エラー, 0 with
注意 only, the documented JSON keys, and read-only use."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from kaigo_desktop.cli import main
from kaigo_desktop.domain.records import Gathering, Members, Place, Population
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
TODAY = date(2025, 6, 30)


def fill(db_path: Path, *, population: bool) -> None:
    with Database.open(db_path) as db:
        place = records.add(db, Place(CHIYODA, "すこやか体操", start_date=date(2020, 4, 1)), today=TODAY)
        for month in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3):
            records.add(db, Gathering(place.id, date(2024 if month >= 4 else 2025, month, 10), attendance_total=12),
                        today=TODAY)
        records.add(db, Members(place.id, 2024, total=20), today=TODAY)
        if population:
            records.add(db, Population(CHIYODA, 2024, 12_000), today=TODAY)


def test_exit_1_with_an_error_and_0_without(db_path: Path, capsys) -> None:
    fill(db_path, population=False)
    assert main(["--db", str(db_path), "validate", "--fy", "2024"]) == 1
    out = capsys.readouterr().out
    assert "[エラー] POPULATION_MISSING" in out and "エラーを直してから提出してください。" in out
    with Database.open(db_path) as db:
        records.add(db, Population(CHIYODA, 2024, 12_000), today=TODAY)
    assert main(["--db", str(db_path), "validate", "--fy", "令和6年度", "--municipality", CHIYODA]) == 0
    assert capsys.readouterr().out.rstrip().endswith("エラーはありません。承認できます。")


def test_json_keys_and_read_only(db_path: Path, capsys) -> None:
    fill(db_path, population=True)
    before = db_path.read_bytes()
    assert main(["--db", str(db_path), "--read-only", "validate", "--fy", "2024", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"fiscal_year", "municipality_code", "errors", "warnings", "completeness",
                         "ready_for_approval"}
    assert data["errors"] == [] and data["completeness"]["total"]["reporting"]["2025-03"] == 1
    assert db_path.read_bytes() == before


def test_an_unknown_municipality_is_refused(db_path: Path, capsys) -> None:
    assert main(["--db", str(db_path), "validate", "--fy", "2024", "--municipality", "999999"]) == 2
    assert "区市町村コード" in capsys.readouterr().err


def test_acknowledge_warnings_by_code_and_refuse_an_unknown_one(db_path: Path, capsys) -> None:
    fill(db_path, population=True)
    with Database.open(db_path) as db:  # a 実人数 above 30 % of the population: 注意 PARTICIPATION_OVER_30
        records.add(db, Population(CHIYODA, 2024, 50), today=TODAY)
    base = ["--db", str(db_path), "validate", "--fy", "2024", "--json"]
    assert main(base) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ready_for_approval"] is False and data["warnings"][0]["acknowledged"] is None
    assert main(base + ["--acknowledge", "NO_SUCH_RULE"]) == 2  # an argument that matches nothing
    assert "確認済みにする注意が見つかりません" in capsys.readouterr().err
    assert main(base + ["--acknowledge", data["warnings"][0]["code"], "--note", "小さな村"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ready_for_approval"] is True and data["warnings"][0]["acknowledged"]["note"] == "小さな村"
