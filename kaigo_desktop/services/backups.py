"""Backups of the open database (manual, timed, on close), the list of them, thinning them to recent, daily,
weekly and monthly copies, and restoring one in place of the database file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.services import backup_settings
from kaigo_desktop.storage import backup as storage
from kaigo_desktop.storage import lock
from kaigo_desktop.storage.backup import CopyCancelled
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import BackupFailedError, StorageError

REASON_LABELS = {"manual": "手動", "auto": "自動", "timed": "自動（定時）", "close": "終了時", "before-restore": "復元前"}
COUNT_LABELS = {kind: words.KIND_NAMES[kind] for kind in ("places", "gatherings", "promoters", "activities")}
# A .partial older than this was left by a backup that was interrupted (a crash, a pulled USB stick).
STALE_PARTIAL_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    reason: str
    size: int
    counts: dict[str, int] = field(default_factory=dict)
    schema_version: int = 0
    database_id: str = ""
    change_seq: int = 0
    readable: bool = True

    @property
    def reason_label(self) -> str:
        if self.reason.startswith("before-v"):
            return "更新前"
        return REASON_LABELS.get(self.reason, self.reason)

    def describe(self) -> str:
        """One Japanese line: when, why, how big, what it holds."""
        when = self.created_at.strftime("%Y-%m-%d %H:%M:%S")
        if not self.readable:
            return f"{when}  {self.reason_label}  {format_size(self.size)}  （読めません）  {self.path.name}"
        counts = "・".join(f"{COUNT_LABELS.get(k, k)} {v:,}件" for k, v in self.counts.items())
        return f"{when}  {self.reason_label}  {format_size(self.size)}  {counts}  {self.path.name}"


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    kept_copy: Path | None  # the previous database: a verified backup or the damaged file copied aside
    # (None when there was no database file)
    previous_was_damaged: bool


@dataclass(frozen=True)
class RestoreStep:
    """How far a restore has got, for a progress bar: `done` of `total` units (KiB of copying and checking),
    what it is doing now in Japanese, and whether a cancel can still leave everything as it was."""

    done: int
    total: int
    text: str
    can_cancel: bool = True


RestoreProgress = Callable[[RestoreStep], None]


def format_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)):,} KB"
    return f"{size / (1024 * 1024):,.1f} MB"


def backup_folder(db: Database, folder: Path | None = None) -> Path:
    """`folder`, else the one in the settings, else the backups folder beside the database."""
    if folder is not None:
        return Path(folder)
    configured = backup_settings.load(db).folder
    return configured if configured is not None else storage.default_backup_folder(db.path)


def backup_info(path: Path) -> BackupInfo:
    """What the backup (or any database file) at `path` holds, read without writing to it."""
    return _info(Path(path))


def _info(path: Path, name: storage.BackupName | None = None) -> BackupInfo:
    name = name or storage.parse_backup_name(path.name)
    stat = path.stat()
    created = name.created_at if name else datetime.fromtimestamp(stat.st_mtime)
    reason = name.reason if name else "manual"
    try:
        summary = storage.read_summary(path)
    except Exception:  # noqa: BLE001 - a damaged or foreign file is listed as unreadable, not fatal
        return BackupInfo(path, created, reason, stat.st_size, readable=False)
    return BackupInfo(path, created, reason, stat.st_size, summary.counts, summary.schema_version,
                      summary.database_id, summary.change_seq)


def _remove_stale_partials(folder: Path, stem: str) -> None:
    cutoff = datetime.now() - STALE_PARTIAL_AGE
    try:
        entries = list(folder.glob(f"{stem}-*.sqlite3{storage.PARTIAL_SUFFIX}"))
    except OSError:
        return
    for entry in entries:
        try:
            if datetime.fromtimestamp(entry.stat().st_mtime) < cutoff:
                entry.unlink()
        except OSError:
            pass


def make_backup(db: Database, folder: Path | None = None, reason: str = "manual", *,
                destination: Path | None = None) -> BackupInfo:
    """A verified copy of the open database: in `folder` (default: the settings' folder or the backups
    folder beside the database) under a dated name, or exactly at `destination`. Raises
    BackupFailedError (database untouched, nothing half-written left) when it cannot be written."""
    if destination is None:
        target_folder = backup_folder(db, folder)
        _remove_stale_partials(target_folder, db.path.stem)
        destination = storage.new_backup_path(target_folder, db.path, reason)
    storage.backup_database(db.conn, Path(destination))
    return _info(Path(destination))


def list_backups(folder: Path, stem: str | None = None) -> list[BackupInfo]:
    """The backups in `folder` (of the database named `stem`, when given), newest first, with what each
    holds read from the copy itself."""
    return [_info(path, name) for path, name in storage.backups_in(Path(folder), stem)]


def last_backup(db: Database, folder: Path | None = None) -> BackupInfo | None:
    found = storage.backups_in(backup_folder(db, folder), db.path.stem)
    return _info(*found[0]) if found else None


def changed_since(db: Database, info: BackupInfo | None) -> bool:
    """Whether the database holds changes the backup `info` does not have."""
    if info is None or not info.readable:
        return True
    current = db.meta("change_seq")
    return info.database_id != db.database_id or str(info.change_seq) != (current or "0")


def backup_due(last_backup_at: datetime | None, minutes: int, now: datetime | None = None) -> bool:
    """A timed backup is due: timed backups are on (minutes > 0) and the last one is at least `minutes`
    old (or there is none)."""
    if minutes <= 0:
        return False
    if last_backup_at is None:
        return True
    return (now or datetime.now()) - last_backup_at >= timedelta(minutes=minutes)


def automatic_backup(db: Database, reason: str = "timed", *, now: datetime | None = None) -> BackupInfo | None:
    """The backup the app makes by itself: on close (reason "close") whenever something changed since the
    last one, while working ("timed") only when the interval has also passed. Thinned afterwards."""
    settings = backup_settings.load(db)
    folder = backup_folder(db)
    previous = last_backup(db, folder)
    if not changed_since(db, previous):
        return None
    if reason != "close" and not backup_due(previous.created_at if previous else None,
                                            settings.interval_minutes, now):
        return None
    info = make_backup(db, folder, reason)
    thin_backups(folder, settings.keep_recent, settings.daily, settings.weekly, settings.monthly,
                 stem=db.path.stem)
    return info


# ---- thinning ---------------------------------------------------------------------------------------

def _day(moment: datetime) -> int:
    return moment.toordinal()


def _week(moment: datetime) -> int:
    return (moment.toordinal() - 1) // 7  # ordinal 1 (0001-01-01) is a Monday: weeks start on Monday


def _month(moment: datetime) -> int:
    return moment.year * 12 + moment.month


def backups_to_remove(created: list[datetime], keep_recent: int = 10, daily: int = 7, weekly: int = 4,
                      monthly: int = 12) -> set[int]:
    """Indexes (into `created`) of the copies thinning removes. As Anki's backup.rs: newest first, the
    `keep_recent` newest stay; then the newest copy of each earlier day for `daily` days, of each earlier
    week for `weekly` weeks, of each earlier month for `monthly` months; the rest go."""
    order = sorted(range(len(created)), key=lambda i: created[i], reverse=True)
    left = {"daily": daily, "weekly": weekly, "monthly": monthly}
    last_day = last_week = last_month = None
    remove = set()
    for position, index in enumerate(order):
        moment = created[index]
        stage = None
        if position >= keep_recent:
            if left["daily"] > 0:
                stage, keep = "daily", last_day is None or _day(moment) < last_day
            elif left["weekly"] > 0:
                stage, keep = "weekly", last_week is None or _week(moment) < last_week
            elif left["monthly"] > 0:
                stage, keep = "monthly", last_month is None or _month(moment) < last_month
            else:
                keep = False
            if not keep:
                remove.add(index)
                continue
        last_day, last_week, last_month = _day(moment), _week(moment), _month(moment)
        if stage:
            left[stage] -= 1
    return remove


def thin_backups(folder: Path, keep_recent: int = 10, daily: int = 7, weekly: int = 4, monthly: int = 12, *,
                 stem: str | None = None) -> list[Path]:
    """Delete the routine backups in `folder` that thinning does not keep (each database's separately);
    copies made before an upgrade or a restore, and files not ours, are never touched. Returns what went."""
    if keep_recent < 1:
        raise ValueError("残す最新のバックアップの数は1以上で指定してください。")
    groups: dict[str, list[tuple[Path, storage.BackupName]]] = {}
    for path, name in storage.backups_in(Path(folder), stem):
        if name.routine:
            groups.setdefault(name.stem, []).append((path, name))
    removed = []
    for items in groups.values():
        created = [name.created_at for _, name in items]
        for index in sorted(backups_to_remove(created, keep_recent, daily, weekly, monthly)):
            try:
                items[index][0].unlink()
                removed.append(items[index][0])
            except OSError:
                pass  # a copy we cannot delete (read-only stick) stays; thinning is housekeeping
    return removed


# ---- restoring --------------------------------------------------------------------------------------

def newest_good_backup(database_path: Path, folders: list[Path] | None = None) -> Path | None:
    return storage.newest_good_backup(Path(database_path), folders)


class _RestoreMeter:
    """One progress bar over the restore's stages. Each stage weighs the size of the file it reads (KiB): a
    check once, a copy twice (the copying, then the check of the copy, which reports nothing as it goes)."""

    def __init__(self, progress: RestoreProgress | None, weights: list[int]):
        self.progress = progress
        self.weights = weights
        self.total = max(1, sum(weights))
        self.stage = -1
        self.before = 0  # units of the stages done

    def start(self, text: str, *, can_cancel: bool = True) -> None:
        if self.stage >= 0:
            self.before += self.weights[self.stage]
        self.stage += 1
        self._report(self.before, text, can_cancel)

    def pages(self, copying: str, checking: str) -> storage.PageProgress:
        """The report of a copy stage's pages: the copying is its first half; with every page there, the
        check of the copy begins."""
        def report(copied: int, total: int) -> None:
            half = self.weights[self.stage] // 2
            self._report(self.before + half * copied // max(1, total), checking if copied >= total else copying)
        return report

    def finish(self, text: str) -> None:
        self._report(self.total, text, False)

    def _report(self, done: int, text: str, can_cancel: bool = True) -> None:
        if self.progress is not None:
            self.progress(RestoreStep(min(done, self.total), self.total, text, can_cancel))


def _kib(path: Path) -> int:
    try:
        return max(1, path.stat().st_size // 1024)
    except OSError:
        return 1


def restore_backup(current_db_path: Path, backup_path: Path, *, folder: Path | None = None,
                   progress: RestoreProgress | None = None, cancelled: Callable[[], bool] | None = None,
                   user: str = "") -> RestoreResult:
    """Replace the database file with a verified copy of `backup_path`, after keeping the current file: a
    verified backup ("before-restore", in `folder` or the backups folder beside it) when it is sound, else a
    byte-for-byte copy <name>.damaged-YYYYmmdd-HHMMSS. The database must be closed (no program may have it
    open); the replacement is one rename, so the file is always either the old one or the restored one.

    `progress` hears how far it got (RestoreStep). `cancelled` is asked throughout the checking and copying;
    when it says yes, CopyCancelled is raised and the database file has not been touched (the copy of it
    made for this restore is removed again; a damaged file's copy aside is kept). The last stage — putting
    the copy in place — is one rename and cannot be cancelled."""
    current_db_path, backup_path = Path(current_db_path), Path(backup_path)
    if not backup_path.is_file():
        raise BackupFailedError(f"バックアップファイルが見つかりません: {backup_path}")
    if current_db_path.exists() and backup_path.resolve() == current_db_path.resolve():
        raise BackupFailedError("復元するファイルが、置き換えるデータベースと同じです。")
    if lock.held_here(current_db_path):
        raise StorageError("データベースを開いたままでは復元できません。閉じてからもう一度実行してください。")
    current_size = _kib(current_db_path) if current_db_path.exists() else 0
    meter = _RestoreMeter(progress, [_kib(backup_path), 2 * current_size, 2 * _kib(backup_path), 0])
    meter.start("バックアップが壊れていないか確かめています…")
    problems = storage.file_problems(backup_path, quick=False, cancelled=cancelled)
    if problems:
        raise BackupFailedError(f"このバックアップは壊れているため復元できません: {backup_path}（{problems[0]}）")
    refusal = storage.restore_refusal(backup_path)
    if refusal is not None:  # before anything is copied or locked
        raise BackupFailedError(storage.restore_refusal_message(backup_path, refusal))
    held = lock.acquire(current_db_path)
    kept: Path | None = None
    replacement: Path | None = None
    sound = False
    try:
        meter.start("今のデータベースを確かめています…")
        if current_db_path.exists() and current_db_path.stat().st_size > 0:
            # We hold its lock and have no connection to it: reading it immutable leaves no -wal/-shm and
            # changes nothing in it, so a cancel before the last stage leaves it exactly as it was.
            if storage.file_problems(current_db_path, exclusive=True, cancelled=cancelled):
                kept = storage.keep_damaged_copy(current_db_path)
            else:
                target = Path(folder) if folder is not None else storage.default_backup_folder(current_db_path)
                kept = storage.new_backup_path(target, current_db_path, "before-restore")
                storage.copy_database_file(
                    current_db_path, kept, exclusive=True, cancelled=cancelled,
                    progress=meter.pages("今のデータベースをバックアップしています…", "作ったバックアップを確かめています…"))
                sound = True
        meter.start("バックアップの内容をコピーしています…")
        replacement = storage.prepare_replacement(
            backup_path, current_db_path, verified=True, cancelled=cancelled,
            progress=meter.pages("バックアップの内容をコピーしています…", "コピーした内容を確かめています…"))
        if cancelled is not None and cancelled():
            raise CopyCancelled()
        meter.start("データベースを置き換えています…", can_cancel=False)
        if sound:
            storage.checkpoint_closed_database(current_db_path)
        storage.put_in_place(replacement, current_db_path)
        replacement = None
    except BaseException as error:
        if replacement is not None:
            storage.discard_replacement(replacement)
        if isinstance(error, CopyCancelled) and sound and kept is not None:
            kept.unlink(missing_ok=True)  # nothing was replaced: this copy of an untouched file is not needed
        raise
    finally:
        held.release()
    _record_restore(current_db_path, backup_path, kept, user)
    meter.finish("復元しました。")
    return RestoreResult(backup_path, kept, kept is not None and not sound)


def _record_restore(db_path: Path, backup_path: Path, kept: Path | None, user: str) -> None:
    """The restored file's audit trail says it was restored, from which backup (the entries made after the
    backup stay in the file kept aside). A restored file that cannot be opened now is left as restored: opening
    it in the app says what is wrong with it."""
    from kaigo_desktop.services.audit import record_restore

    try:
        with Database.open(db_path, user=user) as db:
            record_restore(db, backup_path, kept)
    except StorageError:
        pass
