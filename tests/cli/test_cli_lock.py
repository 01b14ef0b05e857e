"""While another PC holds the database: the read commands run with --read-only (the file and the other PC's
lock untouched), the write commands refuse --read-only, and `unlock` breaks a crashed PC's lock only when
told to (--force) after showing who held it and since when."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.cli import main
from kaigo_desktop.domain.records import Place
from kaigo_desktop.services import records
from kaigo_desktop.storage import lock
from kaigo_desktop.storage.database import Database

OTHER_PC = {"user": "高橋", "login": "takahashi", "host": "JIMUSHO-PC2", "pid": 1,
            "since": "2024-05-01T09:00:00+09:00", "started": None}


def run(*argv: object) -> int:
    return main([str(a) for a in argv])


@pytest.fixture
def held(db_path: Path) -> Path:
    """A database holding one place, whose (complete) lock names another PC: a crashed one or a live one,
    nobody here can tell."""
    with Database.open(db_path) as db:
        records.add(db, Place("131016", "さくら体操の会", programs=("motor",), start_date=date(2024, 4, 1)))
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert OTHER_PC["host"] != socket.gethostname()
    lock.lock_path(db_path).write_text(json.dumps(OTHER_PC), encoding="utf-8")
    return db_path


def files(db_path: Path) -> tuple[bytes, bytes]:
    return db_path.read_bytes(), lock.lock_path(db_path).read_bytes()


READ_COMMANDS = [
    ("stats", "--fy", "2024"),
    ("check",),
    ("bundle", "conflicts"),
    ("bundle", "pending"),
    ("export", "csv", "--fy", "2024", "--allow-empty", "--out", "{out}/表.csv"),
    ("export", "xlsx", "--fy", "2024", "--allow-empty", "--out", "{out}/表.xlsx"),
    ("report", "places", "--fy", "2024", "--allow-empty", "--out", "{out}/一覧.pdf"),
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_read_commands_run_read_only_while_another_pc_holds_the_file(held: Path, tmp_path: Path, capsys,
                                                                     command: tuple[str, ...]) -> None:
    before = files(held)
    argv = [part.format(out=tmp_path) for part in command]
    assert run("--db", held, *argv) == 2  # without --read-only: in use, and told what can be done
    err = capsys.readouterr().err
    assert "高橋さん" in err and "JIMUSHO-PC2" in err and "--read-only" in err and "unlock" in err
    assert run("--db", held, "--read-only", *argv) == 0
    assert files(held) == before  # the database and the other PC's lock byte for byte
    if command[0] == "stats":
        assert "通いの場（活動中）: 1か所" in capsys.readouterr().out


@pytest.mark.parametrize("command", [
    ("import", "places", "{out}/places.csv"),
    ("demo", "--places", "1", "--years", "1"),
    ("init", "--municipality", "131016"),
    ("bundle", "new-id"),
    ("bundle", "pending", "--drop", "--all", "--yes"),
    ("bundle", "export", "--out", "{out}/x.kaigo"),
    ("unlock", "--force"),
    ("restore", "{out}/places.csv", "--yes"),
], ids=lambda c: " ".join(c[:2]))
def test_write_commands_refuse_read_only(held: Path, tmp_path: Path, capsys, command: tuple[str, ...]) -> None:
    (tmp_path / "places.csv").write_text("名称\n", encoding="utf-8")
    before = files(held)
    assert run("--db", held, "--read-only", *[part.format(out=tmp_path) for part in command]) == 2
    err = capsys.readouterr().err
    assert "--read-only では実行できません" in err and command[0] in err
    assert files(held) == before
    assert not (tmp_path / "x.kaigo").exists()


def test_the_gui_is_not_opened_with_read_only(held: Path, capsys) -> None:
    assert run("--db", held, "--read-only") == 2
    assert "読み取り専用で開く" in capsys.readouterr().err


def test_unlock_without_force_shows_who_holds_it_and_keeps_the_lock(held: Path, capsys) -> None:
    before = files(held)
    assert run("--db", held, "unlock") == 1
    out, err = capsys.readouterr()
    assert "利用者: 高橋（ログイン名 takahashi）" in out and "PC: JIMUSHO-PC2" in out
    assert "令和6年5月1日 09:00（2024-05-01）" in out
    assert "--force" in err and "解除していません" in err
    assert files(held) == before


def test_unlock_with_force_removes_the_lock_saying_whose_it_was(held: Path, capsys) -> None:
    database = held.read_bytes()
    assert run("--db", held, "unlock", "--force") == 0
    out = capsys.readouterr().out
    assert "高橋" in out and "JIMUSHO-PC2" in out and "令和6年5月1日" in out and "解除しました" in out
    assert not lock.lock_path(held).exists() and held.read_bytes() == database
    assert run("--db", held, "unlock") == 0  # nothing left to break
    assert "ロックはありません" in capsys.readouterr().out
    assert run("--db", held, "bundle", "new-id") == 0  # now writable


def test_an_unreadable_lock_can_be_broken_too(db_path: Path, capsys) -> None:
    lock.lock_path(db_path).write_bytes(b"\x00garbage")
    assert run("--db", db_path, "unlock") == 1
    assert "読めません" in capsys.readouterr().out
    assert run("--db", db_path, "unlock", "--force") == 0
    assert not lock.lock_path(db_path).exists()


HOLDER = """
import sys
from kaigo_desktop.storage.database import Database
db = Database.open(sys.argv[1], user="佐藤")
print("open", flush=True)
sys.stdin.readline()
db.close()
"""


def test_a_lock_of_a_program_running_on_this_pc_is_never_broken(db_path: Path, capsys) -> None:
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        assert child.stdout.readline().strip() == "open"
        before = lock.lock_path(db_path).read_bytes()
        assert run("--db", db_path, "unlock", "--force") == 1
        out, err = capsys.readouterr()
        assert "佐藤" in out and "プログラムを閉じれば" in err
        assert lock.lock_path(db_path).read_bytes() == before
        assert run("--db", db_path, "stats", "--fy", "2024") == 2
        assert "unlock" not in capsys.readouterr().err  # not offered for a program that runs here
    finally:
        child.stdin.write("\n")
        child.stdin.flush()
        child.wait(10)
