"""CSV imports against real database files: what lands is checked with plain SQL, and a file with any
error (or a dry run) must leave the database exactly as it was."""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import (
    IMPORT_KINDS,
    ImportResult,
    RowError,
    format_result,
    import_file,
)
from kaigo_desktop.storage.database import Database
from tests.table_state import TABLES, counts, snapshot

TODAY = date(2025, 6, 30)
CHIYODA, CHUO, MINATO, HACHIOJI = "131016", "131024", "131032", "132012"


def write(tmp_path: Path, lines: list[str], *, encoding: str = "utf-8", name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def run(db: Database, kind: str, path: Path, **kwargs) -> ImportResult:
    return import_file(db, kind, path, today=TODAY, **kwargs)


def add_place(db: Database, code: str, name: str, **kwargs) -> r.Place:
    kwargs.setdefault("start_date", date(2020, 4, 1))
    return records.add(db, r.Place(code, name, **kwargs), today=TODAY)


def add_promoter(db: Database, code: str, name: str, **kwargs) -> r.Promoter:
    return records.add(db, r.Promoter(code, name, kwargs.pop("qualification", "保健師"),
                                      kwargs.pop("start_date", date(2023, 4, 1)), **kwargs), today=TODAY)


PLACES_HEADER = ("名称,名称カナ,区市町村コード,地域包括支援センター,住所,会場種別,運営主体,主な活動内容,開催頻度,開始日,"
                 "終了日,運動機能向上,低栄養予防,口腔機能向上,認知機能低下予防,社会参加促進,定員,連絡先,備考")
PLACES_ROWS = [
    PLACES_HEADER,
    "さくら体操クラブ,サクラタイソウクラブ,131016,千代田地域包括支援センター,千代田区一番町1-1,公民館・自治会館・集会所,"
    "住民個人,体操（運動）、茶話会,週1回以上,令和6年4月1日,,○,,○,,1,２０,03-0000-0000,",
    "ひまわり会食会,,13102,中央地域包括支援センター,中央区銀座1-1,店舗の空きスペース・空き店舗,社会福祉協議会,会食,"
    "月2回以上4回未満,R6.4.1,,,はい,,,TRUE,15,,毎月第1・第3水曜",
    "いちょう脳トレ,,131016,千代田地域包括支援センター,,,,認知症予防,,2023/10/1,2025/3/31,,,,○,,,,",
]


# ---------------------------------------------------------------- places

def test_places_realistic_file_lands_as_given(database: Database, tmp_path: Path) -> None:
    result = run(database, "places", write(tmp_path, PLACES_ROWS, encoding="utf-8-sig"))
    assert result.ok, result.errors
    assert (result.rows, result.added, result.updated) == (3, 3, 0)
    rows = {row["name"]: row for row in database.query(
        "SELECT p.*, c.name AS center FROM places p LEFT JOIN centers c ON c.id = p.center_id")}
    sakura = rows["さくら体操クラブ"]
    assert sakura["municipality_code"] == CHIYODA and sakura["kana"] == "サクラタイソウクラブ"
    assert sakura["center"] == "千代田地域包括支援センター"
    assert (sakura["main_activity_1"], sakura["main_activity_2"]) == ("体操（運動）", "茶話会")
    assert sakura["programs"] == 1 | 4 | 16  # motor, oral, social
    assert sakura["capacity"] == 20 and sakura["start_date"] == "2024-04-01"
    assert sakura["venue_kind"] == "公民館・自治会館・集会所" and sakura["frequency_declared"] == "週1回以上"
    himawari = rows["ひまわり会食会"]
    assert himawari["municipality_code"] == CHUO  # 5 digits: check digit added
    assert himawari["start_date"] == "2024-04-01" and himawari["programs"] == 2 | 16
    assert himawari["notes"] == "毎月第1・第3水曜" and himawari["main_activity_2"] is None
    icho = rows["いちょう脳トレ"]
    assert (icho["start_date"], icho["end_date"], icho["programs"]) == ("2023-10-01", "2025-03-31", 8)
    # Two rows named the same new center: it is made once, in its municipality, and both refer to it.
    assert [tuple(row) for row in database.query("SELECT municipality_code, name FROM centers ORDER BY name")] == [
        (CHUO, "中央地域包括支援センター"), (CHIYODA, "千代田地域包括支援センター")]
    assert sakura["center_id"] == icho["center_id"]
    assert any("千代田地域包括支援センター" in w and "中央地域包括支援センター" in w for w in result.warnings)


def test_places_reimport_updates_in_place(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, PLACES_ROWS)
    assert run(database, "places", path).added == 3
    before = counts(database)
    again = run(database, "places", path)
    assert again.ok and (again.added, again.updated) == (0, 3)
    after = counts(database)
    assert {t: after[t] for t in TABLES} == {t: before[t] for t in TABLES}
    changed = PLACES_ROWS[:2] + [PLACES_ROWS[2].replace(",15,", ",25,")]
    third = run(database, "places", write(tmp_path, changed, name="changed.csv"))
    assert (third.added, third.updated) == (0, 2)
    assert database.scalar("SELECT capacity FROM places WHERE name = 'ひまわり会食会'") == 25


def test_place_id_updates_that_place_and_unknown_id_is_an_error(database: Database, tmp_path: Path) -> None:
    place = add_place(database, CHIYODA, "旧名の会", operator_kind="住民個人", programs=("motor",))
    result = run(database, "places", write(tmp_path, [
        "通いの場ID,名称,区市町村コード,口腔機能向上",
        f"{place.id},新名の会,{CHIYODA},○",
    ]))
    assert result.ok and (result.added, result.updated) == (0, 1)
    row = database.query("SELECT name, operator_kind, programs FROM places WHERE id = ?", (place.id,))[0]
    # Blank or absent cells keep what was stored; the programs not in the file are kept too.
    assert tuple(row) == ("新名の会", "住民個人", 1 | 4)

    before = snapshot(database)
    unknown = run(database, "places", write(tmp_path, [
        "通いの場ID,名称,区市町村コード",
        f"{CHIYODA},新名の会,{CHIYODA}",
        "0190f0a0-0000-7000-8000-000000000000,別の会,131016",
    ], name="unknown.csv"))
    assert [(e.line, e.column) for e in unknown.errors] == [(2, "通いの場ID"), (3, "通いの場ID")]
    assert snapshot(database) == before


def test_places_errors_point_at_the_cells(database: Database, tmp_path: Path) -> None:
    result = run(database, "places", write(tmp_path, [
        "名称,区市町村コード,会場種別,主な活動内容,定員,開始日,終了日,運動機能向上",
        "よい会,131016,公園,体操（運動）,10,2024/4/1,,○",
        "悪い会,131016,宇宙ステーション,体操（運動）、会食、茶話会,-3,2024/4/1,2024/3/1,たぶん",
        ",999999,,,,,,",
    ]))
    found = {(e.line, e.column) for e in result.errors}
    assert {(3, "会場種別"), (3, "主な活動内容"), (3, "定員"), (3, "終了日"), (3, "運動機能向上"),
            (4, "名称"), (4, "区市町村コード")} <= found
    assert not any(e.line == 2 for e in result.errors)
    venue = next(e for e in result.errors if e.column == "会場種別")
    assert "宇宙ステーション" in venue.message
    assert database.scalar("SELECT COUNT(*) FROM places") == 0


# ---------------------------------------------------------------- gatherings

def test_gatherings_cp932_by_id_and_by_name(database: Database, tmp_path: Path) -> None:
    sakura = add_place(database, CHIYODA, "さくら体操クラブ")
    add_place(database, HACHIOJI, "たかお茶話会")
    hanako = add_promoter(database, CHIYODA, "山田花子")
    add_promoter(database, HACHIOJI, "山田花子")  # same name elsewhere: resolved in the place's municipality
    result = run(database, "gatherings", write(tmp_path, [
        "通いの場ID,区市町村コード,通いの場名称,開催日,開始時刻,終了時刻,参加者数,男性,女性,65歳未満,65～74歳,75歳以上,"
        "新規参加者数,実施プログラム,専門職の関与,推進員,備考",
        f"{sakura.id},,,2024/4/3,10:00,11:30,12,2,10,0,4,8,1,運動機能向上、口腔機能向上,保健師、歯科衛生士,山田花子,",
        ",131016,さくら体操クラブ,令和6年4月10日,１０：００,１１：３０,１１,,,,,,,運動機能向上,,,雨天",
        ",13201,たかお茶話会,R6.4.12,,,8,1,7,,,,,社会参加促進,管理栄養士・栄養士,,",
    ], encoding="cp932"))
    assert result.ok, result.errors
    assert (result.rows, result.added, result.updated) == (3, 3, 0)
    rows = database.query("SELECT * FROM gatherings ORDER BY held_on")
    assert [row["held_on"] for row in rows] == ["2024-04-03", "2024-04-10", "2024-04-12"]
    first, second, third = rows
    assert (first["place_id"], first["start_time"], first["end_time"]) == (sakura.id, "10:00", "11:30")
    assert (first["attendance_total"], first["male"], first["female"]) == (12, 2, 10)
    assert (first["age_under_65"], first["age_65_74"], first["age_75_plus"], first["new_participants"]) == (0, 4, 8, 1)
    assert first["programs"] == 1 | 4 and first["professionals"] == 8 | 64  # 保健師, 歯科衛生士
    assert first["promoter_id"] == hanako.id
    assert (second["place_id"], second["attendance_total"], second["start_time"]) == (sakura.id, 11, "10:00")
    assert second["notes"] == "雨天" and second["male"] is None
    assert third["place_id"] == database.scalar("SELECT id FROM places WHERE name = 'たかお茶話会'")
    assert third["professionals"] == 32 and third["programs"] == 16


def test_gatherings_duplicates_are_warnings(database: Database, tmp_path: Path) -> None:
    place = add_place(database, CHIYODA, "さくら体操クラブ")
    records.add(database, r.Gathering(place.id, date(2024, 5, 1), 10), today=TODAY)
    result = run(database, "gatherings", write(tmp_path, [
        "区市町村コード,通いの場名称,開催日,参加者数",
        "131016,さくら体操クラブ,2024/5/1,10",
        "131016,さくら体操クラブ,2024/5/8,9",
        "131016,さくら体操クラブ,2024/5/8,7",
    ]))
    assert result.ok and result.added == 3
    assert len(result.warnings) == 2
    assert any("既に登録" in w and "2行目" in w for w in result.warnings)
    assert any("ファイル内" in w and "4行目" in w and "3行目" not in w for w in result.warnings)
    assert database.scalar("SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (place.id,)) == 4


def test_gatherings_unknown_places_programs_and_rules(database: Database, tmp_path: Path) -> None:
    add_place(database, CHIYODA, "さくら体操クラブ", start_date=date(2024, 4, 1))
    result = run(database, "gatherings", write(tmp_path, [
        "区市町村コード,通いの場名称,開催日,参加者数,男性,女性,実施プログラム,専門職の関与,推進員,開始時刻,終了時刻",
        "131016,ないの会,2024/5/1,10,,,,,,,",
        "131016,さくら体操クラブ,2024/3/1,10,,,ヨガ,占い師,知らない人,,",
        "131016,さくら体操クラブ,2025/7/1,5,4,4,,,,11:00,10:00",
    ]))
    found = {(e.line, e.column) for e in result.errors}
    assert found == {(2, "通いの場名称"), (3, "開催日"), (3, "実施プログラム"), (3, "専門職の関与"), (3, "推進員"),
                     (4, "開催日"), (4, "参加者数"), (4, "終了時刻")}
    assert database.scalar("SELECT COUNT(*) FROM gatherings") == 0


def test_full_width_digits_and_eras(database: Database, tmp_path: Path) -> None:
    add_place(database, CHIYODA, "さくら体操クラブ")
    result = run(database, "gatherings", write(tmp_path, [
        "区市町村コード,通いの場名称,開催日,参加者数",
        "１３１０１６,さくら体操クラブ,２０２４／５／１,１２",
        "１３１０１,さくら体操クラブ,Ｒ６．５．８,1,234",  # an unquoted 1,234 is two cells: an error
        "13101,さくら体操クラブ,令和6年5月15日,\"1,234\"",
        "13101,さくら体操クラブ,R06/05/22,9",
    ]))
    assert [(e.line, e.column) for e in result.errors] == [(3, "")]
    ok = run(database, "gatherings", write(tmp_path, [
        "区市町村コード,通いの場名称,開催日,参加者数",
        "１３１０１６,さくら体操クラブ,２０２４／５／１,１２",
        "13101,さくら体操クラブ,令和6年5月15日,\"1,234\"",
        "13101,さくら体操クラブ,R06/05/22,9",
        "13101,さくら体操クラブ,R6.5.29,8",
    ], name="ok.csv"))
    assert ok.ok, ok.errors
    landed = database.query("SELECT held_on, attendance_total FROM gatherings ORDER BY held_on")
    assert [tuple(row) for row in landed] == [
        ("2024-05-01", 12), ("2024-05-15", 1234), ("2024-05-22", 9), ("2024-05-29", 8)]


# ---------------------------------------------------------------- all or nothing, dry run

def test_one_bad_row_in_the_middle_writes_nothing(database: Database, tmp_path: Path) -> None:
    add_place(database, CHIYODA, "さくら体操クラブ")
    before = counts(database)
    result = run(database, "gatherings", write(tmp_path, [
        "区市町村コード,通いの場名称,開催日,参加者数",
        "131016,さくら体操クラブ,2024/5/1,10",
        "131016,さくら体操クラブ,2024/13/1,10",
        "131016,さくら体操クラブ,2024/5/15,10",
    ]))
    assert not result.ok
    assert result.errors == [RowError(3, "開催日", "存在しない日付です: 2024/13/1")]
    assert result.added == 2  # what would have been added
    assert counts(database) == before


def test_places_bad_row_rolls_back_earlier_rows_and_new_centers(database: Database, tmp_path: Path) -> None:
    before = counts(database)
    rows = PLACES_ROWS[:2] + ["壊れた会,,131016,,,,,,,2024/2/30,,,,,,,,,"] + PLACES_ROWS[2:]
    result = run(database, "places", write(tmp_path, rows))
    assert [(e.line, e.column) for e in result.errors] == [(3, "開始日")]
    assert counts(database) == before
    assert database.scalar("SELECT COUNT(*) FROM centers") == 0


def test_dry_run_reports_counts_and_writes_nothing(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, PLACES_ROWS)
    before = snapshot(database)
    trial = run(database, "places", path, dry_run=True)
    assert trial.ok and trial.dry_run and (trial.added, trial.updated) == (3, 0)
    assert snapshot(database) == before
    assert "試行のみ" in format_result(trial)
    real = run(database, "places", path)
    assert (real.added, real.updated, real.dry_run) == (3, 0, False)
    assert database.scalar("SELECT COUNT(*) FROM places") == 3
    assert run(database, "places", path, dry_run=True).updated == 3


def test_dry_run_of_gatherings_is_exact(database: Database, tmp_path: Path) -> None:
    add_place(database, CHIYODA, "さくら体操クラブ")
    path = write(tmp_path, ["区市町村コード,通いの場名称,開催日,参加者数", "131016,さくら体操クラブ,2024/5/1,10",
                            "131016,さくら体操クラブ,2024/5/8,11"])
    trial = run(database, "gatherings", path, dry_run=True)
    assert trial.ok and trial.added == 2
    assert database.scalar("SELECT COUNT(*) FROM gatherings") == 0


# ---------------------------------------------------------------- header and file

def test_unknown_header_is_named(database: Database, tmp_path: Path) -> None:
    add_place(database, CHIYODA, "さくら体操クラブ")
    result = run(database, "gatherings", write(tmp_path, [
        "区市町村コード,通いの場名称,開催日,参加者数,メモ", "131016,さくら体操クラブ,2024/5/1,10,x"]))
    assert result.errors == [RowError(1, "メモ", "不明な列名です: メモ")]
    assert result.rows == 0 and database.scalar("SELECT COUNT(*) FROM gatherings") == 0


def test_missing_and_duplicated_headers(database: Database, tmp_path: Path) -> None:
    missing = run(database, "gatherings", write(tmp_path, ["区市町村コード,通いの場名称,開催日", "131016,a,2024/5/1"]))
    assert missing.errors == [RowError(1, "参加者数", "必須の列がありません: 参加者数")]
    no_place = run(database, "gatherings", write(tmp_path, ["通いの場名称,開催日,参加者数", "a,2024/5/1,1"],
                                                 name="b.csv"))
    assert len(no_place.errors) == 1 and "通いの場ID" in no_place.errors[0].message
    twice = run(database, "population", write(tmp_path, ["区市町村コード,年度,65歳以上人口,年度"], name="c.csv"))
    assert twice.errors == [RowError(1, "年度", "列名が重複しています: 年度")]


def test_header_spellings_order_blank_lines_and_header_only(database: Database, tmp_path: Path) -> None:
    empty = run(database, "population", write(tmp_path, ["年度,65歳以上人口,区市町村コード"]))
    assert empty.ok and (empty.rows, empty.added) == (0, 0)
    add_place(database, CHIYODA, "さくら体操クラブ")
    result = run(database, "members", write(tmp_path, [
        "",
        "年度,実人数,区市町村コード,通いの場名称,65〜74歳,７５歳以上",  # wave dash and full-width digits
        ",,,",
        "2024,10,131016,さくら体操クラブ,3,7",
        "",
        "2025,-1,131016,さくら体操クラブ,,",
    ], name="m.csv"))
    assert [(e.line, e.column) for e in result.errors] == [(6, "実人数")]
    assert result.rows == 2


def test_multiline_cells_keep_line_numbers(database: Database, tmp_path: Path) -> None:
    add_place(database, CHIYODA, "さくら体操クラブ")
    result = run(database, "gatherings", write(tmp_path, [
        "区市町村コード,通いの場名称,開催日,参加者数,備考",
        '131016,さくら体操クラブ,2024/5/1,10,"一行目',
        '二行目"',
        "131016,さくら体操クラブ,2024/5/32,10,",
    ]))
    assert [(e.line, e.column) for e in result.errors] == [(4, "開催日")]


def test_encodings(database: Database, tmp_path: Path) -> None:
    lines = ["区市町村コード,年度,65歳以上人口", "131016,令和6年度,10000"]
    for encoding in ("utf-8", "utf-8-sig", "cp932"):
        result = run(database, "population", write(tmp_path, lines, encoding=encoding, name=f"{encoding}.csv"))
        assert result.ok, (encoding, result.errors)
    message = "ファイルの文字コードを判別できません（UTF-8 または Shift_JIS で保存してください）"
    garbage = tmp_path / "bad.csv"
    garbage.write_bytes(b"\x82\xff\x82\xff,\x83\n")
    assert run(database, "population", garbage).errors == [RowError(0, "", message)]
    utf16 = write(tmp_path, lines, encoding="utf-16", name="utf16.csv")
    assert run(database, "population", utf16).errors == [RowError(0, "", message)]


def test_missing_file_and_unknown_kind(database: Database, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run(database, "places", tmp_path / "nothing.csv")
    with pytest.raises(ValueError):
        run(database, "people", write(tmp_path, ["名称"]))
    assert IMPORT_KINDS == ("places", "gatherings", "promoters", "activities", "members", "population", "expenses",
                            "participants", "checks", "questionnaires", "roster", "cases")


def test_errors_are_capped_with_a_note(database: Database, tmp_path: Path) -> None:
    lines = ["区市町村コード,年度,65歳以上人口"] + [f"131016,{2000 + i % 50},x" for i in range(1_500)]
    result = run(database, "population", write(tmp_path, lines))
    assert len(result.errors) == 1_001
    assert result.errors[0] == RowError(2, "65歳以上人口", "65歳以上人口は0以上の整数で入力してください: x")
    assert result.errors[-1].line == 0 and "1,500" in result.errors[-1].message
    assert "1,000件以上" in format_result(result).splitlines()[0]


def test_progress_and_format(database: Database, tmp_path: Path) -> None:
    add_place(database, CHIYODA, "さくら体操クラブ", start_date=date(2018, 4, 1))
    lines = ["区市町村コード,通いの場名称,開催日,参加者数"]
    lines += [f"131016,さくら体操クラブ,{date.fromordinal(date(2018, 4, 1).toordinal() + i).isoformat()},5"
              for i in range(2_500)]
    calls: list[tuple[int, int]] = []
    result = run(database, "gatherings", write(tmp_path, lines),
                 progress=lambda done, total: calls.append((done, total)))
    assert result.ok and result.added == 2_500
    assert calls[0] == (0, 2_500) and calls[-1] == (2_500, 2_500) and (1_000, 2_500) in calls
    assert format_result(result) == "開催記録: 2,500行を確認 — 追加 2,500件、更新 0件"
    bad = run(database, "gatherings", write(tmp_path, [lines[0], "131016,さくら体操クラブ,2024/13/1,5"], name="b.csv"))
    assert format_result(bad).splitlines() == [
        "開催記録: 1行を確認 — エラー 1件のため書き込みませんでした", "2行目 [開催日] 存在しない日付です: 2024/13/1"]


# ---------------------------------------------------------------- promoters and activities

def test_promoters_with_assignments_and_reimport(database: Database, tmp_path: Path) -> None:
    sakura = add_place(database, CHIYODA, "さくら体操クラブ")
    icho = add_place(database, CHIYODA, "いちょう脳トレ")
    path = write(tmp_path, [
        "氏名,氏名カナ,区市町村コード,職種,配置開始日,配置終了日,担当通いの場",
        "山田花子,ヤマダハナコ,131016,保健師,令和5年4月1日,,さくら体操クラブ、いちょう脳トレ",
        "佐藤一郎,,13201,社会福祉士,2024/10/1,2026/3/31,",
    ], encoding="cp932")
    result = run(database, "promoters", path)
    assert result.ok, result.errors
    assert (result.added, result.updated) == (2, 0)
    rows = {row["name"]: row for row in database.query("SELECT * FROM promoters")}
    assert (rows["山田花子"]["municipality_code"], rows["山田花子"]["start_date"]) == (CHIYODA, "2023-04-01")
    assert (rows["佐藤一郎"]["municipality_code"], rows["佐藤一郎"]["end_date"]) == (HACHIOJI, "2026-03-31")
    assigned = database.query("SELECT place_id, start_date FROM assignments WHERE promoter_id = ? ORDER BY place_id",
                              (rows["山田花子"]["id"],))
    assert sorted(tuple(a) for a in assigned) == sorted([(sakura.id, "2023-04-01"), (icho.id, "2023-04-01")])
    again = run(database, "promoters", path)
    assert again.ok and (again.added, again.updated) == (0, 2)
    assert database.scalar("SELECT COUNT(*) FROM assignments") == 2
    assert database.scalar("SELECT COUNT(*) FROM promoters") == 2

    before = counts(database)
    unknown = run(database, "promoters", write(tmp_path, [
        "氏名,区市町村コード,職種,配置開始日,担当通いの場",
        "鈴木次郎,131016,保健師,2024/4/1,さくら体操クラブ、ないの会",
        "高橋四郎,131016,占い師,2024/4/1,",
    ], name="bad.csv"))
    assert [(e.line, e.column) for e in unknown.errors] == [(2, "担当通いの場"), (3, "職種")]
    assert "ないの会" in unknown.errors[0].message
    assert counts(database) == before


def test_activities_and_ambiguous_promoter_name(database: Database, tmp_path: Path) -> None:
    place = add_place(database, HACHIOJI, "たかお茶話会")
    chiyoda = add_promoter(database, CHIYODA, "山田花子")
    hachioji = add_promoter(database, HACHIOJI, "山田花子")
    only = add_promoter(database, MINATO, "佐藤一郎")
    header = "推進員,区市町村コード,活動日,活動区分,通いの場,時間（分）,内容"
    ambiguous = run(database, "activities", write(tmp_path, [header, "山田花子,,2024/6/1,通いの場の継続支援,,60,"]))
    assert len(ambiguous.errors) == 1
    error = ambiguous.errors[0]
    assert (error.line, error.column) == (2, "推進員") and "区市町村コード" in error.message
    assert database.scalar("SELECT COUNT(*) FROM activities") == 0

    result = run(database, "activities", write(tmp_path, [
        header.replace("時間（分）", "時間(分)"),
        "山田花子,13201,2024/6/1,通いの場の継続支援,たかお茶話会,60,体操の指導",
        "山田花子,131016,R6.6.2,研修・会議への参加,,120,",
        f"{only.id},,2024/6/3,その他,,,",
        "佐藤一郎,,2024/6/4,住民・団体からの相談対応,,30,",
    ], name="ok.csv"))
    assert result.ok, result.errors
    assert result.added == 4
    rows = [tuple(row) for row in database.query(
        "SELECT promoter_id, done_on, kind, place_id, minutes, summary FROM activities ORDER BY done_on")]
    assert rows == [
        (hachioji.id, "2024-06-01", "通いの場の継続支援", place.id, 60, "体操の指導"),
        (chiyoda.id, "2024-06-02", "研修・会議への参加", None, 120, ""),
        (only.id, "2024-06-03", "その他", None, None, ""),
        (only.id, "2024-06-04", "住民・団体からの相談対応", None, 30, ""),
    ]
    bad = run(database, "activities", write(tmp_path, [
        header, "山田花子,131016,2024/6/1,昼寝,たかお茶話会,,", "佐藤一郎,,2030/1/1,その他,,,"], name="bad.csv"))
    assert {(e.line, e.column) for e in bad.errors} == {(2, "活動区分"), (2, "通いの場"), (3, "活動日")}


# ---------------------------------------------------------------- natural-key records

def test_members_added_then_updated(database: Database, tmp_path: Path) -> None:
    sakura = add_place(database, CHIYODA, "さくら体操クラブ")
    header = "通いの場ID,区市町村コード,通いの場名称,年度,実人数,男性,女性,65歳未満,65～74歳,75歳以上"
    first = run(database, "members", write(tmp_path, [
        header, f"{sakura.id},,,令和6年度,30,5,25,2,8,20", ",131016,さくら体操クラブ,2023年度,28,,,,,"]))
    assert first.ok and (first.added, first.updated) == (2, 0)
    second = run(database, "members", write(tmp_path, [
        header, ",131016,さくら体操クラブ,2024,31,5,26,2,9,20", ",131016,さくら体操クラブ,R7,12,,,,,"],
        name="2.csv"))
    assert second.ok and (second.added, second.updated) == (1, 1)
    rows = [tuple(row) for row in database.query(
        "SELECT fiscal_year, total, male, female, age_65_74 FROM members WHERE deleted_at IS NULL"
        " ORDER BY fiscal_year")]
    assert rows == [(2023, 28, None, None, None), (2024, 31, 5, 26, 9), (2025, 12, None, None, None)]
    twice = run(database, "members", write(tmp_path, [
        header, ",131016,さくら体操クラブ,2024,31,,,,,", ",131016,さくら体操クラブ,令和6年度,3,,,,,",
        ",131016,さくら体操クラブ,2022,10,,,2,3,4"], name="3.csv"))
    assert [(e.line, e.column) for e in twice.errors] == [(3, ""), (4, "実人数")]


def test_population_five_digit_code_and_reimport(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, [
        "区市町村コード,年度,65歳以上人口,75歳以上人口,基準日",
        "13101,令和6年度,\"12,345\",\"6,000\",令和6年1月1日",
        "133051,2024年度,5000,,R6.1.1",
    ], encoding="cp932")
    first = run(database, "population", path)
    assert first.ok and (first.added, first.updated) == (2, 0)
    assert [tuple(row) for row in database.query(
        "SELECT municipality_code, fiscal_year, population_65_plus, population_75_plus, reference_date"
        " FROM population ORDER BY municipality_code")] == [
        (CHIYODA, 2024, 12345, 6000, "2024-01-01"), ("133051", 2024, 5000, None, "2024-01-01")]
    again = run(database, "population", path)
    assert again.ok and (again.added, again.updated) == (0, 2)
    assert database.scalar("SELECT COUNT(*) FROM population") == 2
    bad = run(database, "population", write(tmp_path, [
        "区市町村コード,年度,65歳以上人口,75歳以上人口", "131017,2024,100,", "131016,2024,100,200", "271004,2024,1,"],
        name="bad.csv"))
    assert [(e.line, e.column) for e in bad.errors] == [(2, "区市町村コード"), (3, "75歳以上人口"), (4, "区市町村コード")]


def test_expenses_excluded_category_and_duplicates(database: Database, tmp_path: Path) -> None:
    header = "区市町村コード,年度,経費区分,金額,備考"
    result = run(database, "expenses", write(tmp_path, [
        header, "131016,令和6年度,給料,\"4,800,000\",", "131016,令和6年度,旅費,120000円,研修旅費",
        "131016,令和6年度,備品購入費,300000,パソコン"]))
    assert result.ok and result.added == 3
    assert any("備品購入費" in w for w in result.warnings)
    assert [tuple(row) for row in database.query(
        "SELECT category, amount, notes FROM expenses ORDER BY amount")] == [
        ("旅費", 120000, "研修旅費"), ("備品購入費", 300000, "パソコン"), ("給料", 4800000, "")]
    again = run(database, "expenses", write(tmp_path, [header, "131016,2024,給料,4900000,"], name="2.csv"))
    assert again.ok and (again.added, again.updated) == (0, 1)
    assert database.scalar("SELECT amount FROM expenses WHERE category = '給料'") == 4_900_000
    before = counts(database)
    twice = run(database, "expenses", write(tmp_path, [
        header, "131016,2024,旅費,1,", "131016,2025,旅費,1,", "13101,令和6年度,旅費,2,", "131016,2024,雑費,5,"],
        name="3.csv"))
    assert [(e.line, e.column) for e in twice.errors] == [(4, ""), (5, "経費区分")]
    assert "2行目" in twice.errors[0].message
    assert counts(database) == before


# ---------------------------------------------------------------- never raises on bad cells

CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "131016", "13101", "２０２４／５／１", "R6.4.1", "令和6年4月1日", "2024/13/1", "○", "1,234",
                     "-1", "１２", "運動機能向上、口腔機能向上", "保健師", "さくら体操クラブ", "10:00", "25:00",
                     "体操（運動）、会食、茶話会", "公園", "\"", "\r\n", "0190f0a0-0000-7000-8000-000000000000"]),
    st.text(alphabet=string.digits + "/.-年月日令和R", max_size=10),
)


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


