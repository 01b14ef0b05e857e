"""Likely duplicate places and promoters (by normalised name), the import's warnings about them, and merging
two records into one, all against real database files and checked with plain SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.text import name_key
from kaigo_desktop.services import duplicates, records
from kaigo_desktop.services.checking import check_database
from kaigo_desktop.services.duplicates import MergeRefused, merge_places, merge_promoters, similar_places, \
    similar_promoters
from kaigo_desktop.services.importing import import_file
from kaigo_desktop.storage import merge_queries
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.ids import natural_id
from tests import table_state

TODAY = date(2025, 6, 30)
CHIYODA, CHUO = "131016", "131024"


@pytest.fixture
def database_user() -> str:
    return "統合担当"


def place(db: Database, name: str, code: str = CHIYODA, **kwargs) -> r.Place:
    kwargs.setdefault("start_date", date(2020, 4, 1))
    return records.add(db, r.Place(code, name, **kwargs), today=TODAY)


def promoter(db: Database, name: str, code: str = CHIYODA, **kwargs) -> r.Promoter:
    return records.add(db, r.Promoter(code, name, "保健師", kwargs.pop("start_date", date(2023, 4, 1)), **kwargs),
                       today=TODAY)


def snapshot(db: Database) -> dict[str, list[tuple]]:
    state = table_state.snapshot(db)
    state["change_seq"] = [(db.scalar("SELECT value FROM db_meta WHERE key = 'change_seq'"),)]
    return state


# ---------------------------------------------------------------- finding

def test_similar_places_fold_width_spaces_kana_and_variants(database: Database) -> None:
    sakura = place(database, "さくら体操クラブ")
    oka = place(database, "桜ヶ丘サロン")
    takahashi = place(database, "髙橋町ＡＢＣ会")
    place(database, "さくら体操クラブ", CHUO)  # another municipality
    gone = place(database, "ひまわり会")
    records.remove(database, r.Place, gone.id)

    def ids(name: str, **kwargs) -> list[str]:
        return [found.id for found in similar_places(database, CHIYODA, name, **kwargs)]

    assert ids("サクラ 体操クラブ") == [sakura.id]  # カタカナ, a space
    assert ids("さくら　体操クラブ") == [sakura.id]  # a full-width space
    assert ids("ｻｸﾗ体操クラブ") == [sakura.id]  # half-width カタカナ
    assert ids("桜ケ丘サロン") == [oka.id] and ids("桜ヵ丘 サロン") == [oka.id]
    assert ids("高橋町abc会") == [takahashi.id]
    assert ids("さくら体操クラブ") == [sakura.id]  # the same name is a match too
    assert ids("さくら体操クラブ", exclude_id=sakura.id) == []  # the record being edited
    assert ids("ひまわり会") == []  # deleted
    assert ids("さくら体操") == [] and ids("") == []
    found = similar_places(database, CHIYODA, "サクラ体操クラブ")[0]
    assert (found.name, found.municipality_code) == ("さくら体操クラブ", CHIYODA)
    assert name_key("さくら体操クラブ") == name_key("サクラ 体操ｸﾗﾌﾞ")


def test_similar_promoters(database: Database) -> None:
    hanako = promoter(database, "髙橋 花子")
    promoter(database, "髙橋花子", CHUO)
    assert [p.id for p in similar_promoters(database, CHIYODA, "高橋花子")] == [hanako.id]
    assert [p.id for p in similar_promoters(database, CHIYODA, "たかはし花子")] == []
    assert similar_promoters(database, CHIYODA, "高橋　花子", exclude_id=hanako.id) == []


def test_import_warns_about_similar_names(database: Database, tmp_path: Path) -> None:
    place(database, "さくら体操クラブ")
    promoter(database, "髙橋 花子")
    places_csv = tmp_path / "places.csv"
    places_csv.write_text("名称,区市町村コード\nサクラ体操クラブ,131016\nあおば会,131016\nアオバ会,131016\n"
                          "さくら体操クラブ,131016\n", encoding="utf-8")
    result = import_file(database, "places", places_csv, today=TODAY)
    assert result.ok and (result.added, result.updated) == (3, 1)
    warning = next(w for w in result.warnings if "名前がよく似た通いの場" in w)
    assert "2行目「サクラ体操クラブ」≒「さくら体操クラブ」" in warning
    assert "4行目「アオバ会」≒「あおば会」" in warning  # an earlier row of the same file
    assert "5行目" not in warning  # the same name: an update, not a new place
    promoters_csv = tmp_path / "promoters.csv"
    promoters_csv.write_text("氏名,区市町村コード,職種,配置開始日\n高橋花子,131016,保健師,2024/4/1\n"
                             "山田一郎,131016,保健師,2024/4/1\n", encoding="utf-8")
    result = import_file(database, "promoters", promoters_csv, today=TODAY, dry_run=True)
    assert result.ok
    assert [w for w in result.warnings if "名前がよく似た推進員" in w] == [
        "名前がよく似た推進員が既にあります（同じ推進員なら、取り込んだ後に統合できます）: 2行目「高橋花子」≒「髙橋 花子」"]


# ---------------------------------------------------------------- merging places

@pytest.fixture
def pair(database: Database) -> tuple[r.Place, r.Place, r.Promoter]:
    survivor = place(database, "さくら体操クラブ")
    duplicate = place(database, "サクラ体操クラブ", notes="旧台帳から")
    hanako = promoter(database, "山田花子")
    for day, n in ((1, 10), (8, 11), (15, 12)):
        records.add(database, r.Gathering(duplicate.id, date(2024, 5, day), n), today=TODAY)
    records.add(database, r.Gathering(survivor.id, date(2024, 5, 22), 9), today=TODAY)
    trashed = records.add(database, r.Gathering(duplicate.id, date(2024, 5, 29), 3), today=TODAY)
    records.remove(database, r.Gathering, trashed.id)
    records.add(database, r.Members(survivor.id, 2024, 30), today=TODAY)
    records.add(database, r.Members(duplicate.id, 2024, 28), today=TODAY)
    records.add(database, r.Members(duplicate.id, 2023, 25, male=5, female=20), today=TODAY)
    records.add(database, r.Assignment(hanako.id, duplicate.id, date(2023, 4, 1)), today=TODAY)
    records.add(database, r.Assignment(hanako.id, survivor.id, date(2024, 4, 1)), today=TODAY)
    records.add(database, r.Assignment(hanako.id, duplicate.id, date(2024, 4, 1)), today=TODAY)  # also on survivor
    records.add(database, r.Activity(hanako.id, date(2024, 6, 1), "通いの場の継続支援", duplicate.id, 60), today=TODAY)
    return survivor, duplicate, hanako


def test_merge_places_moves_everything_and_leaves_a_tombstone(database: Database, pair) -> None:
    survivor, duplicate, hanako = pair
    attendance = database.scalar("SELECT SUM(attendance_total) FROM gatherings WHERE deleted_at IS NULL")
    seq_before = int(database.scalar("SELECT value FROM db_meta WHERE key = 'change_seq'"))
    result = merge_places(database, survivor.id, duplicate.id)
    assert result.moved == {"開催記録": 3, "活動記録": 1, "担当": 1, "参加者実人数": 1}
    assert len(result.dropped) == 2
    assert any("令和6年度" in d and "30人" in d and "28人" in d for d in result.dropped)
    assert any("同じ担当" in d and "1件" in d for d in result.dropped)
    # Every gathering, live or in the trash, now belongs to the survivor; the figures are unchanged.
    assert database.scalar("SELECT COUNT(*) FROM gatherings WHERE place_id = ?", (duplicate.id,)) == 0
    assert database.scalar("SELECT COUNT(*) FROM gatherings WHERE place_id = ? AND deleted_at IS NULL",
                           (survivor.id,)) == 4
    assert database.scalar("SELECT SUM(attendance_total) FROM gatherings WHERE deleted_at IS NULL") == attendance
    # 参加者実人数: 2023 moved (its id is the survivor's natural id), 2024 kept the survivor's.
    members = [tuple(row) for row in database.query(
        "SELECT id, fiscal_year, total, male, female FROM members WHERE place_id = ? AND deleted_at IS NULL"
        " ORDER BY fiscal_year", (survivor.id,))]
    assert members == [(natural_id("members", survivor.id, 2023), 2023, 25, 5, 20),
                       (natural_id("members", survivor.id, 2024), 2024, 30, None, None)]
    assert database.scalar("SELECT COUNT(*) FROM members WHERE place_id = ? AND deleted_at IS NULL",
                           (duplicate.id,)) == 0
    assignments = [tuple(row) for row in database.query(
        "SELECT place_id, start_date FROM assignments WHERE promoter_id = ? AND deleted_at IS NULL"
        " ORDER BY start_date", (hanako.id,))]
    assert assignments == [(survivor.id, "2023-04-01"), (survivor.id, "2024-04-01")]
    assert database.scalar("SELECT place_id FROM activities") == survivor.id
    # The duplicate is a tombstone saying where it went.
    tomb = database.query("SELECT deleted_at, notes, updated_by, change_seq FROM places WHERE id = ?",
                          (duplicate.id,))[0]
    assert tomb["deleted_at"] is not None
    assert tomb["notes"] == f"旧台帳から\n「さくら体操クラブ」に統合（ID: {survivor.id}）"
    # One transaction: every row it changed carries the same new stamp.
    seq = int(database.scalar("SELECT value FROM db_meta WHERE key = 'change_seq'"))
    assert seq == seq_before + 1
    for table in ("places", "gatherings", "members", "assignments", "activities"):
        stamps = {tuple(row) for row in database.query(
            f"SELECT updated_by, origin_db, change_seq FROM {table} WHERE change_seq = ?", (seq,))}
        assert stamps == {("統合担当", database.database_id, seq)}, table
    assert database.scalar("SELECT COUNT(*) FROM gatherings WHERE change_seq = ?", (seq,)) == 4
    assert check_database(database, 2024).ok
    # The name is free again, and the survivor is found as similar to it no more (the duplicate is gone).
    assert [p.id for p in similar_places(database, CHIYODA, "サクラ体操クラブ")] == [survivor.id]
    assert "統合しました" in result.summary()


def test_merge_dry_run_writes_nothing(database: Database, pair) -> None:
    survivor, duplicate, _ = pair
    before = snapshot(database)
    trial = merge_places(database, survivor.id, duplicate.id, dry_run=True)
    assert trial.dry_run and trial.moved == {"開催記録": 3, "活動記録": 1, "担当": 1, "参加者実人数": 1}
    assert "試行のみ" in trial.summary()
    assert snapshot(database) == before


def test_merge_is_all_or_nothing(database: Database, pair, monkeypatch: pytest.MonkeyPatch) -> None:
    survivor, duplicate, _ = pair
    before = snapshot(database)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(merge_queries, "tombstone", fail)  # the last step fails after everything moved
    with pytest.raises(OSError):
        merge_places(database, survivor.id, duplicate.id)
    assert snapshot(database) == before


def test_merge_places_refusals_write_nothing(database: Database, pair) -> None:
    survivor, duplicate, _ = pair
    elsewhere = place(database, "さくら体操クラブ", CHUO)
    late = place(database, "さくら体操クラブ（新）", start_date=date(2024, 5, 10))
    gone = place(database, "閉じた会")
    records.remove(database, r.Place, gone.id)
    before = snapshot(database)
    cases = [
        ((survivor.id, survivor.id), "同じ通いの場"),
        ((survivor.id, elsewhere.id), "区市町村が異なる"),
        ((survivor.id, gone.id), "見つかりません"),
        ((survivor.id, "0190f0a0-0000-7000-8000-000000000000"), "見つかりません"),
        ((late.id, duplicate.id), "2件が「さくら体操クラブ（新）」の開設期間（令和6年5月10日〜）の外"),
    ]
    for (survivor_id, duplicate_id), message in cases:
        with pytest.raises(MergeRefused, match=message):
            merge_places(database, survivor_id, duplicate_id)
    assert snapshot(database) == before


# ---------------------------------------------------------------- merging promoters

def test_merge_promoters(database: Database) -> None:
    sakura = place(database, "さくら体操クラブ")
    icho = place(database, "いちょう脳トレ")
    survivor = promoter(database, "高橋花子", start_date=date(2024, 4, 1))
    duplicate = promoter(database, "髙橋 花子", start_date=date(2023, 4, 1))
    records.add(database, r.Gathering(sakura.id, date(2024, 5, 1), 10, promoter_id=duplicate.id), today=TODAY)
    records.add(database, r.Assignment(duplicate.id, sakura.id, date(2023, 4, 1)), today=TODAY)
    records.add(database, r.Assignment(duplicate.id, icho.id, date(2024, 4, 1)), today=TODAY)
    records.add(database, r.Assignment(survivor.id, icho.id, date(2024, 4, 1)), today=TODAY)
    for day in (date(2023, 6, 1), date(2024, 6, 1)):
        records.add(database, r.Activity(duplicate.id, day, "その他"), today=TODAY)
    assert [p.id for p in similar_promoters(database, CHIYODA, survivor.name, exclude_id=survivor.id)] == [
        duplicate.id]

    result = merge_promoters(database, survivor.id, duplicate.id)
    assert result.moved == {"開催記録": 1, "活動記録": 2, "担当": 1}
    assert any("同じ担当" in d for d in result.dropped)
    assert len(result.warnings) == 1 and "1件" in result.warnings[0] and "配置期間" in result.warnings[0]
    assert database.scalar("SELECT promoter_id FROM gatherings") == survivor.id
    assert database.scalar("SELECT COUNT(*) FROM activities WHERE promoter_id = ?", (survivor.id,)) == 2
    assert sorted(tuple(row) for row in database.query(
        "SELECT place_id, start_date FROM assignments WHERE promoter_id = ? AND deleted_at IS NULL",
        (survivor.id,))) == sorted([(sakura.id, "2023-04-01"), (icho.id, "2024-04-01")])
    tomb = database.query("SELECT deleted_at, notes FROM promoters WHERE id = ?", (duplicate.id,))[0]
    assert tomb["deleted_at"] is not None and tomb["notes"] == f"「高橋花子」に統合（ID: {survivor.id}）"
    assert similar_promoters(database, CHIYODA, "髙橋花子", exclude_id=survivor.id) == []
    with pytest.raises(MergeRefused):
        merge_promoters(database, survivor.id, duplicate.id)  # already merged


def test_public_names() -> None:
    assert set(duplicates.__all__) >= {"similar_places", "similar_promoters", "merge_places", "merge_promoters"}
