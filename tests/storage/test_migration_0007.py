"""Upgrading a database of schema 6 that holds data and exchange state to signed bundles (0007): records and
exchange state stay, the key is made when first needed, and its bundles are accepted by a PC that trusts it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kaigo_desktop.services import bundle_signing
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.database import Database
from tests.storage.test_migrations import _database_at_version


def test_upgrade_from_6_signs_its_bundles(tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    _database_at_version(path, 6)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO exchange_destinations (name, scope, last_seq_sent, last_sent_at) VALUES ('区役所', '', 0, 'x')")
    conn.close()
    with Database.open(path, user="更新者") as old, Database.open(db_path, user="区役所") as town:
        assert old.schema_version() == migrations.latest_version() >= 7
        assert old.scalar("SELECT COUNT(*) FROM gatherings") == 20 and old.database_id == "db-old"
        assert old.scalar("SELECT COUNT(*) FROM exchange_signing_key") == 0  # made when first needed
        assert old.scalar("SELECT COUNT(*) FROM exchange_trusted_pcs") == 0
        assert [tuple(r) for r in old.query("SELECT name, last_seq_sent FROM exchange_destinations")] == [("区役所", 0)]
        bundle = tmp_path / "from_old.kaigo"
        ex.export_bundle(old, bundle, destination="区役所")
        signer = bundle_signing.own_signer(old)
        assert old.scalar("SELECT COUNT(*) FROM exchange_signing_key") == 1
        bundle_signing.trust(town, signer, signer.fingerprint)
        assert ex.import_bundle(town, bundle).added == 21
