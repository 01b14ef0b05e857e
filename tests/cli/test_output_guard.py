"""Every command that writes a file the user names (report, export xlsx/csv, bundle export, backup) through the
real CLI: the open database, its -wal/-shm/-journal/lock files, its backup folders and any SQLite file are
refused whatever the path looks like (a symbolic link, `..`, --force), with a Japanese message, exit 2 and
every byte intact; an existing other file is replaced only with --force."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.services import backup_settings
from kaigo_desktop.storage.database import Database

COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "report": lambda out: ["report", "submission", "--fy", "2024", "--allow-empty", "--out", out, "--force"],
    "export xlsx": lambda out: ["export", "xlsx", "--fy", "2024", "--allow-empty", "--out", out, "--force"],
    "export csv": lambda out: ["export", "csv", "--fy", "2024", "--allow-empty", "--out", out, "--force"],
    "bundle export": lambda out: ["bundle", "export", "--out", out, "--force"],
    "backup": lambda out: ["backup", "--out", out],  # never replaces: no --force
}


def run(db_path: Path, *argv: object) -> int:
    return main(["--db", str(db_path), *map(str, argv)])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (the database, its backups, the other SQLite file …) with its hash."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def world(db_path: Path, tmp_path: Path, capsys) -> dict[str, Path]:
    """The database with one backup in its backups folder, another SQLite file, a symbolic link to the
    database, and a configured backup folder (as on a USB stick) holding a backup."""
    assert run(db_path, "backup") == 0
    usb = tmp_path / "usb-backups"
    with Database.open(db_path) as db:
        backup_settings.save(db, backup_settings.BackupSettings(folder=usb))
    assert run(db_path, "backup") == 0
    other = tmp_path / "other-app" / "history.xlsx"  # a SQLite file whatever its name says
    other.parent.mkdir()
    shutil.copyfile(db_path, other)
    link = tmp_path / "link.pdf"
    link.symlink_to(db_path)
    folder_link = tmp_path / "shortcut"  # another name for the database's folder
    folder_link.symlink_to(db_path.parent, target_is_directory=True)
    capsys.readouterr()
    return {"db": db_path, "backup": next((tmp_path / "backups").iterdir()), "usb": usb,
            "usb_backup": next(usb.iterdir()), "other": other, "link": link,
            "folder_link": folder_link}


TARGETS: dict[str, Callable[[dict[str, Path]], str]] = {
    "the database": lambda w: str(w["db"]),
    "the database by a relative path with ..": lambda w: os.path.relpath(
        w["db"].parent / "no-such-folder" / ".." / w["db"].name),
    "a symbolic link to the database": lambda w: str(w["link"]),
    "its -wal": lambda w: f"{w['db']}-wal",
    "its -journal through a linked folder": lambda w: str(w["folder_link"] / f"{w['db'].name}-journal"),
    "its -shm": lambda w: f"{w['db']}-shm",
    "its -journal": lambda w: f"{w['db']}-journal",
    "its lock file": lambda w: f"{w['db']}.lock",
    "a backup": lambda w: str(w["backup"]),
    "a new name in the backups folder": lambda w: str(w["backup"].parent / "report.csv"),
    "a backup in the configured folder": lambda w: str(w["usb_backup"]),
    "a new name in the configured folder": lambda w: str(w["usb"] / "bundle.kaigo"),
    "another SQLite file": lambda w: str(w["other"]),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("command", COMMANDS)
def test_the_database_its_files_its_backups_and_sqlite_files_are_never_written(
        world, tmp_path: Path, capsys, monkeypatch, command: str, target: str) -> None:
    monkeypatch.chdir(tmp_path)
    out = TARGETS[target](world)
    existed = Path(out).exists()
    before = snapshot(tmp_path)

    assert run(world["db"], *COMMANDS[command](out)) == 2
    err = capsys.readouterr().err
    assert "エラー" in err and "Traceback" not in err
    assert any(word in err for word in ("データベース", "バックアップフォルダ", "SQLite", "ファイル"))
    assert snapshot(tmp_path) == before  # nothing written anywhere, every byte intact
    assert Path(out).exists() == existed


@pytest.mark.parametrize("command, suffix, head", [
    ("report", ".pdf", b"%PDF"), ("export xlsx", ".xlsx", b"PK"), ("export csv", ".csv", b"\xef\xbb\xbf"),
    ("bundle export", ".kaigo", None)])
def test_an_existing_other_file_is_replaced_only_with_force(db_path: Path, tmp_path: Path, capsys,
                                                            command: str, suffix: str, head: bytes | None) -> None:
    out = tmp_path / f"先月の{suffix}"
    out.write_bytes(b"keep me")
    without_force = [a for a in COMMANDS[command](str(out)) if a != "--force"]

    assert run(db_path, *without_force) == 2
    err = capsys.readouterr().err
    assert "既にある" in err and "--force" in err and "Traceback" not in err
    assert out.read_bytes() == b"keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name != db_path.name and not p.name.startswith(db_path.name)] \
        == [out.name]  # no temporary file left either

    assert run(db_path, *without_force, "--force") == 0
    replaced = out.read_bytes()
    assert replaced != b"keep me" and (head is None or replaced.startswith(head))


def test_csv_to_a_folder_checks_every_file_before_writing_any(db_path: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "表"
    assert run(db_path, "export", "csv", "--fy", "2024", "--allow-empty", "--out", folder) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "00_定義.csv" and len(names) > 5

    # The same folder again: every file exists, so nothing is replaced without --force.
    last = folder / names[-1]
    last.write_bytes(b"edited by hand")
    assert run(db_path, "export", "csv", "--fy", "2024", "--allow-empty", "--out", folder) == 2
    assert "--force" in capsys.readouterr().err and last.read_bytes() == b"edited by hand"

    # A SQLite file among the names is refused even with --force, and then no file at all is written.
    fresh = tmp_path / "新しい表"
    fresh.mkdir()
    shutil.copyfile(db_path, fresh / names[-1])
    kept = digest(fresh / names[-1])
    assert run(db_path, "export", "csv", "--fy", "2024", "--allow-empty", "--out", fresh, "--force") == 2
    assert "SQLite" in capsys.readouterr().err
    assert [p.name for p in fresh.iterdir()] == [names[-1]] and digest(fresh / names[-1]) == kept

    assert run(db_path, "export", "csv", "--fy", "2024", "--allow-empty", "--out", folder, "--force") == 0
    assert last.read_bytes() != b"edited by hand"


def test_csv_to_an_existing_file_says_why_not_that_the_disk_is_full(db_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "メモ.txt"
    out.write_text("大事なメモ", encoding="utf-8")
    for extra in ((), ("--force",)):
        assert run(db_path, "export", "csv", "--fy", "2024", "--allow-empty", "--out", out, *extra) == 2
        err = capsys.readouterr().err
        assert "ディスクの空き" not in err and "Traceback" not in err
        assert "同じ名前のファイルがあります" in err and ".csv" in err and "フォルダ" in err
        assert out.read_text(encoding="utf-8") == "大事なメモ"


def test_a_file_in_the_way_of_the_folder_is_not_called_a_full_disk(db_path: Path, tmp_path: Path, capsys) -> None:
    in_the_way = tmp_path / "報告"
    in_the_way.write_text("x", encoding="utf-8")
    assert run(db_path, "export", "xlsx", "--fy", "2024", "--allow-empty", "--out", in_the_way / "表.xlsx") == 2
    err = capsys.readouterr().err
    assert "ディスクの空き" not in err and "ファイルを書き込めません" in err and "Traceback" not in err


def test_bundle_export_leaves_a_file_named_like_its_temporary_file_alone(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "区役所.kaigo"
    neighbour = tmp_path / "区役所.kaigo.partial"  # the user's own file, not ours to truncate
    neighbour.write_bytes(b"keep me")
    assert run(db_path, "bundle", "export", "--out", out) == 0
    assert out.stat().st_size > 0 and neighbour.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")) == [neighbour.name]
