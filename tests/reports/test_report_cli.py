"""The `report` and `export` subcommands through a parser built with add_report_commands (as the CLI does)."""

from __future__ import annotations

import argparse
from pathlib import Path

import openpyxl
import pytest
from report_checks import flat_text

from kaigo_desktop.cli.reports import REPORT_COMMANDS, add_report_commands
from kaigo_desktop.storage.errors import StorageError


def run(db_path: Path, *argv: object) -> int:
    parser = argparse.ArgumentParser(prog="kaigo-desktop")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--user", default="")
    sub = parser.add_subparsers(dest="command")
    add_report_commands(sub)
    args = parser.parse_args(["--db", str(db_path), *map(str, argv)])
    return REPORT_COMMANDS[args.command](args, args.db)


def ids(db_path: Path) -> tuple[str, str]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    promoter = conn.execute("SELECT id FROM promoters WHERE name = '山田花子'").fetchone()[0]
    place = conn.execute("SELECT id FROM places WHERE name = '大きな体操の会'").fetchone()[0]
    conn.close()
    return promoter, place


def test_every_report_and_export_from_the_command_line(small, db_path: Path, tmp_path: Path, capsys) -> None:
    promoter, place = ids(db_path)
    commands = {
        "submission": ("--fy", "令和7年度"),
        "promoters": ("--fy", "2025", "--municipality", "13101"),
        "activity": ("--promoter", promoter, "--month", "2025-06"),
        "places": ("--fy", "2025年度", "--municipality", "131016"),
        "attendance-sheet": ("--place", place, "--month", "2025-07"),
    }
    for kind, extra in commands.items():
        out = tmp_path / f"{kind}.pdf"
        assert run(db_path, "report", kind, *extra, "--out", out) == 0
        assert out.read_bytes().startswith(b"%PDF")
        printed = capsys.readouterr()
        assert "を作成しました" in printed.out and str(out) in printed.out
    assert "秘匿処理あり。" in flat_text(tmp_path / "submission.pdf")  # on by default
    assert run(db_path, "report", "attendance-sheet", "--place", place, "--blank", "--out", tmp_path / "b.pdf") == 0
    assert run(db_path, "export", "xlsx", "--fy", "2025", "--out", tmp_path / "e.xlsx") == 0
    assert "定義" in openpyxl.load_workbook(tmp_path / "e.xlsx").sheetnames
    assert run(db_path, "export", "csv", "--fy", "2025", "--municipality", "131016", "--out", tmp_path / "e.csv") == 0
    assert (tmp_path / "e.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_no_suppress_and_warnings(small, db_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.pdf"
    assert run(db_path, "report", "submission", "--fy", "2025", "--municipality", "133051", "--no-suppress",
               "--out", out) == 0
    assert "秘匿処理: なし" in capsys.readouterr().out
    assert run(db_path, "report", "promoters", "--fy", "2025", "--out", out, "--force") == 0  # replaces r.pdf
    printed = capsys.readouterr()
    assert "警告: 日の出町の令和7年度の推進員（2人）が補助対象の上限（1人）を超えています。" in printed.err


def test_font_fallback_warning_is_printed(small, db_path: Path, tmp_path: Path, capsys,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from kaigo_desktop.reports import fonts

    monkeypatch.setattr(fonts, "system_font_dirs", lambda: [])
    monkeypatch.setattr(fonts, "bundled_font_dir", lambda: None)
    assert run(db_path, "report", "submission", "--fy", "2025", "--out", tmp_path / "r.pdf") == 0
    assert "警告: 日本語フォント" in capsys.readouterr().err


def test_bad_arguments_raise_errors_the_cli_reports(small, db_path: Path, tmp_path: Path) -> None:
    promoter, _ = ids(db_path)
    out = tmp_path / "x.pdf"
    with pytest.raises(StorageError, match="62区市町村"):
        run(db_path, "report", "submission", "--fy", "2025", "--municipality", "139998", "--out", out)
    with pytest.raises(ValueError, match="年度"):
        run(db_path, "report", "submission", "--out", out)
    with pytest.raises(ValueError, match="YYYY-MM"):
        run(db_path, "report", "activity", "--promoter", promoter, "--month", "June", "--out", out)
    with pytest.raises(ValueError, match="--place"):
        run(db_path, "report", "attendance-sheet", "--month", "2025-06", "--out", out)
    with pytest.raises(SystemExit):
        run(db_path, "report", "nonsense", "--fy", "2025", "--out", out)
    assert not out.exists()
