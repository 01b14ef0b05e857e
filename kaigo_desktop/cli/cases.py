"""`cases list|show` (issue 19): 短期集中予防サービス (C) cases as the logged-in user may see them — the
participant's name only for the center's センター職員 and the 区市町村管理者, each view audited — and `cases
figures`: the 区市町村's 事項3 figures of a 年度 (as the submission to 東京都 carries them, small counts hidden)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_OK, EXIT_PROBLEMS, fail


def add_case_commands(subparsers: argparse._SubParsersAction) -> None:
    cases = subparsers.add_parser("cases", help="短期集中予防サービス（C）の記録（氏名は権限のある利用者だけに表示）")
    sub = cases.add_subparsers(dest="cases_command", required=True)
    listing = sub.add_parser("list", help="記録の一覧")
    listing.add_argument("--center", metavar="ID", help="地域包括支援センターの ID")
    listing.add_argument("--municipality", metavar="CODE", help="区市町村コード")
    listing.add_argument("--json", action="store_true", help="JSON で出力する")
    show = sub.add_parser("show", help="一つの記録（アセスメント・サービス期間・結果・追跡）")
    show.add_argument("case", help="記録の ID")
    show.add_argument("--json", action="store_true", help="JSON で出力する")
    figures = sub.add_parser("figures", help="事項3の数値（利用者数・改善率・通いの場への継続参加、秘匿処理あり）")
    figures.add_argument("--fy", required=True, help="年度（2024、2024年度、令和6年度）")
    figures.add_argument("--municipality", required=True, metavar="CODE", help="区市町村コード")
    figures.add_argument("--json", action="store_true", help="JSON で出力する")


def _day(value) -> str | None:
    return value.isoformat() if value else None


def case_json(view) -> dict:
    from kaigo_desktop.domain import short_term_cases as stc

    case = view.case
    data = {"id": case.id, "number": view.number, "center": view.center_name,
            "referred_on": _day(case.referred_on), "referral_source": case.referral_source,
            "assessed_on": _day(case.assessed_on), "initial_level": view.initial_level,
            **{f"initial_{name}": getattr(case, f"initial_{name}") for name in stc.MEASURES},
            "service_start_on": _day(case.service_start_on), "service_end_on": _day(case.service_end_on),
            "sessions": case.sessions, "reassessed_on": _day(case.reassessed_on), "final_level": view.final_level,
            **{f"final_{name}": getattr(case, f"final_{name}") for name in stc.MEASURES},
            "improved": view.improved, "meeting_on": _day(case.meeting_on),
            "meeting_decision": case.meeting_decision, "outcome": case.outcome or None, "outcome_place": view.place_name,
            **{f"followup{m}": {"on": _day(getattr(case, f"followup{m}_on")),
                                "attending": getattr(case, f"followup{m}_attending"),
                                "level": getattr(case, f"followup{m}_level")} for m in (6, 12)},
            "warning": view.warning}
    if view.identity_shown:
        data.update(name=view.name, kana=view.kana)
    return data


def _level(code: str | None) -> str:
    from kaigo_desktop.services.short_term_cases import LEVEL_TEXT

    return LEVEL_TEXT[code]


def case_lines(view) -> list[str]:
    from kaigo_desktop.domain import short_term_cases as stc

    c = view.case
    who = f"参加者番号 {view.number}　{view.center_name}" + (f"　{view.name}" if view.identity_shown else "")

    def measures(stage: str) -> str:
        parts = [f"{label} {getattr(c, f'{stage}_{name}')}{unit}" for name, (label, _, unit) in stc.MEASURES.items()
                 if getattr(c, f"{stage}_{name}") is not None]
        return "　" + "　".join(parts) if parts else ""

    improved = {True: "改善", False: "改善なし", None: "判定できず"}[view.improved]
    lines = [who, f"  紹介 {_day(c.referred_on)}（{c.referral_source}）",
             f"  初回アセスメント {_day(c.assessed_on) or '—'}　{_level(view.initial_level)}{measures('initial')}",
             f"  サービス {_day(c.service_start_on) or '—'}〜{_day(c.service_end_on) or ''}"
             + (f"　{c.sessions}回" if c.sessions is not None else ""),
             f"  再アセスメント {_day(c.reassessed_on) or '—'}　{_level(view.final_level)}{measures('final')}"
             f"　（{improved}）",
             f"  地域ケア会議 {_day(c.meeting_on) or '—'}　{c.meeting_decision}",
             f"  結果 {c.outcome or '未定'}" + (f"（{view.place_name}）" if view.place_name else "")]
    for months in (6, 12):
        on = getattr(c, f"followup{months}_on")
        if on:
            attending = {1: "参加中", 0: "参加していない", None: "—"}[getattr(c, f"followup{months}_attending")]
            lines.append(f"  {months}か月後 {on.isoformat()}　通いの場 {attending}　"
                         f"{_level(getattr(c, f'followup{months}_level'))}")
    if view.warning:
        lines.append(f"  注意: {view.warning}")
    return lines


def cmd_cases(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services import short_term_cases
    from kaigo_desktop.storage.errors import RecordNotFoundError

    if args.cases_command == "figures":
        return _figures(args, db_path)
    with open_database(args, db_path) as db:
        if args.cases_command == "list":
            from kaigo_desktop.domain.codes import normalize_municipality_code

            code = normalize_municipality_code(args.municipality) if args.municipality else None
            found = short_term_cases.list_cases(db, center_id=args.center, municipality_code=code)
            if args.json:
                print(json.dumps({"cases": [case_json(v) for v in found]}, ensure_ascii=False, indent=2))
                return EXIT_OK
            print("ID\t参加者番号\tセンター\t氏名\t紹介日\tサービス開始\tサービス終了\t改善\t結果")
            for v in found:
                c = v.case
                print(f"{c.id}\t{v.number}\t{v.center_name}\t{v.name or ''}\t{_day(c.referred_on)}"
                      f"\t{_day(c.service_start_on) or ''}\t{_day(c.service_end_on) or ''}"
                      f"\t{ {True: '改善', False: '—', None: ''}[v.improved] }\t{c.outcome}")
            return EXIT_OK
        try:
            view = short_term_cases.show_case(db, args.case.strip().lower())
        except RecordNotFoundError as error:
            return fail(str(error), EXIT_PROBLEMS)
    print(json.dumps(case_json(view), ensure_ascii=False, indent=2) if args.json else "\n".join(case_lines(view)))
    return EXIT_OK


def _figures(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.domain import short_term_cases as stc
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.domain.fiscal import format_fiscal_year, parse_fiscal_year
    from kaigo_desktop.services import setup, short_term_cases

    fiscal_year = parse_fiscal_year(args.fy)
    code = normalize_municipality_code(args.municipality)
    with open_database(args, db_path) as db:
        setup.require_municipality(db, code)
        shown = stc.suppressed(short_term_cases.case_figures(db, fiscal_year, code))
    data = {"fiscal_year": fiscal_year, "municipality": code, "users": shown.users, "evaluated": shown.evaluated,
            "improved": shown.improved, "improved_share": shown.improved_share, "connected": shown.connected,
            "attending": shown.attending, "attending_share": shown.attending_share, "hidden": list(shown.hidden)}
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK

    def cell(value) -> str:
        return "<5 または秘匿" if value is None else str(value)

    print(f"{format_fiscal_year(fiscal_year)} 短期集中予防サービス（C）事項3（{code}）")
    print(f"  利用者 {cell(shown.users)}人")
    print(f"  改善 {cell(shown.improved)} / 判定できた {cell(shown.evaluated)}人"
          f"（{'—' if shown.improved_share is None else f'{shown.improved_share}%'}）")
    print(f"  通いの場へ {cell(shown.connected)}人、追跡時も参加 {cell(shown.attending)}人"
          f"（{'—' if shown.attending_share is None else f'{shown.attending_share}%'}）")
    return EXIT_OK


CASE_COMMANDS = {"cases": cmd_cases}
