"""The `kaigo-desktop` command: the GUI when called without a subcommand, headless subcommands otherwise.
Same services as the GUI; never imports Qt unless the GUI is asked for.

One module per group of subcommands, mirroring the library (records, reports, backup, exchange, lock): each
adds its subcommands to the parser (add_*_commands) and maps their names to handlers (*_COMMANDS), which take
(args, db_path) and return an exit code (exits.py). Every handler opens the database with
database.open_database; main() turns the errors a person can act on into Japanese and an exit code."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Sequence
from pathlib import Path

from kaigo_desktop import __version__, paths
from kaigo_desktop.cli.exits import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, err, fail
from kaigo_desktop.cli.lock import add_read_only_option, in_use_hints, refuse_read_only

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_PROBLEMS", "main"]


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    """The options before any subcommand (the GUI takes only these)."""
    parser.add_argument("--db", type=Path, help="データベースファイル（省略時はユーザーのデータフォルダ）")
    parser.add_argument("--demo", action="store_true",
                        help="デモ用データベースを開く（初回は作成する）")
    parser.add_argument("--user", default="",
                        help="利用者名（利用者が登録されたデータベースではログイン。パスワードは環境変数 "
                             "KAIGO_PASSWORD か入力。未登録なら記録者名として updated_by に記録）")
    add_read_only_option(parser)


def _parser() -> argparse.ArgumentParser:
    # The subcommand modules are imported here, not at the top: the GUI's start does not need them (issue 17).
    from kaigo_desktop.cli.audit import add_audit_commands
    from kaigo_desktop.cli.backup import add_backup_commands
    from kaigo_desktop.cli.cases import add_case_commands
    from kaigo_desktop.cli.exchange import add_exchange_commands
    from kaigo_desktop.cli.lock import add_lock_commands
    from kaigo_desktop.cli.metro import add_metro_commands
    from kaigo_desktop.cli.participants import add_participant_commands
    from kaigo_desktop.cli.period import add_period_commands
    from kaigo_desktop.cli.records import add_record_commands
    from kaigo_desktop.cli.reports import add_report_commands
    from kaigo_desktop.cli.users import add_user_commands

    parser = argparse.ArgumentParser(
        prog="kaigo-desktop",
        description="Kaigo Desktop — 通いの場・介護予防・フレイル予防推進員の記録と報告",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="<command>")
    add_record_commands(sub)
    add_report_commands(sub)
    add_backup_commands(sub)
    add_exchange_commands(sub)
    add_audit_commands(sub)
    add_lock_commands(sub)
    add_user_commands(sub)
    add_period_commands(sub)
    add_metro_commands(sub)
    add_participant_commands(sub)
    add_case_commands(sub)
    return parser


@functools.cache
def _commands() -> dict:
    """Subcommand name → handler (one table, built on first use)."""
    from kaigo_desktop.cli.audit import AUDIT_COMMANDS
    from kaigo_desktop.cli.backup import BACKUP_COMMANDS
    from kaigo_desktop.cli.cases import CASE_COMMANDS
    from kaigo_desktop.cli.exchange import EXCHANGE_COMMANDS
    from kaigo_desktop.cli.lock import LOCK_COMMANDS
    from kaigo_desktop.cli.metro import METRO_COMMANDS
    from kaigo_desktop.cli.participants import PARTICIPANT_COMMANDS
    from kaigo_desktop.cli.period import PERIOD_COMMANDS
    from kaigo_desktop.cli.records import RECORD_COMMANDS
    from kaigo_desktop.cli.reports import REPORT_COMMANDS
    from kaigo_desktop.cli.users import USER_COMMANDS

    return {**RECORD_COMMANDS, **REPORT_COMMANDS, **BACKUP_COMMANDS, **EXCHANGE_COMMANDS, **LOCK_COMMANDS,
            **USER_COMMANDS, **AUDIT_COMMANDS, **PERIOD_COMMANDS, **METRO_COMMANDS, **PARTICIPANT_COMMANDS,
            **CASE_COMMANDS}


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The arguments. Only global options (the GUI's start) are parsed without building every subcommand's
    parser; anything else (a subcommand, --help, --version, a mistake) goes to the whole parser."""
    gui_only = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    _add_global_options(gui_only)
    args, rest = gui_only.parse_known_args(argv)
    if not rest:
        args.command = None
        return args
    return _parser().parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    refused = refuse_read_only(args)
    if refused:
        return fail(refused)
    db_path = args.db or (paths.demo_database_path() if args.demo else paths.default_database_path())
    if args.command is None:
        from kaigo_desktop.gui.app import run_gui  # Qt only when the GUI is asked for

        return run_gui(db_path, demo=args.demo, user=args.user)

    from kaigo_desktop.domain.errors import UserFacingError
    from kaigo_desktop.domain.validation import ValidationFailed
    from kaigo_desktop.storage.errors import DatabaseInUseError, PeriodLockedError

    try:
        return _commands()[args.command](args, db_path)
    except DatabaseInUseError as error:
        return fail("\n".join([str(error), *in_use_hints(args, error.holder)]))
    except PeriodLockedError as error:  # the data asked to change a locked 年度: exit 1, nothing written
        return fail(str(error), EXIT_PROBLEMS)
    except ValidationFailed as error:
        for field_error in error.errors:
            err(f"エラー: [{field_error.field}] {field_error.message}")
        return EXIT_PROBLEMS
    except (UserFacingError, ValueError, FileNotFoundError, PermissionError, IsADirectoryError) as error:
        return fail(str(error))
    except OSError as error:  # disk full, a USB stick pulled out, a folder that cannot be written
        return fail(_write_failure(error))
    except KeyboardInterrupt:
        return fail("中断しました。書きかけの変更は取り消されました。")


def _write_failure(error: OSError) -> str:
    """Japanese for a file that could not be written, naming the real cause (a full disk only when it is)."""
    import errno

    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"ファイルを書き込めません。ディスクの空きと保存先を確かめてください。データベースは変更していません。（{error}）"
    where = f": {error.filename}" if error.filename else ""
    return (f"ファイルを書き込めません（{error.strerror or error}）{where}。保存先を確かめてください。"
            "データベースは変更していません。")
