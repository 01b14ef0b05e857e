"""`kaigo-desktop audit`: the trail newest first, filtered by time, user and record, its JSON parsed back,
refusals of unusable arguments (exit 2, nothing written), read-only use, and `check` failing on an edited entry."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import date
from pathlib import Path

from kaigo_desktop.cli import main
from kaigo_desktop.domain.records import Place
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 6, 30)


def _fill(db_path: Path) -> str:
    with Database.open(db_path, user="佐藤") as db:
        place = records.add(db, Place("131016", "すこやか体操", start_date=date(2020, 4, 1)), today=TODAY)
    with Database.open(db_path, user="鈴木") as db:
        records.update(db, dataclasses.replace(records.get(db, Place, place.id), notes="雨天中止"), today=TODAY)
        records.add(db, Place("131016", "ほかの会", start_date=date(2020, 4, 1)), today=TODAY)
    return place.id


def _json(capsys) -> list[dict]:
    return json.loads(capsys.readouterr().out)["entries"]


def test_json_filters_and_newest_first(db_path: Path, capsys) -> None:
    place_id = _fill(db_path)
    assert main(["--db", str(db_path), "audit", "--json"]) == 0
    entries = _json(capsys)
    assert [(e["user"], e["action"], e["table"]) for e in entries] == [
        ("鈴木", "insert", "places"), ("鈴木", "update", "places"), ("佐藤", "insert", "places")]
    assert set(entries[0]) == {"seq", "at", "user", "pc", "origin_db", "received", "action", "table", "record_id",
                               "changes", "detail"}
    assert main(["--db", str(db_path), "audit", "--json", "--record", place_id]) == 0
    assert [e["changes"] for e in _json(capsys)][0] == {"notes": ["", "雨天中止"]}
    assert main(["--db", str(db_path), "audit", "--json", "--user", "佐藤"]) == 0
    assert [e["user"] for e in _json(capsys)] == ["佐藤"]
    assert main(["--db", str(db_path), "audit", "--json", "--limit", "1"]) == 0
    assert len(_json(capsys)) == 1
    assert main(["--db", str(db_path), "audit", "--json", "--since", "2999-01-01"]) == 0
    assert _json(capsys) == []
    assert main(["--db", str(db_path), "--read-only", "audit", "--record", place_id]) == 0
    out = capsys.readouterr().out
    assert "鈴木" in out and "notes: '' → '雨天中止'" in out and out.rstrip().endswith("2件")


def test_unusable_arguments_exit_2_and_write_nothing(db_path: Path, capsys) -> None:
    _fill(db_path)
    before = db_path.read_bytes()
    for argument in (["--since", "昨日"], ["--limit", "0"]):
        assert main(["--db", str(db_path), "--read-only", "audit", *argument]) == 2
        assert capsys.readouterr().err.startswith("エラー: --")
    assert db_path.read_bytes() == before


def test_check_exits_1_on_an_edited_entry(db_path: Path, capsys) -> None:
    _fill(db_path)
    assert main(["--db", str(db_path), "check"]) == 0
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_seals_no_update")
    conn.execute("UPDATE audit_seals SET user_name = '佐藤' WHERE first_seq = 2")
    conn.close()
    capsys.readouterr()
    assert main(["--db", str(db_path), "check"]) == 1
    out = capsys.readouterr().out
    assert "変更履歴の記録（2番）が書き換えられています" in out
