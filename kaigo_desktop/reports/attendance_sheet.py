"""Report 5, 開催記録表: the attendance sheet of one place for one month on A4 landscape — filled from the
gatherings log, or blank (with writing-height rows) for the paper kept at the venue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kaigo_desktop.domain.fiscal import format_wareki, format_wareki_short
from kaigo_desktop.domain.public_holidays import weekday_mark
from kaigo_desktop.domain.vocab import PROGRAM_CODES, PROGRAM_LABELS
from kaigo_desktop.reports import REPORTS, Progress, ReportOptions, ReportResult
from kaigo_desktop.reports.model import (
    INT,
    TEXT,
    Column,
    TableData,
    scope_label,
    sum_known,
)
from kaigo_desktop.services.report_lists import (
    AttendanceSheetData,
    attendance_sheet_data,
)

TITLE = REPORTS["attendance-sheet"][1]
BLANK_ROWS = 11
PROGRAM_SHORT = {"motor": "運動", "nutrition": "栄養", "oral": "口腔", "cognition": "認知", "social": "社会\n参加"}

COLUMNS = [
    Column("開催日", TEXT, 31), Column("時間", TEXT, 22),
    *[Column(PROGRAM_SHORT[code], TEXT, 9) for code in PROGRAM_CODES],
    Column("参加者数", INT, 15), Column("男性", INT, 11), Column("女性", INT, 11), Column("65歳\n未満", INT, 11),
    Column("65～\n74歳", INT, 11), Column("75歳\n以上", INT, 11), Column("新規\n参加者", INT, 12),
    Column("専門職の関与", TEXT, 37), Column("推進員", TEXT, 22), Column("備考", TEXT, 28),
]
COUNT_COLUMNS = slice(7, 14)  # 参加者数 … 新規参加者


def month_label(data: AttendanceSheetData) -> str:
    if data.month is None:
        return "令和　　年　　月"
    year, month = data.month
    era_year = format_wareki(date(year, month, 1)).split("年")[0]  # "令和7", "令和元"
    return f"{era_year}年{month}月（{year}年{month}月）"


def sheet_table(data: AttendanceSheetData) -> TableData:
    if data.blank:
        rows = [["　月　日（　）", "　：　～　：", *[""] * 5, *[""] * 7, "", "", ""] for _ in range(BLANK_ROWS)]
        rows.append(["計", "", *[""] * 5, *[""] * 7, "", "", ""])
        return TableData("開催記録", "", COLUMNS, rows, total_rows={len(rows) - 1})
    rows = []
    for g in data.gatherings:
        time = f"{g.start_time or ''}～{g.end_time or ''}" if (g.start_time or g.end_time) else "—"
        rows.append([f"{format_wareki_short(g.held_on)}（{weekday_mark(g.held_on)}）", time,
                     *["○" if code in g.programs else "" for code in PROGRAM_CODES],
                     g.attendance_total, g.male, g.female, g.age_under_65, g.age_65_74, g.age_75_plus,
                     g.new_participants, "、".join(g.professionals), g.promoter_name, g.notes])
    totals = [sum_known(list(column)) for column in zip(*[row[COUNT_COLUMNS] for row in rows])] \
        if rows else [0] + [None] * 6
    rows.append([f"計 {len(data.gatherings)}回", "", *[""] * 5, *totals, "", "", ""])
    return TableData("開催記録", "", COLUMNS, rows, total_rows={len(rows) - 1})


def render(db, options: ReportOptions, out: Path, progress: Progress | None = None) -> ReportResult:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table, TableStyle

    from kaigo_desktop.reports import layout
    from kaigo_desktop.reports.tables import table_block

    if not options.place_id:
        raise ValueError("通いの場（--place ID）を指定してください。")
    data = attendance_sheet_data(db, options.place_id, options.month, blank=options.blank,
                                 fiscal_year=options.fiscal_year)
    programs = "、".join(PROGRAM_LABELS[c] for c in data.programs) or "—"
    meta, styles = layout.begin(TITLE + ("（白紙）" if data.blank else ""), options,
                                scope_label(data.municipality_code, data.municipality_name), table_size=8,
                                fiscal_year=data.fiscal_year, period=month_label(data), landscape=True,
                                extra=[("通いの場", data.place_name), ("所在地", data.address or "—"),
                                       ("運営主体", data.operator_kind or "未設定"),
                                       ("開催頻度（届出）", data.frequency_declared or "未設定"),
                                       ("実施プログラム", programs),
                                       ("地域包括支援センター", data.center_name or "—")])
    font = meta.font
    story = layout.title_block(meta, styles, pairs=2)
    note = ("開催日の「祝」は祝日。プログラム欄は実施したものに○。専門職の関与は職種を記入（医師、歯科医師、薬剤師、"
            "保健師、看護師、管理栄養士・栄養士、歯科衛生士、リハビリ専門職、社会福祉士、主任ケアマネ、生活支援コーディネーター、推進員など）。")
    story.append(layout.text(note, styles.small))
    story.append(Spacer(1, 2 * mm))
    table = sheet_table(data)
    if not data.blank and not data.gatherings:
        story.append(layout.text("この月の開催記録はありません。", styles.body))
    story += table_block(table, styles, heading=False, min_row_height=8 * mm if data.blank else 0,
                         space_after=1 * mm)
    signature = Table([["記入者", "", "確認者", ""]], colWidths=[18 * mm, 60 * mm, 18 * mm, 60 * mm],
                      rowHeights=[8 * mm], hAlign="RIGHT")
    signature.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font.name, 9.5),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black),
        ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black),
    ]))
    story.append(signature)
    pages = layout.build_pdf(out, meta, story, styles)
    return ReportResult(out, pages, list(font.warnings))
