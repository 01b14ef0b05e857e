"""The one way a command opens the database: as the person asked on the command line (--user, --read-only).

main() refuses --read-only for a command that writes before the command runs (lock.refuse_read_only), so a
command just opens the database here; only `backup` asks for read-only itself when another program writes."""

from __future__ import annotations

import argparse
from pathlib import Path

from kaigo_desktop.cli.lock import read_only


def open_database(args: argparse.Namespace, db_path: Path, *, readonly: bool | None = None):
    """The database at `db_path` (a Database, used as a context manager); `readonly` overrides --read-only."""
    from kaigo_desktop.cli.users import log_in
    from kaigo_desktop.storage.database import Database

    db = Database.open(db_path, user=getattr(args, "user", "") or "",
                       readonly=read_only(args) if readonly is None else readonly)
    try:
        log_in(args, db)  # as --user, before the command reads or writes anything
    except BaseException:
        db.close()
        raise
    return db


def on_database(args: argparse.Namespace, db_path: Path, build):
    """Run `build` on the database, creating the file whole (or not at all) when it does not exist yet."""
    from kaigo_desktop.storage.database import Database

    if db_path.exists():
        with open_database(args, db_path) as db:
            return build(db)
    return Database.create_new(db_path, build, user=getattr(args, "user", "") or "")
