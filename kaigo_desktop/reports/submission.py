"""Report 1, 通いの場 実施状況報告書: the 年度 figures of one 区市町村 or all, as sent to 東京都. Its tables are
also what the Excel/CSV exports write (submission_tables has no reportlab in it)."""

from __future__ import annotations

from pathlib import Path

from kaigo_desktop.domain.fiscal import months_of_fiscal_year
from kaigo_desktop.domain.vocab import FREQUENCY_LABELS, PROGRAM_LABELS
from kaigo_desktop.reports import REPORTS, Progress, ReportOptions, ReportResult
from kaigo_desktop.reports.model import (
    INT,
    PERCENT,
    TEXT,
    Column,
    Hidden,
    TableData,
    scope_label,
)
from kaigo_desktop.reports.suppression import Suppressor
from kaigo_desktop.services.report_data import SubmissionData, submission_data
from kaigo_desktop.services.stats import UNSET

TITLE = REPORTS["submission"][1]


def submission_tables(data: SubmissionData, suppressor: Suppressor) -> list[TableData]:
    """Every table of report 1, counts of people already passed through 秘匿処理."""
    s = data.stats
    tables: list[TableData] = []

    # 概要
    t = "概要"
    attendance = suppressor.cell(t, "延べ参加者数", s.attendance_total)
    members = suppressor.cell(t, "参加者実人数", s.members_total)
    members_65 = suppressor.cell(t, "参加者実人数（65歳以上）", s.members_65_plus)
    rate = suppressor.derived(t, "参加率", s.participation_rate, [members_65])
    month = data.settings.survey_reference_month
    tables.append(TableData("概要", "1. 概要", [Column("項目", TEXT, 78), Column("値", INT, 32), Column("単位", TEXT, 16)], [
        ["活動中の通いの場（注2）", s.places_active, "か所"],
        [f"調査対象の通いの場（{month}月に開催あり）（注3）", s.places_survey, "か所"],
        ["開催回数（注7）", s.gatherings, "回"],
        ["延べ参加者数（注7）", attendance, "人"],
        ["参加者実人数（注8）", members, "人"],
        ["参加者実人数（65歳以上）（注9）", members_65, "人"],
        ["65歳以上人口", s.population_65_plus, "人"],
        ["参加率（注10）", rate, "%"],
        ["専門職が関与した通いの場（注11）", s.places_with_professional, "か所"],
    ]))

    # プログラム種別
    rows = [[PROGRAM_LABELS[code], count] for code, count in s.places_by_program.items()]
    tables.append(TableData("プログラム種別", "2. プログラム種別ごとの通いの場数（注4）",
                            [Column("プログラム種別", TEXT, 60), Column("通いの場数", INT, 30)], rows))

    # 開催頻度
    rows = []
    for label in (*FREQUENCY_LABELS, UNSET):
        actual = s.places_by_frequency_actual.get(label) if label != UNSET else None
        rows.append([label, s.places_by_frequency_declared.get(label, 0), actual])
    rows.append(["計", sum(s.places_by_frequency_declared.values()), sum(s.places_by_frequency_actual.values())])
    tables.append(TableData("開催頻度", "3. 開催頻度別の通いの場数（届出・実績）（注5・注6）",
                            [Column("開催頻度", TEXT, 60), Column("届出", INT, 30), Column("実績", INT, 30)],
                            rows, total_rows={len(rows) - 1}))

    # 運営主体
    rows = [[kind, count] for kind, count in s.places_by_operator.items()]
    rows.append(["計", sum(s.places_by_operator.values())])
    tables.append(TableData("運営主体", "4. 運営主体別の通いの場数",
                            [Column("運営主体", TEXT, 90), Column("通いの場数", INT, 30)], rows,
                            total_rows={len(rows) - 1}))

    # 参加者実人数: 男女別・年齢別
    for key, title, split in (("男女別", "5. 参加者実人数（男女別）（注8）", s.members_by_sex),
                              ("年齢別", "6. 参加者実人数（年齢別）（注8・注9）", s.members_by_age)):
        table_title = f"参加者実人数（{key}）"
        shown, total = suppressor.group(table_title, [(f"「{k}」", v) for k, v in split.items()],
                                        ("「計」", s.members_total))
        rows = [[label, value] for label, value in zip(split, shown)] + [["計", total]]
        tables.append(TableData(table_title, title, [Column("区分", TEXT, 40), Column("人数", INT, 30)], rows,
                                total_rows={len(rows) - 1}, notes=suppressor.notes_for(table_title)))

    # 月別延べ参加者数
    table_title = "月別延べ参加者数"
    labels = [f"{y}年{m}月" for y, m in months_of_fiscal_year(data.fiscal_year)]
    values = list(s.attendance_by_month.values())
    shown, total = suppressor.group(table_title, [(f"「{label}」", v) for label, v in zip(labels, values)],
                                    ("「計」", sum(values)))
    rows = [[label, value] for label, value in zip(labels, shown)] + [["計", total]]
    tables.append(TableData(table_title, "7. 月別延べ参加者数（注7）",
                            [Column("月", TEXT, 40), Column("延べ参加者数", INT, 30)], rows,
                            total_rows={len(rows) - 1}, notes=suppressor.notes_for(table_title)))

    if data.municipality_code is None:
        tables.append(_municipality_table(data, suppressor))
    return tables


