"""Opening the database file safely (pragmas, version check, backup, migrations) and writing to it in
transactions that stamp who, when and which change."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar


from kaigo_desktop.domain import roles
from kaigo_desktop.storage import audit_log, lock, migrations, ownership, sqlite_errors
from kaigo_desktop.storage.backup import (
    backup_database,
    has_sqlite_header,
    newest_good_backup,
    timestamped_backup_path,
)
from kaigo_desktop.storage.errors import (
    CorruptDatabaseError,
    DatabaseMissingError,
    FolderNotWritableError,
    ForeignDatabaseError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyDatabaseError,
    StorageError,
)
from kaigo_desktop.storage.connections import connect, pragma_for_block
from kaigo_desktop.storage.ids import new_id
from kaigo_desktop.storage.location import location_warning

T = TypeVar("T")

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


def _read_uri(path: Path, *, exclusive: bool) -> str:
    """How to read the file without writing beside it. When no connection anywhere can be writing it
    (`exclusive`) and no -wal holds part of it, immutable: SQLite then creates no -wal/-shm. Otherwise plain
    read-only, which sees what a writer commits."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    wal = Path(f"{path}-wal")
    if exclusive and not (wal.exists() and wal.stat().st_size > 0):
        uri += "&immutable=1"
    return uri


def _damaged(path: Path, detail: str, exclusive: bool) -> CorruptDatabaseError:
    newest = newest_good_backup(path, exclusive=exclusive)
    offer = (f"最新の正常なバックアップ（{newest.name}）から復元できます。" if newest
             else "正常なバックアップが見つかりません。")
    summary = detail.strip().splitlines()[-1] if detail.strip() else ""  # not SQLite's page-by-page detail
    return CorruptDatabaseError(
        f"データベースファイルが壊れているか、データベースではありません: {path}（{summary[:120]}）。{offer}"
        "壊れたファイルは削除も上書きもせず、復元するときは別名で残します。",
        path=path, newest_backup=newest)


def _write_protected(path: Path) -> FolderNotWritableError:
    return FolderNotWritableError(
        f"このファイルは書き込みが禁止されているため、編集用に開けません: {path}（読み取り専用で開くことはできます）")


def _foreign(path: Path, reason: str) -> ForeignDatabaseError:
    return ForeignDatabaseError(
        f"このファイルは Kaigo Desktop のデータベースではないため開けません: {path}（{reason}）。"
        "ほかのアプリケーションのファイルは変更しません。Kaigo Desktop のデータベース（.sqlite3）を選んでください。",
        path=path)


def _inspect_existing_file(path: Path, *, exclusive: bool, quick_check: bool = True) -> int:
    """The file's schema version, after making sure it is ours and a quick integrity check, read without
    writing anything to it. Another application's SQLite file raises ForeignDatabaseError. Without
    `quick_check` the integrity check is left to the caller, but only for a file of the current version: a
    file to be migrated is always checked first."""
    if not has_sqlite_header(path):
        raise _damaged(path, "SQLite のデータベースファイルではありません", exclusive)
    try:
        probe = connect(_read_uri(path, exclusive=exclusive), uri=True)
    except sqlite3.Error as error:
        raise NotADatabaseError(f"データベースを開けません: {path}（{error}）") from error
    try:
        identity = ownership.read_identity(probe)
        reason = ownership.foreign_reason(identity)
        if reason is not None:
            raise _foreign(path, reason)
        version = identity.user_version
        if version > migrations.latest_version():
            return version  # a newer app's file: refused by the caller, not checked with our eyes
        mismatch = ownership.version_mismatch(identity)
        if mismatch is not None:
            # Migrating it would run again what it already holds (or skip what it lacks).
            raise _damaged(path, mismatch, exclusive)
        if not quick_check and version == migrations.latest_version():
            return version
        problems = [row[0] for row in probe.execute("PRAGMA quick_check") if row[0] != "ok"]
        problems.sort(key=lambda text: "malformed" not in text)  # SQLite's summary line first
    except sqlite3.DatabaseError as error:
        raise _damaged(path, str(error), exclusive) from error
    finally:
        probe.close()
    if problems:
        raise _damaged(path, problems[0], exclusive)
    return version


def quick_check_problems(conn: sqlite3.Connection) -> list[str]:
    """SQLite's quick check, its summary line first; [] for a sound file."""
    problems = [row[0] for row in conn.execute("PRAGMA quick_check") if row[0] != "ok"]
    problems.sort(key=lambda text: "malformed" not in text)
    return problems


