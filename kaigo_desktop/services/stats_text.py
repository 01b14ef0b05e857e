"""The aggregation as readable Japanese text (CLI `stats` without --json)."""

from __future__ import annotations

from kaigo_desktop.domain.fiscal import format_fiscal_year, survey_pending_label
from kaigo_desktop.domain.vocab import PROGRAM_LABELS
from kaigo_desktop.services.stats import FiscalYearStats


def _number(value: int | float | None, unit: str = "") -> str:
    return "—" if value is None else f"{value:,}{unit}"


def format_stats(s: FiscalYearStats) -> str:
    scope = s.municipality_code or "全区市町村"
    survey = (f"{_number(s.places_survey)}か所" if s.survey.final
              else survey_pending_label(s.survey_reference_month))
    lines = [
        f"{format_fiscal_year(s.fiscal_year)}（{s.fiscal_year}年度） {scope}"
        + (f"　{s.in_progress_label}" if s.in_progress_label else ""),
        f"通いの場（活動中）: {_number(s.places_active)}か所　調査対象: {survey}",
        "プログラム種別: " + "、".join(f"{PROGRAM_LABELS[c]} {n}" for c, n in s.places_by_program.items()),
        "開催頻度（届出）: " + "、".join(f"{k} {v}" for k, v in s.places_by_frequency_declared.items()),
        "開催頻度（実績）: " + "、".join(f"{k} {v}" for k, v in s.places_by_frequency_actual.items()),
        "運営主体: " + "、".join(f"{k} {v}" for k, v in s.places_by_operator.items() if v),
        f"開催回数: {_number(s.gatherings)}回　延べ参加者数: {_number(s.attendance_total)}人",
        f"参加者実人数: {_number(s.members_total)}人（65歳以上 {_number(s.members_65_plus)}人）",
        f"65歳以上人口: {_number(s.population_65_plus)}人　参加率: {_number(s.participation_rate, '%')}",
        f"週1回以上活動に参加している人の率: {_number(s.weekly_participation_rate, '%')}",
        f"専門職・推進員が関与した通いの場: {_number(s.places_with_professional)}か所"
        f"（専門職（推進員を除く） {_number(s.places_with_professional_excluding_promoter)}か所、"
        f"推進員 {_number(s.professionals_by_kind.get('推進員', 0))}か所）",
        f"推進員: {_number(s.promoters_placed)}人（上限 {_number(s.promoter_cap)}人）",
        "推進員の活動: " + "、".join(f"{k} {v}" for k, v in s.promoter_activities.items() if v)
        + f"（計 {_number(s.promoter_activity_minutes)}分）",
        f"補助: 基準額 {_number(s.subsidy.base, '円')}　対象経費 {_number(s.subsidy.eligible, '円')}"
        f"　補助所要額 {_number(s.subsidy.claim, '円')}",
    ]
    return "\n".join(lines)
