"""`backup [--out FILE]` and `restore FILE [--yes]` through a parser built with add_backup_commands, the
way kaigo_desktop.cli wires them (its main prints a StorageError as "エラー: …" and exits 2)."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.cli.backup import BACKUP_COMMANDS, add_backup_commands
from kaigo_desktop.domain import records as r
from kaigo_desktop.services import records
from kaigo_desktop.services.backup_settings import BackupSettings, save
from kaigo_desktop.services.backups import list_backups
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import StorageError


def run(*argv: object) -> int:
    parser = argparse.ArgumentParser(prog="kaigo-desktop")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--user", default="")
    add_backup_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args([str(a) for a in argv])
    try:
        return BACKUP_COMMANDS[args.command](args, args.db)
    except StorageError as error:  # as cli.main does
        print(f"エラー: {error}", file=sys.stderr)
        return 2


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def add_place(db_path: Path, name: str) -> None:
    with Database.open(db_path) as db:
        records.add(db, r.Place("131016", name, start_date=date(2020, 4, 1)), today=date(2025, 6, 30))


def place_names(path: Path) -> list[str]:
    with Database.open(path, readonly=True) as db:
        return [row[0] for row in db.query("SELECT name FROM places ORDER BY name")]


def test_backup_into_the_backups_folder(db_path: Path, capsys) -> None:
    add_place(db_path, "さくら体操クラブ")
    assert run("--db", db_path, "backup") == 0
    out = capsys.readouterr().out
    [info] = list_backups(db_path.parent / "backups")
    assert str(info.path) in out and "検証済み" in out and "通いの場 1件" in out


def test_backup_is_thinned_by_the_settings(db_path: Path) -> None:
    with Database.open(db_path) as db:
        save(db, BackupSettings(keep_recent=1, daily=0, weekly=0, monthly=0))
    assert run("--db", db_path, "backup") == 0
    assert run("--db", db_path, "backup") == 0
    assert len(list_backups(db_path.parent / "backups")) == 1


def test_backup_to_a_chosen_file_or_folder(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "usb" / "今日の控え.sqlite3"
    assert run("--db", db_path, "backup", "--out", out) == 0
    assert out.is_file()
    folder = tmp_path / "usb"
    assert run("--db", db_path, "backup", "--out", folder) == 0
    assert len(list_backups(folder)) == 1


def test_backup_never_overwrites_a_file(db_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "existing.sqlite3"
    out.write_bytes(b"keep me")
    assert run("--db", db_path, "backup", "--out", out) == 2
    assert "既にある" in capsys.readouterr().err and out.read_bytes() == b"keep me"


def test_backup_while_the_gui_has_the_file_open_reads_it(db_path: Path, capsys) -> None:
    add_place(db_path, "さくら体操クラブ")
    child = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom kaigo_desktop.storage.database import Database\n"
        "db = Database.open(sys.argv[1], user='佐藤')\nprint('open', flush=True)\nsys.stdin.readline()\n"),
        str(db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        assert run("--db", db_path, "backup") == 0
    finally:
        child.kill()
        child.wait()
    assert "読み取り専用で開いてバックアップ" in capsys.readouterr().err
    [info] = list_backups(db_path.parent / "backups")
    assert info.counts["places"] == 1


def test_backup_of_a_damaged_file_points_to_restore(db_path: Path, capsys) -> None:
    assert run("--db", db_path, "backup") == 0
    db_path.write_bytes(db_path.read_bytes()[:30000])
    capsys.readouterr()
    assert run("--db", db_path, "backup") == 2
    err = capsys.readouterr().err
    assert "壊れている" in err and "restore" in err


def test_restore_with_yes_keeps_the_current_file_first(db_path: Path, tmp_path: Path, capsys) -> None:
    add_place(db_path, "さくら体操クラブ")
    copy = tmp_path / "copy.sqlite3"
    assert run("--db", db_path, "backup", "--out", copy) == 0
    add_place(db_path, "ひまわり会")
    assert run("--db", db_path, "restore", copy, "--yes") == 0
    assert place_names(db_path) == ["さくら体操クラブ"]
    out = capsys.readouterr().out
    [kept] = list_backups(db_path.parent / "backups")
    assert str(kept.path) in out and kept.counts["places"] == 2


def test_restore_without_a_terminal_needs_yes(db_path: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    copy = tmp_path / "copy.sqlite3"
    assert run("--db", db_path, "backup", "--out", copy) == 0
    add_place(db_path, "ひまわり会")
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    assert run("--db", db_path, "restore", copy) == 2
    assert "--yes" in capsys.readouterr().err
    assert place_names(db_path) == ["ひまわり会"]


@pytest.mark.parametrize("answer, code, names", [("y\n", 0, []), ("n\n", 1, ["ひまわり会"]), ("", 1, ["ひまわり会"])])
def test_restore_asks_on_a_terminal(db_path: Path, tmp_path: Path, capsys, monkeypatch, answer: str, code: int,
                                    names: list[str]) -> None:
    copy = tmp_path / "copy.sqlite3"
    assert run("--db", db_path, "backup", "--out", copy) == 0
    add_place(db_path, "ひまわり会")
    monkeypatch.setattr(sys, "stdin", Terminal(answer))
    assert run("--db", db_path, "restore", copy) == code
    assert "現在のファイルは置き換える前にバックアップします" in capsys.readouterr().out
    assert place_names(db_path) == names


def test_restore_over_a_damaged_file(db_path: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "copy.sqlite3"
    assert run("--db", db_path, "backup", "--out", copy) == 0
    db_path.write_bytes(b"\x00" * 5000)
    assert run("--db", db_path, "restore", copy, "--yes") == 0
    assert "壊れていたファイルを別名で残しました" in capsys.readouterr().out
    assert [p.read_bytes() for p in db_path.parent.glob("kaigo.sqlite3.damaged-*")] == [b"\x00" * 5000]
    assert place_names(db_path) == []


def test_restore_of_a_missing_file(db_path: Path, tmp_path: Path, capsys) -> None:
    assert run("--db", db_path, "restore", tmp_path / "nothing.sqlite3", "--yes") == 2
    assert "見つかりません" in capsys.readouterr().err
