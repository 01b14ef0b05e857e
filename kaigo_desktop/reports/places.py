"""Report 4, 通いの場一覧: the directory of places active in a 年度 — name, address, activities and programs,
frequency, operator, contact and assigned promoters — on A4 landscape, by 区市町村 then kana."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from kaigo_desktop.reports import REPORTS, Progress, ReportOptions, ReportResult
from kaigo_desktop.reports.marks import counted_until_rows
from kaigo_desktop.reports.model import FIT, INT, TEXT, Column, TableData, scope_label, section_label
from kaigo_desktop.services.report_lists import (
    DirectoryPlace,
    PlaceDirectoryData,
    place_directory,
)
from kaigo_desktop.services.stats import fiscal_year_stats

TITLE = REPORTS["places"][1]
# Short program names for a narrow column; the legend under the title spells them out.
PROGRAM_SHORT = {"motor": "運動", "nutrition": "栄養", "oral": "口腔", "cognition": "認知", "social": "社会参加"}
LEGEND = "プログラム: 運動＝運動機能向上、栄養＝低栄養予防、口腔＝口腔機能向上、認知＝認知機能低下予防、社会参加＝社会参加促進"

COLUMNS = [
    Column("No.", INT, FIT), Column("名称", TEXT, 40), Column("住所", TEXT, 32), Column("主な活動", TEXT, 30),
    Column("プログラム", TEXT, 26), Column("開催頻度\n（届出）", TEXT, 26), Column("運営主体", TEXT, 32),
    Column("連絡先", TEXT, 29), Column("担当推進員", TEXT, 22), Column("地域包括\n支援センター", TEXT, 22),
]


def _row(number: int, p: DirectoryPlace) -> list[str]:
    status = "" if p.status == "活動中" else f"（{p.status}）"
    return [number, p.name + status, p.address or "—", "・".join(p.main_activities) or "—",
            "・".join(PROGRAM_SHORT[c] for c in p.programs) or "—", p.frequency_declared or "未設定",
            p.operator_kind or "未設定", p.contact or "—", "、".join(p.promoters) or "—", p.center_name or "—"]


def directory_tables(data: PlaceDirectoryData) -> list[TableData]:
    """One table per 区市町村, numbered from 1 in each."""
    tables = []
    for (code, name), places in groupby(data.places, key=lambda p: (p.municipality_code, p.municipality_name)):
        places = list(places)
        rows = [_row(i, p) for i, p in enumerate(places, start=1)]
        tables.append(TableData(code, f"{section_label(name, code)} {len(places):,}か所", COLUMNS, rows))
    return tables


def render(db, options: ReportOptions, out: Path, progress: Progress | None = None) -> ReportResult:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak

    from kaigo_desktop.reports import layout
    from kaigo_desktop.reports.tables import table_block

    fiscal_year = options.required_fiscal_year()
    if progress:
        progress("通いの場を読み込んでいます")
    data = place_directory(db, fiscal_year, options.municipality_code, options.counting_day())
    options.require_records(fiscal_year_stats(db, fiscal_year, options.municipality_code, options.counting_day()),
                            data.municipality_name)
    meta, styles = layout.begin(TITLE, options, scope_label(data.municipality_code, data.municipality_name),
                                table_size=layout.MIN_TEXT_SIZE, fiscal_year=data.fiscal_year, landscape=True)
    story = layout.title_block(
        meta, styles, counted_until_rows(data) + [("掲載", f"{len(data.places):,}か所（年度内に活動中の通いの場）")],
        pairs=2)
    story.append(layout.text(LEGEND, styles.small))
    if progress:
        progress("PDF を作成しています")
    tables = directory_tables(data)
    if not tables:
        story.append(layout.text("この年度に活動中の通いの場はありません。", styles.body))
    labels = {code: section_label(name, code) for code, name in
              {(p.municipality_code, p.municipality_name) for p in data.places}}
    for table in tables:
        # The heading never ends a page alone (table_block asks the same); the mark then starts on the heading's page.
        story += [CondPageBreak(30 * mm), layout.SectionMark(labels[table.key])]
        story += table_block(table, styles)
    story.append(layout.SectionMark(None))
    pages = layout.build_pdf(out, meta, story, styles)
    return ReportResult(out, pages, list(meta.font.warnings))
