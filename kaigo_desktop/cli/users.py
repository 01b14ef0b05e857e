"""Users on the command line: the global --user login (password from KAIGO_PASSWORD or asked, never an
argument) and the `user add|list|passwd|remove` commands. add_user_commands() adds them to the parser and
USER_COMMANDS maps them to their handlers."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_OK
from kaigo_desktop.domain.errors import UserFacingError

PASSWORD_VARIABLE = "KAIGO_PASSWORD"  # the password of --user
NEW_PASSWORD_VARIABLE = "KAIGO_NEW_PASSWORD"  # the password `user add --password` / `user passwd` set


def add_user_commands(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="利用者（役割・パスワード）を管理する（区市町村管理者のみ）")
    commands = user.add_subparsers(dest="user_command", metavar="<user command>", required=True)
    add = commands.add_parser("add", help="利用者を追加する（最初の利用者は admin）")
    add.add_argument("name", help="利用者名")
    add.add_argument("--role", required=True, choices=("staff", "promoter", "admin"),
                     help="staff（センター職員）・promoter（推進員）・admin（区市町村管理者）")
    add.add_argument("--center", help="センター職員の地域包括支援センターID")
    add.add_argument("--promoter", help="推進員の利用者の推進員ID")
    add.add_argument("--password", action="store_true",
                     help=f"パスワードを設定する（2回入力、または環境変数 {NEW_PASSWORD_VARIABLE}）")
    commands.add_parser("list", help="利用者の一覧（パスワードは表示しない）")
    passwd = commands.add_parser("passwd", help="パスワードを変更する（空にするとパスワードなし）")
    passwd.add_argument("name", help="利用者名")
    remove = commands.add_parser("remove", help="利用者を削除する（最後の区市町村管理者は削除できない）")
    remove.add_argument("name", help="利用者名")


# ---- logging in (every command, right after the database opens) --------------------------------

class PasswordUnavailable(UserFacingError):
    kind = "PASSWORD_UNAVAILABLE"


def _ask(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise PasswordUnavailable(
            f"パスワードを入力できませんでした。対話できないときは環境変数 {PASSWORD_VARIABLE} に設定してください。"
            "何も変更していません。") from None


def login_password(args: argparse.Namespace) -> str:
    """The password of --user: KAIGO_PASSWORD, else asked once per command (kept for a second opening)."""
    if getattr(args, "_password", None) is None:
        args._password = os.environ.get(PASSWORD_VARIABLE) or _ask(f"{args.user} のパスワード: ")
    return args._password


def log_in(args: argparse.Namespace, db) -> None:
    """Act on `db` as --user. A database without users: the name is only stamped on writes, as before. With
    users: --user logs in; without it only commands that read run (write refused, exit 2)."""
    from kaigo_desktop.cli.lock import READ_ONLY_COMMANDS, command_name
    from kaigo_desktop.services import users

    if not users.has_users(db):
        return
    name = getattr(args, "user", "") or ""
    if not name:
        if command_name(args) not in READ_ONLY_COMMANDS:
            raise UserFacingError(
                f"このデータベースには利用者が登録されています。{command_name(args)} はデータベースに書き込むため、"
                "--user 利用者名 を付けて実行してください（パスワードは入力するか環境変数 "
                f"{PASSWORD_VARIABLE}）。何も変更していません。")
        return  # reading only: db.actor stays roles.NOBODY
    password = login_password(args) if users.needs_password(db, name) else ""
    users.login(db, name, password)


# ---- the user commands -----------------------------------------------------------------------------

def _new_password(args: argparse.Namespace, name: str) -> str:
    """The password to set: KAIGO_NEW_PASSWORD, else KAIGO_PASSWORD when no --user login took it, else asked
    twice."""
    if os.environ.get(NEW_PASSWORD_VARIABLE):
        return os.environ[NEW_PASSWORD_VARIABLE]
    if os.environ.get(PASSWORD_VARIABLE) and not getattr(args, "user", ""):
        return os.environ[PASSWORD_VARIABLE]
    first = _ask(f"{name} の新しいパスワード（空ならパスワードなし）: ")
    if _ask("もう一度入力してください: ") != first:
        raise PasswordUnavailable("2回のパスワードが一致しません。何も変更していません。")
    return first


def cmd_user(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services import users

    if not db_path.exists():
        raise FileNotFoundError(f"データベースが見つかりません: {db_path}")
    with open_database(args, db_path) as db:
        command = args.user_command
        if command == "list":
            _print_users(users.list_users(db), users.has_users(db))
        elif command == "add":
            password = _new_password(args, args.name) if args.password else ""
            user = users.add_user(db, args.name, args.role, center_id=args.center, promoter_id=args.promoter,
                                  password=password)
            print(f"利用者を追加しました: {users.describe(user.actor)}"
                  + ("（パスワードあり）" if user.has_password else "（パスワードなし）"))
        elif command == "passwd":
            password = _new_password(args, args.name)
            users.set_password(db, args.name, password)
            print(f"{args.name} のパスワードを{'変更しました' if password else 'なしにしました'}。")
        elif command == "remove":
            users.remove_user(db, args.name)
            print(f"利用者を削除しました: {args.name}")
    return EXIT_OK


def _print_users(listed: list, any_users: bool) -> None:
    if not any_users:
        print("利用者は登録されていません（ログインなしで、全員が区市町村管理者として使えます）。")
        return
    out = sys.stdout
    print("利用者名\t役割\tセンターID\t推進員ID\tパスワード", file=out)
    for user in listed:
        print(f"{user.name}\t{user.role_label}\t{user.center_id or ''}\t{user.promoter_id or ''}\t"
              f"{'あり' if user.has_password else 'なし'}", file=out)


USER_COMMANDS = {"user": cmd_user}
