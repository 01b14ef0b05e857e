"""The place list as MHLW's 通いの場オープンデータ (`export-opendata`), and the place fields it needs (郵便番号,
緯度・経度, 料金): their parsers, the import headers, migration 0013 from a database of schema 12 holding data."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.domain.codes import is_valid_municipality_code
from kaigo_desktop.domain.place_details import (
    LATITUDE_RANGE,
    LONGITUDE_RANGE,
    is_katakana_reading,
    parse_coordinate,
    parse_postal_code,
)
from kaigo_desktop.domain.records import Place
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.reports.opendata import COLUMNS
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import import_file
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import PLACE_ID, _database_at_version

CHIYODA, HINODE = "131016", "133051"
AS_OF = date(2026, 4, 1)
# The column list of the 通いの場オープンデータ, written out again so that a change of COLUMNS is seen here.
OFFICIAL = ["No", "都道府県コード", "市区町村コード", "名称(ふりがな)", "名称", "郵便番号", "所在地", "電話番号",
            "対象者", "活動内容", "運営日と時間", "定員", "料金", "緯度", "経度"]


def read_open_data(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM (the open-data guideline; Excel reads it)"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == OFFICIAL
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def check_formats(row: dict[str, str]) -> None:
    """The format rules every row meets."""
    assert row["都道府県コード"] == "130001" and is_valid_municipality_code(row["都道府県コード"])
    assert is_valid_municipality_code(row["市区町村コード"])
    assert row["名称(ふりがな)"] == "" or is_katakana_reading(row["名称(ふりがな)"])
    assert row["郵便番号"] == "" or re.fullmatch(r"\d{3}-\d{4}", row["郵便番号"])
    assert row["電話番号"] == "" or re.fullmatch(r"[0-9-]+", row["電話番号"])
    assert (row["緯度"] == "") == (row["経度"] == "")
    if row["緯度"]:
        assert LATITUDE_RANGE[0] <= float(row["緯度"]) <= LATITUDE_RANGE[1]
        assert LONGITUDE_RANGE[0] <= float(row["経度"]) <= LONGITUDE_RANGE[1]
    for value in row.values():  # text never a formula
        assert not value.startswith(("=", "+", "@")) and not re.match(r"-[^0-9]", value)


@pytest.fixture
def places_db(db_path: Path) -> Path:
    with Database.open(db_path, user="準備") as db:
        add = lambda place: records.add(db, place, today=AS_OF)  # noqa: E731
        add(Place(CHIYODA, "さくら体操の会", "さくらたいそうのかい", address="神田1-1", start_date=date(2020, 4, 1),
                  contact="世話人 山本 03-1111-2222", programs=("motor",), main_activity_1="体操（運動）",
                  frequency_declared="週1回以上", capacity=30, postal_code="101-0047", latitude=35.6918,
                  longitude=139.7706, fee="1回100円"))
        add(Place(CHIYODA, "=HYPERLINK(\"http://x\")", "イコール", start_date=date(2020, 4, 1), contact="山田"))
        add(Place(CHIYODA, "漢字よみの会", "漢字", start_date=date(2020, 4, 1)))
        add(Place(HINODE, "村の集い", "ムラノツドイ", address="東京都西多摩郡日の出町平井1", start_date=date(2019, 4, 1),
                  postal_code="190-0182", latitude=35.7421, longitude=139.2573, fee="無料"))
        add(Place(HINODE, "休んでいる会", "ヤスンデイルカイ", status="休止中", start_date=date(2019, 4, 1)))
        add(Place(HINODE, "終わった会", "オワッタカイ", start_date=date(2019, 4, 1), end_date=date(2025, 3, 31)))
    return db_path


def test_the_csv_has_the_open_data_columns_and_every_row_meets_the_format_rules(places_db: Path, tmp_path: Path,
                                                                                  capsys) -> None:
    assert list(COLUMNS) == OFFICIAL
    out = tmp_path / "opendata.csv"
    assert main(["--db", str(places_db), "export-opendata", "--as-of", "2026-04-01", "--out", str(out)]) == 0
    rows = read_open_data(out)
    for row in rows:
        check_formats(row)
    assert [row["No"] for row in rows] == ["1", "2", "3", "4"]  # 休止中 and closed places are not published
    by_name = {row["名称"]: row for row in rows}
    sakura = by_name["さくら体操の会"]
    assert sakura == {
        "No": sakura["No"], "都道府県コード": "130001", "市区町村コード": CHIYODA, "名称(ふりがな)": "サクラタイソウノカイ",
        "名称": "さくら体操の会", "郵便番号": "101-0047", "所在地": "東京都千代田区神田1-1", "電話番号": "03-1111-2222",
        "対象者": "", "活動内容": "体操（運動）・運動機能向上", "運営日と時間": "週1回以上", "定員": "30",
        "料金": "1回100円", "緯度": "35.6918", "経度": "139.7706"}
    assert "山本" not in out.read_text(encoding="utf-8-sig")  # a person's name in 連絡先 is not published
    assert by_name["村の集い"]["所在地"] == "東京都西多摩郡日の出町平井1"
    assert by_name["村の集い"]["緯度"] == "35.7421"
    assert by_name["漢字よみの会"]["名称(ふりがな)"] == ""  # not a reading: left blank, with a warning
    assert "'=HYPERLINK(\"http://x\")" in by_name
    err = capsys.readouterr().err
    assert "ふりがながカタカナ・ひらがなでない" in err and "漢字よみの会" in err
    assert "緯度・経度が未入力の通いの場が2か所" in err

    only = tmp_path / "hinode.csv"
    assert main(["--db", str(places_db), "export-opendata", "--municipality", "13305", "--as-of", "令和8年4月1日",
                 "--out", str(only)]) == 0
    assert [row["名称"] for row in read_open_data(only)] == ["村の集い"]


def test_nothing_open_on_the_day_is_refused_and_nothing_written(places_db: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "opendata.csv"
    assert main(["--db", str(places_db), "export-opendata", "--as-of", "2000-04-01", "--out", str(out)]) == 1
    assert "2000年4月1日に活動中の通いの場がありません" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("typed, stored", [("1010047", "101-0047"), ("〒101-0047", "101-0047"),
                                           ("１０１ー００４７", "101-0047"), (" 101 0047 ", "101-0047"), ("", "")])
def test_postal_codes_are_read_as_people_type_them(typed: str, stored: str) -> None:
    assert parse_postal_code(typed) == stored


@pytest.mark.parametrize("typed", ["101-004", "10100477", "1O1-0047", "千代田"])
def test_a_postal_code_that_is_not_seven_digits_is_explained(typed: str) -> None:
    with pytest.raises(ValueError, match="郵便番号は「123-4567」の形"):
        parse_postal_code(typed)


def test_coordinates_inside_tokyo_with_its_islands_and_nowhere_else() -> None:
    assert parse_coordinate("35.6895", latitude=True) == 35.6895
    assert parse_coordinate("２０．４２５３", latitude=True) == 20.4253  # 沖ノ鳥島
    assert parse_coordinate(153.9864, latitude=False) == 153.9864  # 南鳥島
    assert parse_coordinate(" ", latitude=False) is None
    for value, latitude in (("nan", True), ("36.0", True), ("135.5023", False), ("139.7E", False)):
        with pytest.raises(ValueError, match="緯度|経度"):
            parse_coordinate(value, latitude=latitude)


def test_a_place_out_of_tokyo_or_with_half_a_location_is_refused(db: Database) -> None:
    with pytest.raises(ValidationFailed) as refused:
        records.add(db, Place(CHIYODA, "大阪の会", latitude=34.69, longitude=135.50), today=AS_OF)
    assert [e.field for e in refused.value.errors] == ["longitude"]  # 34.69°N lies between the islands
    with pytest.raises(ValidationFailed, match="緯度と経度は両方"):
        records.add(db, Place(CHIYODA, "半分の会", latitude=35.69), today=AS_OF)
    with pytest.raises(ValidationFailed, match="郵便番号"):
        records.add(db, Place(CHIYODA, "番号の会", postal_code="1010047"), today=AS_OF)
    assert db.scalar("SELECT COUNT(*) FROM places") == 0


def _csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "places.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_the_place_import_reads_the_open_data_headers(db: Database, tmp_path: Path) -> None:
    header = "名称,区市町村コード,郵便番号,緯度,経度,料金"
    good = _csv(tmp_path, [header, f"さくら体操の会,{CHIYODA},〒1010047,35.6918,139.7706,無料"])
    import_file(db, "places", good, today=AS_OF)
    assert tuple(db.query("SELECT postal_code, latitude, longitude, fee FROM places")[0]) == (
        "101-0047", 35.6918, 139.7706, "無料")
    bad = _csv(tmp_path, [header, f"ひまわり会,{CHIYODA},101-00,35.69,139.77,", f"もみじ会,{CHIYODA},,36.5,139.77,"])
    result = import_file(db, "places", bad, today=AS_OF)
    messages = "\n".join(str(e) for e in result.errors)
    assert "郵便番号は「123-4567」の形" in messages and "緯度が東京都の範囲" in messages
    assert db.scalar("SELECT COUNT(*) FROM places") == 1  # all rows or none


def test_upgrade_from_schema_12_keeps_places_and_audits_the_new_fields(tmp_path: Path) -> None:
    path = tmp_path / "v12.sqlite3"
    _database_at_version(path, 12)
    conn = sqlite3.connect(path)
    assert "postal_code" not in [row[1] for row in conn.execute("PRAGMA table_info(places)")]
    conn.close()
    with Database.open(path, user="更新者") as db:
        assert db.schema_version() == migrations.latest_version() >= 13
        place = records.get(db, Place, PLACE_ID)
        assert (place.name, place.postal_code, place.latitude, place.longitude, place.fee) == (
            "ひまわり会", "", None, None, "")
        assert db.scalar("SELECT COUNT(*) FROM gatherings") == 20
        place.postal_code, place.latitude, place.longitude, place.fee = "101-0047", 35.6918, 139.7706, "無料"
        records.update(db, place, today=AS_OF)
        changes = db.scalar("SELECT changes FROM audit_log WHERE record_id = ? ORDER BY seq DESC LIMIT 1", (PLACE_ID,))
        assert "postal_code" in changes and "101-0047" in changes and "latitude" in changes
        with pytest.raises(sqlite3.IntegrityError):  # the schema's own guard, below the domain's
            db.conn.execute("UPDATE places SET latitude = 50 WHERE id = ?", (PLACE_ID,))
