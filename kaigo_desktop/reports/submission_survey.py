"""Report 1's figures on the national survey's own basis (調査対象: active places with a gathering in the
reference month) and what the report says about time and missing data: the survey tables, the in-progress
and 未確定 wording, 「未入力」 for a missing input and 「要確認」 for a figure that cannot be right. Plain data
(no reportlab): the exports write the same tables."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import TYPE_CHECKING, Any

from kaigo_desktop.domain import rules
from kaigo_desktop.domain.fiscal import format_wareki, survey_pending_label
from kaigo_desktop.domain.vocab import PROFESSIONAL_KINDS
from kaigo_desktop.reports.marks import MEMBERS_MISSING, in_progress_note
from kaigo_desktop.reports.model import INT, TEXT, Column, TableData
from kaigo_desktop.reports.suppression import Suppressor
from kaigo_desktop.services.stats import FiscalYearStats

if TYPE_CHECKING:
    from kaigo_desktop.services.report_data import SubmissionData

SURVEY_TABLE_COUNT = 5  # the tables survey_tables adds


def survey_count(s: FiscalYearStats) -> int | str:
    """The survey count, or 「未確定（3月の記録後）」 before the reference month has ended."""
    return s.places_survey if s.survey.final else survey_pending_label(s.survey_reference_month)


def survey_cell(s: FiscalYearStats, value: int) -> int | None:
    """A survey-basis count; unknown ("—") while the survey count is not final."""
    return value if s.survey.final else None


def pending_notes(s: FiscalYearStats) -> list[str]:
    if s.survey.final:
        return []
    return [f"調査対象は{survey_pending_label(s.survey_reference_month)}のため「—」と表示しています。"]


def population_date_label(s: FiscalYearStats) -> str:
    """The 基準日 of the 65歳以上人口 counted: one date, 「区市町村により異なる（…～…）」, or 「未入力」."""
    dates = s.population_reference_dates
    known = sorted({d for d in dates.values() if d})
    if not known:
        return "未入力"
    if len(known) == 1:
        text = format_wareki(date.fromisoformat(known[0]))
    else:
        text = (f"区市町村により異なる（{format_wareki(date.fromisoformat(known[0]))}～"
                f"{format_wareki(date.fromisoformat(known[-1]))}）")
    return text + ("（一部未入力）" if None in dates.values() else "")


def summary_notes(data: SubmissionData, rate: Any, weekly_rate: Any) -> list[str]:
    """Under the 概要: the 年度 in progress, figures that cannot be right, inputs that are missing."""
    s, notes = data.stats, []
    progress = in_progress_note(s)
    if progress:
        notes.append(progress)
    for label, value in (("参加率", rate), ("週1回以上活動に参加している人の率", weekly_rate)):
        flag = rules.implausible_rate_note(label, value if isinstance(value, float) else None)
        if flag:
            notes.append(flag)
    without_population = [f.name for f in data.municipalities if f.recorded and f.population_65_plus is None]
    if without_population:
        notes.append(f"65歳以上人口 未入力: {'、'.join(without_population)}。これらの区市町村の参加者は参加率の分子に"
                     "含まれ、人口は分母に含まれないため、全体の参加率は実際より高く出ます。")
    if s.places_active and not s.members_places:
        notes.append(f"{MEMBERS_MISSING}: この年度の参加者実人数が1か所も登録されていません。")
    return notes


def _count_table(key: str, title: str, label: str, counts: dict[str, int], s: FiscalYearStats) -> TableData:
    rows = [[name, survey_cell(s, count)] for name, count in counts.items()]
    rows.append(["計", survey_cell(s, sum(counts.values()))])
    return TableData(key, title, [Column(label, TEXT, 62), Column("調査対象", INT, 22)], rows,
                     total_rows={len(rows) - 1}, notes=pending_notes(s))


def survey_tables(s: FiscalYearStats, suppressor: Suppressor, first_number: int,
                  scope_key: Callable[[str], Hashable]) -> list[TableData]:
    """The survey's categories over 調査対象 (and 専門職 by kind over active places), numbered from
    first_number. `scope_key(figure)` names a count of people of the report's scope for 秘匿処理."""
    n = first_number
    t = "調査対象の参加者"
    final = s.survey.final  # before, the cells print "—"
    members = suppressor.cell(t, "参加者実人数", s.survey.members_total, scope_key("調査対象 参加者実人数"), shown=final)
    members_65 = suppressor.cell(t, "参加者実人数（65歳以上）", s.survey.members_65_plus,
                                 scope_key("調査対象 参加者実人数（65歳以上）"), shown=final)
    # 調査対象 is a part of all places: 実人数 = 調査対象 + the rest; and 調査対象 65歳以上 + the rest of 調査対象.
    for whole, part, value in (("参加者実人数", "調査対象 参加者実人数", s.members_total - s.survey.members_total),
                               ("参加者実人数（65歳以上）", "調査対象 参加者実人数（65歳以上）",
                                s.members_65_plus - s.survey.members_65_plus)):
        suppressor.unpublished(scope_key(f"{part} 以外"), value, sensitive=False)
        suppressor.relation(scope_key(whole), [scope_key(part), scope_key(f"{part} 以外")])
    rest = scope_key("調査対象 参加者実人数（65歳以上以外）")
    suppressor.unpublished(rest, s.survey.members_total - s.survey.members_65_plus, sensitive=True)
    suppressor.relation(scope_key("調査対象 参加者実人数"), [scope_key("調査対象 参加者実人数（65歳以上）"), rest])
    month = s.survey_reference_month
    tables = [TableData(t, f"{n}. 調査対象の通いの場（{month}月に開催あり）と参加者実人数（注3・注13）",
                        [Column("項目", TEXT, 78), Column("値", INT, 32), Column("単位", TEXT, 16)], [
                            ["調査対象の通いの場", survey_count(s), "か所" if s.survey.final else ""],
                            ["参加者実人数", survey_cell(s, members), "人"],
                            ["参加者実人数（65歳以上）", survey_cell(s, members_65), "人"],
                        ], notes=suppressor.notes_for(t) + pending_notes(s))]
    tables.append(_count_table("会場種別", f"{n + 1}. 会場種別（調査対象）（注13）", "会場種別",
                               s.survey.by_venue, s))
    tables.append(_count_table("主な活動内容", f"{n + 2}. 主な活動内容（1つ目、調査対象）（注13）",
                               "主な活動内容", s.survey.by_main_activity, s))
    tables.append(_count_table("1回あたりの参加者数",
                               f"{n + 3}. 1箇所1回あたりの参加者数（調査対象）（注14）",
                               "参加者数", s.survey.by_session_size, s))
    rows = [[kind, s.professionals_by_kind.get(kind, 0)] for kind in PROFESSIONAL_KINDS]
    tables.append(TableData("専門職の関与", f"{n + 4}. 専門職の関与（職種別、活動中）（注11）",
                            [Column("職種", TEXT, 62), Column("通いの場数", INT, 22)], rows,
                            notes=["1か所に複数の職種が関与した場合は職種ごとに数えます。"
                                   "「推進員」は介護予防・フレイル予防推進員の関与で、専門職（推進員を除く）には含みません。"]))
    assert len(tables) == SURVEY_TABLE_COUNT
    return tables
