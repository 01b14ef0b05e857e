"""Report 1, 通いの場 実施状況報告書: the 年度 figures of one 区市町村 or all, as sent to 東京都. Its tables are
also what the Excel/CSV exports write (submission_tables has no reportlab in it)."""

from __future__ import annotations

from pathlib import Path

from kaigo_desktop.domain import rules
from kaigo_desktop.domain.fiscal import months_of_fiscal_year
from kaigo_desktop.domain.vocab import FREQUENCY_LABELS, PROGRAM_LABELS
from kaigo_desktop.reports import REPORTS, Progress, ReportOptions, ReportResult
from kaigo_desktop.reports.marks import (
    MEMBERS_MISSING,
    NO_DATA,
    POPULATION_MISSING,
    counted_until_rows,
    missing,
)
from kaigo_desktop.reports.model import (
    INT,
    PERCENT,
    TEXT,
    Column,
    SECONDARY,
    Hidden,
    TableData,
    scope_label,
)
from kaigo_desktop.reports.suppression import Suppressor, protect
from kaigo_desktop.reports.submission_survey import (
    SURVEY_TABLE_COUNT,
    pending_notes,
    population_date_label,
    summary_notes,
    survey_cell,
    survey_count,
    survey_tables,
)
from kaigo_desktop.services.report_data import SubmissionData, submission_data
from kaigo_desktop.services.stats import UNSET

TITLE = REPORTS["submission"][1]


def people_key(figure: str, scope: str | None) -> tuple[str, str]:
    """The identity of a count of people of a 区市町村 (None: all of them) wherever a table prints it, so that
    秘匿処理 sees 概要's 参加者実人数, 男女別's 計 and 区市町村別's 計 as one figure."""
    return figure, scope or "all"


def people_relations(suppressor: Suppressor, scope: str | None, members: int, members_65: int) -> None:
    """参加者実人数 = 65歳以上 + the rest (65歳未満 and 年齢不明): the rest is printed nowhere but is a count
    of people that two printed figures would give away (檜原村: 159 − 155 = 4)."""
    rest = people_key("参加者実人数（65歳以上以外）", scope)
    suppressor.unpublished(rest, members - members_65, sensitive=True)
    suppressor.relation(people_key("参加者実人数", scope), [people_key("参加者実人数（65歳以上）", scope), rest])


