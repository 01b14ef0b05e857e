"""Is a SQLite file one of ours, and does it hold only what our migrations made?

Our files carry PRAGMA application_id = APPLICATION_ID. Files made before the stamp existed are known by
the migrations they recorded (schema_migrations, with our names), and get the stamp when next opened for
writing. The objects a file should hold are those of a fresh database migrated to the same version,
computed, never listed by hand."""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass

from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.connections import connect

APPLICATION_ID = int.from_bytes(b"KAIG", "big")  # 0x4B414947, in the file header at offset 68

_KIND_LABELS = {"table": "テーブル", "index": "インデックス", "trigger": "トリガー", "view": "ビュー"}


@dataclass(frozen=True)
class FileIdentity:
    """What a file says about itself, read without writing: header fields, whether it holds any schema
    object at all, and the migrations it recorded (version → name; empty when it has no such table)."""

    application_id: int
    user_version: int
    has_objects: bool
    recorded: dict[int, str]

    @property
    def recorded_version(self) -> int:
        return max(self.recorded, default=0)


def read_identity(conn: sqlite3.Connection) -> FileIdentity:
    """Raises sqlite3.DatabaseError when the file cannot be read (damaged): the caller reports that."""
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    user_version = conn.execute("PRAGMA user_version").fetchone()[0]
    has_objects = conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()[0] > 0
    recorded: dict[int, str] = {}
    shaped = conn.execute(
        "SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name IN ('version', 'name')"
    ).fetchone()[0] == 2
    if shaped:
        for version, name in conn.execute("SELECT version, name FROM schema_migrations"):
            if isinstance(version, int):
                recorded[version] = str(name)
    return FileIdentity(application_id, user_version, has_objects, recorded)


def foreign_reason(identity: FileIdentity) -> str | None:
    """Why the file is not a Kaigo Desktop database (Japanese), or None when it is ours, or an empty SQLite
    file that holds nothing yet (it becomes ours as a new file would)."""
    if identity.application_id == APPLICATION_ID:
        return None
    if identity.application_id != 0:
        return f"別のアプリケーションのファイルです（application_id {identity.application_id:#010x}）"
    if not identity.has_objects and identity.user_version == 0:
        return None
    ours = {m.version: m.name for m in migrations.available_migrations()}
    known = {version: name for version, name in identity.recorded.items() if version in ours}
    if 1 not in known or any(ours[version] != name for version, name in known.items()):
        return "Kaigo Desktop で作成した形跡（スキーマの更新記録）がありません"
    return None


def version_mismatch(identity: FileIdentity) -> str | None:
    """Why the file's PRAGMA user_version disagrees with the migrations it recorded (they are written in
    the same transaction, so they always agree in a file we wrote), or None."""
    if identity.recorded and identity.user_version != identity.recorded_version:
        return (f"スキーマの版（{identity.user_version}）が記録された更新（{identity.recorded_version}）と"
                "一致しません")
    return None


def schema_objects(conn: sqlite3.Connection) -> frozenset[tuple[str, str]]:
    """(type, name) of every table, index, trigger and view; SQLite's own (sqlite_…) left out."""
    rows = conn.execute("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    return frozenset((str(kind), str(name)) for kind, name in rows)


@functools.lru_cache(maxsize=4)
def expected_objects(version: int) -> frozenset[tuple[str, str]]:
    """The objects a fresh database migrated to `version` holds (made once per version, in memory)."""
    conn = connect(":memory:", isolation_level=None)
    try:
        for migration in migrations.available_migrations()[:version]:
            migrations.apply_migration(conn, migration)
        return schema_objects(conn)
    finally:
        conn.close()


@dataclass(frozen=True)
class SchemaDifference:
    foreign: list[tuple[str, str]]  # made by someone else
    missing: list[tuple[str, str]]  # ours, but gone

    def describe(self) -> list[str]:
        """One Japanese line per object."""
        return ([f"このアプリが作成していない{_KIND_LABELS.get(kind, kind)}があります: {name}"
                 for kind, name in self.foreign]
                + [f"このアプリの{_KIND_LABELS.get(kind, kind)}がありません: {name}" for kind, name in self.missing])

    def __bool__(self) -> bool:
        return bool(self.foreign or self.missing)


def schema_difference(conn: sqlite3.Connection, version: int | None = None) -> SchemaDifference:
    """How the file's objects differ from those of a fresh database of its schema version."""
    if version is None:
        version = migrations.schema_version(conn)
    actual, expected = schema_objects(conn), expected_objects(version)
    return SchemaDifference(sorted(actual - expected), sorted(expected - actual))
