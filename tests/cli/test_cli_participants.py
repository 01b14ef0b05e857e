"""`import participants|checks`, `participants list|show` and `outcomes` through main(): all rows or none, a
推進員 never reads a name (list, show, JSON, audit), a view refused on --read-only, outcomes suppressed."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.domain import checklist
from kaigo_desktop.services.importing_participants import CHECKS, PARTICIPANTS

NAME = "山田花子"


def run(*argv: object) -> int:
    return main([str(a) for a in argv])


def _scalar(path: Path, sql: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _write(path: Path, headers, rows) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(headers))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _check_row(number: str, day: str, risky: set[int]) -> dict:
    row = {"参加者番号": number, "区市町村コード": "131016", "実施日": day, "身長(cm)": "150", "体重(kg)": "45"}
    for n in checklist.YES_NO_ITEMS:
        yes = (n not in risky) if n in checklist.RISK_WHEN_NO else (n in risky)
        row[f"No.{n}"] = "はい" if yes else "いいえ"
    return row


@pytest.fixture
def filled(tmp_path: Path, monkeypatch, capsys) -> Path:
    monkeypatch.delenv("KAIGO_PASSWORD", raising=False)
    path = tmp_path / "people.sqlite3"
    assert run("--db", path, "init", "--municipality", "131016", "--center", "北センター") == 0
    places = _write(tmp_path / "places.csv", ("名称", "区市町村コード", "地域包括支援センター", "開始日"),
                    [{"名称": "さくら会", "区市町村コード": "131016", "地域包括支援センター": "北センター",
                      "開始日": "2023-04-01"}])
    assert run("--db", path, "import", "places", places) == 0
    people = [{"参加者番号": "", "区市町村コード": "131016", "地域包括支援センター": "北センター", "生まれ年": "1944",
               "生まれ月": "5", "性別": "女性", "氏名": NAME if i == 0 else "", "よみ": "やまだはなこ" if i == 0 else "",
               "通いの場": "さくら会", "参加開始日": "R5.5.1"} for i in range(6)]
    assert run("--db", path, "import", "participants",
               _write(tmp_path / "p.csv", PARTICIPANTS.headers, people)) == 0
    checks = [_check_row(f"{i:06d}", "2023-05-10", set(range(1, 10))) for i in range(1, 7)]
    checks += [_check_row(f"{i:06d}", "2024-06-01", {1, 2} if i < 6 else set(range(1, 10))) for i in range(1, 7)]
    assert run("--db", path, "import", "checks", _write(tmp_path / "c.csv", CHECKS.headers, checks)) == 0
    promoter = _write(tmp_path / "pr.csv", ("氏名", "区市町村コード", "職種", "配置開始日"),
                      [{"氏名": "推進太郎", "区市町村コード": "131016", "職種": "保健師", "配置開始日": "2024-04-01"}])
    assert run("--db", path, "import", "promoters", promoter) == 0
    promoter_id = _scalar(path, "SELECT id FROM promoters")
    assert run("--db", path, "user", "add", "管理", "--role", "admin") == 0
    assert run("--db", path, "--user", "管理", "user", "add", "推進", "--role", "promoter",
               "--promoter", promoter_id) == 0
    capsys.readouterr()
    return path


def test_import_is_all_or_nothing_with_row_errors(filled, tmp_path, capsys):
    bad = [_check_row("000001", "2025-01-10", set()), _check_row("999999", "2025-01-10", set()),
           {**_check_row("000002", "2025-01-10", set()), "No.3": "0"}]
    before = _scalar(filled, "SELECT count(*) FROM frailty_checks")
    assert run("--db", filled, "--user", "管理", "import", "checks",
               _write(tmp_path / "bad.csv", CHECKS.headers, bad)) == 1
    err = capsys.readouterr().err
    assert "3行目 [参加者番号] 参加者番号 999999 の参加者が見つかりません。" in err
    assert "4行目 [No.3]" in err and "「はい」か「いいえ」" in err
    assert _scalar(filled, "SELECT count(*) FROM frailty_checks") == before


def test_promoter_reads_numbers_never_names(filled, capsys):
    person = _scalar(filled, "SELECT id FROM participants WHERE name <> ''")
    outputs = []
    for argv in (("participants", "list"), ("participants", "list", "--json"), ("participants", "show", "000001"),
                 ("participants", "show", person, "--json"), ("audit", "--record", person),
                 ("audit", "--record", person, "--json")):
        assert run("--db", filled, "--user", "推進", *argv) == 0, argv
        outputs.append(capsys.readouterr().out)
    assert all(NAME not in out and "やまだ" not in out for out in outputs)
    assert "000001" in outputs[0] and "フレイル" in outputs[2]
    assert run("--db", filled, "--user", "管理", "participants", "show", "000001") == 0
    assert NAME in capsys.readouterr().out
    assert _scalar(filled, "SELECT count(*) FROM audit_log WHERE action = 'view'") >= 3


def test_promoter_cannot_import_participants(filled, tmp_path, capsys):
    row = {"参加者番号": "X1", "区市町村コード": "131016", "地域包括支援センター": "北センター", "生まれ年": "1950",
           "生まれ月": "1", "性別": "男性"}
    assert run("--db", filled, "--user", "推進", "import", "participants",
               _write(tmp_path / "x.csv", PARTICIPANTS.headers, [row])) == 1
    assert "権限がありません" in capsys.readouterr().err


def test_show_refused_read_only_and_outcomes_allowed(filled, capsys):
    assert run("--db", filled, "--read-only", "participants", "show", "000001") == 2
    assert run("--db", filled, "--read-only", "outcomes", "--fy", "2024", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"fiscal_year", "municipality", "suppression", "cutoffs", "places"}
    sakura, whole = data["places"]
    assert sakura["checked"] == 6 and sakura["first_levels"]["frail"] == 6
    # 5 improved, 1 stayed frail: the 1 is hidden, and so is the 5 that would give it away from the 計 6
    assert sakura["changes"]["same"] == "<5" and sakura["changes"]["improved"] == "秘匿"
    assert whole["place"] == "全体" and whole["place_id"] is None


def test_outcomes_text(filled, capsys):
    assert run("--db", filled, "outcomes", "--fy", "令和6年度") == 0
    out = capsys.readouterr().out
    assert "令和6年度 通いの場参加者のフレイル状態の変化" in out and "秘匿処理: あり" in out


def test_import_roster_writes_all_rows_or_none_and_the_members_follow(filled, tmp_path, capsys):
    """`import roster`: exit 1 and nothing written with a row error; exit 0 and the 実人数 computed otherwise."""
    from kaigo_desktop.services.importing_rosters import ROSTER

    gatherings = _write(tmp_path / "g.csv", ("区市町村コード", "通いの場名称", "開催日", "参加者数"),
                        [{"区市町村コード": "131016", "通いの場名称": "さくら会", "開催日": "2024-05-10", "参加者数": "3"}])
    assert run("--db", filled, "--user", "管理", "import", "gatherings", gatherings) == 0
    row = {"区市町村コード": "131016", "通いの場名称": "さくら会", "開催日": "2024-05-10"}
    bad = [{**row, "参加者番号": "000001"}, {**row, "参加者番号": "999999"}]
    capsys.readouterr()
    assert run("--db", filled, "--user", "管理", "import", "roster", _write(tmp_path / "bad.csv", ROSTER.headers, bad)) == 1
    assert "3行目 [参加者番号] 参加者番号 999999 の参加者が見つかりません。" in capsys.readouterr().err
    assert _scalar(filled, "SELECT count(*) FROM gathering_participants") == 0
    good = [{**row, "参加者番号": f"00000{n}"} for n in (1, 2)]
    assert run("--db", filled, "--user", "管理", "import", "roster", _write(tmp_path / "ok.csv", ROSTER.headers, good)) == 0
    assert _scalar(filled, "SELECT count(*) FROM gathering_participants") == 2
    capsys.readouterr()
    assert run("--db", filled, "--user", "管理", "stats", "--fy", "2024", "--json") == 0
    assert json.loads(capsys.readouterr().out)["members_total"] == 2


def test_a_superscript_or_circled_digit_is_refused_in_japanese(filled, tmp_path, capsys):
    """² and ① pass str.isdigit() but not int(): found by tests/fuzz as an English message."""
    row = {"参加者番号": "X2", "区市町村コード": "131016", "地域包括支援センター": "北センター", "生まれ年": "①",
           "生まれ月": "²", "性別": "男性"}
    assert run("--db", filled, "--user", "管理", "import", "participants",
               _write(tmp_path / "x.csv", PARTICIPANTS.headers, [row])) == 1
    err = capsys.readouterr().err
    assert "[生まれ月] 生まれ月は数字で入力してください: ²" in err and "[生まれ年] 生まれ年は数字で入力してください: ①" in err
    assert "invalid literal" not in err
