"""東京都's evaluation sheet as a PDF (issue 18), in the seed's shape: per 事項 the target, the actual count of
the last three 年度 side by side and the 区市町村 counted; then the outcome indicators (with a chart of 週1回以上
参加率 across the 区市町村 that submitted), who has not submitted, and the definitions as notes. A4 portrait."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.reports.charts import horizontal_bars
from kaigo_desktop.reports.layout import ReportMeta, build_pdf, frame_width, make_styles, notes_block, text, title_block
from kaigo_desktop.reports.model import INT, TEXT, Column, TableData
from kaigo_desktop.reports.tables import table_block
from kaigo_desktop.services.metro import DEFINITION_TERMS, ITEMS, EvaluationSheet

TITLE = "評価シート　介護予防・フレイル予防と社会参加の推進"


def _names(sheet: EvaluationSheet, codes: list[str]) -> str:
    return "、".join(sheet.municipality_names.get(code, code) for code in codes) or "―"


def _items_table(sheet: EvaluationSheet) -> TableData:
    years = sheet.years
    columns = [Column("事項", TEXT, 42), Column("目標", TEXT, 26),
               *(Column(f"実績\n{format_fiscal_year(y)}" + ("\n（年度途中）" if y in sheet.in_progress_years else ""),
                        INT, 22) for y in years),
               Column(f"該当する区市町村（{format_fiscal_year(sheet.fiscal_year)}）", TEXT, 46)]
    rows = []
    for number in ITEMS:
        item = sheet.items[sheet.fiscal_year][number]
        due = f"（{format_fiscal_year(item.target_year)}まで）" if item.target_year else ""
        target = "なし" if item.target is None else f"{item.target}区市町村{due}"
        rows.append([f"事項{number}　{item.title}", target, *(sheet.items[y][number].actual for y in years),
                     _names(sheet, item.municipalities)])
    notes = ["実績は各年度に提出のあった区市町村のうち、定義（注）にあてはまる区市町村の数。"]
    if sheet.in_progress_years:
        notes.append("年度途中: 年度の終わる前に書き出された提出を含む（調査対象は基準月（3月）が終わるまで数えられない）。")
    return TableData("items", "指標（プロセス指標）", columns, rows, notes=notes)


def _indicators_table(sheet: EvaluationSheet) -> TableData:
    columns = [Column("参考指標（アウトカム指標）", TEXT, 55), Column("東京都", TEXT, 25), Column("出典", TEXT, 80),
               Column("年", TEXT, 20)]
    rows = []
    for indicator in sheet.indicators.values():
        value = "―" if indicator.tokyo is None else f"{indicator.tokyo}{indicator.unit}"
        rows.append([indicator.title, value, indicator.source or "未入力",
                     "" if indicator.source_year is None else str(indicator.source_year)])
    return TableData("indicators", "参考指標（アウトカム指標）", columns, rows)


def write_sheet_pdf(sheet: EvaluationSheet, out: Path, *, font: Path | None = None,
                    created: date | None = None) -> int:
    """Write the sheet to `out` (whole or not at all); the number of pages."""
    from kaigo_desktop.reports.fonts import japanese_font

    choice = japanese_font(font)
    total = len(sheet.submitted) + len(sheet.missing)
    extra = [("提出", f"{len(sheet.submitted)} / {total} 区市町村")]
    if sheet.unlocked:
        extra.append(("未ロックの提出", f"{_names(sheet, sheet.unlocked)}（数値は変わる可能性があります）"))
    meta = ReportMeta(TITLE, "東京都（62区市町村）", created or date.today(), choice,
                      fiscal_year=sheet.fiscal_year, extra=extra)
    styles = make_styles(choice.name)
    story = [*title_block(meta, styles), *table_block(_items_table(sheet), styles),
             *table_block(_indicators_table(sheet), styles)]
    weekly = sheet.indicators["weekly_participation_rate"]
    known = [(code, rate) for code, rate in weekly.by_municipality.items() if rate is not None]
    if known:
        story += [text("週1回以上活動に参加している人の率（区市町村別、%）", styles.subheading),
                  horizontal_bars([sheet.municipality_names.get(code, code) for code, _ in known],
                                  [rate for _, rate in known], width=frame_width(meta) * 0.8, font=styles.font,
                                  decimals=1),
                  Spacer(1, 3 * mm)]
    story += [text("未提出の区市町村", styles.subheading), text(_names(sheet, sheet.missing), styles.body),
              Spacer(1, 3 * mm)]
    story += notes_block("定義", [(DEFINITION_TERMS.get(key, key), value) for key, value in sheet.definitions.items()],
                         styles)
    return build_pdf(out, meta, story, styles, subject=f"{TITLE} {format_fiscal_year(sheet.fiscal_year)}")
