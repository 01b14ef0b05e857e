"""Japanese words for the exchange between PCs: kinds of record, field labels, what each count of an import
means, and conflicts made readable (names instead of ids, 和暦 instead of ISO) for the 競合の解決 dialog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import format_fiscal_year, format_wareki
from kaigo_desktop.domain.vocab import PROGRAM_LABELS, mask_to_professionals, mask_to_programs
from kaigo_desktop.services import exchange, overview, records
from kaigo_desktop.services.importing_figures import (
    ACTIVITY_COLUMNS,
    EXPENSE_COLUMNS,
    GATHERING_COLUMNS,
    MEMBER_COLUMNS,
    POPULATION_COLUMNS,
)
from kaigo_desktop.services.importing_cases import CASE_COLUMNS
from kaigo_desktop.services.importing_participants import ATTENDANCE_COLUMNS, CHECK_COLUMNS, PARTICIPANT_COLUMNS
from kaigo_desktop.services.importing_registry import PLACE_COLUMNS, PROMOTER_COLUMNS
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import StorageError
from kaigo_desktop.storage.rows import TABLE_BY_NAME

# The kind of record of each exchanged table, as the rest of the app names it (storage/rows.py).
KIND_LABELS: dict[str, str] = {table: TABLE_BY_NAME[table].label for table in exchange.USER_TABLES}

# Field labels start from the column headers of the CSV/Excel import (the words users already see), with
# the fields the import has no column for added, and headers that name an id or a code made to name what
# the dialog shows instead (the place's name, the municipality's name).
_SHOWN_AS_NAMES = {"municipality_code": "区市町村", "center_id": "地域包括支援センター", "place_id": "通いの場",
                   "promoter_id": "推進員"}


def _labels(headers: dict[str, str], **extra: str) -> dict[str, str]:
    labels = {field: label for field, label in headers.items() if field != "id"}
    labels.update({field: label for field, label in _SHOWN_AS_NAMES.items() if field in labels})
    return {**labels, **extra}


FIELD_LABELS: dict[str, dict[str, str]] = {
    "centers": _labels({"municipality_code": "", "name": "名称", "kana": "名称カナ", "address": "住所",
                        "phone": "電話番号", "notes": "備考"}),
    "places": _labels(PLACE_COLUMNS, main_activity_1="主な活動内容（1）", main_activity_2="主な活動内容（2）",
                      status="状況", programs="プログラム種別"),
    "promoters": _labels(PROMOTER_COLUMNS, center_id="地域包括支援センター", contact="連絡先", notes="備考"),
    "assignments": _labels({"promoter_id": "", "place_id": ""}, place_id="担当する通いの場",
                           start_date="担当開始日", end_date="担当終了日", notes="備考"),
    "gatherings": _labels(GATHERING_COLUMNS),
    "members": _labels(MEMBER_COLUMNS),
    "population": _labels(POPULATION_COLUMNS),
    "activities": _labels(ACTIVITY_COLUMNS),
    "expenses": _labels(EXPENSE_COLUMNS),
    "participants": _labels(PARTICIPANT_COLUMNS),
    "participant_places": _labels(ATTENDANCE_COLUMNS, participant_id="参加者"),
    "frailty_checks": _labels(CHECK_COLUMNS, participant_id="参加者"),
    "questionnaires": _labels({"participant_id": "参加者", "answered_on": "回答日", "entered_by": "記入者"},
                              **{f"a{n}": f"質問票 No.{n}" for n in range(1, 16)}),
    "gathering_participants": {"gathering_id": "開催記録", "participant_id": "参加者"},
    "short_term_cases": _labels({**CASE_COLUMNS, "participant_id": "参加者", "initial_check_id": "初回の基本チェックリスト",
                                 "final_check_id": "再アセスメントの基本チェックリスト"}),
}

# Bookkeeping shown under the fields, greyed; ids, origin_db, change_seq and ancestors are not shown at all.
BOOKKEEPING_LABELS = {"updated_at": "最終更新日時", "updated_by": "最終更新者", "deleted_at": "状態"}

REASON_LABELS = {"both_changed": "両方のパソコンで修正", "same_name": "同じ名前で別々に登録"}
REASON_EXPLANATIONS = {
    "both_changed": "前回のやりとりのあと、この記録が両方のパソコンで修正されました。残す版を選んでください。"
                    "選ばなかった版の内容は残りません。",
    "same_name": "2台のパソコンで、同じ名前の{kind}が別々に登録されました。残す方を選ぶと、もう一方はごみ箱へ"
                 "移ります（ごみ箱から元に戻せます）。",
}
INVALID_REASON_LABEL = "取り込めない内容"

# ImportSummary's counts in the order the preview lists them: (attribute, label, what it means).
IMPORT_COUNTS: tuple[tuple[str, str, str], ...] = (
    ("added", "追加", "このパソコンにまだない記録を追加します。"),
    ("updated", "更新", "相手のパソコンで修正された記録を新しい内容にします（このパソコンでは修正していない記録）。"),
    ("deleted", "削除", "相手のパソコンで削除された記録をごみ箱へ移します（ごみ箱から元に戻せます）。"),
    ("conflicts", "競合", "両方のパソコンで修正された記録などです。上書きせず、どちらを残すかを「競合の解決」で選びます。"),
    ("skipped", "変更なし", "すでにこのパソコンにある内容と同じか、より古い記録です。何もしません。"),
    ("pending", "保留", "関係する記録（通いの場・推進員など）がまだ届いていない記録です。届いたときに取り込みます。"),
)

EMPTY = "—"


def counts_text(counts: dict[str, int], separator: str = "、") -> str:
    """「通いの場 12件、開催記録 340件」 in the order of the tables; "" when there is nothing."""
    return separator.join(f"{KIND_LABELS.get(table, table)} {counts[table]:,}件"
                          for table in exchange.USER_TABLES if counts.get(table))


def bundle_text(summary: exchange.ImportSummary) -> str:
    """Where the file came from and, per kind of change, which records: for the preview before importing."""
    made = f"作成: {timestamp_text(summary.made_at)}"
    if summary.made_by:
        made += f"（{summary.made_by}）"
    if summary.destination:
        made += f"　送り先: {summary.destination}"
    lines = [made]
    for attribute, label in [(attribute, label) for attribute, label, _ in IMPORT_COUNTS[:4]] + [
            ("invalid", f"うち{INVALID_REASON_LABEL}")]:
        by_kind = {table: counts.get(attribute, 0) for table, counts in summary.by_table.items()}
        if any(by_kind.values()):
            lines.append(f"{label}: {counts_text(by_kind)}")
    return "\n".join(lines)


def gap_text(gap: exchange.Gap) -> str:
    """Which earlier bundle from the same PC has not been imported here, and what to do about it."""
    sender = f"{gap.made_by}さんのパソコン" if gap.made_by else "送り主のパソコン"
    when = (f"{timestamp_text(gap.after)}より後、{timestamp_text(gap.before)}より前" if gap.after
            else f"{timestamp_text(gap.before)}より前")
    return (f"前の取り込みファイルがまだ取り込まれていません: {sender}（データベース {gap.source_db[:8]}）が"
            f"送り先「{gap.destination}」あてに{when}に書き出したファイル（変更番号 {gap.first_seq:,}〜{gap.last_seq:,}）。"
            "そのファイルを取り込むか、送り主に「すべて」を書き出してもらってください（bundle export --since all）。"
            "このファイルの記録は取り込みます（まだ届いていない記録を参照するものは保留になります）。")


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, INVALID_REASON_LABEL)


def reason_explanation(reason: str, table: str, problems: list[str] | None = None) -> str:
    text = REASON_EXPLANATIONS.get(reason)
    if text is None:
        why = "".join(str(problem) for problem in problems or []) or f"（{reason.removeprefix('invalid: ')}）"
        return (f"取り込んだ記録は、このパソコンで入力した記録と同じ決まりに合わないため、取り込んでいません。{why}"
                "「このパソコンの版を残す」を選ぶと、この取り込んだ版は使わずに一覧から消えます。")
    return text.format(kind=KIND_LABELS.get(table, "記録"))


def timestamp_text(stamp: str | None) -> str:
    """A stored UTC time ("2024-05-01T03:04:05.123456Z") as local 和暦 with the time, e.g. 令和6年5月1日 12:04."""
    if not stamp:
        return EMPTY
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    return f"{format_wareki(moment.date())} {moment:%H:%M}"


# ---- conflicts, readable ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldRow:
    label: str
    local: str
    incoming: str
    differs: bool
    bookkeeping: bool = False


@dataclass(frozen=True)
class ConflictView:
    id: str
    table: str
    kind: str  # 「開催記録」
    summary: str  # 「ひまわり会 令和6年5月1日」
    reason_code: str  # "both_changed", "same_name", "invalid: …"
    reason: str  # 「両方のパソコンで修正」
    explanation: str
    detected: str  # 和暦 and time
    has_local: bool
    rows: tuple[FieldRow, ...]


class _Names:
    """Names of the records and municipalities a conflict refers to, looked up once each."""

    _TYPES = {"center_id": r.Center, "place_id": r.Place, "promoter_id": r.Promoter}

    def __init__(self, db: Database):
        self.db = db
        self.municipalities = {m.code: m.name for m in overview.municipalities(db)}
        self._found: dict[tuple[str, str], str] = {}

    def of(self, field: str, value: str) -> str:
        if not isinstance(value, str):  # a row held back as invalid may hold anything
            return str(value)
        if field == "municipality_code":
            return self.municipalities.get(value, value)
        key = (field, value)
        if key not in self._found:
            try:
                record = records.get(self.db, self._TYPES[field], value)
            except StorageError:  # not here (yet): it may arrive with a later bundle
                self._found[key] = "（このパソコンにない記録）"
            else:
                self._found[key] = words.marked_deleted(record.name, bool(record.meta.deleted_at))
        return self._found[key]


def _value_text(field: str, value: Any, names: Callable[[str, str], str]) -> str:
    try:
        return _readable(field, value, names)
    except (ValueError, TypeError, KeyError):  # a row held back as invalid: shown as it came
        return str(value)


def _readable(field: str, value: Any, names: Callable[[str, str], str]) -> str:
    if value is None or value == "":
        return EMPTY
    if field in ("municipality_code", "center_id", "place_id", "promoter_id"):
        return names(field, value)
    if field == "programs":
        return "、".join(PROGRAM_LABELS[code] for code in mask_to_programs(int(value))) or EMPTY
    if field == "professionals":
        return "、".join(mask_to_professionals(int(value))) or EMPTY
    if field == "fiscal_year":
        return format_fiscal_year(int(value))
    if field.endswith(("_date", "_on")):
        try:
            return format_wareki(date.fromisoformat(value))
        except ValueError:
            return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if field in ("amount", "population_65_plus", "population_75_plus") else str(value)
    return str(value)


def _bookkeeping_text(field: str, value: Any) -> str:
    if field == "deleted_at":
        return f"ごみ箱（{timestamp_text(value)}に削除）" if value else "有効"
    if field == "updated_at":
        return timestamp_text(value)
    return str(value) if value else EMPTY


def field_rows(table: str, local: dict[str, Any] | None, incoming: dict[str, Any],
               names: Callable[[str, str], str]) -> tuple[FieldRow, ...]:
    """The fields of both versions with Japanese labels, in the record's order, bookkeeping last."""
    def text(version: dict[str, Any] | None, field: str, bookkeeping: bool) -> str:
        if version is None:
            return "（このパソコンにはありません）" if not bookkeeping else ""
        value = version.get(field)
        return _bookkeeping_text(field, value) if bookkeeping else _value_text(field, value, names)

    rows = []
    labels = FIELD_LABELS.get(table, {})
    for field in TABLE_BY_NAME[table].columns if table in TABLE_BY_NAME else incoming:
        if field == "id":
            continue
        differs = local is not None and local.get(field) != incoming.get(field)
        rows.append(FieldRow(labels.get(field, field), text(local, field, False), text(incoming, field, False),
                             differs))
    for field, label in BOOKKEEPING_LABELS.items():
        differs = local is not None and field == "deleted_at" and bool(local.get(field)) != bool(incoming.get(field))
        rows.append(FieldRow(label, text(local, field, True), text(incoming, field, True), differs, True))
    return tuple(rows)


