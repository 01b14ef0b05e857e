"""Integrity and consistency checks of a whole database, as SQL counts of offending rows."""

from __future__ import annotations

from dataclasses import dataclass

from kaigo_desktop.storage.database import Database


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    message: str
    count: int


# (severity, message, SQL counting offending rows). Deleted rows are ignored.
_CHECKS = (
    ("error", "開催日が通いの場の開設期間の外にある開催記録",
     "SELECT COUNT(*) FROM gatherings g JOIN places p ON p.id = g.place_id WHERE g.deleted_at IS NULL"
     " AND ((p.start_date IS NOT NULL AND g.held_on < p.start_date)"
     " OR (p.end_date IS NOT NULL AND g.held_on > p.end_date))"),
    ("error", "開催日が未来の開催記録",
     "SELECT COUNT(*) FROM gatherings WHERE deleted_at IS NULL AND held_on > date('now', 'localtime')"),
    ("error", "年齢区分の合計が参加者数と一致しない開催記録",
     "SELECT COUNT(*) FROM gatherings WHERE deleted_at IS NULL"
     " AND (age_under_65 IS NOT NULL OR age_65_74 IS NOT NULL OR age_75_plus IS NOT NULL)"
     " AND coalesce(age_under_65, 0) + coalesce(age_65_74, 0) + coalesce(age_75_plus, 0) != attendance_total"),
    ("error", "新規参加者数が参加者数を超える開催記録",
     "SELECT COUNT(*) FROM gatherings WHERE deleted_at IS NULL AND new_participants > attendance_total"),
    ("error", "年齢区分の合計が実人数と一致しない参加者実人数",
     "SELECT COUNT(*) FROM members WHERE deleted_at IS NULL"
     " AND (age_under_65 IS NOT NULL OR age_65_74 IS NOT NULL OR age_75_plus IS NOT NULL)"
     " AND coalesce(age_under_65, 0) + coalesce(age_65_74, 0) + coalesce(age_75_plus, 0) != total"),
    ("error", "削除済みの通いの場に残っている有効な開催記録",
     "SELECT COUNT(*) FROM gatherings g JOIN places p ON p.id = g.place_id"
     " WHERE g.deleted_at IS NULL AND p.deleted_at IS NOT NULL"),
    ("warning", "配置期間の外にある推進員の活動記録",
     "SELECT COUNT(*) FROM activities a JOIN promoters p ON p.id = a.promoter_id WHERE a.deleted_at IS NULL"
     " AND (a.done_on < p.start_date OR (p.end_date IS NOT NULL AND a.done_on > p.end_date))"),
)


def integrity_problems(db: Database) -> list[str]:
    problems = [row[0] for row in db.query("PRAGMA integrity_check") if row[0] != "ok"]
    for row in db.query("PRAGMA foreign_key_check"):
        problems.append(f"外部キー違反: {row[0]} の行 {row[1]} が {row[2]} を参照できません")
    return problems


def consistency_findings(db: Database) -> list[Finding]:
    findings = []
    for severity, message, sql in _CHECKS:
        count = db.scalar(sql)
        if count:
            findings.append(Finding(severity, message, count))
    return findings
