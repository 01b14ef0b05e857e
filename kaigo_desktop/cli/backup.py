"""The `backup` and `restore` commands of kaigo-desktop: add_backup_commands() adds them to the parser
and BACKUP_COMMANDS maps them to their handlers (args, db_path) -> exit code."""

from __future__ import annotations

import argparse
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, err
from kaigo_desktop.cli.terminal import confirmed


def add_backup_commands(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser("backup", help="データベースのバックアップ（検証済みのコピー）を作成する")
    backup.add_argument("--out", type=Path,
                        help="保存するファイルまたはフォルダ（省略時は設定のバックアップフォルダに日時付きの名前で保存）")
    restore = subparsers.add_parser("restore", help="バックアップから復元する（現在のファイルは先にバックアップする）")
    restore.add_argument("file", type=Path, help="復元するバックアップファイル")
    restore.add_argument("--yes", action="store_true", help="確認せずに復元する")


def cmd_backup(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services import backup_settings
    from kaigo_desktop.services.backups import make_backup, thin_backups
    from kaigo_desktop.storage.errors import CorruptDatabaseError, DatabaseInUseError

    try:
        db = open_database(args, db_path)
    except DatabaseInUseError as error:
        # Copying only reads: a file another program is editing is copied consistently all the same.
        err(f"注意: {error} 読み取り専用で開いてバックアップします。")
        db = open_database(args, db_path, readonly=True)
    except CorruptDatabaseError as error:
        err(f"エラー: {error}")
        if error.newest_backup:
            err(f"復元するには: kaigo-desktop --db \"{db_path}\" restore \"{error.newest_backup}\"")
        return EXIT_ERROR
    with db:
        for warning in db.warnings:
            err(f"警告: {warning}")
        out = getattr(args, "out", None)
        if out is not None and not out.is_dir():
            from kaigo_desktop.services.output_files import OutputRefused, check_output_path

            try:  # a backup never replaces a file (no --force): a new name keeps the older copy
                check_output_path(out, db, force=False, exists_hint="別の名前を指定してください。")
            except OutputRefused as error:
                err(f"エラー: {error}")
                return EXIT_ERROR
            info = make_backup(db, destination=out)
        else:
            info = make_backup(db, out)
            if out is None:
                settings = backup_settings.load(db)
                thin_backups(info.path.parent, settings.keep_recent, settings.daily, settings.weekly,
                             settings.monthly, stem=db_path.stem)
    print(f"バックアップを作成しました（検証済み）: {info.path}")
    print(info.describe())
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services.backups import backup_info, restore_backup

    if not args.file.is_file():
        err(f"エラー: バックアップファイルが見つかりません: {args.file}")
        return EXIT_ERROR
    _require_restore_right(args, db_path)
    if not args.yes:
        answer = confirmed("復元しますか？ [y/N]: ", before=(
            f"{db_path} を次のバックアップの内容で置き換えます:\n"
            f"  {backup_info(args.file).describe()}\n"
            "現在のファイルは置き換える前にバックアップします。"))
        if answer is None:
            err("エラー: 確認できないため復元しませんでした。確認なしで復元するには --yes を付けてください。")
            return EXIT_ERROR
        if not answer:
            print("復元を中止しました。データベースは変更していません。")
            return EXIT_PROBLEMS
    result = restore_backup(db_path, args.file, user=args.user)
    if result.kept_copy is None:
        print("復元前のデータベースファイルはありませんでした。")
    elif result.previous_was_damaged:
        print(f"壊れていたファイルを別名で残しました: {result.kept_copy}")
    else:
        print(f"復元前のデータベースをバックアップしました: {result.kept_copy}")
    print(f"復元しました: {db_path} ← {result.restored_from}")
    return EXIT_OK


def _require_restore_right(args: argparse.Namespace, db_path: Path) -> None:
    """Only an administrator restores a database that has users. A file that does not open (damaged, newer,
    in use …) cannot say who may: the restore itself then explains or mends it."""
    from kaigo_desktop.domain import roles
    from kaigo_desktop.services import rights
    from kaigo_desktop.storage.errors import StorageError

    if not db_path.exists():
        return
    try:  # read-only: the check neither upgrades nor locks the file it is about to replace
        db = open_database(args, db_path, readonly=True)
    except StorageError:
        return  # an older schema has no users yet either
    with db:
        rights.require(db, roles.RESTORE)


BACKUP_COMMANDS = {"backup": cmd_backup, "restore": cmd_restore}
