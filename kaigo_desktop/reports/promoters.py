"""Report 2, 介護予防・フレイル予防推進員 配置・活動実績報告書: per 年度 and 区市町村, the promoters, the cap and
whether it is kept, their activity, the places they supported and the subsidy statement (domain.md).

No official layout of the 実績報告書 was found, so the layout is data: PARTS lists the tables of a
区市町村's section in order, each built by one small function. Reorder, drop or rename parts there (or
change a part's columns in its function) without touching how any figure is computed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kaigo_desktop.domain.fiscal import format_wareki
from kaigo_desktop.domain.rules import SUBSIDY_RATE
from kaigo_desktop.domain.vocab import (
    ELIGIBLE_EXPENSE_CATEGORIES,
    EXCLUDED_EXPENSE_CATEGORY,
)
from kaigo_desktop.reports import REPORTS, Progress, ReportOptions, ReportResult
from kaigo_desktop.reports.marks import POPULATION_MISSING, counted_until_rows, missing
from kaigo_desktop.reports.model import (
    INT,
    TEXT,
    YEN,
    Column,
    TableData,
    scope_label,
    sum_known,
)
from kaigo_desktop.reports.suppression import Suppressor, protect
from kaigo_desktop.services.report_data import (
    PromotersData,
    PromoterSection,
    promoters_data,
)

TITLE = REPORTS["promoters"][1]


def cap_text(section: PromoterSection) -> str:
    if section.cap_respected is None:
        return "65歳以上人口が未登録のため、上限1人として計算"
    if section.cap_respected:
        return "上限内"
    return "上限超過（基準額は上限の人数で計算）"


def cap_mark(section: PromoterSection) -> str:
    return {None: "—", True: "○", False: "×"}[section.cap_respected]


def period_text(start, end) -> str:
    return f"{format_wareki(start)}～{format_wareki(end) if end else ''}"


# ---------------------------------------------------------------- the parts of a section

def _placement(section: PromoterSection, data: PromotersData, suppressor: Suppressor) -> TableData:
    population = section.population_65_plus
    return TableData("配置状況", "配置状況", [Column("項目", TEXT, 60), Column("値", INT, 26),
                                          Column("備考", TEXT, 84)], [
        ["65歳以上人口（人）", missing(population, "未入力"), "" if population is not None else POPULATION_MISSING],
        ["補助対象の上限人数（人）（注2）", section.cap, "65歳以上人口10,000人以上は2人、未満は1人"],
        ["配置人数（人）（注1）", section.placed, ""],
        ["上限との関係", cap_mark(section), cap_text(section)],
    ])


def _promoter_list(section: PromoterSection, data: PromotersData, suppressor: Suppressor) -> TableData:
    rows = [[p.name, p.qualification, period_text(p.start_date, p.end_date), p.center_name or "—",
             p.assigned_places, p.activities, p.minutes, p.supported_places] for p in section.promoters]
    return TableData("推進員", "推進員（年度内に配置）", [
        Column("氏名", TEXT, 22), Column("職種", TEXT, 36), Column("配置期間", TEXT, 32), Column("所属", TEXT, 28),
        Column("担当\n通いの場", INT, 16), Column("活動\n件数", INT, 13), Column("活動時間\n（分）", INT, 16),
        Column("支援した\n通いの場", INT, 16)], rows)


def _activities(section: PromoterSection, data: PromotersData, suppressor: Suppressor) -> TableData:
    rows = [[kind, count, minutes] for kind, (count, minutes) in section.activities_by_kind.items()]
    rows.append(["計", sum(r[1] for r in rows), sum(r[2] for r in rows)])
    return TableData("活動区分別", "活動区分別の活動実績（注6）", [
        Column("活動区分", TEXT, 70), Column("件数", INT, 22), Column("時間（分）", INT, 24)], rows,
        total_rows={len(rows) - 1})


def _supported(section: PromoterSection, data: PromotersData, suppressor: Suppressor) -> TableData:
    table = f"{section.name} 支援した通いの場"
    places = section.supported_places
    total = sum(p.members or 0 for p in places)
    shown, shown_total = suppressor.group(table, [(f"「{p.name}」の参加者実人数", p.members) for p in places],
                                          ("「計」の参加者実人数", total))
    rows = [[p.name, "、".join(p.promoters), p.activities, members] for p, members in zip(places, shown)]
    rows.append(["計", "", sum(p.activities for p in places), shown_total])
    return TableData("支援した通いの場", "支援した通いの場（注8）", [
        Column("通いの場", TEXT, 70), Column("推進員", TEXT, 50), Column("活動件数", INT, 20),
        Column("参加者\n実人数", INT, 20)], rows, total_rows={len(rows) - 1}, notes=suppressor.notes_for(table))


def _expenses(section: PromoterSection, data: PromotersData, suppressor: Suppressor) -> TableData:
    amounts = {e.category: e.amount for e in section.expenses}
    rows = [[category, amounts.get(category, 0), "対象"] for category in ELIGIBLE_EXPENSE_CATEGORIES]
    rows.append([EXCLUDED_EXPENSE_CATEGORY, amounts.get(EXCLUDED_EXPENSE_CATEGORY, 0), "対象外"])
    rows += [[category, amount, "対象外"] for category, amount in amounts.items()
             if category not in ELIGIBLE_EXPENSE_CATEGORIES and category != EXCLUDED_EXPENSE_CATEGORY]
    rows.append(["対象経費 計", section.subsidy.eligible, ""])
    return TableData("経費の内訳", "経費の内訳（注3）", [
        Column("経費区分", TEXT, 60), Column("金額（円）", YEN, 34), Column("補助対象", TEXT, 22)], rows,
        total_rows={len(rows) - 1})


def _subsidy(section: PromoterSection, data: PromotersData, suppressor: Suppressor) -> TableData:
    settings = data.settings.subsidy
    numerator, denominator = SUBSIDY_RATE
    basis = (f"{settings.base_per_promoter:,}円 × {section.counted_promoters}人"
             + ("（月割り）" if settings.prorate_by_month else ""))
    rounding = (f"{settings.round_down_unit:,}円未満切捨て" if settings.round_down_unit > 0 else "端数処理なし")
    return TableData("補助所要額", "補助所要額の算定（注4・注5）", [
        Column("項目", TEXT, 46), Column("金額（円）", YEN, 34), Column("算定", TEXT, 90)], [
        ["(A) 対象経費", section.subsidy.eligible, "経費の内訳の補助対象の合計"],
        ["(B) 基準額", section.subsidy.base, basis],
        ["補助所要額", section.subsidy.claim,
         f"(A)と(B)の少ない額 × 補助率{numerator}/{denominator}（{rounding}）"],
    ], total_rows={2})


# The section of one 区市町村, in print order. Edit here to change the layout of report 2.
PARTS: tuple[tuple[str, Callable[[PromoterSection, PromotersData, Suppressor], TableData]], ...] = (
    ("配置状況", _placement),
    ("推進員", _promoter_list),
    ("活動区分別", _activities),
    ("支援した通いの場", _supported),
    ("経費の内訳", _expenses),
    ("補助所要額", _subsidy),
)


def summary_table(data: PromotersData) -> TableData:
    """All 区市町村 on one table (printed when the report covers all of them)."""
    rows = [[s.name, missing(s.population_65_plus), s.cap, s.placed,
             cap_mark(s),
             s.subsidy.eligible, s.subsidy.base, s.subsidy.claim] for s in data.sections]
    # The total is the sum of the rows shown (the 65+ population and caps of 区市町村 without promoters or
    # expenses are not part of this report); the subsidy columns equal the 年度 aggregation's totals.
    rows.append(["計", sum_known([r[1] for r in rows]), sum_known([r[2] for r in rows]), sum(r[3] for r in rows), "",
                 sum(r[5] for r in rows), sum(r[6] for r in rows), sum(r[7] for r in rows)])
    return TableData("区市町村別", "区市町村別の配置と補助所要額", [
        Column("区市町村", TEXT, 26), Column("65歳以上\n人口", INT, 20), Column("上限\n人数", INT, 12),
        Column("配置\n人数", INT, 12), Column("上限内", TEXT, 13), Column("対象経費\n（円）", YEN, 27),
        Column("基準額\n（円）", YEN, 27), Column("補助所要額\n（円）", YEN, 27)], rows, total_rows={len(rows) - 1})


def promoter_tables(data: PromotersData, suppressor: Suppressor) -> list[tuple[PromoterSection | None, TableData]]:
    """Every table of report 2 with the section (区市町村) it belongs to; None for the all-区市町村 summary."""
    tables: list[tuple[PromoterSection | None, TableData]] = []
    if data.municipality_code is None:
        tables.append((None, summary_table(data)))
    for section in data.sections:
        for _, build in PARTS:
            tables.append((section, build(section, data, suppressor)))
    return tables


def render(db, options: ReportOptions, out: Path, progress: Progress | None = None) -> ReportResult:
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Spacer

    from kaigo_desktop.reports import layout
    from kaigo_desktop.reports.definitions import promoter_definitions
    from kaigo_desktop.reports.tables import table_block

    fiscal_year = options.required_fiscal_year()
    if progress:
        progress("集計しています")
    data = promoters_data(db, fiscal_year, options.municipality_code, options.counting_day())
    options.require_records(data.stats, data.municipality_name)
    tables, suppressor = protect(lambda suppressor: promoter_tables(data, suppressor), options.suppress)
    if progress:
        progress("PDF を作成しています")
    meta, styles = layout.begin(TITLE, options, scope_label(data.municipality_code, data.municipality_name),
                                fiscal_year=data.fiscal_year)
    font = meta.font
    story = layout.title_block(meta, styles, counted_until_rows(data.stats) + [("秘匿処理", suppressor.statement())])
    story.append(layout.text("推進員の氏名・職種・配置期間と活動の件数、支援した通いの場、補助所要額の算定を記載します。"
                           "参加者個人の情報は含みません。定義は末尾の注のとおりです。", styles.small))
    story.append(Spacer(1, 2 * mm))
    if not data.sections:
        story.append(layout.text("この年度に配置された推進員と経費の記録はありません。", styles.body))
    current = None
    for number, (section, table) in enumerate(tables):
        if section is not current:
            if current is not None or number > 0:
                story.append(PageBreak())
            current = section
            if section is not None:
                label = layout.section_label(section.name, section.code)
                story += [layout.SectionMark(label), layout.text(label, styles.heading)]
            part = 0
        if section is None:
            story.append(layout.text(table.title, styles.heading))
            story += table_block(table, styles, heading=False)
            continue
        part += 1
        numbered = TableData(table.key, f"{part}. {table.title}", table.columns, table.rows, table.total_rows,
                             table.notes)
        story += table_block(numbered, styles)
    story.append(layout.SectionMark(None))
    story += layout.notes_block("注（定義）", promoter_definitions(data.settings), styles)
    pages = layout.build_pdf(out, meta, story, styles)
    warnings = list(font.warnings) + list(data.stats.warnings)
    return ReportResult(out, pages, warnings, len(suppressor.hidden))
