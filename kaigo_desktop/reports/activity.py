"""Report 3, 推進員 活動報告書: what one promoter did in one month or one 年度 — the dated list, totals by kind
and minutes, the places visited — with a signature line. Promoters print it themselves."""

from __future__ import annotations

from pathlib import Path

from kaigo_desktop.domain.fiscal import (
    format_fiscal_year,
    format_wareki,
    format_wareki_short,
)
from kaigo_desktop.reports import REPORTS, Progress, ReportOptions, ReportResult
from kaigo_desktop.reports.marks import counted_until_rows
from kaigo_desktop.reports.model import INT, TEXT, Column, TableData, scope_label
from kaigo_desktop.services.report_lists import ActivityReportData, activity_report_data

TITLE = REPORTS["activity"][1]
WEEKDAYS = "月火水木金土日"


def period_label(data: ActivityReportData) -> str:
    if data.month is None:
        return f"{format_fiscal_year(data.fiscal_year)}（{data.fiscal_year}年度）"
    year, month = data.month
    return f"{format_wareki(data.start).split('年')[0]}年{month}月（{year}年{month}月）"


def day_label(d) -> str:
    """"R7.4.2（水）" is short enough for a narrow column and unambiguous."""
    return f"{format_wareki_short(d)}（{WEEKDAYS[d.weekday()]}）"


def activity_tables(data: ActivityReportData) -> list[TableData]:
    rows = [[day_label(a.done_on), a.kind, a.place_name or "—", a.minutes, a.summary] for a in data.activities]
    listing = TableData("活動記録", "1. 活動記録", [
        Column("活動日", TEXT, 27), Column("活動区分", TEXT, 42), Column("通いの場", TEXT, 42),
        Column("時間\n（分）", INT, 13), Column("内容", TEXT, 56)], rows)
    rows = [[kind, count, minutes] for kind, (count, minutes) in data.totals_by_kind.items()]
    rows.append(["計", data.total_activities, data.total_minutes])
    totals = TableData("活動区分別", "2. 活動区分別の件数と時間", [
        Column("活動区分", TEXT, 50), Column("件数", INT, 14), Column("時間（分）", INT, 20)], rows,
        total_rows={len(rows) - 1})
    rows = [[name, count] for name, count in data.places_visited]
    rows.append([f"計（{len(data.places_visited)}か所）", sum(count for _, count in data.places_visited)])
    places = TableData("訪問した通いの場", "3. 訪問した通いの場", [
        Column("通いの場", TEXT, 70), Column("活動件数", INT, 18)], rows, total_rows={len(rows) - 1})
    return [listing, totals, places]


def render(db, options: ReportOptions, out: Path, progress: Progress | None = None) -> ReportResult:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Spacer, Table, TableStyle

    from kaigo_desktop.reports import layout
    from kaigo_desktop.reports.tables import side_by_side, table_block

    if not options.promoter_id:
        raise ValueError("推進員（--promoter ID）を指定してください。")
    if progress:
        progress("活動記録を読み込んでいます")
    data = activity_report_data(db, options.promoter_id, options.fiscal_year, options.month,
                                options.counting_day())
    employed = f"{format_wareki(data.employed_from)}～{format_wareki(data.employed_to) if data.employed_to else ''}"
    meta, styles = layout.begin(TITLE, options, scope_label(data.municipality_code, data.municipality_name),
                                fiscal_year=data.fiscal_year, period=period_label(data) if data.month else None,
                                extra=[("推進員", data.promoter_name), ("職種", data.qualification),
                                       ("所属", data.center_name or "—"), ("配置期間", employed)])
    font = meta.font
    story = layout.title_block(meta, styles, counted_until_rows(data) + [
        ("活動件数・時間", f"{data.total_activities:,}件　{data.total_minutes:,}分"
                     f"（{data.total_minutes // 60}時間{data.total_minutes % 60}分）")])
    listing, totals, places = activity_tables(data)
    story += table_block(listing, styles)
    story += side_by_side(table_block(totals, styles, keep=False), table_block(places, styles, keep=False),
                          (90 * mm, layout.frame_width(meta) - 90 * mm), styles)

    # Signature: the promoter signs, the 区市町村 (or center) confirms.
    story.append(CondPageBreak(45 * mm))
    story.append(Spacer(1, 4 * mm))
    story.append(layout.text("上記のとおり報告します。", styles.body))
    story.append(Spacer(1, 4 * mm))
    signature = Table([
        ["報告日", "令和　　　年　　　月　　　日"],
        ["推進員氏名", data.promoter_name],
        ["推進員署名", ""],
        ["確認者（区市町村・センター）署名", ""],
    ], colWidths=[62 * mm, 80 * mm], rowHeights=[10 * mm] * 4, hAlign="LEFT")
    signature.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font.name, 10),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
    ]))
    story.append(signature)
    pages = layout.build_pdf(out, meta, story, styles)
    return ReportResult(out, pages, list(font.warnings))
