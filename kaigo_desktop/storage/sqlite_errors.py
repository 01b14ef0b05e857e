"""What a sqlite3 error means, decided once from its result code (never from its wording elsewhere).

Two questions are answered here and nowhere else:
- which constraint a write broke, and on which record field (`constraint_violation`): the kind comes from
  the extended result code (SQLITE_CONSTRAINT_UNIQUE, _FOREIGNKEY, …); the column is named in SQLite's
  message only for UNIQUE and NOT NULL, so this is the one place that reads it;
- which problem of the file or the disk an error is (`environment_error`): busy, disk full, read-only,
  damaged, unreadable — each a StorageError subclass with a Japanese message the user can act on.
Services, the GUI and the CLI branch on the resulting `kind`, never on the text.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kaigo_desktop.storage.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseUnreachableError,
    DiskFullError,
    ReadOnlyDatabaseError,
    StorageError,
)

# Kinds of constraint violation (ConstraintError.kind).
DUPLICATE_NAME = "duplicate_name"  # a unique index that includes the record's name
DUPLICATE = "duplicate"  # any other unique key (an id, (municipality, 年度) …)
UNKNOWN_REFERENCE = "unknown_reference"  # a foreign key to a record that is not there
NOT_NULL = "not_null"
CHECK = "check"
CONSTRAINT = "constraint"  # a constraint of another sort (a trigger's RAISE …)
PERIOD_LOCKED = "PERIOD_LOCKED"  # the lock of a 年度 (db/0011_period_locks.sql) refused the write

_CONSTRAINT_KINDS = {
    sqlite3.SQLITE_CONSTRAINT_UNIQUE: DUPLICATE,
    sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY: DUPLICATE,
    sqlite3.SQLITE_CONSTRAINT_ROWID: DUPLICATE,
    sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY: UNKNOWN_REFERENCE,
    sqlite3.SQLITE_CONSTRAINT_NOTNULL: NOT_NULL,
    sqlite3.SQLITE_CONSTRAINT_CHECK: CHECK,
}
# "UNIQUE constraint failed: places.municipality_code, places.name" / "NOT NULL constraint failed: places.name"
_NAMED_COLUMNS = re.compile(r"constraint failed: (?P<columns>\w+\.\w+(?:, \w+\.\w+)*)\s*$")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CHECK_EXPRESSION = re.compile(r"CHECK constraint failed: (?P<expression>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Violation:
    """A broken constraint: `kind` (one of the constants above), the record `field` concerned ("" when it
    cannot be told) and every column SQLite named."""

    kind: str
    field: str = ""
    columns: tuple[str, ...] = ()


def _result_code(error: sqlite3.Error) -> int | None:
    return getattr(error, "sqlite_errorcode", None)


# The literal a lock trigger raises (RAISE(ABORT, 'PERIOD_LOCKED')): the one message we read, as it is ours.
_PERIOD_LOCKED_MESSAGE = "PERIOD_LOCKED"


def is_period_locked(error: BaseException) -> bool:
    """Whether `error` is the refusal of a period lock's trigger."""
    return (isinstance(error, sqlite3.IntegrityError)
            and _result_code(error) == sqlite3.SQLITE_CONSTRAINT_TRIGGER
            and str(error) == _PERIOD_LOCKED_MESSAGE)


def constraint_violation(error: sqlite3.IntegrityError, *, conn: sqlite3.Connection | None = None,
                         table: str = "", row: dict[str, Any] | None = None) -> Violation:
    """Which constraint `error` broke and on which field. With the connection, the table and the row
    written, the field is also found for a foreign key (the first reference not found) and a CHECK (the
    first column of the table its expression names), which SQLite's message does not name."""
    if is_period_locked(error):
        return Violation(PERIOD_LOCKED)
    code = _result_code(error)
    kind = _CONSTRAINT_KINDS.get(code, CONSTRAINT)
    text = str(error)
    columns: tuple[str, ...] = ()
    if kind in (DUPLICATE, NOT_NULL):
        match = _NAMED_COLUMNS.search(text)
        if match:
            columns = tuple(part.split(".", 1)[1] for part in match.group("columns").split(", "))
    if kind == DUPLICATE and "name" in columns:
        return Violation(DUPLICATE_NAME, "name", columns)
    if columns:
        # (municipality_code, fiscal_year): the last column is the one a person changes to make it unique
        return Violation(kind, columns[-1], columns)
    if kind == UNKNOWN_REFERENCE and conn is not None and table and row is not None:
        return Violation(kind, missing_reference(conn, table, row))
    if kind == CHECK and conn is not None and table:
        match = _CHECK_EXPRESSION.search(text)
        if match:
            names = set(table_columns(conn, table))
            named = [word for word in _IDENTIFIER.findall(match.group("expression")) if word in names]
            return Violation(kind, named[0] if named else "", tuple(dict.fromkeys(named)))
    return Violation(kind)


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [info[1] for info in conn.execute(f"PRAGMA table_info({table})")]


