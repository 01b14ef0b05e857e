"""`import cases`, `template cases` and `cases list|show|figures` through main(): all rows or none with row-level
Japanese errors, a re-import updates (follow-ups added later), the assessments linked to the same day's checks,
a 推進員 reads numbers never names (list, show, JSON) and cannot import, a view refused on --read-only."""

from __future__ import annotations

import json

import openpyxl
import pytest

from kaigo_desktop.services.importing_cases import CASES
from tests.cli.test_cli_participants import NAME, _scalar, _write, filled, run  # noqa: F401  (fixture)


def _case_row(number: str, **cells: str) -> dict:
    row = {"参加者番号": number, "区市町村コード": "131016", "紹介日": "2023-05-01", "紹介元": "地域包括支援センター",
           "初回アセスメント日": "2023-05-10", "初回 握力(kg)": "18.5", "初回 TUG(秒)": "12.3",
           "サービス開始日": "2023-05-15", "サービス終了日": "R5.8.14", "実施回数": "12回",
           "再アセスメント日": "2024-06-01", "再 握力(kg)": "20", "地域ケア会議日": "2024-06-10",
           "地域ケア会議の決定": "通いの場へつなぐ", "結果": "通いの場へ", "結果の通いの場": "さくら会"}
    return {**row, **cells}


@pytest.fixture
def with_cases(filled, tmp_path, capsys):
    rows = [_case_row("000001"), _case_row("000002", **{"結果": "自立", "結果の通いの場": ""})]
    assert run("--db", filled, "--user", "管理", "import", "cases", _write(tmp_path / "k.csv", CASES.headers, rows)) == 0
    capsys.readouterr()
    return filled


def test_import_links_checks_and_a_reimport_adds_the_followups(with_cases, tmp_path, capsys):
    path = with_cases
    assert _scalar(path, "SELECT count(*) FROM short_term_cases") == 2
    # both assessments are on days with a check (2023-05-10 and 2024-06-01)
    assert _scalar(path, "SELECT count(*) FROM short_term_cases k JOIN frailty_checks a ON a.id = k.initial_check_id"
                         " JOIN frailty_checks b ON b.id = k.final_check_id WHERE a.participant_id = k.participant_id"
                         " AND b.participant_id = k.participant_id") == 2
    later = [_case_row("000001", **{"6か月後 追跡日": "2024-12-10", "6か月後 通いの場参加": "はい",
                                    "6か月後 状態": "プレフレイル"})]
    assert run("--db", path, "--user", "管理", "import", "cases", _write(tmp_path / "l.csv", CASES.headers, later)) == 0
    assert _scalar(path, "SELECT count(*) FROM short_term_cases") == 2
    assert _scalar(path, "SELECT followup6_attending || followup6_level FROM short_term_cases"
                         " WHERE followup6_on = '2024-12-10'") == "1pre_frail"


def test_import_is_all_or_nothing_with_row_errors(with_cases, tmp_path, capsys):
    bad = [_case_row("000003"),
           _case_row("000004", **{"サービス開始日": "2023-05-09"}),  # before the assessment
           _case_row("000005", **{"初回 握力(kg)": "81", "結果": "入院", "結果の通いの場": ""}),
           _case_row("999999")]
    assert run("--db", with_cases, "--user", "管理", "import", "cases",
               _write(tmp_path / "bad.csv", CASES.headers, bad)) == 1
    err = capsys.readouterr().err
    assert "3行目 [サービス開始日] サービス開始日が初回アセスメント日より前です。" in err
    assert "4行目 [初回 握力(kg)]" in err and "1〜80kg" in err
    assert "4行目 [結果]" in err
    assert "5行目 [参加者番号] 参加者番号 999999 の参加者が見つかりません。" in err
    assert _scalar(with_cases, "SELECT count(*) FROM short_term_cases") == 2
    assert run("--db", with_cases, "--user", "管理", "import", "cases", "--dry-run",
               _write(tmp_path / "one.csv", CASES.headers, [_case_row("000003")])) == 0
    assert _scalar(with_cases, "SELECT count(*) FROM short_term_cases") == 2


