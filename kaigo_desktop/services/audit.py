"""The audit trail as people read it: entries with their changes, filtered (the `audit` command, the 変更履歴
dialog), the chain's breaks in Japanese (`check`), and the entry a restore of a backup leaves."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kaigo_desktop.domain.audit import ChainBreak, RawChangesError, changes_from_raw
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.services import rights
from kaigo_desktop.storage import audit_log, rights_queries
from kaigo_desktop.storage.database import Database

ACTION_LABELS = {
    "insert": "作成",
    "update": "変更",
    "delete": "削除（ごみ箱へ）",
    "restore": "ごみ箱から戻す",
    "erase": "完全に削除",
    "restore_backup": "バックアップから復元",
    "view": "閲覧",  # a participant's record shown (services/participants.py)
}
# A participant's identity in an entry's changes, hidden from whoever may not see it (services/participants.py).
IDENTITY_FIELDS = ("name", "kana")
HIDDEN_IDENTITY = "（非表示）"

MAX_LIMIT = 1_000_000


class AuditArgumentError(UserFacingError):
    kind = "invalid_argument"


@dataclass(frozen=True)
class AuditEntry:
    seq: int  # own entries: our seq; received ones: their origin's seq
    at: str
    user_name: str
    pc: str
    origin_db: str
    action: str
    table_name: str
    record_id: str
    changes: dict[str, Any]  # update: {field: [before, after]}; erase: {field: value}; insert: {}
    detail: str
    received: bool = False  # came in a bundle from origin_db

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "user": self.user_name, "pc": self.pc, "origin_db": self.origin_db,
                "received": self.received, "action": self.action, "table": self.table_name,
                "record_id": self.record_id, "changes": self.changes, "detail": self.detail}


def _changes(raw: str) -> dict[str, Any]:
    try:
        return changes_from_raw(raw)
    except RawChangesError:  # a received entry's own form we cannot read: shown as it came, not dropped
        return {"": raw}


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row["seq"], row["at"], row["user_name"], row["pc"], row["origin_db"], row["action"],
                      row["table_name"], row["record_id"], _changes(row["changes"]), row["detail"],
                      bool(row["received"]))


def parse_since(text: str | None) -> str | None:
    """--since: a date (2025-04-01) or a time (2025-04-01T09:00, taken as UTC like the entries)."""
    if not text:
        return None
    try:
        if len(text.strip()) == 10:
            return date.fromisoformat(text.strip()).isoformat()
        return datetime.fromisoformat(text.strip()).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise AuditArgumentError(f"--since の日付が読めません: {text}（例: 2025-04-01、2025-04-01T09:00）") from None


def parse_limit(value: int | None) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= MAX_LIMIT:
        raise AuditArgumentError(f"--limit は 1〜{MAX_LIMIT:,} で指定してください: {value}")
    return value


def entries(db: Database, *, since: str | None = None, user: str | None = None, record_id: str | None = None,
            limit: int | None = None) -> list[AuditEntry]:
    """Own and received entries, newest first."""
    where = audit_log.EntryFilter(parse_since(since), user or None, record_id or None, parse_limit(limit))
    return [_without_hidden_identity(db, _entry(row)) for row in audit_log.entries(db.conn, where)]


def _without_hidden_identity(db: Database, entry: AuditEntry) -> AuditEntry:
    """A participant's name and よみ stay out of the trail for those who may not see them (a 推進員)."""
    if entry.table_name != "participants" or not any(f in entry.changes for f in IDENTITY_FIELDS):
        return entry
    if rights.may_see_identity(db, rights_queries.participant_center(db, entry.record_id)):
        return entry
    changes = {field: (([HIDDEN_IDENTITY] * len(value)) if isinstance(value, list) else HIDDEN_IDENTITY)
               if field in IDENTITY_FIELDS else value for field, value in entry.changes.items()}
    return dataclasses.replace(entry, changes=changes)


def record_history(db: Database, record_id: str, *, limit: int = 500) -> list[AuditEntry]:
    """The 変更履歴 of one record, newest first (the GUI's dialog)."""
    return entries(db, record_id=record_id, limit=limit)


_BREAK_TEXT = {
    "changed": "変更履歴の記録（{seq}番）が書き換えられています。",
    "missing": "変更履歴の記録（{seq}番から）が失われているか、並びが変わっています。",
    "unsealed": "変更履歴の記録（{seq}番）が、アプリの外からの書き込みで作られ、まだ確認用の値がありません"
                "（次の保存で付きます）。",
}


def chain_problems(db: Database) -> list[tuple[str, str]]:
    """(severity, message) for each break of the chain: a changed or missing entry is an error, an entry
    written around the app (and so not yet sealed) a warning."""
    if not audit_log.is_installed(db.conn):
        return []
    return [("warning" if b.reason == "unsealed" else "error", _BREAK_TEXT[b.reason].format(seq=b.seq))
            for b in audit_log.chain_breaks(db.conn)]


def chain_breaks(db: Database) -> list[ChainBreak]:
    return audit_log.chain_breaks(db.conn)


def record_restore(db: Database, backup_path: Path, kept: Path | None) -> None:
    """The one entry a restore leaves in the restored database: which backup, and where the replaced file
    went. The entries made after that backup are not in it: they stay in the kept file."""
    detail = json.dumps({"backup": Path(backup_path).name, "kept": Path(kept).name if kept else ""},
                        ensure_ascii=False)
    with db.write():
        audit_log.note(db.conn, "restore_backup", detail)


def as_json(found: list[AuditEntry]) -> str:
    return json.dumps({"entries": [entry.to_json() for entry in found]}, ensure_ascii=False, indent=2)
