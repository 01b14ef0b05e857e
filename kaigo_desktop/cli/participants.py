"""`participants list|show` and `outcomes` (issue 19): participants and their checks as the logged-in user may
see them (names only for the center's センター職員 and the 区市町村管理者; each view audited), and the outcome
figures per 通いの場 and 年度 with small counts suppressed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_OK, EXIT_PROBLEMS, fail


def add_participant_commands(subparsers: argparse._SubParsersAction) -> None:
    people = subparsers.add_parser("participants", help="参加者の一覧・記録（氏名は権限のある利用者だけに表示）")
    sub = people.add_subparsers(dest="participants_command", required=True)
    listing = sub.add_parser("list", help="参加者の一覧")
    listing.add_argument("--center", metavar="ID", help="地域包括支援センターの ID")
    listing.add_argument("--place", metavar="ID", help="通いの場の ID（参加したことのある人）")
    listing.add_argument("--json", action="store_true", help="JSON で出力する")
    show = sub.add_parser("show", help="一人の参加者の記録（通いの場・基本チェックリストの結果・質問票・短期集中予防サービス）")
    show.add_argument("participant", help="参加者の ID、または参加者番号")
    show.add_argument("--municipality", metavar="CODE", help="参加者番号で指定するときの区市町村コード（省略時は全体）")
    show.add_argument("--json", action="store_true", help="JSON で出力する")

    found = subparsers.add_parser("outcomes", help="通いの場参加者のフレイル状態の変化（年度・通いの場別、秘匿処理あり）")
    found.add_argument("--fy", required=True, help="年度（2024、2024年度、令和6年度）")
    found.add_argument("--place", metavar="ID", help="通いの場の ID（省略時はすべて）")
    found.add_argument("--municipality", metavar="CODE", help="区市町村コード（省略時は全体）")
    found.add_argument("--json", action="store_true", help="JSON で出力する")


def _identity(summary) -> str:
    return f"{summary.name}（{summary.kana}）" if summary.identity_shown and summary.kana else (summary.name or "")


def cmd_participants(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.cli.cases import case_json
    from kaigo_desktop.services import participants, short_term_cases

    with open_database(args, db_path) as db:
        if args.participants_command == "list":
            found = participants.list_participants(db, center_id=args.center, place_id=args.place)
            if args.json:
                print(json.dumps({"participants": [s.to_json() for s in found]}, ensure_ascii=False, indent=2))
                return EXIT_OK
            print("参加者番号\tセンター\t生まれ年月\t性別\t氏名\tチェック回数\t最新チェック日")
            for s in found:
                print(f"{s.number}\t{s.center_name}\t{s.birth_year}-{s.birth_month:02d}\t{s.sex}\t{_identity(s)}"
                      f"\t{s.checks}\t{s.last_checked_on or ''}")
            return EXIT_OK
        participant_id = _participant_id(db, args)
        if participant_id is None:
            return fail(f"参加者が見つかりません（ID、または区市町村で一つに決まる参加者番号を指定してください）: "
                        f"{args.participant}", EXIT_PROBLEMS)
        record = participants.show_participant(db, participant_id)
        cases = short_term_cases.list_cases(db, participant_id=participant_id)
    if args.json:
        print(json.dumps({**record_json(record), "cases": [case_json(view) for view in cases]},
                         ensure_ascii=False, indent=2))
    else:
        print("\n".join(record_lines(record) + cases_lines(cases)))
    return EXIT_OK


def _participant_id(db, args) -> str | None:
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.services import participants
    from kaigo_desktop.storage import lookups
    from kaigo_desktop.storage.ids import is_uuid

    text = args.participant.strip()
    if is_uuid(text.lower()):
        return text.lower()
    codes = ([normalize_municipality_code(args.municipality)] if args.municipality
             else [m.code for m in lookups.municipalities(db)])
    found = [pid for code in codes if (pid := participants.find_by_number(db, code, text))]
    return found[0] if len(found) == 1 else None


def record_json(record) -> dict:
    from kaigo_desktop.domain import checklist

    def check(view) -> dict:
        result = view.result
        return {"checked_on": view.check.checked_on.isoformat(), "entered_by": view.check.entered_by,
                "answers": {str(n): result.scores[n] for n in checklist.CHECKLIST_ITEMS},
                "height_cm": view.check.height_cm, "weight_kg": view.check.weight_kg,
                "bmi": checklist.bmi_text(result.bmi) or None, "total": result.total,
                "unanswered": result.unanswered, "level": result.level,
                "domains": {code: d.at_risk for code, d in result.domains.items()}}

    return {"participant": record.summary.to_json(),
            "places": [{"place_id": a.place_id, "place": name, "start_date": a.start_date.isoformat(),
                        "end_date": a.end_date.isoformat() if a.end_date else None} for a, name in record.attendance],
            "checks": [check(view) for view in record.checks],
            "questionnaires": [{"answered_on": q.answered_on.isoformat(),
                                "answers": {str(n): getattr(q, f"a{n}") for n in checklist.QUESTIONNAIRE_ITEMS}}
                               for q in record.questionnaires],
            "cutoffs": {"pre_frail_from": record.cutoffs.pre_frail_from, "frail_from": record.cutoffs.frail_from}}


def record_lines(record) -> list[str]:
    from kaigo_desktop.domain import checklist

    s = record.summary
    lines = [f"参加者番号 {s.number}　{s.center_name}　{s.birth_year}年{s.birth_month}月生　{s.sex}"
             + (f"　{_identity(s)}" if s.identity_shown else "")]
    for attendance, name in record.attendance:
        until = attendance.end_date.isoformat() if attendance.end_date else ""
        lines.append(f"  通いの場: {name}（{attendance.start_date.isoformat()}〜{until}）")
    lines.append(f"基本チェックリスト（プレフレイル {record.cutoffs.pre_frail_from}点〜、"
                 f"フレイル {record.cutoffs.frail_from}点〜）")
    for view in record.checks:
        result = view.result
        risky = "・".join(d.label for d in result.domains.values() if d.at_risk) or "なし"
        undecided = "・".join(d.label for d in result.domains.values() if d.at_risk is None)
        lines.append(f"  {view.check.checked_on.isoformat()}　{result.total}点"
                     + (f"（未回答{result.unanswered}）" if result.unanswered else "")
                     + f"　{result.level_label}　BMI {checklist.bmi_text(result.bmi) or '—'}　該当: {risky}"
                     + (f"　判定不能: {undecided}" if undecided else "")
                     + (f"　記入 {view.check.entered_by}" if view.check.entered_by else ""))
    if record.questionnaires:
        lines.append("後期高齢者の質問票")
        for q in record.questionnaires:
            answers = "、".join(f"{n}:{checklist.questionnaire_answer_label(n, getattr(q, f'a{n}'))}"
                               for n in checklist.QUESTIONNAIRE_ITEMS)
            lines.append(f"  {q.answered_on.isoformat()}　{answers}")
    return lines


def cases_lines(cases) -> list[str]:
    """The participant's 短期集中予防サービス cases, as `cases show` prints each (less the participant line)."""
    from kaigo_desktop.cli.cases import case_lines

    if not cases:
        return []
    lines = [f"短期集中予防サービス（{len(cases)}件）"]
    for view in cases:
        lines.append(f"  記録 {view.case.id}")
        lines += [f"  {line}" for line in case_lines(view)[1:]]
    return lines


