"""The checks before sending as readable Japanese text (CLI `validate` without --json)."""

from __future__ import annotations

from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.services.submission_checks import CheckFinding, CheckReport

MAX_RECORDS_SHOWN = 5


def _finding(finding: CheckFinding, report: CheckReport) -> list[str]:
    level = finding.level_label + ("・確認済み" if report.is_acknowledged(finding) else "")
    lines = [f"[{level}] {finding.code}: {finding.message}", f"    キー: {finding.key}"]
    shown = [record.label for record in finding.records if record.kind != "municipalities"]
    if shown:
        more = f" ほか{len(shown) - MAX_RECORDS_SHOWN}件" if len(shown) > MAX_RECORDS_SHOWN else ""
        lines.append("    対象: " + "、".join(shown[:MAX_RECORDS_SHOWN]) + more)
    return lines


def format_checks(report: CheckReport) -> str:
    scope = report.municipality_code or "全区市町村"
    lines = [f"提出前チェック {format_fiscal_year(report.fiscal_year)}（{report.fiscal_year}年度） {scope}",
             f"エラー {len(report.errors)}件　注意 {len(report.warnings)}件"
             f"（うち確認済み {len(report.warnings) - len(report.unacknowledged_warnings)}件）"]
    for finding in report.errors + report.warnings:
        lines += _finding(finding, report)
    expected, reporting = report.completeness.totals()
    if report.completeness.months:
        lines.append("報告のあった通いの場（開催記録のある通いの場／活動中の通いの場）:")
        lines.append("    " + "　".join(f"{int(month[5:])}月 {reporting[month]:,}/{expected[month]:,}"
                                        for month in report.completeness.months))
    if not report.ok:
        lines.append("エラーを直してから提出してください。")
    elif report.unacknowledged_warnings:
        lines.append("エラーはありません。注意を確かめて確認済みにすると承認できます"
                     "（validate --acknowledge 規則コード|キー|all）。")
    else:
        lines.append("エラーはありません。承認できます。")
    return "\n".join(lines)
