"""Migration of the metropolitan view: a 区市町村's database of the version before it, holding data, upgrades
and stays a 区市町村's database; the seeded targets are there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kaigo_desktop.services import metro, submissions
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database

STAMP = "'2024-05-01T00:00:00.000000Z', '2024-05-01T00:00:00.000000Z', '旧版', 'db-old', NULL, 3"
PLACE_ID = "01900000-0000-7000-8000-000000000001"


def test_a_database_of_the_version_before_upgrades_with_its_data(tmp_path: Path) -> None:
    mine = next(m.version for m in migrations.available_migrations() if m.name == "metro_submissions")
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for migration in migrations.available_migrations()[:mine - 1]:
        migrations.apply_migration(conn, migration)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO places (id, municipality_code, name, kana, start_date, programs, created_at, updated_at,"
                 f" updated_by, origin_db, deleted_at, change_seq) VALUES ('{PLACE_ID}', '131016', 'ひまわり会',"
                 f" 'ヒマワリカイ', '2019-04-01', 3, {STAMP})")
    conn.execute("INSERT INTO db_meta (key, value) VALUES ('database_id', 'db-old')")
    conn.execute("COMMIT")
    conn.close()

    with Database.open(path, user="更新者") as db:
        assert db.schema_version() == migrations.latest_version()
        assert db.scalar("SELECT name FROM places WHERE id = ?", (PLACE_ID,)) == "ひまわり会"
        assert not metro.is_metro_database(db)
        assert db.scalar("SELECT COUNT(*) FROM metro_targets") == 3
        submissions.set_short_term_service_declaration(db, 2024, "131016", True, 2)
        assert submissions.short_term_service_declaration(db, 2024, "131016").users == 2
        # The new tables are audited like the others.
        assert db.scalar("SELECT COUNT(*) FROM audit_log WHERE table_name = 'short_term_service_declarations'") == 1
        assert db.query("PRAGMA foreign_key_check") == []