VALID_ROW = {  # rows that import cleanly, mixed in so that a failing file often has good rows to roll back
    "gatherings": st.builds(lambda day, n: ["131016", "さくら体操クラブ", f"2024/5/{day}", str(n), "", ""],
                            st.integers(1, 31), st.integers(0, 99)),
    "places": st.builds(lambda name: ["13101", name, "R6.4.1", "10", "茶話会", "○"],
                        st.sampled_from(["あおば会", "こもれび会", "ひだまり会"])),
}


@st.composite
def random_file(draw) -> tuple[str, list[list[str]]]:
    kind = draw(st.sampled_from(["gatherings", "places"]))
    row = st.one_of(VALID_ROW[kind], st.lists(CELL, min_size=6, max_size=6))
    return kind, draw(st.lists(row, min_size=1, max_size=5))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file=random_file())
def test_random_cells_give_errors_not_exceptions(database: Database, tmp_path: Path,
                                                 file: tuple[str, list[list[str]]]) -> None:
    kind, cells = file
    if database.scalar("SELECT COUNT(*) FROM places WHERE name = 'さくら体操クラブ'") == 0:
        add_place(database, CHIYODA, "さくら体操クラブ")
    header = {"gatherings": "区市町村コード,通いの場名称,開催日,参加者数,実施プログラム,開始時刻",
              "places": "区市町村コード,名称,開始日,定員,主な活動内容,運動機能向上"}[kind]
    path = tmp_path / "random.csv"
    path.write_text("\n".join([header, *(",".join(_csv_cell(c) for c in row) for row in cells)]), encoding="utf-8")
    before = snapshot(database)
    result = run(database, kind, path)
    assert isinstance(result, ImportResult)
    assert all(isinstance(e, RowError) and e.message for e in result.errors)
    if not result.ok:
        assert snapshot(database) == before
    format_result(result)


