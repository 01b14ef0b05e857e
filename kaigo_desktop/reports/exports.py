"""Excel (.xlsx) and CSV exports of the tables of reports 1 and 2: one sheet (or file) per table, Japanese
headers, numbers as numbers, and a 定義 sheet with the 年度, the 区市町村, 秘匿処理 and the definitions.
CSV is UTF-8 with a BOM so that Japanese Excel opens it correctly."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kaigo_desktop import APP_NAME, __version__
from kaigo_desktop.domain.fiscal import format_fiscal_year, format_wareki
from kaigo_desktop.reports import ReportOptions, ReportResult
from kaigo_desktop.reports.definitions import (
    promoter_definitions,
    submission_definitions,
)
from kaigo_desktop.reports.files import write_atomically
from kaigo_desktop.reports.marks import counted_until_rows
from kaigo_desktop.reports.model import (
    INT,
    PERCENT,
    SECONDARY,
    YEN,
    Column,
    Hidden,
    TableData,
    scope_label,
)
from kaigo_desktop.reports.promoters import TITLE as PROMOTERS_TITLE
from kaigo_desktop.reports.promoters import promoter_tables
from kaigo_desktop.reports.spreadsheet_cells import append_xlsx_row, csv_cell
from kaigo_desktop.reports.submission import TITLE as SUBMISSION_TITLE
from kaigo_desktop.reports.submission import submission_tables
from kaigo_desktop.reports.suppression import protect
from kaigo_desktop.services.report_data import promoters_data, submission_data

FORMATS = ("xlsx", "csv")
NUMBER_FORMATS = {INT: "#,##0", YEN: "#,##0", PERCENT: "0.0"}
DECIMAL_FORMAT = "#,##0.0"  # a rate in a column of counts (概要's 参加率 1.5 must not show as 「2」)
# Printing: a sheet wider than this (in Excel's column-width units) prints landscape.
PORTRAIT_WIDTH = 95
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    name: str  # ≤ 31 characters, unique: the Excel sheet and the CSV file name
    title: str
    columns: list[Column]
    rows: list[list[Any]]


@dataclass
class ExportBundle:
    fiscal_year: int
    municipality: str
    created: date | datetime
    suppression: str
    sheets: list[Sheet] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)
    suppressed_cells: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counted_until: list[tuple[str, str]] = field(default_factory=list)  # 集計時点 of a 年度 in progress
    submitted: str | None = None  # 「提出済み（令和7年5月10日ロック）」 for a locked 年度

    def cover_rows(self) -> list[list[str]]:
        """The 定義 sheet: what the file covers, then the sheets, the hidden cells and the definitions."""
        created = self.created.date() if isinstance(self.created, datetime) else self.created
        rows = [["項目", "内容"],
                ["年度", f"{format_fiscal_year(self.fiscal_year)}（{self.fiscal_year}年度）"],
                ["区市町村", self.municipality],
                *[[label, text] for label, text in self.counted_until],
                *([["提出状況", self.submitted]] if self.submitted else []),
                ["作成日", format_wareki(created)],
                ["作成", f"{APP_NAME} {__version__}"],
                ["秘匿処理", self.suppression]]
        rows += [["シート", f"{sheet.name}: {sheet.title}"] for sheet in self.sheets]
        rows += [["秘匿した欄", cell] for cell in self.suppressed_cells]
        rows += [[f"定義: {term}", text] for term, text in self.definitions]
        return rows


def _sheet_name(title: str, used: set[str]) -> str:
    name = _SHEET_FORBIDDEN.sub("・", title)[:31]
    base, n = name, 2
    while name in used:
        suffix = f"_{n}"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _plain(title: str) -> str:
    return title.replace("\n", "")


def build_bundle(db, options: ReportOptions) -> ExportBundle:
    """The tables of reports 1 and 2 for the 年度 and scope, as the exports write them."""
    fiscal_year = options.required_fiscal_year()
    first = submission_data(db, fiscal_year, options.municipality_code, options.counting_day())
    options.require_records(first.stats, first.municipality_name)
    second = promoters_data(db, fiscal_year, options.municipality_code, options.counting_day())
    scope = scope_label(first.municipality_code, first.municipality_name)
    bundle = ExportBundle(fiscal_year, scope, options.created_or_today(), "",
                          counted_until=counted_until_rows(first.stats), submitted=options.submitted)
    used = {"定義"}
    # Both reports' tables go out together: 秘匿処理 holds across all of them.
    (first_tables, second_tables), suppressor = protect(
        lambda suppressor: (submission_tables(first, suppressor), promoter_tables(second, suppressor)),
        options.suppress)
    for table in first_tables:
        bundle.sheets.append(Sheet(_sheet_name(table.key, used), f"{SUBMISSION_TITLE} {table.title}",
                                   table.columns, table.rows))
    # Report 2 prints one section per 区市町村; here each kind of table is one sheet with the 区市町村 in front.
    combined: dict[str, tuple[TableData, list[list[Any]]]] = {}
    for section, table in second_tables:
        key = table.key if section is not None else f"推進員 {table.key}"
        prefix = [] if section is None else [section.code, section.name]
        if key not in combined:
            combined[key] = (table, [])
        combined[key][1].extend(prefix + list(row) for row in table.rows)
    for key, (table, rows) in combined.items():
        columns = table.columns if key.startswith("推進員 ") else (
            [Column("区市町村コード"), Column("区市町村")] + table.columns)
        bundle.sheets.append(Sheet(_sheet_name(key, used), f"{PROMOTERS_TITLE} {table.title}", columns, rows))
    bundle.suppression = suppressor.statement()
    marks = {"<5": "「<5」", SECONDARY.text: f"「{SECONDARY.text}」（二次秘匿）"}
    bundle.suppressed_cells = [f"{table}: {label} {marks[mark]}" for table, label, mark in suppressor.hidden]
    bundle.definitions = (
        [(f"実施状況報告書 注{n} {term}", text) for n, (term, text) in enumerate(submission_definitions(first.settings), 1)]
        + [(f"推進員報告書 注{n} {term}", text) for n, (term, text) in enumerate(promoter_definitions(second.settings), 1)])
    bundle.warnings = list(second.stats.warnings)
    return bundle


def _cell(value: Any) -> Any:
    if isinstance(value, Hidden):
        return value.text
    return value


def number_format(value: Any, kind: str) -> str | None:
    """The format of a number cell: thousands separators for counts and yen, one decimal for rates (and for
    any fractional value, whatever its column); None for a cell that is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if kind == PERCENT or isinstance(value, float):
        return NUMBER_FORMATS[PERCENT] if kind == PERCENT else DECIMAL_FORMAT
    return NUMBER_FORMATS.get(kind, "#,##0")