def record_summary(table: str, row: dict[str, Any], names: Callable[[str, str], str]) -> str:
    """What identifies the record to a person: a name, or the place and the date, …"""
    def name(field: str) -> str:
        value = row.get(field)
        return names(field, value) if value else ""

    def day(field: str) -> str:
        return _value_text(field, row.get(field), names)

    def year() -> str:
        return _value_text("fiscal_year", row.get("fiscal_year"), names)

    parts = {
        "centers": lambda: [row.get("name", ""), name("municipality_code")],
        "places": lambda: [row.get("name", ""), name("municipality_code")],
        "promoters": lambda: [row.get("name", ""), name("municipality_code")],
        "assignments": lambda: [f"{name('promoter_id')} → {name('place_id')}", day("start_date")],
        "gatherings": lambda: [name("place_id"), day("held_on")],
        "members": lambda: [name("place_id"), year()],
        "population": lambda: [name("municipality_code"), year()],
        "activities": lambda: [name("promoter_id"), day("done_on"), row.get("kind") or ""],
        "expenses": lambda: [name("municipality_code"), year(), row.get("category") or ""],
        "participants": lambda: [f"参加者番号 {row.get('number') or ''}", name("center_id")],
        "participant_places": lambda: [name("place_id"), day("start_date")],
        "frailty_checks": lambda: ["基本チェックリスト", day("checked_on")],
        "questionnaires": lambda: ["後期高齢者の質問票", day("answered_on")],
        "gathering_participants": lambda: ["開催記録の参加者"],
        "short_term_cases": lambda: ["短期集中予防サービス", day("referred_on"), row.get("outcome") or ""],
    }.get(table, lambda: [str(row.get("id", ""))])()
    return "　".join(str(part) for part in parts if part)


