"""`user add|list|passwd|remove` and the global --user login (password from KAIGO_PASSWORD), through main()."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kaigo_desktop.cli import main


def run(*argv: object) -> int:
    return main([str(a) for a in argv])


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def centered(tmp_path: Path, monkeypatch, capsys) -> Path:
    """A database with two centers and a place in each, and users 田中 (admin, password) and 鈴木 (staff of
    北センター, password)."""
    monkeypatch.delenv("KAIGO_PASSWORD", raising=False)
    monkeypatch.delenv("KAIGO_NEW_PASSWORD", raising=False)
    path = tmp_path / "users.sqlite3"
    assert run("--db", path, "init", "--municipality", "131016", "--center", "北センター") == 0
    assert run("--db", path, "init", "--municipality", "131016", "--center", "南センター") == 0
    places = tmp_path / "places.csv"
    places.write_text("名称,区市町村コード,地域包括支援センター\n北の会,131016,北センター\n"
                      "南の会,131016,南センター\n", encoding="utf-8")
    assert run("--db", path, "import", "places", places) == 0
    north = _rows(path, "SELECT id FROM centers WHERE name = '北センター'")[0][0]
    monkeypatch.setenv("KAIGO_NEW_PASSWORD", "kanri-pass")
    assert run("--db", path, "user", "add", "田中", "--role", "admin", "--password") == 0
    monkeypatch.setenv("KAIGO_PASSWORD", "kanri-pass")
    monkeypatch.setenv("KAIGO_NEW_PASSWORD", "suzuki-pass")
    assert run("--db", path, "--user", "田中", "user", "add", "鈴木", "--role", "staff", "--center", north,
               "--password") == 0
    monkeypatch.delenv("KAIGO_NEW_PASSWORD")
    monkeypatch.delenv("KAIGO_PASSWORD")
    capsys.readouterr()
    return path


def test_user_add_list_passwd_remove(centered: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KAIGO_PASSWORD", "kanri-pass")
    assert run("--db", centered, "--user", "田中", "user", "list") == 0
    out = capsys.readouterr().out
    assert "田中\t区市町村管理者" in out and "鈴木\tセンター職員" in out and "あり" in out
    assert "scrypt" not in out and "pass" not in out  # no hash, no password shown
    monkeypatch.setenv("KAIGO_NEW_PASSWORD", "atarashii-pass")
    assert run("--db", centered, "--user", "田中", "user", "passwd", "鈴木") == 0
    monkeypatch.delenv("KAIGO_NEW_PASSWORD")
    monkeypatch.setenv("KAIGO_PASSWORD", "atarashii-pass")
    assert run("--db", centered, "--user", "鈴木", "stats", "--fy", "2024") == 0
    monkeypatch.setenv("KAIGO_PASSWORD", "kanri-pass")
    assert run("--db", centered, "--user", "田中", "user", "remove", "鈴木") == 0
    assert run("--db", centered, "--user", "田中", "user", "remove", "田中") == 2
    assert "最後の区市町村管理者" in capsys.readouterr().err
    assert _rows(centered, "SELECT name FROM users WHERE removed_at IS NULL") == [("田中",)]
    data = centered.read_bytes() + (Path(f"{centered}-wal").read_bytes() if Path(f"{centered}-wal").exists()
                                    else b"")
    for secret in (b"kanri-pass", b"suzuki-pass", b"atarashii-pass"):
        assert secret not in data


def test_the_first_user_must_be_an_admin_and_roles_need_their_center(tmp_path: Path, capsys) -> None:
    path = tmp_path / "first.sqlite3"
    assert run("--db", path, "init", "--municipality", "131016") == 0
    assert run("--db", path, "user", "add", "鈴木", "--role", "staff", "--center", "x") == 2
    assert "見つかりません" in capsys.readouterr().err
    assert _rows(path, "SELECT COUNT(*) FROM users") == [(0,)]
    assert run("--db", path, "user", "list") == 0
    assert "登録されていません" in capsys.readouterr().out


def test_a_wrong_password_or_unknown_user_is_refused_alike_and_writes_nothing(centered: Path, monkeypatch,
                                                                              capsys) -> None:
    before = centered.read_bytes()
    monkeypatch.setenv("KAIGO_PASSWORD", "wrong")
    assert run("--db", centered, "--user", "田中", "init", "--municipality", "131016", "--center", "東") == 2
    wrong = capsys.readouterr().err
    assert run("--db", centered, "--user", "誰か", "init", "--municipality", "131016", "--center", "東") == 2
    assert capsys.readouterr().err == wrong and "利用者名またはパスワードが違います" in wrong
    assert centered.read_bytes() == before


def test_without_user_a_database_with_users_only_reads(centered: Path, capsys) -> None:
    assert run("--db", centered, "stats", "--fy", "2024") == 0
    capsys.readouterr()
    assert run("--db", centered, "init", "--municipality", "131016", "--center", "東センター") == 2
    assert "利用者が登録されています。init はデータベースに書き込むため" in capsys.readouterr().err
    assert _rows(centered, "SELECT COUNT(*) FROM centers WHERE name = '東センター'") == [(0,)]


def test_the_password_is_asked_when_not_in_the_environment(centered: Path, monkeypatch) -> None:
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "kanri-pass")
    assert run("--db", centered, "--user", "田中", "user", "list") == 0
    assert asked == ["田中 のパスワード: "]


def test_a_staff_import_with_a_row_of_another_center_exits_1_and_writes_nothing(centered: Path, tmp_path: Path,
                                                                               monkeypatch, capsys) -> None:
    monkeypatch.setenv("KAIGO_PASSWORD", "suzuki-pass")
    sheet = tmp_path / "gatherings.csv"
    sheet.write_text("区市町村コード,通いの場名称,開催日,参加者数\n131016,北の会,2024-06-01,5\n"
                     "131016,南の会,2024-06-01,7\n", encoding="utf-8")
    before = _rows(centered, "SELECT COUNT(*), (SELECT value FROM db_meta WHERE key = 'change_seq') FROM gatherings")
    assert run("--db", centered, "--user", "鈴木", "import", "gatherings", sheet) == 1
    err = capsys.readouterr().err
    assert "3行目" in err and "自分のセンター以外" in err
    assert _rows(centered, "SELECT COUNT(*), (SELECT value FROM db_meta WHERE key = 'change_seq') FROM gatherings"
                 ) == before
    sheet.write_text("区市町村コード,通いの場名称,開催日,参加者数\n131016,北の会,2024-06-01,5\n", encoding="utf-8")
    assert run("--db", centered, "--user", "鈴木", "import", "gatherings", sheet) == 0
    assert _rows(centered, "SELECT updated_by FROM gatherings") == [("鈴木",)]
    population = tmp_path / "population.csv"
    population.write_text("区市町村コード,年度,65歳以上人口\n131016,2024,9000\n", encoding="utf-8")
    assert run("--db", centered, "--user", "鈴木", "import", "population", population) == 1
    assert "権限がありません" in capsys.readouterr().err
    assert _rows(centered, "SELECT COUNT(*) FROM population") == [(0,)]


def test_only_an_administrator_restores(centered: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    backup = tmp_path / "copy.sqlite3"
    monkeypatch.setenv("KAIGO_PASSWORD", "suzuki-pass")
    assert run("--db", centered, "--user", "鈴木", "backup", "--out", backup) == 0  # reading: anyone
    before = centered.read_bytes()
    assert run("--db", centered, "--user", "鈴木", "restore", backup, "--yes") == 2
    assert "バックアップからの復元" in capsys.readouterr().err
    assert centered.read_bytes() == before
    monkeypatch.setenv("KAIGO_PASSWORD", "kanri-pass")
    assert run("--db", centered, "--user", "田中", "restore", backup, "--yes") == 0