def _municipality_table(data: SubmissionData, suppressor: Suppressor) -> TableData:
    table_title = "区市町村別"
    s, figures = data.stats, data.municipalities
    columns = {}
    for attribute, label, total in (("attendance_total", "延べ参加者数", s.attendance_total),
                                    ("members_total", "参加者実人数", s.members_total),
                                    ("members_65_plus", "参加者実人数（65歳以上）", s.members_65_plus)):
        columns[attribute] = suppressor.group(
            table_title, [(f"{f.name}の{label}", getattr(f, attribute)) for f in figures], (f"計の{label}", total))
    rows = []
    for i, f in enumerate(figures):
        members_65 = columns["members_65_plus"][0][i]
        rows.append([f.name, f.places_active, f.places_survey, f.gatherings, columns["attendance_total"][0][i],
                     columns["members_total"][0][i], members_65, f.population_65_plus,
                     suppressor.derived(table_title, f"{f.name}の参加率", f.participation_rate, [members_65]),
                     f.places_with_professional])
    total_65 = columns["members_65_plus"][1]
    rows.append(["計", s.places_active, s.places_survey, s.gatherings, columns["attendance_total"][1],
                 columns["members_total"][1], total_65, s.population_65_plus,
                 suppressor.derived(table_title, "計の参加率", s.participation_rate, [total_65]),
                 s.places_with_professional])
    return TableData(table_title, "8. 区市町村別", [
        Column("区市町村", TEXT, 24), Column("活動中の\n通いの場", INT, 16), Column("調査対象", INT, 16),
        Column("開催回数", INT, 17), Column("延べ\n参加者数", INT, 19), Column("参加者\n実人数", INT, 17),
        Column("うち\n65歳以上", INT, 17), Column("65歳以上\n人口", INT, 19), Column("参加率\n（%）", PERCENT, 15),
        Column("専門職\nの関与", INT, 15)], rows, total_rows={len(rows) - 1}, notes=suppressor.notes_for(table_title))


def _chart_values(table: TableData) -> tuple[list[str], list[int]]:
    """Labels and values of a label/count table without its total row; a hidden count is drawn as 0."""
    body = [row for i, row in enumerate(table.rows) if i not in table.total_rows]
    return [str(row[0]) for row in body], [0 if isinstance(row[1], Hidden) or row[1] is None else row[1]
                                           for row in body]


def render(db, options: ReportOptions, out: Path, progress: Progress | None = None) -> ReportResult:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    from kaigo_desktop.reports import charts, layout
    from kaigo_desktop.reports.definitions import submission_definitions
    from kaigo_desktop.reports.tables import side_by_side, table_block

    fiscal_year = options.required_fiscal_year()
    if progress:
        progress("集計しています")
    data = submission_data(db, fiscal_year, options.municipality_code)
    suppressor = Suppressor(options.suppress)
    tables = submission_tables(data, suppressor)
    if progress:
        progress("PDF を作成しています")
    meta, styles = layout.begin(TITLE, options, scope_label(data.municipality_code, data.municipality_name),
                                fiscal_year=data.fiscal_year)
    font = meta.font
    width = layout.frame_width(meta)
    story = layout.title_block(meta, styles, [("秘匿処理", suppressor.statement())])
    story.append(Paragraph("この報告書は通いの場の数と参加者の人数の集計で、参加者個人の情報は含みません。"
                           "各項目の定義は末尾の注のとおりです。", styles.small))
    story.append(Spacer(1, 2 * mm))
    by_key = {t.key: t for t in tables}
    half = (width - 6 * mm) / 2
    story += table_block(by_key["概要"], styles)
    labels, values = _chart_values(by_key["プログラム種別"])
    story += side_by_side(
        table_block(by_key["プログラム種別"], styles, keep=False),
        [Spacer(1, 7 * mm), charts.horizontal_bars(labels, values, width=width - 96 * mm, font=font.name,
                                                   caption="図1 プログラム種別ごとの通いの場数")],
        (96 * mm, width - 96 * mm), styles)
    story += table_block(by_key["開催頻度"], styles)
    story += table_block(by_key["運営主体"], styles)
    story += side_by_side(table_block(by_key["参加者実人数（男女別）"], styles, keep=False),
                          table_block(by_key["参加者実人数（年齢別）"], styles, keep=False), (half + 6 * mm, half),
                          styles)
    monthly = by_key["月別延べ参加者数"]
    labels, values = _chart_values(monthly)
    hidden_months = any(isinstance(row[1], Hidden) for row in monthly.rows)
    story += side_by_side(
        table_block(monthly, styles, keep=False),
        [Spacer(1, 7 * mm), charts.vertical_bars(
            [label.split("年")[1] for label in labels], values, width=width - 76 * mm, height=78 * mm,
            font=font.name, caption="図2 月別延べ参加者数" + ("（「<5」「x」の月は0として描画）" if hidden_months else ""))],
        (76 * mm, width - 76 * mm), styles)
    if "区市町村別" in by_key:
        story += table_block(by_key["区市町村別"], styles)
    story.append(CondPageBreak(60 * mm))
    story += layout.notes_block("注（定義）", submission_definitions(data.settings), styles)
    pages = layout.build_pdf(out, meta, story, styles)
    return ReportResult(out, pages, list(font.warnings), len(suppressor.hidden))
