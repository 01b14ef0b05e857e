"""Import takes counts and choices as people type them — through the domain's one count parser and one choice
matcher — and refuses the rest with the messages every other path gives, writing nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.vocab import choices_text
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import ImportResult, import_file
from kaigo_desktop.storage import lookups
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 6, 30)
CHIYODA = "131016"
OTHER_ADMINISTRATION = "行政（介護予防担当部局以外）"


@pytest.fixture
def database(tmp_path: Path):
    db = Database.open(tmp_path / "t.sqlite3", create=True, user="テスト")
    place = records.add(db, r.Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)
    records.add(db, r.Promoter(CHIYODA, "既存推進員", "保健師", date(2023, 4, 1)), today=TODAY)
    db.place_id = place.id  # type: ignore[attr-defined]
    yield db
    db.close()


def run(db: Database, tmp_path: Path, kind: str, header: str, *rows: str) -> ImportResult:
    path = tmp_path / "in.csv"
    path.write_text("\r\n".join([header, *rows]) + "\r\n", encoding="utf-8")
    return import_file(db, kind, path, today=TODAY)


def errors(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in result.errors]


def rows(db: Database, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.query(sql)]


def total_changes(db: Database) -> int:
    return db.scalar("SELECT value FROM db_meta WHERE key = 'change_seq'")


# ---------------------------------------------------------------- counts

PLACE = "名称,区市町村コード,定員"


@pytest.mark.parametrize(("typed", "stored"), [
    ("20", 20), ("20人", 20), ("２０人", 20), ("20名", 20), (" 20 ", 20), ("1,234", 1234), ("１，２３４人", 1234),
    ("100,000", 100_000),  # the bound itself
])
def test_a_capacity_is_read_as_typed(database: Database, tmp_path: Path, typed: str, stored: int) -> None:
    result = run(database, tmp_path, "places", PLACE, f'けやき会,{CHIYODA},"{typed}"')
    assert result.ok, result.errors
    assert database.scalar("SELECT capacity FROM places WHERE name = 'けやき会'") == stored


@pytest.mark.parametrize(("typed", "message"), [
    ("200000", "定員は100,000以下で入力してください（200,000）。"),
    ("200,000人", "定員は100,000以下で入力してください（200,000）。"),
    ("20分", "定員は0以上の整数で入力してください: 20分"),
    ("-20", "定員は0以上の整数で入力してください: -20"),
    ("20.5", "定員は0以上の整数で入力してください: 20.5"),
    ("12,34", "定員は0以上の整数で入力してください: 12,34"),
    ("たくさん", "定員は0以上の整数で入力してください: たくさん"),
])
def test_a_capacity_beyond_its_bound_or_not_a_count_is_refused(database: Database, tmp_path: Path, typed: str,
                                                                message: str) -> None:
    before = total_changes(database)
    result = run(database, tmp_path, "places", PLACE, f'けやき会,{CHIYODA},"{typed}"')
    assert errors(result) == [(2, "定員", message)]
    assert total_changes(database) == before
    assert database.scalar("SELECT COUNT(*) FROM places WHERE name = 'けやき会'") == 0


def test_each_count_takes_the_unit_of_its_field(database: Database, tmp_path: Path) -> None:
    assert run(database, tmp_path, "gatherings", "区市町村コード,通いの場名称,開催日,参加者数,男性",
               f"{CHIYODA},さくら体操クラブ,2024-06-01,２０人,8人").ok
    assert rows(database, "SELECT attendance_total, male FROM gatherings") == [(20, 8)]
    assert run(database, tmp_path, "activities", "推進員,区市町村コード,活動日,活動区分,時間（分）",
               f"既存推進員,{CHIYODA},2024-06-01,その他,９０分").ok
    assert database.scalar("SELECT minutes FROM activities") == 90
    assert run(database, tmp_path, "expenses", "区市町村コード,年度,経費区分,金額",
               f'{CHIYODA},2024,旅費,"1,234円"', f'{CHIYODA},2024,報酬,"¥12,000"').ok
    assert dict(rows(database, "SELECT category, amount FROM expenses")) == {"旅費": 1234, "報酬": 12_000}
    result = run(database, tmp_path, "activities", "推進員,区市町村コード,活動日,活動区分,時間（分）",
                 f"既存推進員,{CHIYODA},2024-06-02,その他,90人")
    assert errors(result) == [(2, "時間（分）", "時間（分）は0以上の整数で入力してください: 90人")]
    result = run(database, tmp_path, "expenses", "区市町村コード,年度,経費区分,金額", f"{CHIYODA},2024,旅費,1234人")
    assert errors(result) == [(2, "金額", "金額は0以上の整数で入力してください: 1234人")]


# ---------------------------------------------------------------- choices

PLACE_CHOICES = "名称,区市町村コード,運営主体,会場種別,開催頻度,主な活動内容"


def test_choices_are_read_by_label_short_form_and_any_width(database: Database, tmp_path: Path) -> None:
    result = run(database, tmp_path, "places", PLACE_CHOICES,
                 f"けやき会,{CHIYODA},住民団体,公民館・自治会館・集会所,週１回以上,体操、茶話会",
                 f"もみじ会,{CHIYODA}, 行政(介護予防担当部局以外) ,オンライン,月1回未満,体操（運動）")
    assert result.ok, result.errors
    assert rows(database, "SELECT name, operator_kind, venue_kind, frequency_declared, main_activity_1, "
                          "main_activity_2 FROM places WHERE name IN ('けやき会', 'もみじ会') ORDER BY name") == [
        ("けやき会", "住民団体（自治会・NPO法人等）", "公民館・自治会館・集会所", "週1回以上", "体操（運動）", "茶話会"),
        ("もみじ会", OTHER_ADMINISTRATION, "オンライン", "月1回未満", "体操（運動）", None),
    ]


def test_an_unknown_choice_names_the_choices_and_nothing_is_written(database: Database, tmp_path: Path) -> None:
    before = total_changes(database)
    result = run(database, tmp_path, "places", PLACE_CHOICES,
                 f"けやき会,{CHIYODA},町内会,公園,週1回以上,体操",
                 f"もみじ会,{CHIYODA},行政,公園,週1回以上,ヨガ")
    operators = choices_text(lookups.vocabulary(database, "operator_kinds"))
    activities = choices_text(lookups.vocabulary(database, "main_activity_kinds"))
    assert errors(result) == [
        (2, "運営主体", f"運営主体「町内会」は選択肢にありません（{operators}のいずれか）。"),
        (3, "運営主体", "運営主体「行政」では「行政（介護予防担当部局）」、「行政（介護予防担当部局以外）」のどれか"
                        "決まりません。括弧の中まで入力してください。"),
        (3, "主な活動内容", f"主な活動内容「ヨガ」は選択肢にありません（{activities}のいずれか）。"),
    ]
    assert total_changes(database) == before


def test_the_other_choice_columns_use_the_same_matcher(database: Database, tmp_path: Path) -> None:
    result = run(database, tmp_path, "promoters", "氏名,区市町村コード,職種,配置開始日",
                 f"新しい推進員,{CHIYODA},ﾘﾊﾋﾞﾘﾃｰｼｮﾝ専門職,2024-04-01")
    assert result.ok, result.errors
    assert database.scalar("SELECT qualification FROM promoters WHERE name = '新しい推進員'") == "リハビリテーション専門職"
    result = run(database, tmp_path, "expenses", "区市町村コード,年度,経費区分,金額", f"{CHIYODA},2024,交通費,100")
    assert [(e.column, e.message.split("（")[0]) for e in result.errors] == [
        ("経費区分", "経費区分「交通費」は選択肢にありません")]
    result = run(database, tmp_path, "gatherings", "区市町村コード,通いの場名称,開催日,参加者数,実施プログラム,専門職の関与",
                 f"{CHIYODA},さくら体操クラブ,2024-06-01,10,motor、 口腔機能向上 ,ﾘﾊﾋﾞﾘﾃｰｼｮﾝ専門職")
    assert result.ok, result.errors
    assert rows(database, "SELECT programs, professionals FROM gatherings") == [(1 | 4, 128)]