# ---------------------------------------------------------------- encodings chosen, huge cells, title rows

def test_encoding_chosen_or_detected(database: Database, tmp_path: Path) -> None:
    lines = ["区市町村コード,年度,65歳以上人口,基準日", "131016,令和6年度,10000,令和6年1月1日"]
    sjis = write(tmp_path, lines, encoding="cp932", name="sjis.csv")
    bom = write(tmp_path, lines, encoding="utf-8-sig", name="bom.csv")
    plain = write(tmp_path, lines, encoding="utf-8", name="plain.csv")
    for path, encoding in ((sjis, "cp932"), (sjis, "Shift_JIS"), (sjis, "auto"), (bom, "utf-8"), (plain, "UTF8"),
                           (bom, "auto")):
        result = run(database, "population", path, encoding=encoding, dry_run=True)
        assert result.ok and result.added == 1, (path.name, encoding, result.errors)
    wrong = run(database, "population", sjis, encoding="utf-8")
    assert len(wrong.errors) == 1 and "UTF-8 として読めません" in wrong.errors[0].message
    assert "cp932" in wrong.errors[0].message
    bom_as_sjis = run(database, "population", bom, encoding="cp932")
    assert len(bom_as_sjis.errors) == 1 and "BOM" in bom_as_sjis.errors[0].message
    assert database.scalar("SELECT COUNT(*) FROM population") == 0
    with pytest.raises(ValueError, match="文字コード"):
        run(database, "population", plain, encoding="latin-1")