def set_print_layout(ws, title: str, scope: str) -> None:
    """A4, every column on one page width (as many pages down as needed), landscape when wide, the header
    row repeated on every page, and the sheet, scope and page number in the margins."""
    width = sum((dimension.width or 8.43) for dimension in ws.column_dimensions.values())
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # 0: as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    # Excel's header/footer codes: & starts a code, so a literal & is doubled.
    ws.oddHeader.left.text = title.replace("&", "&&")
    ws.oddHeader.right.text = scope.replace("&", "&&")
    ws.oddFooter.center.text = "&P / &N"


def write_xlsx(bundle: ExportBundle, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    cover = book.active
    cover.title = "定義"
    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="E4E9F0")
    for row in bundle.cover_rows():
        append_xlsx_row(cover, row)
    for cell in cover[1]:
        cell.font, cell.fill = header_font, header_fill
    cover.column_dimensions["A"].width = 30
    cover.column_dimensions["B"].width = 110
    for row in cover.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    set_print_layout(cover, "定義", bundle.municipality)
    for sheet in bundle.sheets:
        ws = book.create_sheet(sheet.name)
        append_xlsx_row(ws, [_plain(c.title) for c in sheet.columns])
        for cell in ws[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(horizontal="center", vertical="center")
        for row in sheet.rows:
            append_xlsx_row(ws, [_cell(v) for v in row])
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell_format = number_format(cell.value, column.kind)
                if cell_format:
                    cell.number_format = cell_format
                elif column.kind in NUMBER_FORMATS:  # 「<5」「x」「—」 line up with the numbers
                    cell.alignment = Alignment(horizontal="right")
            ws.column_dimensions[letter].width = max(8, min(60, column.width * 0.9, 2 + 2.2 * max(
                [len(_plain(column.title))] + [len(str(_cell(r[index - 1]) or "")) for r in sheet.rows[:200]])))
        ws.freeze_panes = "A2"
        set_print_layout(ws, sheet.title, bundle.municipality)
    book.properties.title = f"{SUBMISSION_TITLE}・{PROMOTERS_TITLE} {format_fiscal_year(bundle.fiscal_year)}"
    book.properties.creator = f"{APP_NAME} {__version__}"
    created = bundle.created if isinstance(bundle.created, datetime) else datetime(
        bundle.created.year, bundle.created.month, bundle.created.day)
    book.properties.created = book.properties.modified = created
    data = _stable_xlsx(book, created)
    write_atomically(out, lambda path: path.write_bytes(data))


def _stable_xlsx(book, created: datetime) -> bytes:
    """The workbook's bytes, the same for the same content and date: openpyxl's save() stamps the modified
    property and each zip entry with the clock, so the writer is driven here and the entries dated `created`."""
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    stable = io.BytesIO()
    stamp = (max(created.year, 1980), created.month, created.day, created.hour, created.minute, created.second)
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry.filename))
    return stable.getvalue()


