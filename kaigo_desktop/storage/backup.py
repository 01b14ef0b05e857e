"""Copies of a live database through SQLite's online backup API (never a raw copy of a WAL file), their
names and contents, and putting a copy back in place of a database file.

Every copy is written under a temporary name, checked with integrity_check, flushed to disk (file and
folder) and only then renamed to its final name: a backup that exists is a whole, verified file, and a
failure (disk full, read-only folder, a USB stick pulled out) leaves nothing behind and never touches the
database itself."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from kaigo_desktop.domain.text import is_digits
from kaigo_desktop.storage import lock, migrations, ownership, sqlite_errors
from kaigo_desktop.storage.connections import connect
from kaigo_desktop.storage.errors import (
    BackupFailedError,
    DatabaseUnreachableError,
    DiskFullError,
    ReadOnlyDatabaseError,
)

SQLITE_HEADER = b"SQLite format 3\x00"
BACKUP_FOLDER_NAME = "backups"
BACKUP_FOLDER_KEY = "backup_folder"  # settings key of a folder the user chose (a USB drive …)
PARTIAL_SUFFIX = ".partial"
STAMP_FORMAT = "%Y%m%d-%H%M%S"
# Why a copy was made; part of its file name. Copies made around risky operations (before an upgrade or a
# restore) are never thinned away.
ROUTINE_REASONS = ("manual", "auto", "timed", "close")
REASON_PATTERN = r"before-[a-z0-9]+|[a-z]+"
_NAME_TAIL = re.compile(rf"^(?P<reason>{REASON_PATTERN})-(?P<stamp>\d{{8}}-\d{{6}})(?:-(?P<seq>\d+))?\.sqlite3$")
_NAME = re.compile(rf"^(?P<stem>.+?)-(?P<reason>{REASON_PATTERN})-(?P<stamp>\d{{8}}-\d{{6}})(?:-(?P<seq>\d+))?"
                   r"\.sqlite3$")
# Record tables counted in a backup's summary (live rows only).
SUMMARY_TABLES = ("places", "gatherings", "promoters", "activities")
# A copy that reports progress goes in steps of this many pages (4 MB of 4 KB pages): about 130 steps for a
# 500 MB file, some 15 ms each here, so a progress bar moves smoothly and a cancel is seen at once.
COPY_STEP_PAGES = 1024
# How many SQLite virtual-machine instructions pass between two looks at "cancelled?" during a check.
CHECK_POLL_INSTRUCTIONS = 20_000

PageProgress = Callable[[int, int], None]  # (pages copied, pages in all)
Cancelled = Callable[[], bool]


class CopyCancelled(Exception):
    """The user stopped a copy or a check. Whatever it had written is removed; its source is untouched."""


@dataclass(frozen=True)
class BackupName:
    stem: str
    reason: str
    created_at: datetime
    seq: int = 1  # the n-th copy of that second (the first has no number in its name)

    @property
    def routine(self) -> bool:
        return self.reason in ROUTINE_REASONS


@dataclass(frozen=True)
class FileSummary:
    """What a database or backup file holds, read without writing to it."""

    schema_version: int
    database_id: str
    change_seq: int
    counts: dict[str, int] = field(default_factory=dict)


# ---- names and folders ----------------------------------------------------------------------------

def default_backup_folder(database_path: Path) -> Path:
    """Backups live beside the database (for the usual database, <data folder>/backups)."""
    return Path(database_path).parent / BACKUP_FOLDER_NAME


def parse_backup_name(name: str, stem: str | None = None) -> BackupName | None:
    """The parts of a backup's file name, or None when it is not one of ours (of `stem`, when given)."""
    if stem is not None:
        if not name.startswith(stem + "-"):
            return None
        match = _NAME_TAIL.match(name[len(stem) + 1:])
        found_stem = stem
    else:
        match = _NAME.match(name)
        found_stem = match.group("stem") if match else ""
    if not match:
        return None
    try:
        created = datetime.strptime(match.group("stamp"), STAMP_FORMAT)
    except ValueError:
        return None
    return BackupName(found_stem, match.group("reason"), created, int(match.group("seq") or 1))