def submission_tables(data: SubmissionData, suppressor: Suppressor) -> list[TableData]:
    """Every table of report 1, counts of people passed through 秘匿処理 (see protected_submission_tables)."""
    s = data.stats
    tables: list[TableData] = []
    scope = data.municipality_code

    # 概要
    t = "概要"
    attendance = suppressor.cell(t, "延べ参加者数", s.attendance_total, people_key("延べ参加者数", scope))
    members = suppressor.cell(t, "参加者実人数", s.members_total, people_key("参加者実人数", scope))
    members_65 = suppressor.cell(t, "参加者実人数（65歳以上）", s.members_65_plus,
                                 people_key("参加者実人数（65歳以上）", scope))
    people_relations(suppressor, scope, s.members_total, s.members_65_plus)
    rate = suppressor.derived(t, "参加率", s.participation_rate, [members_65])
    weekly = suppressor.cell(t, "週1回以上の通いの場の参加者実人数（65歳以上）", s.members_65_plus_weekly,
                             people_key("週1回以上 65歳以上", scope))
    # 週1回以上 is a part of 65歳以上: the other part is printed nowhere and is no category of people.
    weekly_rest = people_key("週1回以上でない 65歳以上", scope)
    suppressor.unpublished(weekly_rest, s.members_65_plus - s.members_65_plus_weekly, sensitive=False)
    suppressor.relation(people_key("参加者実人数（65歳以上）", scope), [people_key("週1回以上 65歳以上", scope), weekly_rest])
    weekly_rate = suppressor.derived(t, "週1回以上活動に参加している人の率", s.weekly_participation_rate, [weekly])
    month = data.settings.survey_reference_month
    survey = survey_count(s)
    tables.append(TableData("概要", "1. 概要", [Column("項目", TEXT, 78), Column("値", INT, 37), Column("単位", TEXT, 12)], [
        ["活動中の通いの場（注2）", s.places_active, "か所"],
        [f"調査対象の通いの場（{month}月に開催あり）（注3）", survey, "か所" if isinstance(survey, int) else ""],
        ["開催回数（注7）", s.gatherings, "回"],
        ["延べ参加者数（注7）", attendance, "人"],
        ["参加者実人数（注8）", members if s.members_places or not s.places_active else MEMBERS_MISSING, "人"],
        ["参加者実人数（65歳以上）（注9）", members_65, "人"],
        ["65歳以上人口", missing(s.population_65_plus, "未入力"), "人"],
        ["65歳以上人口の基準日", population_date_label(s), ""],
        ["参加率（注10）", missing(rate, POPULATION_MISSING), "%"],
        ["週1回以上活動に参加している人の率（注12）", missing(weekly_rate, POPULATION_MISSING), "%"],
        ["専門職が関与した通いの場（注11）", s.places_with_professional, "か所"],
        ["専門職（推進員を除く）が関与した通いの場（注11）", s.places_with_professional_excluding_promoter, "か所"],
        ["推進員が関与した通いの場（注11）", s.professionals_by_kind.get("推進員", 0), "か所"],
    ], notes=summary_notes(data, rate, weekly_rate)))

    # プログラム種別: active places, and the survey basis beside them
    rows = [[PROGRAM_LABELS[code], count, survey_cell(s, s.survey.by_program.get(code, 0))]
            for code, count in s.places_by_program.items()]
    tables.append(TableData("プログラム種別", "2. プログラム種別ごとの通いの場数（注4）",
                            [Column("プログラム種別", TEXT, 46), Column("活動中", INT, 22), Column("調査対象\n（注13）", INT, 22)],
                            rows))

    # 開催頻度
    rows = []
    for label in (*FREQUENCY_LABELS, UNSET):
        actual = s.places_by_frequency_actual.get(label) if label != UNSET else None
        in_survey = survey_cell(s, s.survey.by_frequency_actual.get(label, 0)) if label != UNSET else None
        rows.append([label, s.places_by_frequency_declared.get(label, 0), actual, in_survey])
    rows.append(["計", sum(s.places_by_frequency_declared.values()), sum(s.places_by_frequency_actual.values()),
                 survey_cell(s, sum(s.survey.by_frequency_actual.values()))])
    tables.append(TableData("開催頻度", "3. 開催頻度別の通いの場数（届出・実績）（注5・注6）",
                            [Column("開催頻度", TEXT, 60), Column("届出", INT, 30), Column("実績", INT, 30),
                             Column("実績・調査対象\n（注13）", INT, 30)],
                            rows, total_rows={len(rows) - 1}, notes=pending_notes(s)))

    # 運営主体
    rows = [[kind, count, survey_cell(s, s.survey.by_operator.get(kind, 0))]
            for kind, count in s.places_by_operator.items()]
    rows.append(["計", sum(s.places_by_operator.values()), survey_cell(s, sum(s.survey.by_operator.values()))])
    tables.append(TableData("運営主体", "4. 運営主体別の通いの場数",
                            [Column("運営主体", TEXT, 90), Column("活動中", INT, 30), Column("調査対象（注13）", INT, 30)],
                            rows, total_rows={len(rows) - 1}))

    # 参加者実人数: 男女別・年齢別
    for key, title, split in (("男女別", "5. 参加者実人数（男女別）（注8）", s.members_by_sex),
                              ("年齢別", "6. 参加者実人数（年齢別）（注8・注9）", s.members_by_age)):
        table_title = f"参加者実人数（{key}）"
        shown, total = suppressor.group(table_title, [(f"「{k}」", v) for k, v in split.items()],
                                        ("「計」", s.members_total), keys=[people_key(f"{key} {k}", scope) for k in split],
                                        total_key=people_key("参加者実人数", scope))
        rows = [[label, value] for label, value in zip(split, shown)] + [["計", total]]
        tables.append(TableData(table_title, title, [Column("区分", TEXT, 40), Column("人数", INT, 30)], rows,
                                total_rows={len(rows) - 1}, notes=suppressor.notes_for(table_title)))

    # 65歳以上 = 65～74歳 + 75歳以上 + the 65歳以上 of places without an age breakdown (printed nowhere)
    if "65～74歳" in s.members_by_age and "75歳以上" in s.members_by_age:
        older = [people_key(f"年齢別 {k}", scope) for k in ("65～74歳", "75歳以上")]
        unsplit = people_key("年齢の内訳のない65歳以上", scope)
        suppressor.unpublished(unsplit, s.members_65_plus - s.members_by_age["65～74歳"] - s.members_by_age["75歳以上"],
                               sensitive=False)
        suppressor.relation(people_key("参加者実人数（65歳以上）", scope), [*older, unsplit])

    # 月別延べ参加者数
    table_title = "月別延べ参加者数"
    labels = [f"{y}年{m}月" for y, m in months_of_fiscal_year(data.fiscal_year)]
    values = list(s.attendance_by_month.values())
    shown, total = suppressor.group(table_title, [(f"「{label}」", v) for label, v in zip(labels, values)],
                                    ("「計」", sum(values)),
                                    total_key=people_key("延べ参加者数", scope) if sum(values) == s.attendance_total
                                    else None)
    rows = [[label, value] for label, value in zip(labels, shown)] + [["計", total]]
    tables.append(TableData(table_title, "7. 月別延べ参加者数（注7）",
                            [Column("月", TEXT, 40), Column("延べ参加者数", INT, 30)], rows,
                            total_rows={len(rows) - 1}, notes=suppressor.notes_for(table_title)))

    tables += survey_tables(s, suppressor, first_number=8, scope_key=lambda figure: people_key(figure, scope))
    if data.municipality_code is None:
        tables.append(_municipality_table(data, suppressor, number=8 + SURVEY_TABLE_COUNT))
    return tables


