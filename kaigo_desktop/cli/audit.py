"""`audit`: the audit trail — who changed what, when and on which PC — newest first, as text or JSON
(docs/formats.md). Read-only."""

from __future__ import annotations

import argparse
from pathlib import Path

from kaigo_desktop.cli.database import open_database
from kaigo_desktop.cli.exits import EXIT_OK


def add_audit_commands(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="変更履歴（だれが・いつ・どの PC で・何を変えたか）を新しい順に表示する")
    audit.add_argument("--since", metavar="DATE", help="この日（2025-04-01）または時刻（UTC）以降")
    audit.add_argument("--user", dest="audit_user", metavar="NAME", help="この記録者の変更だけ")
    audit.add_argument("--record", metavar="ID", help="この記録（ID）の変更だけ")
    audit.add_argument("--limit", type=int, metavar="N", help="新しい順に N 件まで")
    audit.add_argument("--json", action="store_true", help="JSON で出力する")


def _text(entry) -> str:
    changes = "、".join(
        f"{field}: {value[0]!r} → {value[1]!r}" if isinstance(value, list) and entry.action != "erase"
        else f"{field}: {value!r}" for field, value in entry.changes.items())
    origin = f" 〔受信: {entry.origin_db}〕" if entry.received else ""
    parts = [entry.at, entry.user_name or "（記録者なし）", entry.pc or "-", entry.action_label,
             f"{entry.table_name} {entry.record_id}".strip()]
    line = "  ".join(parts) + origin
    if changes:
        line += f"\n    {changes}"
    if entry.detail:
        line += f"\n    {entry.detail}"
    return line


def cmd_audit(args: argparse.Namespace, db_path: Path) -> int:
    from kaigo_desktop.services import audit

    since, limit = audit.parse_since(args.since), audit.parse_limit(args.limit)
    with open_database(args, db_path) as db:
        found = audit.entries(db, since=since, user=args.audit_user, record_id=args.record, limit=limit)
    if args.json:
        print(audit.as_json(found))
    else:
        for entry in found:
            print(_text(entry))
        print(f"{len(found):,}件")
    return EXIT_OK


AUDIT_COMMANDS = {"audit": cmd_audit}