def cmd_outcomes(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.domain.codes import normalize_municipality_code
    from kaigo_desktop.domain.fiscal import format_fiscal_year, parse_fiscal_year
    from kaigo_desktop.reports import outcome_tables as t
    from kaigo_desktop.services import outcomes, setup

    fiscal_year = parse_fiscal_year(args.fy)
    code = normalize_municipality_code(args.municipality) if args.municipality else None
    with open_database(args, db_path) as db:
        if code:
            setup.require_municipality(db, code)
        found = outcomes.outcomes(db, fiscal_year, place_id=args.place, municipality_code=code)
    rows, suppressor = t.outcome_rows(found)
    if args.json:
        print(json.dumps({
            "fiscal_year": fiscal_year, "municipality": code, "suppression": suppressor.statement(),
            "cutoffs": {"pre_frail_from": found.cutoffs.pre_frail_from, "frail_from": found.cutoffs.frail_from},
            "places": [_row_json(row, t) for row in rows]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{format_fiscal_year(fiscal_year)} {t.TABLE}（プレフレイル {found.cutoffs.pre_frail_from}点〜、"
          f"フレイル {found.cutoffs.frail_from}点〜）")
    levels = [t.LEVEL_HEADINGS[k] for k in outcomes.LEVEL_KEYS]
    print("\t".join(["通いの場", "チェック実施者", *(f"初回 {h}" for h in levels), *(f"最新 {h}" for h in levels),
                     "2回以上実施", *(t.CHANGE_HEADINGS[k] for k in outcomes.CHANGE_KEYS)]))
    for row in rows:
        print("\t".join([row.place_name, t.cell_text(row.checked),
                         *(t.cell_text(row.first_levels[k]) for k in outcomes.LEVEL_KEYS),
                         *(t.cell_text(row.latest_levels[k]) for k in outcomes.LEVEL_KEYS),
                         t.cell_text(row.compared), *(t.cell_text(row.changes[k]) for k in outcomes.CHANGE_KEYS)]))
    print(f"秘匿処理: {suppressor.statement()}")
    for note in suppressor.notes_for(t.TABLE):
        print(note)
    return EXIT_OK


def _row_json(row, t) -> dict:
    return {"place_id": row.place_id or None, "place": row.place_name, "checked": t.cell_json(row.checked),
            "first_levels": {k: t.cell_json(v) for k, v in row.first_levels.items()},
            "latest_levels": {k: t.cell_json(v) for k, v in row.latest_levels.items()},
            "compared": t.cell_json(row.compared), "changes": {k: t.cell_json(v) for k, v in row.changes.items()}}


PARTICIPANT_COMMANDS = {"participants": cmd_participants, "outcomes": cmd_outcomes}
