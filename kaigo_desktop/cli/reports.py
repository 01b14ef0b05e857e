"""The `report`, `export` and `template` subcommands of kaigo-desktop: add_report_commands() adds them to the parser and
REPORT_COMMANDS maps them to their handlers. Nothing heavy is imported until a command runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_OK, EXIT_PROBLEMS, fail
from kaigo_desktop.reports import LEAVES_MUNICIPALITY, REPORTS, ReportOptions

FORCE_HELP = ("同じ名前のファイルがあれば置き換える（データベース・バックアップ・SQLite ファイルは"
              "指定しても置き換えない）")

ALLOW_EMPTY_HELP = "記録のない年度・区市町村でも作成する（既定では終了コード1で作成しない）"


def add_report_commands(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report", help="PDF の報告書を作成する",
        description="報告書: submission＝実施状況報告書、promoters＝推進員 配置・活動実績報告書、"
                    "activity＝推進員 活動報告書、places＝通いの場一覧、attendance-sheet＝開催記録表、"
                    "outcomes＝通いの場参加者のフレイル状態の変化、participant＝参加者本人用の基本チェックリストの記録")
    report.add_argument("kind", choices=tuple(REPORTS))
    report.add_argument("--fy", help="年度（2024、2024年度、令和6年度）。activity と attendance-sheet は --month でも可")
    report.add_argument("--municipality", help="区市町村コード（省略時は全区市町村）")
    report.add_argument("--promoter", help="推進員ID（activity）")
    report.add_argument("--place", help="通いの場ID（attendance-sheet、outcomes）")
    report.add_argument("--participant", help="参加者の ID（participant。氏名を印刷するため、そのセンターの職員と"
                                              "区市町村管理者だけが作成できる）")
    report.add_argument("--month", help="月 YYYY-MM（activity は省略時に年度全体、attendance-sheet は必須）")
    report.add_argument("--blank", action="store_true", help="白紙の開催記録表（attendance-sheet）")
    report.add_argument("--no-suppress", action="store_true",
                        help="秘匿処理をしない（submission・promoters は既定で1～4人を「<5」と表示）")
    report.add_argument("--font", type=Path, help="PDF に埋め込む日本語 TrueType フォント（.ttf/.ttc）")
    report.add_argument("--out", type=Path, required=True, help="出力する PDF ファイル")
    report.add_argument("--force", action="store_true", help=FORCE_HELP)
    report.add_argument("--allow-empty", action="store_true", help=ALLOW_EMPTY_HELP)

    template = subparsers.add_parser("template", help="取り込み用の Excel テンプレート（見出し・選択肢つき）を保存する")
    template.add_argument("kind", choices=("places", "gatherings", "promoters", "activities", "members",
                                           "population", "expenses", "participants", "checks", "questionnaires",
                                           "roster", "cases"))
    template.add_argument("--municipality", help="区市町村コード（その区市町村の通いの場を選択肢にし、members では記入済みにする）")
    template.add_argument("--fy", help="年度（members: その年度に活動中の通いの場を記入済みにする）")
    template.add_argument("--out", type=Path, required=True, help="出力する xlsx ファイル")
    template.add_argument("--force", action="store_true", help=FORCE_HELP)

    export = subparsers.add_parser("export", help="報告書1・2の表を Excel または CSV に書き出す")
    export.add_argument("format", choices=("xlsx", "csv"))
    export.add_argument("--fy", required=True, help="年度（2024、2024年度、令和6年度）")
    export.add_argument("--municipality", help="区市町村コード（省略時は全区市町村）")
    export.add_argument("--no-suppress", action="store_true", help="秘匿処理をしない（既定は1～4人を「<5」と表示）")
    export.add_argument("--out", type=Path, required=True,
                        help="出力先（xlsx: ファイル。csv: .csv なら1ファイル、それ以外はフォルダに表ごとのファイル）")
    export.add_argument("--force", action="store_true", help=FORCE_HELP)
    export.add_argument("--allow-empty", action="store_true", help=ALLOW_EMPTY_HELP)

    opendata = subparsers.add_parser(
        "export-opendata", help="通いの場の一覧を厚生労働省の「通いの場オープンデータ」の列で CSV に書き出す")
    opendata.add_argument("--municipality", help="区市町村コード（省略時は全区市町村）")
    opendata.add_argument("--as-of", help="この日に活動中の通いの場（省略時は今日）")
    opendata.add_argument("--out", type=Path, required=True, help="出力する CSV ファイル（UTF-8・BOM 付き）")
    opendata.add_argument("--force", action="store_true", help=FORCE_HELP)


def _options(args: argparse.Namespace) -> ReportOptions:
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.domain.fiscal import parse_fiscal_year
    from kaigo_desktop.services.report_lists import parse_month

    return ReportOptions(
        fiscal_year=parse_fiscal_year(args.fy) if args.fy else None,
        municipality_code=normalize_municipality_code(args.municipality) if args.municipality else None,
        promoter_id=getattr(args, "promoter", None),
        place_id=getattr(args, "place", None),
        participant_id=getattr(args, "participant", None),
        month=parse_month(args.month) if getattr(args, "month", None) else None,
        blank=getattr(args, "blank", False),
        suppress=not getattr(args, "no_suppress", False),
        font_path=getattr(args, "font", None),
        allow_empty=getattr(args, "allow_empty", False),
    )


def _check_out(args: argparse.Namespace, db):
    """The output-file guard for this command's --out (and --force)."""
    from kaigo_desktop.services.output_files import FORCE_HINT, check_output_path

    return lambda path: check_output_path(path, db, force=args.force, exists_hint=FORCE_HINT)


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        print(f"警告: {warning}", file=sys.stderr)