def _csv_bytes(rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(_cell(v)) for v in row])
    return text.getvalue().encode("utf-8-sig")


def write_csv(bundle: ExportBundle, out: Path, check_target: Callable[[Path], object] | None = None) -> list[Path]:
    """`out` ending in .csv: one file with the tables one after another (each with its title row and a blank
    row between); otherwise a folder with 00_定義.csv and one numbered file per table. `check_target` is asked
    about every file before any is written (it raises to refuse one)."""
    out = Path(out)
    if out.suffix.lower() == ".csv":
        rows: list[list[Any]] = []
        for sheet in [Sheet("定義", "定義", [Column("項目"), Column("内容")], bundle.cover_rows()[1:])] + bundle.sheets:
            rows += [[f"■{sheet.name}"], [_plain(c.title) for c in sheet.columns], *sheet.rows, []]
        if check_target is not None:
            check_target(out)
        write_atomically(out, lambda path: path.write_bytes(_csv_bytes(rows)))
        return [out]
    if out.exists() and not out.is_dir():
        # Not a full disk: a name without .csv means a folder of files, and a file already has that name.
        raise ValueError(f"書き出し先はフォルダとして扱いますが、同じ名前のファイルがあります: {out}\n"
                         "1つの CSV ファイルにするときは .csv で終わる名前を、表ごとのファイルにするときは"
                         "フォルダを指定してください。何も書き出していません。")
    files = [(out / "00_定義.csv", bundle.cover_rows())]
    for number, sheet in enumerate(bundle.sheets, start=1):
        files.append((out / f"{number:02d}_{sheet.name.replace(' ', '_')}.csv",
                      [[_plain(c.title) for c in sheet.columns], *sheet.rows]))
    if check_target is not None:
        for target, _rows in files:
            check_target(target)
    out.mkdir(parents=True, exist_ok=True)
    for target, rows in files:
        write_atomically(target, lambda path, rows=rows: path.write_bytes(_csv_bytes(rows)))
    return [target for target, _rows in files]


def export(db, fmt: str, options: ReportOptions, out: Path | str,
           check_target: Callable[[Path], object] | None = None) -> ReportResult:
    """Write the export; `check_target(path)` (the output-file guard) is called on every file before any is
    written."""
    if fmt not in FORMATS:
        raise ValueError(f"不明な形式です: {fmt}（{', '.join(FORMATS)}）")
    from kaigo_desktop.reports import with_period_lock

    bundle = build_bundle(db, with_period_lock(db, options))
    out = Path(out)
    if fmt == "xlsx":
        if check_target is not None:
            check_target(out)
        write_xlsx(bundle, out)
    else:
        write_csv(bundle, out, check_target)
    return ReportResult(out, len(bundle.sheets) + 1, bundle.warnings, len(bundle.suppressed_cells))
