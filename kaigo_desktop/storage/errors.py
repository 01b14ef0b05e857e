"""Environment errors of the database file, each with a Japanese message a user can act on."""

from __future__ import annotations

from pathlib import Path

from kaigo_desktop.domain.errors import UserFacingError


class StorageError(UserFacingError):
    """A problem with the database file itself (not a bug, not bad input)."""

    kind = "storage"


class NotADatabaseError(StorageError):
    kind = "not_a_database"


class CorruptDatabaseError(NotADatabaseError):
    """The file is damaged, truncated or not SQLite at all. `newest_backup` is the newest backup that passed
    its check (None when there is none), so the caller can offer to restore it; the damaged file is left as
    it is."""

    kind = "corrupt"

    def __init__(self, message: str, *, path: Path | None = None, newest_backup: Path | None = None):
        super().__init__(message)
        self.path = path
        self.newest_backup = newest_backup


class NewerSchemaError(StorageError):
    kind = "newer_schema"

    def __init__(self, message: str, *, path: Path | None = None, newest_backup: Path | None = None):
        super().__init__(message)
        self.path = path
        self.newest_backup = newest_backup


class ForeignDatabaseError(StorageError):
    """A SQLite file that another application made (or one that is not a Kaigo Desktop database): it is
    refused untouched, never migrated into ours, and no backup is offered in its place."""

    kind = "foreign_database"

    def __init__(self, message: str, *, path: Path | None = None):
        super().__init__(message)
        self.path = path


class DatabaseMissingError(StorageError):
    kind = "missing"


class DatabaseInUseError(StorageError):
    """Another program (on this PC or another one sharing the folder) has the file open for writing.
    `holder` says who (user, host, pid, since); the file can still be opened read-only."""

    kind = "in_use"

    def __init__(self, message: str, *, path: Path | None = None, holder: object | None = None):
        super().__init__(message)
        self.path = path
        self.holder = holder


class FolderNotWritableError(StorageError):
    """The database's folder is read-only (a CD, a write-protected share): it can be opened read-only."""

    kind = "folder_not_writable"


class BackupFailedError(StorageError):
    """A backup (or a restore) could not be written: disk full, read-only or missing folder, a copy that
    failed its check. The database is untouched and nothing half-written is left behind."""

    kind = "backup_failed"


class RecordNotFoundError(StorageError):
    kind = "not_found"


class ConstraintError(StorageError):
    """A write broke a constraint. `kind` says which ("duplicate_name", "unknown_reference", …) and `field`
    the record field concerned, so a form marks it without reading the message."""

    kind = "constraint"


# Problems SQLite reports while the file is in use (storage/sqlite_errors.py tells them apart by result code).

class DatabaseBusyError(StorageError):
    """Another connection held the database longer than the busy timeout: trying again later works."""

    kind = "busy"


class DiskFullError(StorageError):
    kind = "disk_full"


class ReadOnlyDatabaseError(StorageError):
    """SQLite refused to write (the file, its folder or the medium became read-only)."""

    kind = "read_only"


class DatabaseUnreachableError(StorageError):
    """The file cannot be read or written any more (an I/O error, a network drive or USB stick gone)."""

    kind = "unreachable"


class PeriodLockedError(ConstraintError):
    """A write refused because it would change the figures of a 年度 that is locked (提出済み): the lock's
    triggers (db/0011_period_locks.sql) raise it; the message names the 年度 (storage/period_queries.py)."""

    kind = "PERIOD_LOCKED"
