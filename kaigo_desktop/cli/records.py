"""The `kaigo-desktop` command: the GUI when called without a subcommand, headless subcommands otherwise.
Same services as the GUI; never imports Qt unless the GUI is asked for."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kaigo_desktop import __version__, paths
from kaigo_desktop.cli_backup import BACKUP_COMMANDS, add_backup_commands
from kaigo_desktop.cli_exchange import EXCHANGE_COMMANDS, add_exchange_commands
from kaigo_desktop.cli_lock import LOCK_COMMANDS, add_lock_commands, in_use_hints, read_only, refuse_read_only
from kaigo_desktop.reports.cli_commands import REPORT_COMMANDS, add_report_commands

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kaigo-desktop",
        description="Kaigo Desktop — 通いの場・介護予防・フレイル予防推進員の記録と報告",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--db", type=Path, help="データベースファイル（省略時はユーザーのデータフォルダ）")
    parser.add_argument("--demo", action="store_true",
                        help="デモ用データベースを開く（初回は作成する）")
    parser.add_argument("--user", default="", help="記録者名（updated_by に記録）")
    sub = parser.add_subparsers(dest="command", metavar="<command>")

    init = sub.add_parser("init", help="新しいデータベースを作成する")
    init.add_argument("--municipality", required=True, help="区市町村コード（6桁、5桁も可）")
    init.add_argument("--center", help="地域包括支援センター名")

    demo = sub.add_parser("demo", help="デモデータを作成する")
    demo.add_argument("--places", type=int, default=200)
    demo.add_argument("--years", type=int, default=2)
    demo.add_argument("--seed", type=int, default=1)

    imp = sub.add_parser("import", help="CSV または Excel（.xlsx）ファイルを取り込む（全行成功したときだけ書き込む）")
    imp.add_argument("kind", choices=("places", "gatherings", "promoters", "activities", "members",
                                      "population", "expenses"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="確認のみで書き込まない")
    imp.add_argument("--sheet", metavar="NAME", help="Excel ファイル（.xlsx）のシート名（省略時は最初の表示シート）")
    imp.add_argument("--encoding", choices=("auto", "utf-8", "cp932"), default="auto",
                     help="CSV の文字コード（既定: 自動判別）")

    stats = sub.add_parser("stats", help="年度の集計を表示する")
    stats.add_argument("--fy", required=True, help="年度（2024、2024年度、令和6年度）")
    stats.add_argument("--municipality", help="区市町村コード（省略時は全体）")
    stats.add_argument("--json", action="store_true", help="JSON で出力する")

    sub.add_parser("check", help="データベースの整合性を確認する")

    shots = sub.add_parser("screenshots", help="各画面の画像（PNG）を保存する（画面を表示せずに実行）")
    shots.add_argument("--out", type=Path, required=True, help="画像を保存するフォルダ")
    shots.add_argument("--text-scale", type=int, default=100, help="文字の大きさ（100〜200%%）")
    add_report_commands(sub)
    add_backup_commands(sub)
    add_exchange_commands(sub)
    add_lock_commands(parser, sub)
    return parser


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"エラー: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    refused = refuse_read_only(args)
    if refused:
        return _fail(refused)
    db_path = args.db or (paths.demo_database_path() if args.demo else paths.default_database_path())
    if args.command is None:
        from kaigo_desktop.gui.app import run_gui  # Qt only when the GUI is asked for

        return run_gui(db_path, demo=args.demo, user=args.user)

    from kaigo_desktop.domain.validation import ValidationFailed
    from kaigo_desktop.storage.errors import DatabaseInUseError, StorageError

    try:
        return _COMMANDS[args.command](args, db_path)
    except DatabaseInUseError as error:
        return _fail("\n".join([str(error), *in_use_hints(args, error.holder)]))
    except StorageError as error:
        return _fail(str(error))
    except ValidationFailed as error:
        for field_error in error.errors:
            print(f"エラー: [{field_error.field}] {field_error.message}", file=sys.stderr)
        return EXIT_PROBLEMS
    except (ValueError, FileNotFoundError, PermissionError, IsADirectoryError) as error:
        return _fail(str(error))
    except OSError as error:  # disk full, a USB stick pulled out, a folder that cannot be written
        return _fail(_write_failure(error))
    except KeyboardInterrupt:
        return _fail("中断しました。書きかけの変更は取り消されました。")


def _write_failure(error: OSError) -> str:
    """Japanese for a file that could not be written, naming the real cause (a full disk only when it is)."""
    import errno

    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"ファイルを書き込めません。ディスクの空きと保存先を確かめてください。データベースは変更していません。（{error}）"
    where = f": {error.filename}" if error.filename else ""
    return (f"ファイルを書き込めません（{error.strerror or error}）{where}。保存先を確かめてください。"
            "データベースは変更していません。")


def _open(args: argparse.Namespace, db_path: Path):
    from kaigo_desktop.storage.database import Database

    return Database.open(db_path, user=args.user, readonly=read_only(args))


def _on_database(args: argparse.Namespace, db_path: Path, build):
    """Run `build` on the database, creating the file whole (or not at all) when it does not exist yet."""
    from kaigo_desktop.storage.database import Database

    if db_path.exists():
        with _open(args, db_path) as db:
            return build(db)
    return Database.create_new(db_path, build, user=args.user)


def cmd_init(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services import setup

    code = setup.municipality_code_from_user(args.municipality)
    summary = _on_database(args, db_path, lambda db: setup.initialise(db, code, args.center))
    print(f"データベースを用意しました: {db_path}")
    print(summary)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services.demo import create_demo

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

    try:
        summary = _on_database(args, db_path, lambda db: create_demo(
            db, places=args.places, years=args.years, seed=args.seed, progress=progress))
    finally:
        print(file=sys.stderr)  # end the progress line (before an error message too)
    print(f"デモデータを作成しました: {db_path}")
    print(summary)
    return EXIT_OK


def cmd_import(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services.importing import format_result, import_file

    if not args.file.is_file():
        return _fail(f"ファイルが見つかりません: {args.file}")
    with _open(args, db_path) as db:
        result = import_file(db, args.kind, args.file, dry_run=args.dry_run, sheet=args.sheet, encoding=args.encoding)
    print(format_result(result), file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def cmd_stats(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.domain.fiscal import parse_fiscal_year
    from kaigo_desktop.services import setup
    from kaigo_desktop.services.stats import fiscal_year_stats
    from kaigo_desktop.services.stats_text import format_stats

    fiscal_year = parse_fiscal_year(args.fy)
    code = normalize_municipality_code(args.municipality) if args.municipality else None
    with _open(args, db_path) as db:
        if code:
            setup.require_municipality(db, code)
        stats = fiscal_year_stats(db, fiscal_year, code)
    if args.json:
        print(json.dumps(stats.to_json_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats))
    for warning in stats.warnings:
        print(f"警告: {warning}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services.checking import check_database

    with _open(args, db_path) as db:
        report = check_database(db)
    for problem in report.integrity:
        print(f"エラー: {problem}")
    for finding in report.findings:
        label = "エラー" if finding.severity == "error" else "警告"
        print(f"{label}: {finding.message}（{finding.count:,}件）")
    print("問題はありません。" if report.ok else "問題が見つかりました。")
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def cmd_screenshots(args: argparse.Namespace, db_path: Path) -> int:
    import os

    if not db_path.exists():
        return _fail(f"データベースファイルがありません: {db_path}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported: no window is shown
    from kaigo_desktop.gui.screenshots import write_screenshots

    for path in write_screenshots(db_path, args.out, text_scale=args.text_scale):
        print(path)
    return EXIT_OK


_COMMANDS = {"init": cmd_init, "demo": cmd_demo, "import": cmd_import, "stats": cmd_stats, "check": cmd_check,
             "screenshots": cmd_screenshots}
_COMMANDS.update(REPORT_COMMANDS)
_COMMANDS.update(BACKUP_COMMANDS)
_COMMANDS.update(EXCHANGE_COMMANDS)
_COMMANDS.update(LOCK_COMMANDS)