def new_backup_path(folder: Path, database_path: Path, reason: str, when: datetime | None = None) -> Path:
    """A file name in `folder` not used yet: <stem>-<reason>-<YYYYmmdd-HHMMSS>[-n].sqlite3."""
    if not re.fullmatch(REASON_PATTERN, reason):
        raise ValueError(f"バックアップの理由に使えない文字があります: {reason}")
    moment = (when or datetime.now()).replace(microsecond=0)
    stamp = moment.strftime(STAMP_FORMAT)
    stem = Path(database_path).stem
    # Several copies in one second are numbered after every copy of that second already there (finished
    # or not, of any reason), so that the numbers keep their order even after thinning removed some.
    seqs = [0]
    with contextlib.suppress(OSError):
        for entry in Path(folder).glob(f"{glob.escape(stem)}-*-{stamp}*"):
            name = entry.name.removesuffix(PARTIAL_SUFFIX)
            parsed = parse_backup_name(name, stem)
            if parsed is not None and parsed.created_at == moment:
                seqs.append(parsed.seq)
    seq = max(seqs) + 1
    suffix = f"-{seq}" if seq > 1 else ""
    return Path(folder) / f"{stem}-{reason}-{stamp}{suffix}.sqlite3"


def timestamped_backup_path(database_path: Path, label: str) -> Path:
    return new_backup_path(default_backup_folder(database_path), database_path, label)


def configured_backup_folder(conn: sqlite3.Connection) -> Path | None:
    """The folder chosen in the settings, read best-effort (the file may be damaged)."""
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (BACKUP_FOLDER_KEY,)).fetchone()
    except sqlite3.Error:
        return None
    return Path(row[0]) if row and row[0] else None


# ---- disk ------------------------------------------------------------------------------------------

def fsync_file(path: Path) -> None:
    # Windows flushes only handles opened for writing.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable. Windows cannot open a folder for this (NTFS journals renames)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


def _sidecars(path: Path) -> tuple[Path, Path, Path]:
    return Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")


def failure_message(error: BaseException, where: Path) -> str:
    """Japanese for why writing to `where` failed, with what to do about it."""
    code = getattr(error, "errno", None)  # an OSError's
    sqlite_kind = sqlite_errors.environment_kind(error)  # a sqlite3 error's, by its result code
    if code == errno.ENOSPC or sqlite_kind == DiskFullError.kind:
        return f"保存先の空き容量が足りません: {where}。不要なファイルを削除するか、別の保存先を選んでください。"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or sqlite_kind == ReadOnlyDatabaseError.kind:
        return (f"保存先に書き込めません（読み取り専用か、書き込みの権限がありません）: {where}。"
                "別の保存先を選んでください。")
    if code == errno.ENOENT or sqlite_kind == DatabaseUnreachableError.kind:
        return (f"保存先のフォルダに書き込めません: {where}。フォルダがあるか（USBメモリが外れていないか）"
                "確認してください。")
    return f"保存できませんでした: {where}（{error}）"


# ---- copying ----------------------------------------------------------------------------------------

