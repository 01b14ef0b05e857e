"""`period …`: センター確認, 承認してロック, ロック解除 (with a reason) and the list of 年度 and their state
(services/approval.py). A refusal — not ready, no right, no reason — says why in Japanese and exits 1."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_OK, EXIT_PROBLEMS, fail


def add_period_commands(subparsers: argparse._SubParsersAction) -> None:
    period = subparsers.add_parser("period", help="年度の承認とロック（提出済み）、センター確認")
    sub = period.add_subparsers(dest="period_command", required=True)
    lock = sub.add_parser("lock", help="年度を承認してロックする（提出前チェックにエラーがなく、注意がすべて確認済みで、"
                                       "全センターが確認済みのとき）")
    lock.add_argument("--fy", required=True, help="年度（2024、2024年度、令和6年度）")
    lock.add_argument("--municipality", required=True, metavar="CODE", help="区市町村コード")
    unlock = sub.add_parser("unlock", help="年度のロックを解除する（理由は記録に残る）")
    unlock.add_argument("--fy", required=True, help="年度")
    unlock.add_argument("--municipality", required=True, metavar="CODE", help="区市町村コード")
    unlock.add_argument("--reason", required=True, help="解除する理由（必須・記録に残る）")
    listing = sub.add_parser("list", help="確認・ロックのある年度と区市町村の一覧")
    listing.add_argument("--json", action="store_true", help="JSON で出力する")
    confirm = sub.add_parser("confirm", help="センター確認（そのセンターの通いの場の年度の記録を確認した）")
    confirm.add_argument("--fy", required=True, help="年度")
    confirm.add_argument("--center", required=True, metavar="ID", help="地域包括支援センターの ID")
    confirm.add_argument("--withdraw", action="store_true", help="センター確認を取り消す")


def _status_lines(status) -> list[str]:
    from kaigo_desktop.domain.fiscal import format_fiscal_year

    lines = [f"{format_fiscal_year(status.fiscal_year)} {status.municipality_name}（{status.municipality_code}）: "
             f"{status.label}" + (f" — {status.locked_by}" if status.locked and status.locked_by else "")]
    for center in status.centers:
        state = f"確認済み {center.confirmed_at}" + (f" {center.confirmed_by}" if center.confirmed_by else "") \
            if center.confirmed else "未確認"
        lines.append(f"  {center.name}: {state}")
    if status.unlocks:
        lines.append(f"  ロック解除 {status.unlocks}回（理由は記録に残っています）")
    return lines


def cmd_period(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.domain.errors import UserFacingError
    from kaigo_desktop.domain.fiscal import format_fiscal_year, parse_fiscal_year
    from kaigo_desktop.services import approval

    command = args.period_command
    fiscal_year = parse_fiscal_year(args.fy) if command != "list" else None
    code = normalize_municipality_code(args.municipality) if command in ("lock", "unlock") else None
    with open_database(args, db_path) as db:
        try:
            if command == "list":
                periods = approval.list_periods(db)
                if args.json:
                    print(json.dumps([p.to_json_dict() for p in periods], ensure_ascii=False, indent=2))
                elif not periods:
                    print("確認・ロックのある年度はありません。")
                for status in [] if args.json else periods:
                    print("\n".join(_status_lines(status)))
            elif command == "lock":
                approval.approve_and_lock(db, fiscal_year, code)
                print("\n".join(_status_lines(approval.period_status(db, fiscal_year, code))))
            elif command == "unlock":
                approval.unlock(db, fiscal_year, code, args.reason)
                print(f"{format_fiscal_year(fiscal_year)}のロックを解除しました（理由: {args.reason.strip()}）。")
            elif args.withdraw:
                approval.withdraw_confirmation(db, fiscal_year, args.center)
                print(f"{format_fiscal_year(fiscal_year)}のセンター確認を取り消しました。")
            else:
                approval.confirm_center(db, fiscal_year, args.center)
                print(f"{format_fiscal_year(fiscal_year)}のセンター確認を記録しました。")
        except UserFacingError as error:
            if getattr(error, "kind", "") == "unknown_municipality":
                raise  # an argument that cannot be used: exit 2, as every command
            return fail(str(error), EXIT_PROBLEMS)
    return EXIT_OK


PERIOD_COMMANDS = {"period": cmd_period}