def test_promoter_reads_numbers_never_names_and_cannot_import(with_cases, tmp_path, capsys):
    case_id = _scalar(with_cases, "SELECT k.id FROM short_term_cases k JOIN participants p ON p.id = k.participant_id"
                                  " WHERE p.name <> ''")
    outputs = []
    for argv in (("cases", "list"), ("cases", "list", "--json"), ("cases", "show", case_id),
                 ("cases", "show", case_id, "--json")):
        assert run("--db", with_cases, "--user", "推進", *argv) == 0, argv
        outputs.append(capsys.readouterr().out)
    assert all(NAME not in out and "やまだ" not in out for out in outputs)
    assert "000001" in outputs[0] and "さくら会" in outputs[2]
    shown = json.loads(outputs[3])
    assert "name" not in shown and shown["improved"] is True and shown["outcome"] == "通いの場へ"
    assert run("--db", with_cases, "--user", "管理", "cases", "show", case_id) == 0
    assert NAME in capsys.readouterr().out
    assert run("--db", with_cases, "--user", "推進", "import", "cases",
               _write(tmp_path / "x.csv", CASES.headers, [_case_row("000003")])) == 1
    assert "権限がありません" in capsys.readouterr().err
    assert run("--db", with_cases, "--read-only", "cases", "show", case_id) == 2


def test_figures_and_template(with_cases, tmp_path, capsys):
    assert run("--db", with_cases, "--read-only", "cases", "figures", "--fy", "2023", "--municipality", "131016",
               "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["users"] is None and "users" in data["hidden"]  # 2 users: hidden
    assert run("--db", with_cases, "submission", "show", "--fy", "2023", "--municipality", "131016") == 0
    assert "記録から計算した利用者 <5（秘匿）" in capsys.readouterr().out
    out = tmp_path / "cases.xlsx"
    assert run("--db", with_cases, "template", "cases", "--out", out) == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert [c.value for c in sheet[1]][:len(CASES.headers)] == list(CASES.headers)


def test_participants_show_lists_the_cases_and_a_promoter_sees_no_name(with_cases, capsys):
    """`participants show` (text and --json) carries the participant's cases as the services give them: the
    administrator reads the name and the 地域ケア会議's decision, a 推進員 the number and the case but no name."""
    participant_id, case_id = [_scalar(with_cases, f"SELECT k.{column} FROM short_term_cases k JOIN participants p"
                                                   f" ON p.id = k.participant_id WHERE p.name <> ''")
                               for column in ("participant_id", "id")]
    assert run("--db", with_cases, "--user", "管理", "participants", "show", participant_id, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert [case["id"] for case in shown["cases"]] == [case_id]
    assert shown["cases"][0]["name"] == NAME and shown["cases"][0]["meeting_decision"] == "通いの場へつなぐ"
    assert shown["cases"][0]["referred_on"] == "2023-05-01" and shown["cases"][0]["improved"] is True
    assert run("--db", with_cases, "--user", "管理", "participants", "show", participant_id) == 0
    text = capsys.readouterr().out
    assert "短期集中予防サービス（1件）" in text and f"記録 {case_id}" in text and "結果 通いの場へ（さくら会）" in text
    outputs = []
    for json_flag in ((), ("--json",)):
        assert run("--db", with_cases, "--user", "推進", "participants", "show", participant_id, *json_flag) == 0
        outputs.append(capsys.readouterr().out)
    assert all(NAME not in out and "やまだ" not in out and "通いの場へつなぐ" not in out for out in outputs)
    assert "短期集中予防サービス（1件）" in outputs[0]
    promoter_case = json.loads(outputs[1])["cases"][0]
    assert "name" not in promoter_case and promoter_case["id"] == case_id and promoter_case["number"] == "000001"
    # A participant without cases has an empty list (and no heading in the text).
    other = _scalar(with_cases, "SELECT id FROM participants WHERE number = '000006'")
    assert run("--db", with_cases, "--user", "管理", "participants", "show", other, "--json") == 0
    assert json.loads(capsys.readouterr().out)["cases"] == []
    assert run("--db", with_cases, "--user", "管理", "participants", "show", other) == 0
    assert "短期集中予防サービス" not in capsys.readouterr().out