def protected_submission_tables(data: SubmissionData, enabled: bool) -> tuple[list[TableData], Suppressor]:
    """Report 1's tables with 秘匿処理 holding across all of them."""
    return protect(lambda suppressor: submission_tables(data, suppressor), enabled)


def _municipality_table(data: SubmissionData, suppressor: Suppressor, number: int) -> TableData:
    """All 62 区市町村 with their codes, データなし where nothing was recorded in the 年度, so 東京都 sees who
    is missing; counts of people pass 秘匿処理 over the rows with data."""
    table_title = "区市町村別"
    s, figures = data.stats, data.municipalities
    recorded = [f for f in figures if f.recorded]
    columns = {}
    for attribute, label, total in (("attendance_total", "延べ参加者数", s.attendance_total),
                                    ("members_total", "参加者実人数", s.members_total),
                                    ("members_65_plus", "参加者実人数（65歳以上）", s.members_65_plus)):
        shown, shown_total = suppressor.group(
            table_title, [(f"{f.name}の{label}", getattr(f, attribute)) for f in recorded], (f"計の{label}", total),
            keys=[people_key(label, f.code) for f in recorded], total_key=people_key(label, None))
        columns[attribute] = (dict(zip((f.code for f in recorded), shown)), shown_total)
    for f in recorded:
        people_relations(suppressor, f.code, f.members_total, f.members_65_plus)
    # Implied by the columns and rows above, but stated so that the check sees it (the rests add up too).
    rest = "参加者実人数（65歳以上以外）"
    suppressor.relation(people_key(rest, None), [people_key(rest, f.code) for f in recorded])
    rows = []
    for f in figures:
        if not f.recorded:
            rows.append([f.code, f.name, NO_DATA, None, None, None, None, None,
                         missing(f.population_65_plus, "未入力"), None, None, None, None])
            continue
        members_65 = columns["members_65_plus"][0][f.code]
        rate = suppressor.derived(table_title, f"{f.name}の参加率", f.participation_rate, [members_65])
        rows.append([f.code, f.name, f.places_active, f.places_survey if s.survey.final else None, f.gatherings,
                     columns["attendance_total"][0][f.code], columns["members_total"][0][f.code], members_65,
                     missing(f.population_65_plus, "未入力"), missing(rate, "人口未入力"),
                     f.places_with_professional, f.places_with_professional_excluding_promoter, f.places_with_promoter])
    total_65 = columns["members_65_plus"][1]
    rows.append(["", "計", s.places_active, s.places_survey if s.survey.final else None, s.gatherings,
                 columns["attendance_total"][1], columns["members_total"][1], total_65, s.population_65_plus,
                 suppressor.derived(table_title, "計の参加率", s.participation_rate, [total_65]),
                 s.places_with_professional, s.places_with_professional_excluding_promoter,
                 s.professionals_by_kind.get("推進員", 0)])
    notes = suppressor.notes_for(table_title) + pending_notes(s)
    flagged = [f"{f.name} {f.participation_rate:.1f}%" for f in recorded
               if rules.implausible_rate_note("参加率", f.participation_rate)]
    if flagged:
        notes.append(f"要確認: 参加率が100%を超えています（{'、'.join(flagged)}）。"
                     "参加者実人数（65歳以上）か65歳以上人口の入力を確かめてください。")
    missing_rows = sum(1 for f in figures if not f.recorded)
    notes.append(f"「{NO_DATA}」は、この年度に通いの場・開催・参加者実人数の記録がない区市町村です"
                 f"（{missing_rows}区市町村）。")
    return TableData(table_title, f"{number}. 区市町村別（東京都の62区市町村）", [
        Column("区市町村\nコード", TEXT, 13), Column("区市町村", TEXT, 17), Column("活動中の\n通いの場", INT, 17),
        Column("調査対象", INT, 13), Column("開催回数", INT, 13), Column("延べ\n参加者数", INT, 13),
        Column("参加者\n実人数", INT, 12), Column("うち\n65歳以上", INT, 14), Column("65歳以上\n人口", INT, 14),
        Column("参加率\n（%）", PERCENT, 12), Column("専門職\nの関与", INT, 12),
        Column("専門職\n（推進員\nを除く）", INT, 13), Column("推進員\nの関与", INT, 12)],
        rows, total_rows={len(rows) - 1}, notes=notes)


