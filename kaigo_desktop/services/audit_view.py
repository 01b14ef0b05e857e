"""A record's 変更履歴 made readable for the GUI dialog: when (和暦, local time), who, which PC, what was
done, and each changed field as 「label: before → after」 in the words the forms and the 競合の解決 dialog use
(field labels, names instead of ids, 和暦 dates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaigo_desktop.services import audit
from kaigo_desktop.services.exchange_labels import FIELD_LABELS, _Names, _value_text, timestamp_text
from kaigo_desktop.storage.database import Database

NO_USER = "（名前なし）"
RECEIVED_NOTE = "（ほかのパソコンから受信）"
NOTHING_YET = "この記録の変更履歴はまだありません。"


@dataclass(frozen=True)
class HistoryRow:
    when: str
    who: str
    pc: str
    action: str
    changes: tuple[str, ...]  # one line per field
    detail: str


def _lines(entry: audit.AuditEntry, names: _Names) -> tuple[str, ...]:
    labels = FIELD_LABELS.get(entry.table_name, {})

    def text(field: str, value: Any) -> str:
        return _value_text(field, value, names.of)

    lines = []
    for field, value in entry.changes.items():
        if field in ("id", "deleted_at"):  # the action says it (作成, 削除, ごみ箱から戻す)
            continue
        label = labels.get(field, field)
        if entry.action in ("insert", "erase"):
            if value not in (None, ""):  # the empty fields of a new record say nothing
                lines.append(f"{label}: {text(field, value)}")
        elif isinstance(value, list) and len(value) == 2:
            lines.append(f"{label}: {text(field, value[0])} → {text(field, value[1])}")
        else:
            lines.append(f"{label}: {value}")
    return tuple(lines)


def record_history(db: Database, record_id: str) -> list[HistoryRow]:
    """Newest first."""
    names = _Names(db)
    return [HistoryRow(timestamp_text(entry.at), entry.user_name or NO_USER,
                       entry.pc + (RECEIVED_NOTE if entry.received else ""), entry.action_label,
                       _lines(entry, names), entry.detail)
            for entry in audit.record_history(db, record_id)]
