"""The headless commands: what they print, their exit codes, and that bad input writes nothing."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.storage import migrations

STATS_KEYS = {
    "fiscal_year", "municipality_code", "places_active", "places_survey", "places_by_program",
    "places_by_frequency_declared", "places_by_frequency_actual", "places_by_operator", "gatherings",
    "attendance_total", "members_total", "members_65_plus", "population_65_plus", "participation_rate",
    "places_with_professional", "promoters_placed", "promoter_cap", "promoter_activities",
    "promoter_activity_minutes", "subsidy",
    # issue 14
    "survey", "places_with_professional_excluding_promoter", "professionals_by_kind", "weekly_participation_rate",
    "population_reference_date", "as_of", "complete",
}
SURVEY_KEYS = {"places", "final", "by_program", "by_frequency_actual", "by_operator", "by_venue", "by_main_activity",
               "by_session_size", "members_total", "members_65_plus"}


def run(*argv: str) -> int:
    return main([str(a) for a in argv])


def test_init_creates_the_database_with_municipality_and_center(tmp_path: Path, capsys) -> None:
    path = tmp_path / "new.sqlite3"
    assert run("--db", path, "init", "--municipality", "13101", "--center", "神田地域包括支援センター") == 0
    assert "千代田区" in capsys.readouterr().out
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM settings WHERE key = 'default_municipality'").fetchone()[0] == "131016"
    assert conn.execute("SELECT name FROM centers").fetchall() == [("神田地域包括支援センター",)]
    conn.close()
    assert run("--db", path, "init", "--municipality", "131016", "--center", "神田地域包括支援センター") == 0
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM centers").fetchone()[0] == 1
    conn.close()


@pytest.mark.parametrize("code", ["131017", "011002", "abc"])
def test_init_with_a_bad_or_foreign_code_writes_nothing(tmp_path: Path, capsys, code: str) -> None:
    path = tmp_path / "new.sqlite3"
    assert run("--db", path, "init", "--municipality", code) == 2
    assert "区市町村コード" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_stats_json_has_exactly_the_documented_keys(db_path: Path, capsys) -> None:
    assert run("--db", db_path, "stats", "--fy", "令和6年度", "--json") == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == STATS_KEYS
    assert figures["fiscal_year"] == 2024
    assert figures["municipality_code"] is None
    assert set(figures["places_by_program"]) == {"motor", "nutrition", "oral", "cognition", "social"}
    assert set(figures["subsidy"]) == {"base", "eligible", "claim"}
    assert set(figures["survey"]) == SURVEY_KEYS
    assert figures["population_65_plus"] is None and figures["participation_rate"] is None


def test_stats_text_and_unknown_municipality(db_path: Path, capsys) -> None:
    assert run("--db", db_path, "stats", "--fy", "2024", "--municipality", "131016") == 0
    assert "令和6年度" in capsys.readouterr().out
    assert run("--db", db_path, "stats", "--fy", "2024", "--municipality", "011002") == 2
    assert "62区市町村" in capsys.readouterr().err


def test_check_passes_on_a_sound_database_and_fails_on_inconsistent_rows(db_path: Path, capsys) -> None:
    assert run("--db", db_path, "check") == 0
    assert "問題はありません" in capsys.readouterr().out
    conn = sqlite3.connect(db_path)
    stamp = "'2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '', 'x', NULL, 1"
    conn.execute("INSERT INTO places (id, municipality_code, name, start_date, created_at, updated_at, updated_by,"
                 f" origin_db, deleted_at, change_seq) VALUES ('{'a' * 36}', '131016', '会', '2024-04-01', {stamp})")
    conn.execute("INSERT INTO gatherings (id, place_id, held_on, attendance_total, created_at, updated_at,"
                 f" updated_by, origin_db, deleted_at, change_seq) VALUES ('{'b' * 36}', '{'a' * 36}',"
                 f" '2024-03-01', 5, {stamp})")
    conn.commit()
    conn.close()
    assert run("--db", db_path, "check") == 1
    assert "開設期間の外" in capsys.readouterr().out


@pytest.mark.parametrize("damaged", ["municipalities", "sqlite_autoindex_municipalities_1"])
def test_check_refuses_a_damaged_file_as_opening_does_though_its_quick_check_runs_beside_the_rest(
        db_path: Path, capsys, damaged: str) -> None:
    """`check` opens without SQLite's quick check and runs it beside its other reads (issue 17): a damage only
    the quick check sees (an index page no rule reads) still stops it with the message opening gives, exit 2,
    the file untouched."""
    from tests.mishaps import damage_table

    damage_table(db_path, damaged)
    before = db_path.read_bytes()
    assert run("--db", db_path, "check") == 2
    err = capsys.readouterr().err
    assert "壊れているか" in err and "バックアップ" in err
    assert db_path.read_bytes() == before


def test_check_opens_without_the_quick_check_and_runs_it_itself(db_path: Path) -> None:
    from kaigo_desktop.services.checking import check_database
    from kaigo_desktop.storage.database import Database

    with Database.open(db_path, quick_check=False) as db:
        assert not db.quick_checked_at_open
        assert check_database(db).ok
    with Database.open(db_path) as db:
        assert db.quick_checked_at_open


def test_missing_database_is_reported_not_created(tmp_path: Path, capsys) -> None:
    path = tmp_path / "absent.sqlite3"
    assert run("--db", path, "stats", "--fy", "2024") == 2
    assert "ありません" in capsys.readouterr().err
    assert not path.exists()


def test_not_sqlite_and_newer_schema_are_refused(tmp_path: Path, db_path: Path, capsys) -> None:
    text = tmp_path / "text.sqlite3"
    text.write_text("hello", encoding="utf-8")
    assert run("--db", text, "check") == 2
    assert "SQLite" in capsys.readouterr().err
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {migrations.latest_version() + 5}")
    conn.commit()
    conn.close()
    assert run("--db", db_path, "check") == 2
    assert "新しい版" in capsys.readouterr().err


def test_bad_fiscal_year_is_a_clear_error(db_path: Path, capsys) -> None:
    assert run("--db", db_path, "stats", "--fy", "来年") == 2
    assert "年度" in capsys.readouterr().err


def test_import_of_a_malformed_csv_writes_nothing(db_path: Path, tmp_path: Path, capsys) -> None:
    csv_file = tmp_path / "places.csv"
    csv_file.write_text("名称,区市町村コード,定員\nさくら会,131016,10\nひまわり会,131016,たくさん\n",
                        encoding="utf-8-sig")
    assert run("--db", db_path, "import", "places", csv_file) == 1
    assert "3行目" in capsys.readouterr().err
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT COUNT(*) FROM places").fetchone()[0] == 0
    conn.close()
    assert run("--db", db_path, "import", "places", tmp_path / "absent.csv") == 2


def test_module_entry_point_runs_without_qt(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import sys, runpy; sys.argv = ['kaigo-desktop', '--help'];"
         " runpy.run_module('kaigo_desktop', run_name='__main__')"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "init" in result.stdout and "stats" in result.stdout


def test_headless_commands_never_import_qt(db_path: Path) -> None:
    code = ("import sys; from kaigo_desktop.cli import main;"
            f" rc = main(['--db', {str(db_path)!r}, 'stats', '--fy', '2024']);"
            " assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_import_of_an_xlsx_sheet_by_name(db_path: Path, tmp_path: Path, capsys) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "表紙"
    sheet = workbook.create_sheet("5月")
    sheet.append(["名称", "区市町村コード", "運動機能向上"])
    sheet.append(["さくら会", 131016, "○"])
    workbook.save(tmp_path / "places.xlsx")
    assert run("--db", db_path, "import", "places", tmp_path / "places.xlsx", "--sheet", "５月") == 0
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT name, programs FROM places").fetchall() == [("さくら会", 1)]
    conn.close()


def test_a_full_disk_during_export_is_explained_and_leaves_nothing(db_path: Path, tmp_path: Path, capsys,
                                                                  monkeypatch) -> None:
    import errno
    import os

    out = tmp_path / "out"
    out.mkdir()
    real_replace = os.replace

    def disk_full_in_out(source, target):  # only the export's own move fails, as on a full USB stick
        if Path(target).parent == out:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", disk_full_in_out)
    assert run("--db", db_path, "export", "xlsx", "--fy", "2024", "--allow-empty", "--out", out / "表.xlsx") == 2
    assert "ディスクの空き" in capsys.readouterr().err
    assert list(out.iterdir()) == []
    monkeypatch.undo()
    capsys.readouterr()
    code = run("--db", db_path, "check")
    assert code == 0, capsys.readouterr()
