"""Upgrading a database holding participants and checks, written as the version before the cases migration
wrote them: the rows stay, the new table exists with its bounds, date order and foreign keys, and the audit
trail covers it."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.services import short_term_cases
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import STAMP, _database_at_version, version_of

CENTER = "01900000-0000-7000-8000-00000000c001"
PERSON = "01900000-0000-7000-8000-00000000a001"
CHECK = "01900000-0000-7000-8000-00000000f001"
CASE = "01900000-0000-7000-8000-00000000e001"


def _cases_version() -> int:
    return version_of("short_term_cases")


@pytest.fixture
def upgraded(tmp_path: Path):
    path = tmp_path / "before.sqlite3"
    _database_at_version(path, _cases_version() - 1)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN")  # a participant and a check as the version before wrote them (raw SQL)
    conn.execute(f"INSERT INTO centers (id, municipality_code, name, created_at, updated_at, updated_by, origin_db,"
                 f" deleted_at, change_seq) VALUES ('{CENTER}', '131016', '北センター', {STAMP})")
    conn.execute(f"INSERT INTO participants VALUES ('{PERSON}', '{CENTER}', 'A-1', 1944, 5, '女性', '', '', {STAMP})")
    conn.execute("INSERT INTO frailty_checks (id, participant_id, checked_on, q1, created_at, updated_at, origin_db)"
                 f" VALUES ('{CHECK}', '{PERSON}', '2025-04-10', 1, 'x', 'x', 'd')")
    conn.execute("COMMIT")
    conn.close()
    db = Database.open(path, user="更新者")
    yield db
    db.close()


def test_upgrade_keeps_records_and_adds_the_audited_table(upgraded):
    db = upgraded
    assert db.schema_version() == migrations.latest_version()
    assert db.scalar("SELECT count(*) FROM participants") == 1 and db.scalar("SELECT count(*) FROM gatherings") == 20
    assert db.query("PRAGMA foreign_key_check") == []
    saved = short_term_cases.add_case(db, stc.ShortTermCase(PERSON, date(2025, 4, 1), "通いの場",
                                                            assessed_on=date(2025, 4, 10), initial_check_id=CHECK),
                                      today=date(2025, 5, 1))
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'short_term_cases'") == 1
    assert db.scalar("SELECT change_seq FROM short_term_cases WHERE id = ?", (saved.case.id,)) > 0


INSERT = ("INSERT INTO short_term_cases (id, participant_id, referred_on, referral_source, {columns}, created_at,"
          " updated_at, origin_db) VALUES ('" + CASE + "', '{person}', '2025-04-01', '通いの場', {values}, 'x', 'x', 'd')")


@pytest.mark.parametrize("columns, values", [
    ("assessed_on", "'2025-03-31'"),  # before the referral
    ("service_start_on, service_end_on", "'2025-05-01', '2025-04-30'"),
    ("service_end_on", "'2025-06-01'"),  # an end without a start
    ("service_end_on, service_start_on, reassessed_on", "'2025-07-01', '2025-04-01', '2025-06-30'"),
    ("followup6_on, followup12_on", "'2026-01-01', '2025-12-31'"),
    ("initial_grip_kg", "80.1"), ("final_tug_s", "1.9"), ("sessions", "201"),
    ("outcome", "'通いの場へ'"),  # without its place
    ("outcome", "'入院'"), ("followup6_level", "'good'"), ("followup12_attending", "2"),
    ("initial_check_id", "'01900000-0000-7000-8000-0000000000ff'"),  # no such check
    ("assessed_on", "'2025-02-30'"),
])
def test_bounds_order_and_foreign_keys_are_the_last_guard(upgraded, columns, values):
    with pytest.raises(sqlite3.IntegrityError):
        upgraded.conn.execute(INSERT.format(columns=columns, values=values, person=PERSON))


def test_the_guard_lets_a_good_row_in(upgraded):
    upgraded.conn.execute(INSERT.format(columns="assessed_on, initial_check_id, service_start_on, service_end_on",
                                        values=f"'2025-04-10', '{CHECK}', '2025-04-10', '2025-07-10'",
                                        person=PERSON))