def _chart_values(table: TableData) -> tuple[list[str], list[int]]:
    """Labels and values of a label/count table without its total row; a hidden count is drawn as 0."""
    body = [row for i, row in enumerate(table.rows) if i not in table.total_rows]
    return [str(row[0]) for row in body], [0 if isinstance(row[1], Hidden) or row[1] is None else row[1]
                                           for row in body]


def render(db, options: ReportOptions, out: Path, progress: Progress | None = None) -> ReportResult:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Spacer

    from kaigo_desktop.reports import charts, layout
    from kaigo_desktop.reports.definitions import submission_definitions
    from kaigo_desktop.reports.tables import side_by_side, table_block

    fiscal_year = options.required_fiscal_year()
    if progress:
        progress("集計しています")
    data = submission_data(db, fiscal_year, options.municipality_code, options.counting_day())
    options.require_records(data.stats, data.municipality_name)
    tables, suppressor = protected_submission_tables(data, options.suppress)
    if progress:
        progress("PDF を作成しています")
    meta, styles = layout.begin(TITLE, options, scope_label(data.municipality_code, data.municipality_name),
                                fiscal_year=data.fiscal_year)
    font = meta.font
    width = layout.frame_width(meta)
    story = layout.title_block(meta, styles, counted_until_rows(data.stats) + [("秘匿処理", suppressor.statement())])
    story.append(layout.text("この報告書は通いの場の数と参加者の人数の集計で、参加者個人の情報は含みません。"
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
            font=font.name, caption="図2 月別延べ参加者数" + (f"（「<5」「{SECONDARY.text}」の月は0として描画）" if hidden_months else ""))],
        (76 * mm, width - 76 * mm), styles)
    story += table_block(by_key["調査対象の参加者"], styles)
    for left, right in (("会場種別", "主な活動内容"), ("1回あたりの参加者数", "専門職の関与")):
        story += side_by_side(table_block(by_key[left], styles, keep=False),
                              table_block(by_key[right], styles, keep=False), (half + 6 * mm, half), styles)
    if "区市町村別" in by_key:
        story += table_block(by_key["区市町村別"], styles, size=layout.MIN_TEXT_SIZE)
    story.append(CondPageBreak(60 * mm))
    story += layout.notes_block("注（定義）", submission_definitions(data.settings), styles)
    pages = layout.build_pdf(out, meta, story, styles)
    return ReportResult(out, pages, list(font.warnings), len(suppressor.hidden))
