"""Opening the database file safely (pragmas, version check, backup, migrations) and writing to it in
transactions that stamp who, when and which change."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from kaigo_desktop.storage import migrations
from kaigo_desktop.storage.backup import backup_database, timestamped_backup_path
from kaigo_desktop.storage.errors import (
    DatabaseMissingError,
    NewerSchemaError,
    NotADatabaseError,
    StorageError,
)
from kaigo_desktop.storage.ids import new_id

T = TypeVar("T")

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class WriteStamp:
    """What every row written in one transaction is stamped with."""

    at: str
    by: str
    origin_db: str
    change_seq: int


def _inspect_existing_file(path: Path) -> int:
    """The file's schema version, read without writing anything to it."""
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotADatabaseError(f"SQLite のデータベースファイルではありません: {path}")
    probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return probe.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise NotADatabaseError(f"データベースファイルが壊れているか読めません: {path}（{error}）") from error
    finally:
        probe.close()


def _configure(conn: sqlite3.Connection, *, readonly: bool) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable in WAL mode except for the last commit on power loss; FULL loses nothing.
        conn.execute("PRAGMA synchronous = FULL")


class Database:
    """One open database file. Not thread-safe by design: one worker thread owns it."""

    def __init__(self, conn: sqlite3.Connection, path: Path, user: str = ""):
        self.conn = conn
        self.path = path
        self.user = user
        self.utils = sqlite_utils.Database(conn)
        self.database_id = self.meta("database_id") or ""
        self._stamp: WriteStamp | None = None
        self.reference_cache: dict[str, Any] = {}

    # ---- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        create: bool = False,
        user: str = "",
        backup_before_upgrade: bool = True,
        readonly: bool = False,
    ) -> "Database":
        path = Path(path)
        latest = migrations.latest_version()
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise DatabaseMissingError(f"データベースファイルがありません: {path}")
        if exists:
            version = _inspect_existing_file(path)
            if version > latest:
                raise NewerSchemaError(
                    f"このデータベースは新しい版の Kaigo Desktop で作成されています（スキーマ {version}、"
                    f"この版は {latest} まで）。アプリを更新してから開いてください。ファイルは変更していません。"
                )
        else:
            version = 0
            path.parent.mkdir(parents=True, exist_ok=True)
        uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None)
            _configure(conn, readonly=readonly)
        except sqlite3.DatabaseError as error:
            raise NotADatabaseError(f"データベースを開けません: {path}（{error}）") from error
        try:
            if version < latest:
                if readonly:
                    raise StorageError("読み取り専用ではデータベースを更新できません。")
                if exists and backup_before_upgrade:
                    backup_database(conn, timestamped_backup_path(path, f"before-v{latest}"))
                for migration in migrations.pending_migrations(conn):
                    migrations.apply_migration(conn, migration)
            database = cls(conn, path, user)
            if not database.database_id and not readonly:
                database._initialise_meta()
            return database
        except BaseException:
            conn.close()
            raise

    @classmethod
    def create_new(cls, path: Path | str, build: Callable[["Database"], T], *, user: str = "") -> T:
        """Make a new database file whole or not at all: built under a temporary name, moved into place
        only when `build` succeeded."""
        path = Path(path)
        if path.exists():
            raise StorageError(f"ファイルが既にあります: {path}")
        partial = path.with_name(path.name + ".creating")
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
        try:
            with cls.open(partial, create=True, user=user) as database:
                result = build(database)
                database.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            partial.replace(path)
            return result
        finally:
            for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
                leftover.unlink(missing_ok=True)

    def _initialise_meta(self) -> None:
        with self.write():
            self.conn.execute(
                "INSERT OR IGNORE INTO db_meta (key, value) VALUES ('database_id', ?), ('created_at', ?)",
                (new_id(), utc_now()),
            )
        self.database_id = self.meta("database_id") or ""

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reading -------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM db_meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def schema_version(self) -> int:
        return migrations.schema_version(self.conn)

    # ---- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[WriteStamp]:
        """One transaction (BEGIN IMMEDIATE, so a second writer waits instead of failing midway);
        nested calls become savepoints of the outer one and share its stamp."""
        if self._stamp is not None:
            with self.utils.atomic():
                yield self._stamp
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            seq = self.conn.execute(
                "INSERT INTO db_meta (key, value) VALUES ('change_seq', '1') "
                "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value"
            ).fetchone()[0]
            self._stamp = WriteStamp(utc_now(), self.user, self.database_id, int(seq))
            yield self._stamp
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._stamp = None