def _refusing_empty(make):
    """Run `make()`; a 年度 and 区市町村 without records is a problem with the data (exit 1), not with the
    arguments: nothing is written."""
    from kaigo_desktop.services.stats import EmptyScope

    try:
        return make(), EXIT_OK
    except EmptyScope as error:
        return None, fail(f"{error}記録がなくても作成するには --allow-empty を指定してください。", EXIT_PROBLEMS)


def cmd_report(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.reports import generate

    options = _options(args)
    if args.kind in ("submission", "promoters", "places") and options.fiscal_year is None:
        raise ValueError("年度（--fy）を指定してください。")
    with open_database(args, db_path) as db:
        _check_out(args, db)(args.out)
        result, code = _refusing_empty(lambda: generate(args.kind, db, options, args.out))
    if result is None:
        return code
    print(f"{REPORTS[args.kind][1]}を作成しました: {result.path}（{result.pages}ページ）")
    if args.kind in LEAVES_MUNICIPALITY:
        print(f"秘匿処理: {'あり' if options.suppress else 'なし'}（秘匿した欄 {result.hidden_cells}）")
    _print_warnings(result.warnings)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.reports.exports import export

    options = _options(args)
    with open_database(args, db_path) as db:
        result, code = _refusing_empty(
            lambda: export(db, args.format, options, args.out, check_target=_check_out(args, db)))
    if result is None:
        return code
    print(f"書き出しました: {result.path}（{result.pages}表）")
    print(f"秘匿処理: {'あり' if options.suppress else 'なし'}（秘匿した欄 {result.hidden_cells}）")
    _print_warnings(result.warnings)
    return EXIT_OK


def cmd_export_opendata(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.domain.errors import UserFacingError
    from kaigo_desktop.domain.fiscal import parse_date
    from kaigo_desktop.reports.opendata import export_open_data
    from kaigo_desktop.services import setup

    code = normalize_municipality_code(args.municipality) if args.municipality else None
    on = parse_date(args.as_of) if args.as_of else None
    with open_database(args, db_path) as db:
        if code:
            setup.require_municipality(db, code)
        try:
            result = export_open_data(db, args.out, municipality_code=code, on=on, check_target=_check_out(args, db))
        except UserFacingError as error:
            if error.kind != "empty":
                raise
            return fail(str(error), EXIT_PROBLEMS)
    print(f"オープンデータを書き出しました: {result.path}（通いの場 {result.rows:,}か所）")
    _print_warnings(result.warnings)
    return EXIT_OK


def cmd_template(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.reports.import_templates import write_template
    from kaigo_desktop.services import setup

    options = _options(args)
    with open_database(args, db_path) as db:
        if options.municipality_code:
            setup.require_municipality(db, options.municipality_code)
        _check_out(args, db)(args.out)
        filled = write_template(db, args.kind, args.out, municipality_code=options.municipality_code,
                                fiscal_year=options.fiscal_year)
    print(f"テンプレートを保存しました: {args.out}" + (f"（通いの場 {filled:,}行を記入済み）" if filled else ""))
    return EXIT_OK


REPORT_COMMANDS = {"report": cmd_report, "export": cmd_export, "template": cmd_template,
                   "export-opendata": cmd_export_opendata}