def missing_reference(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> str:
    """The first column of `row` whose foreign key finds no record ("" when every reference is there)."""
    for reference in conn.execute(f"PRAGMA foreign_key_list({table})").fetchall():
        parent, column, target = reference[2], reference[3], reference[4]
        value = row.get(column)
        if value is None or target is None:
            continue
        if conn.execute(f"SELECT 1 FROM {parent} WHERE {target} = ?", (value,)).fetchone() is None:
            return column
    return ""


# ---- problems of the file or the disk --------------------------------------------------------------

_BUSY_MESSAGE = ("データベースが他の操作またはほかのパソコンで使用中です。しばらく待ってから、もう一度操作してください。"
                 "\n保存していない変更は失われていません。")
_FULL_MESSAGE = "ディスクの空き容量が足りません。不要なファイルを削除してから、もう一度保存してください。"
_READ_ONLY_MESSAGE = "データベースファイルに書き込めません（読み取り専用）。ファイルの場所や権限を確認してください。"
_UNREACHABLE_MESSAGE = ("データベースファイルを読み書きできません。ネットワークドライブや USB メモリが外れていないか"
                        "確認してください。")
_CORRUPT_MESSAGE = ("データベースファイルが壊れている可能性があります。作業を止め、バックアップから復元するよう"
                    "担当者に相談してください。")

_ENVIRONMENT: dict[int, tuple[type[StorageError], str]] = {
    sqlite3.SQLITE_BUSY: (DatabaseBusyError, _BUSY_MESSAGE),
    sqlite3.SQLITE_LOCKED: (DatabaseBusyError, _BUSY_MESSAGE),
    sqlite3.SQLITE_FULL: (DiskFullError, _FULL_MESSAGE),
    sqlite3.SQLITE_READONLY: (ReadOnlyDatabaseError, _READ_ONLY_MESSAGE),
    sqlite3.SQLITE_IOERR: (DatabaseUnreachableError, _UNREACHABLE_MESSAGE),
    sqlite3.SQLITE_CANTOPEN: (DatabaseUnreachableError, _UNREACHABLE_MESSAGE),
    sqlite3.SQLITE_CORRUPT: (CorruptDatabaseError, _CORRUPT_MESSAGE),
    sqlite3.SQLITE_NOTADB: (CorruptDatabaseError, _CORRUPT_MESSAGE),
}


def environment_kind(error: BaseException) -> str | None:
    """The StorageError kind for a sqlite3 error caused by the file or the disk ("busy", "disk_full",
    "read_only", "unreachable", "corrupt"), or None (a constraint, a bug in our SQL, not a sqlite3 error)."""
    found = _environment(error)
    return None if found is None else found[0].kind


def environment_error(error: BaseException, *, path: Path | None = None) -> StorageError | None:
    """The StorageError (with its Japanese message) for a sqlite3 error caused by the file or the disk, or
    None when it is not one. The caller raises it `from error`."""
    found = _environment(error)
    if found is None:
        return None
    cls, message = found
    if cls is CorruptDatabaseError:
        return CorruptDatabaseError(message, path=path)
    return cls(message)


def _environment(error: BaseException) -> tuple[type[StorageError], str] | None:
    if not isinstance(error, sqlite3.Error) or isinstance(error, sqlite3.IntegrityError):
        return None
    code = _result_code(error)
    if code is None:
        return None
    return _ENVIRONMENT.get(code & 0xFF)  # the primary code: SQLITE_READONLY_DBMOVED is SQLITE_READONLY …
