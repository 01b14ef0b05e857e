"""The one way a command opens the database: as the person asked on the command line (--user, --read-only).

main() refuses --read-only for a command that writes before the command runs (lock.refuse_read_only), so a
command just opens the database here; only `backup` asks for read-only itself when another program writes."""

from __future__ import annotations

import argparse
from pathlib import Path

from kaigo_desktop.cli.lock import read_only


def open_database(args: argparse.Namespace, db_path: Path, *, readonly: bool | None = None, quick_check: bool = True):
    """The database at `db_path` (a Database, used as a context manager); `readonly` overrides --read-only;
    `quick_check=False` leaves SQLite's quick check to the command (Database.open)."""
    from kaigo_desktop.cli.users import log_in
    from kaigo_desktop.storage.database import Database

    db = Database.open(db_path, user=getattr(args, "user", "") or "",
                       readonly=read_only(args) if readonly is None else readonly, quick_check=quick_check)
    try:
        refuse_wrong_kind(args, db)
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


# Commands that only make sense on a 区市町村's database, and those only on 東京都's (`init --metro`); the
# others (backup, restore, check, unlock, user, audit, screenshots: a metro database shows its own screens)
# work on both.
MUNICIPAL_COMMANDS = frozenset({"init", "demo", "import", "stats", "validate", "report", "export",
                                "export-opendata", "template", "bundle", "period", "submission",
                                "participants", "outcomes", "cases"})
METRO_ONLY_COMMANDS = frozenset({"metro"})


def refuse_wrong_kind(args: argparse.Namespace, db) -> None:
    """A 区市町村 command on 東京都's database (or the reverse) is refused before it runs (exit 2)."""
    from kaigo_desktop.domain.errors import UserFacingError
    from kaigo_desktop.services.metro import is_metro_database

    command = getattr(args, "command", None)
    if command == "init" and getattr(args, "metro", False):
        return  # init_metro itself refuses a database holding a 区市町村's records
    metro = is_metro_database(db)
    if metro and command in MUNICIPAL_COMMANDS:
        raise UserFacingError(f"このデータベースは東京都用（集計用）です。`{command}` は区市町村のデータベースで実行してください。"
                              "何も変更していません。", kind="metro_database")
    if not metro and command in METRO_ONLY_COMMANDS:
        raise UserFacingError("このデータベースは区市町村用です。`metro` のコマンドは `kaigo-desktop init --metro` で作成した"
                              "東京都用のデータベースで実行してください。何も変更していません。", kind="not_metro")
