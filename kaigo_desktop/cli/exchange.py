"""The `bundle` commands of kaigo-desktop (exchange between PCs): add_exchange_commands() adds them to the
parser and EXCHANGE_COMMANDS maps them to their handlers (args, db_path) -> exit code."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS, err
from kaigo_desktop.cli.terminal import confirmed

# Scripts give the passphrase here; a person at a terminal is asked for it (never as an argument: it would
# stay in the shell history and the process list).
PASSPHRASE_ENV = "KAIGO_BUNDLE_PASSPHRASE"


def add_exchange_commands(subparsers: argparse._SubParsersAction) -> None:
    bundle = subparsers.add_parser("bundle", help="他の PC とのデータの受け渡し（書き出し・取り込み・競合の解決）")
    sub = bundle.add_subparsers(dest="bundle_command", required=True)
    export = sub.add_parser("export", help="前回その送り先に渡したあとの変更をファイルに書き出す")
    export.add_argument("--out", type=Path, required=True, help="書き出すファイル（.kaigo）")
    export.add_argument("--force", action="store_true",
                        help="同じ名前のファイルがあれば置き換える（データベース・バックアップ・SQLite ファイルは置き換えない）")
    export.add_argument("--since", type=str.lower, choices=("last", "all"), default="last",
                        help="last: 前回の書き出し以降の変更（既定） / all: すべて")
    export.add_argument("--destination", default=None, help="送り先の名前（前回の書き出し位置を送り先ごとに記憶）")
    export.add_argument("--municipality", default=None, help="この区市町村のデータだけを書き出す（コード 6 桁）")
    export.add_argument("--center", default=None, metavar="ID", help="この地域包括支援センターのデータだけを書き出す")
    export.add_argument("--encrypt", action="store_true",
                        help=f"パスワードで暗号化する（パスワードは入力を求めるか、環境変数 {PASSPHRASE_ENV}）")
    imp = sub.add_parser("import", help="他の PC で書き出したファイルを取り込む")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="何も書き込まずに件数だけ表示する")
    sub.add_parser("conflicts", help="未解決の競合を一覧する")
    pending = sub.add_parser("pending", help="関係する記録が届くのを待っている（保留中の）記録を一覧する・破棄する")
    pending.add_argument("--drop", nargs="*", type=int, metavar="ID", default=None,
                         help="この ID の保留中の記録を破棄する（--all と一緒に: すべて）")
    pending.add_argument("--all", action="store_true", help="--drop と一緒に: 保留中の記録をすべて破棄する")
    pending.add_argument("--yes", action="store_true", help="確認せずに破棄する")
    sub.add_parser("new-id", help="コピーしたデータベースを別のデータベースとして区別する（コピー先で一度だけ実行）")
    resolve = sub.add_parser("resolve", help="競合を解決する")
    resolve.add_argument("id", help="競合の ID")
    resolve.add_argument("--keep", choices=("local", "incoming"), required=True,
                         help="local: この PC の版を残す / incoming: 取り込んだ版を残す")
    _add_trust_commands(sub)


def _add_trust_commands(sub: argparse._SubParsersAction) -> None:
    trust = sub.add_parser("trust", help="取り込みを受け付けるパソコン（署名の鍵）の一覧・追加・取り消し")
    commands = trust.add_subparsers(dest="trust_command", required=True)
    commands.add_parser("list", help="信頼するパソコンの一覧")
    commands.add_parser("show", aliases=["fingerprint"], help="このパソコンの指紋（相手に読み上げて確かめてもらう）")
    export = commands.add_parser("export", help="このパソコンの信頼ファイルを書き出す（最初の USB メモリで相手に渡す）")
    export.add_argument("--out", type=Path, required=True, help="書き出す信頼ファイル（.json）")
    add = commands.add_parser("add", help="信頼ファイル、または指紋を確かめた取り込みファイルのパソコンを信頼する")
    add.add_argument("file", type=Path, nargs="?", help="相手の信頼ファイル")
    add.add_argument("--from-bundle", type=Path, metavar="FILE.kaigo", help="相手が書き出した取り込みファイル")
    add.add_argument("--fingerprint", help="相手に電話などで読み上げてもらった指紋（例 3F2A-91C0-5B7D-E412-0A9C）")
    remove = commands.add_parser("remove", help="信頼を取り消す（データベース ID または指紋）")
    remove.add_argument("who", metavar="ID_OR_FINGERPRINT")


class _NoPassphrase(Exception):
    """The command cannot go on without the person (a passphrase, a confirmed fingerprint): the message says why."""


def _passphrase(confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise _NoPassphrase(f"パスワードが必要です。環境変数 {PASSPHRASE_ENV} に設定するか、端末から実行してください。")
    first = getpass.getpass("パスワード: ")
    if confirm and getpass.getpass("パスワード（確認）: ") != first:
        raise _NoPassphrase("パスワードが一致しません。何も書き出していません。")
    if not first:
        raise _NoPassphrase("パスワードが空です。")
    return first


def cmd_bundle(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services import exchange as ex
    from kaigo_desktop.services.bundle_signing import TrustError
    from kaigo_desktop.storage.errors import DatabaseInUseError, StorageError

    try:
        # --read-only reaches here only with `conflicts`, or `pending` without --drop (lock.refuse_read_only
        # turns the others away).
        with open_database(args, db_path) as db:
            command = args.bundle_command
            if command == "export":
                from kaigo_desktop.services.output_files import FORCE_HINT, OutputRefused, check_output_path

                try:
                    check_output_path(args.out, db, force=args.force, exists_hint=FORCE_HINT)
                except OutputRefused as error:
                    err(f"エラー: {error}")
                    return EXIT_ERROR
                destination = args.destination or args.municipality or ex.DEFAULT_DESTINATION
                passphrase = _passphrase(confirm=True) if args.encrypt else None
                summary = ex.export_bundle(db, args.out, destination=destination, since=args.since,
                                           municipality=args.municipality, center=args.center,
                                           passphrase=passphrase)
                print(f"書き出しました: {summary.path}（{summary.total} 件、送り先: {summary.destination}）")
                from kaigo_desktop.services.exchange_labels import KIND_LABELS

                for table, count in summary.counts.items():
                    print(f"  {KIND_LABELS.get(table, table)}: {count:,}件")
            elif command == "import":
                passphrase = _passphrase(confirm=False) if ex.is_encrypted(args.file) else None
                result = ex.import_bundle(db, args.file, dry_run=args.dry_run, passphrase=passphrase)
                head = "取り込みの確認（書き込んでいません）" if result.dry_run else "取り込みました"
                if result.already_imported:
                    head = "このファイルは取り込み済みです（変更なし）"
                print(f"{head}: 追加 {result.added}、更新 {result.updated}、削除 {result.deleted}、"
                      f"競合 {result.conflicts}、変更なし {result.skipped}、保留 {result.pending}")
                if not result.already_imported:
                    from kaigo_desktop.services.exchange_labels import bundle_text

                    print(bundle_text(result))
                if result.gaps:
                    from kaigo_desktop.services.exchange_labels import gap_text

                    for gap in result.gaps:
                        err(f"注意: {gap_text(gap)}")
                if result.pending:
                    print("保留中の記録は `bundle pending` で確認できます。")
                if result.conflicts:
                    print("競合は `bundle conflicts` で確認し、`bundle resolve ID --keep local|incoming` で解決してください。")
                if result.conflicts or result.gaps:
                    return EXIT_PROBLEMS
            elif command == "conflicts":
                found = ex.list_conflicts(db)
                for c in found:
                    print(f"{c.id}\t{c.table}\t{c.row_id}\t{c.reason}\t{c.detected_at}")
                    for problem in c.incoming.get(ex.PROBLEMS) or []:
                        print(f"  問題    : {problem}")
                    print(f"  この PC : {c.local}")
                    print(f"  取り込み: {c.incoming}")
                print(f"未解決の競合: {len(found)} 件")
                return EXIT_PROBLEMS if found else EXIT_OK
            elif command == "pending":
                return _pending(db, args)
            elif command == "new-id":
                print(f"このデータベースに新しい ID を付けました: {ex.give_new_database_id(db)}")
            elif command == "trust":
                return _trust(args, db)
            elif command == "resolve":
                ex.resolve_conflict(db, args.id, keep=args.keep)
                print(f"解決しました: {args.id}（{'この PC の版' if args.keep == 'local' else '取り込んだ版'}を残しました）")
    except DatabaseInUseError:
        raise  # main() says who has the file and what can be done (--read-only, unlock)
    except (_NoPassphrase, TrustError) as error:
        err(str(error))
        return EXIT_ERROR
    except (StorageError, OSError) as error:
        err(str(error))
        return EXIT_ERROR
    return EXIT_OK


def _trust(args: argparse.Namespace, db) -> int:
    from kaigo_desktop.services import bundle_signing as signing
    from kaigo_desktop.services import exchange as ex

    command = args.trust_command
    if command == "list":
        found = signing.trusted_pcs(db)
        for pc in found:
            print(f"{pc.fingerprint}\t{pc.database_id}\t{pc.name or '（名前なし）'}\t{pc.added_at}")
        print(f"信頼するパソコン: {len(found)} 台")
    elif command in ("show", "fingerprint"):
        me = signing.own_signer(db)
        print(f"このパソコンの指紋: {me.fingerprint}\nデータベース ID: {me.database_id}\n名前: {me.name or '（未設定）'}")
    elif command == "export":
        signing.save_trust_file(db, args.out)
        print(f"信頼ファイルを書き出しました: {args.out}（指紋 {signing.own_signer(db).fingerprint}）")
    elif command == "add":
        if (args.file is None) == (args.from_bundle is None):
            err("信頼ファイルか --from-bundle 取り込みファイルの、どちらか一方を指定してください。")
            return EXIT_ERROR
        if args.file is not None:
            signer, confirmed = signing.read_trust_file(args.file), args.fingerprint
        else:
            passphrase = _passphrase(confirm=False) if ex.is_encrypted(args.from_bundle) else None
            signer = ex.inspect_bundle(args.from_bundle, db.schema_version(), passphrase)
            confirmed = args.fingerprint if args.fingerprint is not None else _confirm_by_person(signer)
        added = signing.trust(db, signer, confirmed)
        print(f"{'信頼するパソコンに追加しました' if added else 'すでに信頼しています'}:\n{signer.description()}")
    elif command == "remove":
        pc = signing.untrust(db, args.who)
        print(f"信頼を取り消しました: {pc.name or '（名前なし）'}（{pc.database_id}、指紋 {pc.fingerprint}）")
    return EXIT_OK


def _confirm_by_person(signer) -> str:
    """At a terminal, the person compares the fingerprint with the sender and says yes; else --fingerprint."""
    if not sys.stdin.isatty():
        raise _NoPassphrase("送り主と確かめた指紋を --fingerprint で指定してください（端末から実行すると確認を求めます）。"
                            f"\n{signer.description()}")
    print(f"{signer.description()}\n送り主に電話などで指紋を読み上げてもらい、上の指紋と一致するか確かめてください。")
    if input("一致しましたか？ 信頼するときは yes と入力: ").strip().lower() not in ("yes", "y", "はい"):
        raise _NoPassphrase("信頼していません。何も変えていません。")
    return signer.fingerprint


def _pending(db, args: argparse.Namespace) -> int:
    """`bundle pending`: list the held-back rows; with --drop, drop some (or --all) after confirming."""
    from kaigo_desktop.services import exchange as ex
    from kaigo_desktop.services.exchange_labels import pending_views

    if args.drop is None:
        if args.all:
            err("--all は --drop と一緒に指定してください（bundle pending --drop --all）。")
            return EXIT_ERROR
        views = pending_views(db)
        if views:
            print("ID\t種類\t記録\t待っている記録\t届いた日時")
        for view in views:
            print(f"{view.id}\t{view.kind}\t{view.summary}\t{view.waiting_for}\t{view.since}")
        print(f"保留中の記録: {len(views)} 件")
        if views:
            print("破棄するには `bundle pending --drop ID …`（すべて: `--drop --all`）。破棄した記録は、送り主が"
                  "「すべて」を書き出したファイルを取り込むと、また届きます。")
        return EXIT_PROBLEMS if views else EXIT_OK
    if bool(args.drop) == args.all:
        err("破棄する保留中の記録の ID を指定するか、--all を指定してください（どちらか一方）。")
        return EXIT_ERROR
    ids = None if args.all else args.drop
    count = len(ex.list_pending(db)) if ids is None else len(ids)
    if not args.yes:
        answer = confirmed(f"保留中の記録 {count:,} 件を破棄します。元に戻せません。破棄しますか？ [y/N]: ")
        if answer is None:
            err("確認できないため破棄しませんでした。確認なしで破棄するには --yes を付けてください。")
            return EXIT_ERROR
        if not answer:
            print("破棄を中止しました。何も変更していません。")
            return EXIT_PROBLEMS
    print(f"保留中の記録を {ex.drop_pending(db, ids):,} 件破棄しました。")
    return EXIT_OK


EXCHANGE_COMMANDS = {"bundle": cmd_bundle}
