"""The metropolitan view's commands (issue 18): `submission` on a 区市町村's database (declare the 短期集中予防
サービス, export the signed .kaigo-sub) and `metro` on 東京都's (trust, import, sheet, target, indicator, rule).
add_metro_commands() adds them; METRO_COMMANDS maps them to their handlers (args, db_path) -> exit code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_OK, EXIT_PROBLEMS, err, fail

FORCE_HELP = "同じ名前のファイルがあれば置き換える（データベース・バックアップ・SQLite ファイルは置き換えない）"


def add_metro_commands(sub: argparse._SubParsersAction) -> None:
    submission = sub.add_parser("submission", help="東京都への提出ファイル（区市町村のデータベース）")
    commands = submission.add_subparsers(dest="submission_command", required=True)
    export = commands.add_parser("export", help="年度の集計値だけを署名つきの提出ファイル（.kaigo-sub）に書き出す")
    export.add_argument("--fy", required=True, help="年度（2024、2024年度、令和6年度）")
    export.add_argument("--municipality", required=True, help="区市町村コード")
    export.add_argument("--out", type=Path, required=True, help="書き出すファイル（.kaigo-sub）")
    export.add_argument("--force", action="store_true", help=FORCE_HELP)
    export.add_argument("--allow-empty", action="store_true", help="記録のない年度でも書き出す")
    declare = commands.add_parser("declare", help="短期集中予防サービス（C）の実施と利用者数を申告する")
    declare.add_argument("--fy", required=True, help="年度")
    declare.add_argument("--municipality", required=True, help="区市町村コード")
    declare.add_argument("--offered", required=True, choices=("yes", "no"), help="実施した: yes / しない: no")
    declare.add_argument("--users", type=int, default=None, help="その年度の利用者数（不明なら省略）")
    show = commands.add_parser("show", help="申告した短期集中予防サービスを表示する")
    show.add_argument("--fy", required=True, help="年度")
    show.add_argument("--municipality", required=True, help="区市町村コード")

    metro = sub.add_parser("metro", help="東京都の集計（init --metro で作成したデータベース）")
    commands = metro.add_subparsers(dest="metro_command", required=True)
    trust = commands.add_parser("trust", help="区市町村の署名の鍵を信頼する・一覧する")
    trust_commands = trust.add_subparsers(dest="trust_command", required=True)
    add = trust_commands.add_parser("add", help="区市町村の信頼ファイル（bundle trust export で作成）を登録する")
    add.add_argument("file", type=Path, help="信頼ファイル（.json）")
    add.add_argument("--municipality", help="その区市町村のコード（省略時は信頼ファイルの名前から）")
    add.add_argument("--fingerprint", help="区市町村の担当者に電話などで読み上げてもらった指紋")
    trust_commands.add_parser("list", help="信頼する鍵の一覧")
    imp = commands.add_parser("import", help="提出ファイルを取り込む（1つでも不正なら何も取り込まない）")
    imp.add_argument("files", type=Path, nargs="+", metavar="FILE")
    status = commands.add_parser("status", help="62区市町村の提出状況")
    status.add_argument("--fy", required=True, help="年度")
    status.add_argument("--json", action="store_true", help="JSON で出力する")
    sheet = commands.add_parser("sheet", help="評価シート（直近3年度の事項1～3と参考指標）")
    sheet.add_argument("--fy", required=True, help="年度")
    sheet.add_argument("--json", action="store_true", help="JSON で出力する")
    sheet.add_argument("--out", type=Path, help="PDF に保存する")
    sheet.add_argument("--font", type=Path, help="PDF に埋め込む日本語 TrueType フォント（.ttf/.ttc）")
    sheet.add_argument("--force", action="store_true", help=FORCE_HELP)
    target = commands.add_parser("target", help="事項の目標（区市町村数）を設定する")
    target.add_argument("--item", required=True, choices=("1", "2", "3"))
    target.add_argument("--fy", required=True, help="目標の年度（「令和5年度まで」なら 2023）")
    target.add_argument("--value", required=True, help="区市町村数（none で目標なし）")
    rule = commands.add_parser("rule", help="事項の数え方の基準を設定する（事項1: プログラム種類数、2: 推進員数、3: 利用者数）")
    rule.add_argument("--item", required=True, choices=("1", "2", "3"))
    rule.add_argument("--min", required=True, type=int, dest="minimum")
    indicator = commands.add_parser("indicator", help="参考指標（健康寿命・生きがいを感じる人の率）を入力する")
    indicator.add_argument("--key", required=True, choices=("healthy_life_expectancy", "ikigai_rate"))
    indicator.add_argument("--fy", required=True, help="年度")
    indicator.add_argument("--value", required=True, help="値（none で消す）")
    indicator.add_argument("--source", default="", help="出典（調査名など）")
    indicator.add_argument("--source-year", type=int, default=None, help="出典の年（調査年）")


def _fy_and_code(args: argparse.Namespace) -> tuple[int, str]:
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.domain.fiscal import parse_fiscal_year

    return parse_fiscal_year(args.fy), normalize_municipality_code(args.municipality)


def cmd_submission(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.domain.fiscal import format_fiscal_year
    from kaigo_desktop.services import setup, submissions
    from kaigo_desktop.services.stats import EmptyScope

    fiscal_year, code = _fy_and_code(args)
    with open_database(args, db_path) as db:
        name = setup.require_municipality(db, code)
        if args.submission_command == "declare":
            submissions.set_short_term_service_declaration(db, fiscal_year, code, args.offered == "yes", args.users)
        if args.submission_command in ("declare", "show"):
            found = submissions.short_term_service_declaration(db, fiscal_year, code)
            users = "不明" if found.users is None else f"{found.users:,}人"
            print(f"{format_fiscal_year(fiscal_year)} {name}: 短期集中予防サービス "
                  f"{'実施' if found.offered else '実施なし'}（利用者 {users}）")
            computed = submissions.short_term_records(db, fiscal_year, code)
            if computed is not None:  # the submission carries these, and 東京都 counts them (issue 19)
                counted = "<5（秘匿）" if computed.users is None else f"{computed.users:,}人"
                print(f"  記録から計算した利用者 {counted}: 提出ファイルにはこの値が入り、東京都の事項3はこちらで数えます"
                      "（cases figures）")
            return EXIT_OK
        try:
            exported = submissions.export_submission(db, fiscal_year, code, args.out, force=args.force,
                                                     allow_empty=args.allow_empty)
        except EmptyScope as error:
            return fail(f"{error}記録がなくても書き出すには --allow-empty を指定してください。", EXIT_PROBLEMS)
    print(submissions.describe(exported, name))
    if exported.warning:
        err(f"警告: {exported.warning}")
    return EXIT_OK


def cmd_metro(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.domain.fiscal import parse_fiscal_year

    command = args.metro_command
    with open_database(args, db_path) as db:
        if command == "trust":
            return _trust(args, db)
        if command == "import":
            return _import(args, db)
        fiscal_year = parse_fiscal_year(args.fy)
        if command == "status":
            return _status(args, db, fiscal_year)
        if command == "sheet":
            return _sheet(args, db, fiscal_year)
        return _settings(args, db, fiscal_year)


def _trust(args: argparse.Namespace, db) -> int:
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.services import metro

    if args.trust_command == "list":
        keys = metro.trusted_municipalities(db)
        for key in keys:
            print(f"{key.municipality_code}\t{key.fingerprint}\t{key.database_id}\t{key.name or '（名前なし）'}"
                  f"\t{key.added_at}")
        print(f"信頼する鍵: {len(keys)}（区市町村 {len({k.municipality_code for k in keys})}）")
        return EXIT_OK
    code = (normalize_municipality_code(args.municipality) if args.municipality
            else metro.municipality_of_trust_file(db, args.file))
    key = metro.trust_municipality_key(db, code, args.file, args.fingerprint)
    print(f"信頼する鍵に登録しました: {code}（指紋 {key.fingerprint}、データベース ID {key.database_id}）")
    if args.fingerprint is None:
        err("注意: 指紋を確かめずに登録しました。区市町村の担当者に電話などで指紋を読み上げてもらい、"
            f"{key.fingerprint} と一致することを確かめてください。")
    return EXIT_OK


def _import(args: argparse.Namespace, db) -> int:
    from kaigo_desktop.domain.fiscal import format_fiscal_year
    from kaigo_desktop.services import metro

    for result in metro.import_submissions(db, args.files):
        state = ("取り込み済み（変更なし）" if result.unchanged else "置き換え" if result.replaced else "取り込み")
        lock = "ロック済み" if result.locked else "未ロック"
        print(f"{state}: {format_fiscal_year(result.fiscal_year)} {result.municipality_name}"
              f"（{result.municipality_code}、{lock}、作成 {result.created_at}）")
    return EXIT_OK


def _status(args: argparse.Namespace, db, fiscal_year: int) -> int:
    from dataclasses import asdict

    from kaigo_desktop.services import metro

    statuses = metro.submission_statuses(db, fiscal_year)
    if args.json:
        print(json.dumps([asdict(s) for s in statuses], ensure_ascii=False, indent=2))
        return EXIT_OK
    for s in statuses:
        if not s.submitted:
            print(f"{s.municipality_code}\t{s.municipality_name}\t未提出")
            continue
        rate = "―" if s.weekly_participation_rate is None else f"{s.weekly_participation_rate}%"
        print(f"{s.municipality_code}\t{s.municipality_name}\t{s.submitted_at}\t{s.submitted_by or ''}\t"
              f"{'署名OK' if s.signature_ok else '鍵の信頼なし'}\t{'ロック済み' if s.locked else '未ロック'}\t"
              f"通いの場 {s.places if s.places is not None else '―'}\t推進員 {s.promoters}\t週1回以上参加率 {rate}"
              + (f"\t置き換え {s.replaced_count}" if s.replaced_count else ""))
    done = sum(1 for s in statuses if s.submitted)
    print(f"提出 {done} / {len(statuses)}")
    return EXIT_OK


def _sheet(args: argparse.Namespace, db, fiscal_year: int) -> int:
    from kaigo_desktop.services import metro

    sheet = metro.evaluation_sheet(db, fiscal_year)
    if args.out is not None:
        from kaigo_desktop.reports.metro_sheet import write_sheet_pdf
        from kaigo_desktop.services.output_files import FORCE_HINT, check_output_path

        out = check_output_path(args.out, db, force=args.force, exists_hint=FORCE_HINT)
        pages = write_sheet_pdf(sheet, out, font=args.font)
        print(f"評価シートを作成しました: {out}（{pages}ページ）", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(metro.sheet_json(sheet), ensure_ascii=False, indent=2))
    elif args.out is None:
        print(metro.sheet_text(sheet))
    return EXIT_OK


def _settings(args: argparse.Namespace, db, fiscal_year: int) -> int:
    from kaigo_desktop.domain.fiscal import format_fiscal_year
    from kaigo_desktop.services import metro

    if args.metro_command == "rule":
        metro.set_item_rule(db, args.item, args.minimum)
        print(f"事項{args.item}の基準を {args.minimum} にしました。")
        return EXIT_OK
    value = None if args.value.strip().lower() in ("none", "") else args.value.strip()
    if args.metro_command == "target":
        try:
            target = None if value is None else int(value)
        except ValueError:
            return fail(f"目標は区市町村数（整数）で指定してください: {args.value}")
        metro.set_item_target(db, args.item, fiscal_year, target)
        print(f"事項{args.item}の目標（{format_fiscal_year(fiscal_year)}まで）: "
              f"{'なし' if target is None else f'{target}区市町村'}")
        return EXIT_OK
    try:
        number = None if value is None else float(value)
    except ValueError:
        return fail(f"値は数で指定してください: {args.value}")
    metro.set_indicator(db, args.key, fiscal_year, number, args.source, args.source_year)
    print(f"{metro.INDICATOR_TITLES[args.key]}（{format_fiscal_year(fiscal_year)}）: "
          f"{'なし' if number is None else number}（出典: {args.source or '―'}"
          f"{f'、{args.source_year}年' if args.source_year else ''}）")
    return EXIT_OK


METRO_COMMANDS = {"submission": cmd_submission, "metro": cmd_metro}