def _raise_if_damaged(conn: sqlite3.Connection, path: Path, exclusive: bool) -> None:
    try:
        problems = quick_check_problems(conn)
    except sqlite3.DatabaseError as error:
        raise _damaged(path, str(error), exclusive) from error
    if problems:
        raise _damaged(path, problems[0], exclusive)


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

    @functools.cached_property
    def utils(self) -> Any:
        """sqlite-utils over the same connection (its savepoint handling serves nested writes); imported
        on first use because it costs about 60 ms of start-up."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def __init__(self, conn: sqlite3.Connection, path: Path, user: str = ""):
        self.conn = conn
        self.path = path
        self.user = user
        # Who is acting (services/rights.py asks it); the logged-in user's Actor once users exist. A database
        # with users reads only until someone logs in (services/users.login), so no path writes unnamed.
        from kaigo_desktop.storage.user_queries import has_users  # it imports this module

        self.actor: roles.Actor = roles.NOBODY if has_users(conn) else roles.IMPLICIT_ADMIN
        self.database_id = self.meta("database_id") or ""
        self._stamp: WriteStamp | None = None
        self.reference_cache: dict[str, Any] = {}
        self.readonly = False
        # Things the user should hear about but that do not stop the work (a network or cloud folder).
        self.warnings: list[str] = []
        self._lock: lock.DatabaseLock | None = None
        # Whether writes are audited (every database our migrations made: older ones only in tests).
        self._audited = audit_log.is_installed(conn)
        self.quick_checked_at_open = False
        self._exclusive_at_open = True

    def damaged_error(self, detail: str) -> Exception:
        """The error Database.open raises for a damaged file (it names the newest good backup)."""
        return _damaged(self.path, detail, self._exclusive_at_open)

    def read_in_parallel(self, *jobs: Callable[["Database"], T]) -> list[T]:
        """Run each job at the same time on its own read-only connection to this file (SQLite lets go of
        Python while it reads, so a long check uses every core); their results in the order given."""
        from concurrent.futures import ThreadPoolExecutor

        uri = f"{self.path.resolve().as_uri()}?mode=ro"

        def run(job: Callable[["Database"], T]) -> T:
            conn = connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            try:
                _configure(conn, readonly=True)
                reader = Database(conn, self.path, self.user)
                reader.readonly = True
                return job(reader)
            finally:
                conn.close()

        with ThreadPoolExecutor(len(jobs)) as pool:
            return [future.result() for future in [pool.submit(run, job) for job in jobs]]

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
        quick_check: bool = True,
    ) -> "Database":
        """Open for writing (one writer: the lock file beside it, DatabaseInUseError when another program
        has it) or read-only (never writes the file, nor a -wal/-shm when nobody else has it open).
        A damaged file raises CorruptDatabaseError naming the newest good backup; it is left untouched.
        `quick_check=False` (the `check` command, which runs it beside its other reads and raises the same
        error: `raise_if_damaged`) skips the quick check of a file that needs no migration and no write here."""
        path = Path(path)
        latest = migrations.latest_version()
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise DatabaseMissingError(f"データベースファイルがありません: {path}")
        if readonly and not exists:
            raise DatabaseMissingError(f"データベースファイルがありません: {path}")
        if not exists:
            path.parent.mkdir(parents=True, exist_ok=True)
        # Nobody can be writing while we read it for the checks: another program would hold the lock, and
        # this one has no other connection to it.
        exclusive = not lock.writer_active(path) if readonly else not lock.held_here(path)
        held = None if readonly else lock.acquire(path, user)
        try:
            database = cls._open_checked(path, exists=exists, latest=latest, user=user,
                                         backup_before_upgrade=backup_before_upgrade, readonly=readonly,
                                         exclusive=exclusive, quick_check=quick_check)
        except BaseException:
            if held is not None:
                held.release()
            raise
        database._lock = held
        database.readonly = readonly
        warning = location_warning(path)
        if warning:
            database.warnings.append(warning)
        return database

    @classmethod
    def _open_checked(cls, path: Path, *, exists: bool, latest: int, user: str, backup_before_upgrade: bool,
                      readonly: bool, exclusive: bool, quick_check: bool = True) -> "Database":
        if exists:
            version = _inspect_existing_file(path, exclusive=exclusive, quick_check=quick_check)
            if version > latest:
                raise NewerSchemaError(
                    f"このデータベースは新しい版の Kaigo Desktop で作成されています（スキーマ {version}、"
                    f"この版は {latest} まで）。アプリを更新してから開いてください。ファイルは変更していません。",
                    path=path, newest_backup=newest_good_backup(path, exclusive=exclusive))
        else:
            version = 0
        if exists and not readonly and not os.access(path, os.W_OK):
            # A write-protected file (copied from a CD, a read-only attribute) in a writable folder: SQLite
            # would open it read-only without a word and fail at the first save.
            raise _write_protected(path)
        uri = _read_uri(path, exclusive=exclusive) if readonly else f"{path.resolve().as_uri()}?mode=rwc"
        conn = None
        try:
            # Still one thread at a time: the thread that opened it, or a bulk import's helper writing a chunk
            # while that thread reads the file and keeps off the connection (services/background_write.py).
            conn = connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            _configure(conn, readonly=readonly)
        except sqlite3.DatabaseError as error:
            if conn is not None:
                conn.close()
            if sqlite_errors.environment_kind(error) == ReadOnlyDatabaseError.kind:
                raise _write_protected(path) from error
            raise NotADatabaseError(f"データベースを開けません: {path}（{error}）") from error
        try:
            if version < latest:
                if readonly:
                    raise StorageError("読み取り専用ではデータベースを更新できません。")
                if exists and backup_before_upgrade:
                    backup_database(conn, timestamped_backup_path(path, f"before-v{latest}"))
                for migration in migrations.pending_migrations(conn):
                    migrations.apply_migration(conn, migration)
            checked = quick_check or not exists or version < latest
            if not checked and not readonly and (
                    conn.execute("PRAGMA application_id").fetchone()[0] != ownership.APPLICATION_ID
                    or not conn.execute("SELECT 1 FROM db_meta WHERE key = 'database_id'").fetchone()):
                _raise_if_damaged(conn, path, exclusive)  # about to write to it: never to an unchecked file
                checked = True
            if not readonly and conn.execute("PRAGMA application_id").fetchone()[0] != ownership.APPLICATION_ID:
                # New files, and files of ours made before the stamp existed (known by their migrations).
                conn.execute(f"PRAGMA application_id = {ownership.APPLICATION_ID}")
            database = cls(conn, path, user)
            database.quick_checked_at_open = exists and checked  # PRAGMA quick_check ran on it
            database._exclusive_at_open = exclusive
            if not database.database_id and not readonly:
                database._initialise_meta()
            return database
        except sqlite3.DatabaseError as error:
            conn.close()
            if quick_check:
                raise
            raise _damaged(path, str(error), exclusive) from error  # the unchecked file could not be read
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
        try:
            self.conn.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

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

    def set_meta(self, key: str, value: str) -> None:
        """A fact about this file (not exchanged with other PCs, unlike the settings)."""
        with self.write():
            self.conn.execute("INSERT INTO db_meta (key, value) VALUES (?, ?)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def give_new_database_id(self) -> str:
        """A file copied to another PC keeps the original's id; exchange needs each PC's file to have its own.
        Records made so far keep their origin (their versions stay unique by time)."""
        with self.write():
            self.conn.execute("UPDATE db_meta SET value = ? WHERE key = 'database_id'", (new_id(),))
        self.database_id = self.meta("database_id") or ""
        return self.database_id

    @property
    def audit_name(self) -> str:
        """Who the audit trail names for this connection's writes: the logged-in user, else the name given."""
        return self.user if self.actor.implicit else self.actor.name

    @contextlib.contextmanager
    def page_cache(self, mebibytes: int) -> Iterator[None]:
        """A larger page cache for one bulk write. A transaction bigger than the cache spills pages to the WAL,
        and a spilled page changed again is written again: a million-row import wrote the WAL over and over
        with SQLite's default 2 MiB. The cache is memory taken only as pages are read, given back after."""
        with pragma_for_block(self.conn, "cache_size", -1024 * int(mebibytes)):  # negative: KiB, not pages
            yield

    def audit_operation(self, operation: str) -> None:
        """Inside write(): say what the following rows are part of (the audit entries' detail)."""
        if self._audited and self._stamp is not None:
            audit_log.set_operation(self.conn, operation)

    @contextlib.contextmanager
    def write(self) -> Iterator[WriteStamp]:
        """One transaction (BEGIN IMMEDIATE, so a second writer waits instead of failing midway);
        nested calls become savepoints of the outer one and share its stamp."""
        if self._stamp is not None:
            with self.utils.atomic():
                yield self._stamp
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")  # waits busy_timeout for another writer, then fails: busy
            seq = self.conn.execute(
                "INSERT INTO db_meta (key, value) VALUES ('change_seq', '1') "
                "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value"
            ).fetchone()[0]
            self._stamp = WriteStamp(utc_now(), self.user, self.database_id, int(seq))
            if self._audited:
                audit_log.begin(self.conn, at=self._stamp.at, user_name=self.audit_name, pc=lock.pc_name(),
                                origin_db=self.database_id)
            yield self._stamp
            if self._audited:
                audit_log.seal(self.conn)
            self.conn.execute("COMMIT")
        except BaseException as error:
            locked = (sqlite_errors.is_period_locked(error)
                      and _period_queries().period_locked_error(self.conn))  # named before the rollback
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if locked:  # a bulk write refused by a 年度's lock: the Japanese refusal, naming the 年度
                raise locked from error
            # a locked, full, read-only or damaged file is the user's to act on, not a bug
            problem = sqlite_errors.environment_error(error, path=self.path)
            if problem is not None:
                raise problem from error
            raise
        finally:
            self._stamp = None


def _period_queries():
    from kaigo_desktop.storage import period_queries  # it imports this module

    return period_queries
