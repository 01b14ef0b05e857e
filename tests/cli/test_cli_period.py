"""`kaigo-desktop period …` and the lock seen from the command line: confirm, lock (refused with the reasons
until ready, exit 1), list, unlock (a reason required); an import into a locked 年度 exits 1 and writes
nothing, and is accepted after unlocking."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kaigo_desktop.cli import main
from kaigo_desktop.storage.database import Database
from tests.period_data import CHIYODA, ready_for_approval


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _ready(db_path: Path):
    with Database.open(db_path) as db:
        return ready_for_approval(db)


def test_confirm_lock_list_unlock(db_path: Path, capsys) -> None:
    ids = _ready(db_path)
    db = ["--db", str(db_path), "--user", "管理者"]
    assert main([*db, "period", "lock", "--fy", "2024", "--municipality", CHIYODA]) == 1
    assert "センター確認がまだのセンター: 神田地域包括支援センター" in capsys.readouterr().err
    assert main([*db, "period", "confirm", "--fy", "令和6年度", "--center", ids.center]) == 0
    assert main([*db, "period", "confirm", "--fy", "2024", "--center", ids.center]) == 1
    assert "既にセンター確認済み" in capsys.readouterr().err
    assert main([*db, "period", "lock", "--fy", "2024", "--municipality", CHIYODA]) == 0
    assert "令和6年度 千代田区（131016）: 提出済み（令和" in capsys.readouterr().out
    assert main([*db, "--read-only", "period", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(p["fiscal_year"], p["locked"], p["locked_by"]) for p in listed] == [(2024, True, "管理者")]
    assert main([*db, "period", "confirm", "--fy", "2024", "--center", ids.center, "--withdraw"]) == 1
    assert "先にロックを解除" in capsys.readouterr().err
    before = _digest(db_path)
    assert main([*db, "period", "unlock", "--fy", "2024", "--municipality", CHIYODA, "--reason", "  "]) == 1
    assert "理由を入力" in capsys.readouterr().err and _digest(db_path) == before
    assert main([*db, "period", "unlock", "--fy", "2024", "--municipality", CHIYODA, "--reason", "訂正"]) == 0
    assert main([*db, "period", "list"]) == 0
    out = capsys.readouterr().out
    assert "入力中（センター確認 1/1）" in out and "ロック解除 1回" in out


def test_an_unknown_municipality_is_an_unusable_argument(db_path: Path, capsys) -> None:
    _ready(db_path)
    with Database.open(db_path) as db:
        db.conn.execute("INSERT INTO period_locks VALUES (2024, ?, '2025-05-10T00:00:00Z', '')", (CHIYODA,))
    assert main(["--db", str(db_path), "period", "unlock", "--fy", "2024", "--municipality", "999999",
                 "--reason", "x"]) == 2  # an unusable argument, as everywhere


def test_import_into_a_locked_year_exits_1_and_writes_nothing(db_path: Path, tmp_path: Path, capsys) -> None:
    ids = _ready(db_path)
    db = ["--db", str(db_path)]
    main([*db, "period", "confirm", "--fy", "2024", "--center", ids.center])
    assert main([*db, "period", "lock", "--fy", "2024", "--municipality", CHIYODA]) == 0
    capsys.readouterr()
    gatherings = tmp_path / "g.csv"
    gatherings.write_text(f"通いの場ID,開催日,参加者数\n{ids.place},2025-04-20,9\n{ids.place},2024-07-20,9\n",
                          encoding="utf-8")
    members = tmp_path / "m.csv"
    members.write_text(f"通いの場ID,年度,実人数\n{ids.other_place},2024,30\n", encoding="utf-8")
    for kind, path in (("gatherings", gatherings), ("members", members)):
        before = _digest(db_path)
        assert main([*db, "import", kind, str(path)]) == 1
        assert "令和6年度は提出済み（ロック中）のため変更できません。" in capsys.readouterr().err
        assert _digest(db_path) == before
    assert main([*db, "period", "unlock", "--fy", "2024", "--municipality", CHIYODA, "--reason", "追加入力"]) == 0
    assert main([*db, "import", "gatherings", str(gatherings)]) == 0
    assert main([*db, "import", "members", str(members)]) == 0