def conflict_views(db: Database) -> list[ConflictView]:
    """The open conflicts, oldest first, ready to show."""
    names = _Names(db)
    views = []
    for conflict in exchange.list_conflicts(db):
        incoming = conflict.incoming
        views.append(ConflictView(
            id=conflict.id, table=conflict.table, kind=KIND_LABELS.get(conflict.table, conflict.table),
            summary=record_summary(conflict.table, incoming, names.of),
            reason_code=conflict.reason, reason=reason_label(conflict.reason),
            explanation=reason_explanation(conflict.reason, conflict.table, incoming.get(exchange.PROBLEMS)),
            detected=timestamp_text(conflict.detected_at), has_local=conflict.local is not None,
            rows=field_rows(conflict.table, conflict.local, incoming, names.of)))
    return views


# ---- rows held back, readable ----------------------------------------------------------------------

@dataclass(frozen=True)
class PendingView:
    id: int
    kind: str  # 「開催記録」
    summary: str  # 「ひまわり会 令和6年5月1日」 (a place not here yet is named as such)
    waiting_for: str  # 「通いの場（このパソコンにない記録 0190ab12…）」
    since: str  # when it arrived, 和暦 and time


def pending_views(db: Database, limit: int | None = None) -> list[PendingView]:
    """The rows held back waiting for a record, oldest first (the first `limit` of them)."""
    names = _Names(db)
    held = {(c.table, c.row_id): c.incoming for c in exchange.list_conflicts(db)}  # a parent held as a problem
    views = []
    for row in exchange.list_pending(db, limit):
        if row.parent_table is None:
            waiting = "（次の取り込みで確かめます）"
        else:
            waiting = f"{KIND_LABELS.get(row.parent_table, row.parent_table)}（このパソコンにない記録 {row.parent_id[:8]}…）"
            problem = held.get((row.parent_table, row.parent_id))
            if problem is not None:
                waiting = (f"{KIND_LABELS.get(row.parent_table, row.parent_table)}「{problem.get('name') or ''}」"
                           "（「競合の解決」で未解決）")
        views.append(PendingView(row.id, KIND_LABELS.get(row.table, row.table),
                                 record_summary(row.table, row.incoming, names.of), waiting,
                                 timestamp_text(row.received_at) if row.received_at else "（以前の版で受け取り）"))
    return views
