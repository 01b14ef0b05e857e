"""The metropolitan view from the command line (issue 18): a 区市町村 declares and exports its submission, 東京都
makes its database, trusts the key (fingerprint checked), imports, sets targets and indicators, and prints the
sheet as text, JSON and PDF; each kind of database refuses the other's commands with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader

from kaigo_desktop.cli import main
from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.storage.database import Database

FY = fiscal_year_of(__import__("datetime").date.today()) - 1


def _municipality(path: Path) -> tuple[str, str]:
    with Database.open(path, readonly=True) as db:
        row = db.query("SELECT m.code, m.name FROM places p JOIN municipalities m ON m.code = p.municipality_code"
                       " GROUP BY m.code ORDER BY COUNT(*) DESC LIMIT 1")[0]
    return row[0], row[1]


def test_submission_to_sheet(tmp_path: Path, capsys) -> None:
    city, tokyo = tmp_path / "city.sqlite3", tmp_path / "tokyo.sqlite3"
    assert main(["--db", str(city), "demo", "--places", "20", "--seed", "5"]) == 0
    code, name = _municipality(city)
    c = ["--db", str(city), "--user", "区担当"]
    t = ["--db", str(tokyo), "--user", "都担当"]
    assert main([*c, "bundle", "trust", "export", "--out", str(tmp_path / "trust.json")]) == 0
    fingerprint = json.loads((tmp_path / "trust.json").read_text(encoding="utf-8"))["fingerprint"]
    assert main([*c, "submission", "declare", "--fy", str(FY), "--municipality", code, "--offered", "yes",
                 "--users", "3"]) == 0
    assert main([*c, "submission", "declare", "--fy", str(FY), "--municipality", code, "--offered", "no",
                 "--users", "3"]) == 2  # users without the service: refused
    out = tmp_path / "sub.kaigo-sub"
    assert main([*c, "submission", "export", "--fy", str(FY), "--municipality", code, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "提出ファイルを書き出しました" in captured.out and "ロックされていません" in captured.err
    assert main([*c, "submission", "export", "--fy", str(FY), "--municipality", code, "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err

    assert main([*t, "init", "--metro"]) == 0
    assert main([*t, "init", "--metro", "--municipality", code]) == 2
    assert main([*t, "metro", "trust", "add", str(tmp_path / "trust.json"), "--municipality", code,
                 "--fingerprint", "0000-0000-0000-0000-0000"]) == 2
    assert "指紋が一致しません" in capsys.readouterr().err
    assert main([*t, "metro", "trust", "add", str(tmp_path / "trust.json"), "--municipality", code,
                 "--fingerprint", fingerprint.lower().replace("-", " ")]) == 0
    assert main([*t, "metro", "trust", "list"]) == 0
    assert fingerprint in capsys.readouterr().out
    assert main([*t, "metro", "import", str(out)]) == 0
    assert "取り込み: " in capsys.readouterr().out
    assert main([*t, "metro", "target", "--item", "3", "--fy", "2026", "--value", "10"]) == 0
    assert main([*t, "metro", "indicator", "--key", "ikigai_rate", "--fy", str(FY), "--value", "56.2",
                 "--source", "東京都 高齢者の生活実態調査", "--source-year", str(FY)]) == 0
    capsys.readouterr()

    assert main([*t, "metro", "sheet", "--fy", str(FY), "--json"]) == 0
    sheet = json.loads(capsys.readouterr().out)
    assert sheet["fiscal_year"] == FY and sheet["submitted"] == [code] and len(sheet["missing"]) == 61
    assert sheet["items"]["3"]["municipalities"] == [code] and sheet["items"]["3"]["target"] == 10
    assert sheet["indicators"]["ikigai_rate"]["tokyo"] == 56.2
    assert set(sheet["indicators"]) == {"weekly_participation_rate", "healthy_life_expectancy", "ikigai_rate"}

    pdf = tmp_path / "sheet.pdf"
    assert main([*t, "metro", "sheet", "--fy", str(FY), "--out", str(pdf)]) == 0
    assert "評価シートを作成しました" in capsys.readouterr().out
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in ("評価シート", "事項1", "事項2", "事項3", name, "生きがいを感じる人の率", "56.2%", "定義"):
        assert expected in text, expected
    assert main([*t, "--read-only", "metro", "import", str(out)]) == 2  # it writes
    capsys.readouterr()
    assert main([*t, "--read-only", "metro", "status", "--fy", str(FY), "--json"]) == 0
    statuses = json.loads(capsys.readouterr().out)
    assert len(statuses) == 62 and [s["municipality_code"] for s in statuses if s["submitted_at"]] == [code]

    # Each kind of database refuses the other's commands (exit 2), and nothing changes.
    assert main([*t, "stats", "--fy", str(FY)]) == 2
    assert "東京都用" in capsys.readouterr().err
    assert main([*t, "submission", "export", "--fy", str(FY), "--municipality", code, "--out",
                 str(tmp_path / "x.kaigo-sub")]) == 2
    assert main([*t, "init", "--municipality", code]) == 2
    assert main([*c, "metro", "sheet", "--fy", str(FY)]) == 2
    assert "区市町村用" in capsys.readouterr().err
    assert main([*c, "init", "--metro"]) == 2


def test_a_tampered_file_exits_2_and_imports_nothing(tmp_path: Path, capsys) -> None:
    tokyo = tmp_path / "tokyo.sqlite3"
    assert main(["--db", str(tokyo), "init", "--metro"]) == 0
    bad = tmp_path / "bad.kaigo-sub"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert main(["--db", str(tokyo), "metro", "import", str(bad)]) == 2
    assert "bad.kaigo-sub" in capsys.readouterr().err
    with Database.open(tokyo, readonly=True) as db:
        assert db.scalar("SELECT COUNT(*) FROM metro_submissions") == 0