def _check(conn: sqlite3.Connection, pragma: str, cancelled: Cancelled | None) -> list[str]:
    """Run an integrity_check or quick_check; with `cancelled`, SQLite asks it now and then and stops the
    check (CopyCancelled) when it says yes."""
    if cancelled is None:
        return [row[0] for row in conn.execute(f"PRAGMA {pragma}")]
    conn.set_progress_handler(lambda: 1 if cancelled() else 0, CHECK_POLL_INSTRUCTIONS)
    try:
        return [row[0] for row in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.OperationalError:
        if cancelled():
            raise CopyCancelled() from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


def _copy_pages(source: sqlite3.Connection, target: sqlite3.Connection, progress: PageProgress | None,
                cancelled: Cancelled | None) -> None:
    if progress is None and cancelled is None:
        source.backup(target)  # one step: nothing to report, nobody to ask
        return

    def step(_status: int, remaining: int, total: int) -> None:
        if cancelled is not None and cancelled():
            raise CopyCancelled()  # sqlite3 aborts the backup when the callback raises
        if progress is not None:
            progress(total - remaining, total)
    source.backup(target, pages=COPY_STEP_PAGES, progress=step)


def backup_database(source: sqlite3.Connection, destination: Path, *, progress: PageProgress | None = None,
                    cancelled: Cancelled | None = None) -> Path:
    """Write a consistent copy of `source` to `destination` (which must not exist yet), verified, or raise
    BackupFailedError leaving neither `destination` nor a partial file behind. With `progress` the copy goes
    in steps, each reported as (pages copied, pages in all); `cancelled` is asked at every step and during
    the check: when it says yes, CopyCancelled is raised and nothing is left behind either."""
    destination = Path(destination)
    partial = destination.with_name(destination.name + PARTIAL_SUFFIX)
    if destination.exists():
        raise BackupFailedError(f"同じ名前のファイルが既にあるため保存しません: {destination}")
    if source.in_transaction:
        raise BackupFailedError("書き込みの途中ではバックアップできません。")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        _remove_quietly(partial, *_sidecars(partial))
        target = connect(partial, isolation_level=None)
        try:
            _copy_pages(source, target, progress, cancelled)
            # The copy is one self-contained file (no -wal beside it), safe to carry on a USB stick.
            target.execute("PRAGMA journal_mode = DELETE")
            result = _check(target, "integrity_check", cancelled)
        finally:
            target.close()
        if result != ["ok"]:
            raise BackupFailedError(f"バックアップの検証に失敗しました（{'; '.join(result[:3])}）: {destination}")
        fsync_file(partial)
        if destination.exists():
            raise BackupFailedError(f"同じ名前のファイルが既にあるため保存しません: {destination}")
        os.replace(partial, destination)
        fsync_folder(destination.parent)
    except (BackupFailedError, CopyCancelled):
        _remove_quietly(partial, *_sidecars(partial))
        raise
    except (OSError, sqlite3.Error) as error:
        _remove_quietly(partial, *_sidecars(partial))
        raise BackupFailedError(failure_message(error, destination)) from error
    return destination


def _connect_readonly(path: Path, exclusive: bool | None = None) -> sqlite3.Connection:
    """Read a database file without writing anything beside it: immutable when nothing can be writing it
    (`exclusive`; by default: no program holds its lock) and no -wal holds part of it, a plain read-only
    connection otherwise."""
    uri = Path(path).resolve().as_uri()
    wal = Path(f"{path}-wal")
    if exclusive is None:
        exclusive = not lock.writer_active(Path(path))
    if exclusive and not (wal.exists() and wal.stat().st_size > 0):
        return connect(f"{uri}?mode=ro&immutable=1", uri=True)
    return connect(f"{uri}?mode=ro", uri=True)


def copy_database_file(source_path: Path, destination: Path, *, exclusive: bool | None = None,
                       progress: PageProgress | None = None, cancelled: Cancelled | None = None) -> Path:
    """backup_database from a file that is not open here (a backup being restored, a closed database)."""
    try:
        source = _connect_readonly(source_path, exclusive)
    except (OSError, sqlite3.Error) as error:
        raise BackupFailedError(f"ファイルを開けません: {source_path}（{error}）") from error
    try:
        return backup_database(source, destination, progress=progress, cancelled=cancelled)
    finally:
        source.close()


# ---- reading copies ---------------------------------------------------------------------------------

def has_sqlite_header(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def file_problems(path: Path, *, quick: bool = True, exclusive: bool | None = None,
                  cancelled: Cancelled | None = None) -> list[str]:
    """Why the file at `path` is not a sound SQLite database ([] when it is), read-only. `cancelled` is
    asked during the check (CopyCancelled when it says yes)."""
    if not has_sqlite_header(path):
        return ["SQLite のデータベースファイルではありません"]
    try:
        conn = _connect_readonly(path, exclusive)
        try:
            rows = _check(conn, "quick_check" if quick else "integrity_check", cancelled)
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as error:
        return [str(error)]
    return [row for row in rows if row != "ok"]


def restore_refusal(path: Path, *, exclusive: bool | None = None) -> str | None:
    """Why the file at `path` must not be put in place of our database (Japanese), or None: it must be ours,
    of a schema version we know that agrees with the migrations it recorded, and hold exactly the objects
    our migrations make for that version. Read-only; its integrity is checked separately (file_problems)."""
    try:
        conn = _connect_readonly(path, exclusive)
        try:
            identity = ownership.read_identity(conn)
            reason = ownership.foreign_reason(identity)
            if reason is not None:
                return f"Kaigo Desktop のデータベースではありません（{reason}）"
            if not identity.has_objects:
                return "空のデータベースです"
            if identity.user_version > migrations.latest_version():
                return (f"新しい版の Kaigo Desktop で作成されています（スキーマ {identity.user_version}、この版は"
                        f" {migrations.latest_version()} まで）。アプリを更新してから復元してください")
            mismatch = ownership.version_mismatch(identity)
            if mismatch is not None:
                return mismatch
            difference = ownership.schema_difference(conn, identity.user_version)
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as error:
        return f"読み取れません（{error}）"
    if difference:
        lines = difference.describe()
        more = f" ほか{len(lines) - 3}件" if len(lines) > 3 else ""
        return "、".join(lines[:3]) + more
    return None


def read_summary(path: Path) -> FileSummary:
    """Schema version, database id, change counter and live record counts of a (backup) file."""
    conn = _connect_readonly(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]

        def meta(key: str) -> str:
            try:
                row = conn.execute("SELECT value FROM db_meta WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                return ""
            return row[0] if row else ""

        counts = {}
        for table in SUMMARY_TABLES:
            try:
                counts[table] = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE deleted_at IS NULL").fetchone()[0]
            except sqlite3.Error:
                continue
        seq = meta("change_seq")
        return FileSummary(version, meta("database_id"), int(seq) if is_digits(seq) else 0, counts)
    finally:
        conn.close()


def backups_in(folder: Path, stem: str | None = None) -> list[tuple[Path, BackupName]]:
    """Our finished backup files in `folder` (of databases named `stem`, when given), newest first."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        parsed = parse_backup_name(entry.name, stem)
        if parsed is not None:
            try:
                if entry.is_file():
                    found.append((entry, parsed, entry.stat().st_mtime_ns))
            except OSError:
                continue
    found.sort(key=lambda item: (item[1].created_at, item[1].seq, item[2]), reverse=True)
    return [(entry, parsed) for entry, parsed, _ in found]


def newest_good_backup(database_path: Path, folders: list[Path] | None = None, *, tries: int = 10,
                       exclusive: bool | None = None) -> Path | None:
    """The newest backup of this database that passes quick_check, searched in `folders` (default: the
    folder beside it and the folder named in the file's settings, if still readable; `exclusive` as for
    reading it without a -wal/-shm)."""
    database_path = Path(database_path)
    if folders is None:
        folders = [default_backup_folder(database_path)]
        with contextlib.suppress(OSError, sqlite3.Error):
            conn = _connect_readonly(database_path, exclusive)
            try:
                configured = configured_backup_folder(conn)
            finally:
                conn.close()
            if configured is not None:
                folders.append(configured)
    candidates: list[tuple[Path, BackupName]] = []
    for folder in dict.fromkeys(folders):
        candidates += backups_in(folder, database_path.stem)
    candidates.sort(key=lambda item: (item[1].created_at, item[1].seq), reverse=True)
    for path, _ in candidates[:tries]:
        if not file_problems(path) and restore_refusal(path) is None:
            return path
    return None


# ---- putting a copy in place ------------------------------------------------------------------------

def keep_damaged_copy(database_path: Path, when: datetime | None = None) -> Path:
    """Copy a damaged database (and its -wal) aside as <name>.damaged-YYYYmmdd-HHMMSS byte for byte: it
    cannot be read through SQLite, and whatever can still be rescued from it must survive the restore."""
    stamp = (when or datetime.now()).strftime(STAMP_FORMAT)
    aside = database_path.with_name(f"{database_path.name}.damaged-{stamp}")
    seq = 1
    while aside.exists():
        seq += 1
        aside = database_path.with_name(f"{database_path.name}.damaged-{stamp}-{seq}")
    partial = aside.with_name(aside.name + PARTIAL_SUFFIX)
    copies = [(database_path, aside)]
    wal = Path(f"{database_path}-wal")
    if wal.exists():
        copies.append((wal, Path(f"{aside}-wal")))
    try:
        for source, target in copies:
            partial = target.with_name(target.name + PARTIAL_SUFFIX)
            shutil.copyfile(source, partial)
            fsync_file(partial)
            os.replace(partial, target)
        fsync_folder(database_path.parent)
    except OSError as error:
        _remove_quietly(partial)
        raise BackupFailedError(failure_message(error, aside)) from error
    return aside


def checkpoint_closed_database(database_path: Path) -> None:
    """Fold a closed database's -wal back into the file, so that the file alone holds everything."""
    conn = connect(database_path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _replace_patiently(source: Path, target: Path, tries: int = 5) -> None:
    """os.replace, tried again for a moment when Windows refuses because a virus scanner or the search
    indexer has just opened the target."""
    for attempt in range(tries):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def prepare_replacement(backup_path: Path, database_path: Path, *, verified: bool = False,
                        progress: PageProgress | None = None, cancelled: Cancelled | None = None) -> Path:
    """A verified copy of `backup_path` beside `database_path` under a temporary name, for put_in_place; the
    database itself is not touched. `verified`: the caller has just run integrity_check on the backup (the
    copy is checked again all the same). Progress and cancel as for backup_database."""
    if not verified:
        problems = file_problems(backup_path, quick=False, cancelled=cancelled)
        if problems:
            raise BackupFailedError(f"このバックアップは壊れているため復元できません: {backup_path}（{problems[0]}）")
    refusal = restore_refusal(backup_path)
    if refusal is not None:
        raise BackupFailedError(restore_refusal_message(backup_path, refusal))
    temporary = database_path.with_name(database_path.name + ".restoring")
    _remove_quietly(temporary, *_sidecars(temporary))
    copy = copy_database_file(backup_path, temporary, progress=progress, cancelled=cancelled)
    # What will be put in place is the copy: it is judged again, so a file changed meanwhile cannot slip in.
    refusal = restore_refusal(copy, exclusive=True)
    if refusal is not None:
        discard_replacement(copy)
        raise BackupFailedError(restore_refusal_message(backup_path, refusal))
    return copy


def restore_refusal_message(backup_path: Path, refusal: str) -> str:
    return (f"このファイルは復元に使えません: {backup_path}（{refusal}）。データベースは変更していません。")


def discard_replacement(copy: Path) -> None:
    """Remove a copy made by prepare_replacement that will not be put in place (the restore was cancelled)."""
    _remove_quietly(copy, *_sidecars(copy))


def put_in_place(copy: Path, database_path: Path) -> None:
    """Replace the database file by `copy` (from prepare_replacement) in one rename. The caller has made
    sure the current file is kept (backed up or copied aside) and that nothing has it open."""
    try:
        # A -wal left beside the old file would be replayed onto the restored one; its content is in the
        # copy the caller kept.
        _remove_quietly(*_sidecars(database_path))
        _replace_patiently(copy, database_path)
        fsync_folder(database_path.parent)
    except OSError as error:
        _remove_quietly(copy)
        raise BackupFailedError(failure_message(error, database_path)) from error