def test_huge_csv_cells(database: Database, tmp_path: Path) -> None:
    header = "区市町村コード,年度,経費区分,金額,備考"
    long = run(database, "expenses", write(tmp_path, [header, f"131016,2024,旅費,1,{'あ' * 15_000}",
                                                      f"131016,2025,旅費,1,{'い' * 10_000}"]))
    assert [(e.line, e.column) for e in long.errors] == [(2, "備考")]
    assert "15,000文字" in long.errors[0].message
    # Past what Python's csv module reads (an unclosed quote swallowing the file looks like this too).
    huge = run(database, "expenses", write(tmp_path, [header, '131016,2024,旅費,1,"' + "x" * 200_000 + '"'],
                                           name="huge.csv"))
    assert len(huge.errors) == 1 and "文字数が多すぎます" in huge.errors[0].message
    name = run(database, "places", write(tmp_path, ["名称,区市町村コード", f"{'会' * 20_000},131016"], name="n.csv"))
    assert [(e.line, e.column) for e in name.errors] == [(2, "名称")]
    assert database.scalar("SELECT COUNT(*) FROM expenses") + database.scalar("SELECT COUNT(*) FROM places") == 0


def test_title_row_above_the_csv_header(database: Database, tmp_path: Path) -> None:
    result = run(database, "population", write(tmp_path, [
        "令和6年度 高齢者人口,,", "作成: 福祉課,,", "区市町村コード,年度,65歳以上人口", "131016,2024,1"]))
    assert [(e.line, e.column) for e in result.errors] == [(1, "")]
    assert "3行目が見出しのようです" in result.errors[0].message and "1〜2行目" in result.errors[0].message
