"""What the CLI does while another PC holds the database: `--read-only` for the commands that only read
(refused, with a message, by every command that writes) and `unlock` for a lock a crashed PC left."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kaigo_desktop.cli.exits import EXIT_OK, EXIT_PROBLEMS
# Commands that never write the database ("bundle conflicts" and "bundle pending": those bundle subcommands only;
# `bundle pending --drop` writes, and is named apart).
READ_ONLY_COMMANDS = frozenset({"stats", "report", "export", "export-opendata", "template", "check", "validate", "backup", "bundle conflicts",
                                "bundle pending", "audit", "period list", "submission show", "metro sheet",
                                "metro status", "metro trust list", "outcomes", "cases figures"})


def add_read_only_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--read-only", action="store_true",
                        help="読み取り専用で開く（ほかの PC が使用中でも stats・report・export・check・validate・backup・"
                             "bundle conflicts・bundle pending・audit・metro sheet・metro status などを実行できる）")


def add_lock_commands(subparsers: argparse._SubParsersAction) -> None:
    unlock = subparsers.add_parser(
        "unlock", help="止まった PC が残したロックを解除する（まず持ち主を表示し、--force で解除）")
    unlock.add_argument("--force", action="store_true",
                        help="その PC が使っていないことを確かめたうえで、ロックを解除する")


def command_name(args: argparse.Namespace) -> str:
    if args.command == "period" and getattr(args, "period_command", None):
        return f"period {args.period_command}"
    if args.command == "submission" and getattr(args, "submission_command", None):
        return f"submission {args.submission_command}"
    if args.command == "metro" and getattr(args, "metro_command", None):
        trust = f" {args.trust_command}" if args.metro_command == "trust" else ""
        return f"metro {args.metro_command}{trust}"
    if args.command == "participants" and getattr(args, "participants_command", None):
        return f"participants {args.participants_command}"
    if args.command == "cases" and getattr(args, "cases_command", None):
        return f"cases {args.cases_command}"
    bundle_command = getattr(args, "bundle_command", None)
    if args.command != "bundle" or not bundle_command:
        return args.command
    if bundle_command == "pending" and getattr(args, "drop", None) is not None:
        return "bundle pending --drop"
    return f"bundle {bundle_command}"


def read_only(args: argparse.Namespace) -> bool:
    """Open the database read-only (checked against the command in refuse_read_only before any command runs)."""
    return bool(getattr(args, "read_only", False))


def refuse_read_only(args: argparse.Namespace) -> str | None:
    """Why --read-only cannot be given to this command, or None when it can."""
    if not read_only(args) or command_name(args) in READ_ONLY_COMMANDS:
        return None
    if args.command is None:
        return ("画面は --read-only では開きません。ほかの PC が使用中のときは、開くときに表示される"
                "「読み取り専用で開く」を選んでください。")
    name = command_name(args)
    allowed = "、".join(sorted(READ_ONLY_COMMANDS))
    return (f"{name} はデータベースに書き込むため、--read-only では実行できません。"
            f"--read-only を付けられるのは読み取りだけのコマンド（{allowed}）です。何も変更していません。")


def in_use_hints(args: argparse.Namespace, holder: object | None) -> list[str]:
    """What can be done when another program holds the database (DatabaseInUseError's `holder`)."""
    from kaigo_desktop.storage import lock

    hints = []
    if command_name(args) in READ_ONLY_COMMANDS and not read_only(args):
        hints.append("読み取りだけなら --read-only を付けて実行できます。")
    if isinstance(holder, lock.LockHolder) and not lock.running_on_this_pc(holder):
        hints.append("その PC が止まったまま（電源が切れた等）なら、kaigo-desktop unlock でロックの持ち主を"
                     "確かめて解除できます。")
    return hints


def cmd_unlock(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services import unlocking

    state = unlocking.current_lock(db_path)
    if state is None:
        print(f"ロックはありません（ほかに書き込み中のプログラムはありません）: {db_path}")
        return EXIT_OK
    print(f"このデータベースのロック（{state.lock_file}）:")
    print(_indent(state.describe()))
    if state.running_here:
        print(f"エラー: {unlocking.still_running(state)}", file=sys.stderr)
        return EXIT_PROBLEMS
    if not args.force:
        print(f"ロックは解除していません。{unlocking.RISK}確かめたら --force を付けてもう一度実行してください:\n"
              f"  kaigo-desktop --db \"{db_path}\" unlock --force", file=sys.stderr)
        return EXIT_PROBLEMS
    removed = unlocking.break_confirmed(db_path, state)
    if removed is None:
        print("ロックはすでにありませんでした。")
        return EXIT_OK
    print("上のロックを解除しました。編集用に開けます。")
    return EXIT_OK


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


LOCK_COMMANDS = {"unlock": cmd_unlock}
