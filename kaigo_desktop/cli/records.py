"""The commands on the records themselves: init, demo, import, stats, check, validate and screenshots.
add_record_commands() adds them to the parser and RECORD_COMMANDS maps them to their handlers."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from kaigo_desktop.cli.database import on_database, open_database
from kaigo_desktop.cli.exits import EXIT_OK, EXIT_PROBLEMS, fail


def add_record_commands(sub: argparse._SubParsersAction) -> None:
    init = sub.add_parser("init", help="新しいデータベースを作成する")
    init.add_argument("--municipality", help="区市町村コード（6桁、5桁も可）。--metro のときは不要")
    init.add_argument("--metro", action="store_true", help="東京都用（区市町村の提出ファイルを集計する）データベースを作成する")
    init.add_argument("--center", help="地域包括支援センター名")

    demo = sub.add_parser("demo", help="デモデータを作成する")
    demo.add_argument("--places", type=int, default=200)
    demo.add_argument("--years", type=int, default=2)
    demo.add_argument("--seed", type=int, default=1)

    imp = sub.add_parser("import", help="CSV または Excel（.xlsx）ファイルを取り込む（全行成功したときだけ書き込む）")
    imp.add_argument("kind", choices=("places", "gatherings", "promoters", "activities", "members",
                                      "population", "expenses", "participants", "checks", "questionnaires",
                                      "roster", "cases"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="確認のみで書き込まない")
    imp.add_argument("--sheet", metavar="NAME", help="Excel ファイル（.xlsx）のシート名（省略時は最初の表示シート）")
    imp.add_argument("--encoding", choices=("auto", "utf-8", "cp932"), default="auto",
                     help="CSV の文字コード（既定: 自動判別）")

    stats = sub.add_parser("stats", help="年度の集計を表示する")
    stats.add_argument("--fy", required=True, help="年度（2024、2024年度、令和6年度）")
    stats.add_argument("--municipality", help="区市町村コード（省略時は全体）")
    stats.add_argument("--json", action="store_true", help="JSON で出力する")

    check = sub.add_parser("check", help="データベースの整合性を確認する（通常は簡易検査、--full で完全検査）")
    check.add_argument("--full", action="store_true",
                       help="SQLite の完全な整合性検査も行う（大きなデータベースでは時間がかかります）")

    validate = sub.add_parser("validate", help="提出前チェック（エラーがあれば終了コード1）")
    validate.add_argument("--fy", required=True, help="年度（2024、2024年度、令和6年度）")
    validate.add_argument("--municipality", help="区市町村コード（省略時は全体）")
    validate.add_argument("--json", action="store_true", help="JSON で出力する")
    validate.add_argument("--acknowledge", action="append", default=[], metavar="CODE|KEY|all",
                          help="注意を確認済みにする（規則コード・注意のキー・all。繰り返し指定可）")
    validate.add_argument("--note", default="", help="確認済みにする理由のメモ")

    shots = sub.add_parser("screenshots", help="各画面の画像（PNG）を保存する（画面を表示せずに実行）")
    shots.add_argument("--out", type=Path, required=True, help="画像を保存するフォルダ")
    shots.add_argument("--text-scale", type=int, default=100, help="文字の大きさ（100〜200%%）")
    shots.add_argument("--screen", metavar="WxH", help="画面の大きさ（例 1366x768）。タスクバーの 40 px を除いた"
                       "大きさのウィンドウで撮る（省略時は 1280x800 のウィンドウ）")


def cmd_init(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services import setup

    if args.metro:
        from kaigo_desktop.services.metro import init_metro

        if args.municipality or args.center:
            return fail("--metro のデータベースには --municipality・--center を指定しません（62区市町村すべてを扱います）。")
        summary = on_database(args, db_path, init_metro)
        print(f"東京都用のデータベースを用意しました: {db_path}")
        print(summary)
        return EXIT_OK
    if not args.municipality:
        return fail("区市町村コード（--municipality）を指定してください（東京都用は --metro）。")
    code = setup.municipality_code_from_user(args.municipality)
    summary = on_database(args, db_path, lambda db: setup.initialise(db, code, args.center))
    print(f"データベースを用意しました: {db_path}")
    print(summary)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services.demo import create_demo

    def progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

    try:
        summary = on_database(args, db_path, lambda db: create_demo(
            db, places=args.places, years=args.years, seed=args.seed, progress=progress))
    finally:
        print(file=sys.stderr)  # end the progress line (before an error message too)
    print(f"デモデータを作成しました: {db_path}")
    print(summary)
    return EXIT_OK


def cmd_import(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services.importing import format_result, import_file

    if not args.file.is_file():
        return fail(f"ファイルが見つかりません: {args.file}")
    with open_database(args, db_path) as db:
        result = import_file(db, args.kind, args.file, dry_run=args.dry_run, sheet=args.sheet, encoding=args.encoding)
    print(format_result(result), file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _fiscal_year_figures(args: argparse.Namespace, db_path: Path, compute):
    """`compute(db, fiscal_year, municipality_code)` for --fy and --municipality (checked against Tokyo's
    list), printed as JSON with --json: what stats and validate share."""
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.domain.fiscal import parse_fiscal_year
    from kaigo_desktop.services import setup

    fiscal_year = parse_fiscal_year(args.fy)
    code = normalize_municipality_code(args.municipality) if args.municipality else None
    with open_database(args, db_path) as db:
        if code:
            setup.require_municipality(db, code)
        result = compute(db, fiscal_year, code)
    if args.json:
        print(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2))
    return result


def cmd_stats(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services.stats import fiscal_year_stats
    from kaigo_desktop.services.stats_text import format_stats

    stats = _fiscal_year_figures(args, db_path, fiscal_year_stats)
    if not args.json:
        print(format_stats(stats))
    for warning in stats.warnings:
        print(f"警告: {warning}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services.checking import check_database

    def progress(done: int, total: int, table: str) -> None:
        print(f"\r完全検査 {done}/{total} {table}".ljust(60), end="" if table else "\n", file=sys.stderr,
              flush=True)

    # The quick check runs inside check_database beside the other reads (`--full` runs the whole one there).
    with open_database(args, db_path, quick_check=args.full) as db:
        report = check_database(db, full=args.full, progress=progress if args.full else None)
    for problem in report.integrity:
        print(f"エラー: {problem}")
    for finding in report.findings:
        label = "エラー" if finding.severity == "error" else "警告"
        print(f"{label}: {finding.message}（{finding.count:,}件）")
    print("問題はありません。" if report.ok else "問題が見つかりました。")
    return EXIT_OK if report.ok else EXIT_PROBLEMS


TASKBAR_HEIGHT = 40  # what Windows' taskbar takes of a screen: 1366×768 leaves 1366×728 for a window
SCREEN_SIZE = re.compile(r"\s*(\d{3,5})\s*[xX×]\s*(\d{3,5})\s*")


def parse_screen_size(text: str) -> tuple[int, int] | None:
    """「1366x768」 (x, X or ×; 640×480 to 7680×4320) as (width, height); None for anything else."""
    match = SCREEN_SIZE.fullmatch(text.translate(str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")))
    if match is None:
        return None
    width, height = int(match.group(1)), int(match.group(2))
    return (width, height) if 640 <= width <= 7680 and 480 <= height <= 4320 else None


def cmd_screenshots(args: argparse.Namespace, db_path: Path) -> int:
    import os

    if not db_path.exists():
        return fail(f"データベースファイルがありません: {db_path}")
    if not 100 <= args.text_scale <= 200:
        return fail(f"--text-scale は 100〜200 で指定してください: {args.text_scale}")
    window_size = None
    if args.screen is not None:
        screen = parse_screen_size(args.screen)
        if screen is None:
            return fail(f"--screen は 幅x高さ（例 1366x768）で指定してください: {args.screen}")
        window_size = (screen[0], screen[1] - TASKBAR_HEIGHT)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported: no window is shown
    from kaigo_desktop.gui.screenshots import write_screenshots

    for path in write_screenshots(db_path, args.out, text_scale=args.text_scale, window_size=window_size):
        print(path)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, db_path: Path) -> int:
    """The checks before sending: exit 0 without エラー (注意 are listed), 1 with any."""
    from kaigo_desktop.services.submission_checks import run_checks
    from kaigo_desktop.services.submission_checks_text import format_checks

    compute = run_checks
    if args.acknowledge:
        from kaigo_desktop.services.acknowledging import acknowledge_matching

        def compute(db, fiscal_year, code):
            acknowledge_matching(db, run_checks(db, fiscal_year, code), args.acknowledge, args.note)
            return run_checks(db, fiscal_year, code)

    report = _fiscal_year_figures(args, db_path, compute)
    if not args.json:
        print(format_checks(report))
    return EXIT_OK if report.ok else EXIT_PROBLEMS


RECORD_COMMANDS = {"init": cmd_init, "demo": cmd_demo, "import": cmd_import, "stats": cmd_stats,
                   "check": cmd_check, "validate": cmd_validate, "screenshots": cmd_screenshots}
