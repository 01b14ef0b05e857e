"""The one check every file the user names for output passes before anything is written (reports, exports,
exchange bundles, backups; from the CLI and the GUI's save dialogs).

Never written, whatever the user says: the open database, its -wal/-shm/-journal and lock files, anything in
its backup folders, and any file that already is a SQLite database (or a SQLite -wal/-journal). Paths are
compared after following symbolic links and relative parts, and as the file system compares them (case on
Windows, the same file under two names). An existing other file is replaced only when the user agreed (`force`:
the CLI's --force, the save dialog's own overwrite question)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.services.backups import backup_folder
from kaigo_desktop.storage import lock
from kaigo_desktop.storage.backup import SQLITE_HEADER, default_backup_folder
from kaigo_desktop.storage.database import Database

FORCE_HINT = "置き換えるときは --force を付けてください。"
# The first bytes of SQLite's own companion files: a -wal (two magic numbers) and a rollback -journal.
_SQLITE_COMPANION_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83", b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7")


class OutputRefused(UserFacingError, ValueError):
    """Why a path is not written to, in Japanese (nothing has been written)."""

    kind = "output_refused"


def database_files(database_path: Path) -> list[Path]:
    """The database file and the files beside it that belong to it."""
    path = Path(database_path)
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"), lock.lock_path(path)]


def backup_folders(db: Database) -> list[Path]:
    """Where this database's backups are: the folder beside it and the one chosen in the settings."""
    return [default_backup_folder(db.path), backup_folder(db)]


def check_output_path(path: Path | str, db: Database, *, force: bool, exists_hint: str = "") -> Path:
    """`path` when it may be written as output of `db`'s data, else OutputRefused. `exists_hint` is appended
    to the message for an existing file (how to replace it where the caller offers a way)."""
    return check_output_path_for(path, db.path, backup_folders(db), force=force, exists_hint=exists_hint)


def check_output_path_for(path: Path | str, database_path: Path, folders: Iterable[Path], *, force: bool,
                          exists_hint: str = "") -> Path:
    """check_output_path with the database and its backup folders given (for a caller without an open
    database)."""
    path = Path(path)
    for protected in database_files(database_path):
        if _within(path, protected):  # also a CSV folder named like one of them
            raise OutputRefused(f"開いているデータベース（またはその作業ファイル）には書き込めません: {path}\n"
                                "別の名前を指定してください。データベースは変更していません。")
    for folder in folders:
        if _within(path, Path(folder)):
            raise OutputRefused(f"バックアップフォルダの中には保存できません: {path}\n"
                                f"バックアップを守るため、別のフォルダを指定してください（バックアップフォルダ: {folder}）。")
    if path.is_dir():
        raise OutputRefused(f"同じ名前のフォルダがあります: {path}\nファイル名を指定してください。")
    if path.exists() and _is_sqlite_file(path):
        raise OutputRefused(f"このファイルはデータベース（SQLite）です。上書きしません: {path}\n"
                            "別の名前を指定してください。")
    if (path.exists() or path.is_symlink()) and not force:
        raise OutputRefused("\n".join(filter(None, [f"同じ名前のファイルが既にあるため、置き換えません: {path}", exists_hint])))
    return path


def _canonical(path: Path) -> str:
    """The path as the file system resolves it: absolute, symbolic links followed, case folded on Windows."""
    return os.path.normcase(os.path.realpath(path))


def _same_file(path: Path, other: Path) -> bool:
    if _canonical(path) == _canonical(other):
        return True
    try:  # one file under two names: a hard link, an 8.3 short name, another case on a case-blind disk
        return os.path.samefile(path, other)
    except (OSError, ValueError):
        return False  # one of them does not exist: the names above decided


def _within(path: Path, folder: Path) -> bool:
    resolved = Path(os.path.realpath(path))
    return any(_same_file(place, folder) for place in (resolved, *resolved.parents))


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as error:  # what cannot be read cannot be shown not to be a database: left alone
        raise OutputRefused(f"既にあるファイルを読めないため、置き換えません: {path}\n"
                            f"別の名前を指定してください。（{error.strerror or error}）") from error
    return head == SQLITE_HEADER or head.startswith(_SQLITE_COMPANION_MAGIC)
