"""「テンプレートを保存」: an xlsx to fill in and import, with the exact headers of its kind, a drop-down list
on each column whose values come from a list (Excel's data validation), a sheet that explains every column,
and — for 参加者実人数 — the municipality's places already filled in."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from kaigo_desktop.reports.files import write_atomically
from kaigo_desktop.reports.spreadsheet_cells import append_xlsx_row
from kaigo_desktop.services.import_columns import import_columns, template_rows
from kaigo_desktop.services.importing import KIND_LABELS
from kaigo_desktop.storage.database import Database

DATA_SHEET = "取り込み"
LISTS_SHEET = "選択肢"
HELP_SHEET = "説明"
ROWS_WITH_LISTS = 5_000  # the drop-down lists reach this far down the data sheet
_REQUIRED_FILL = PatternFill("solid", fgColor="FFE0B2")
_HEADER_FILL = PatternFill("solid", fgColor="E3F2FD")


def write_template(db: Database, kind: str, out: Path, *, municipality_code: str | None = None,
                   fiscal_year: int | None = None) -> int:
    """Write the template of `kind` to `out` (whole or not at all); returns the rows filled in."""
    columns = import_columns(db, kind, municipality_code)
    rows = template_rows(db, kind, municipality_code, fiscal_year)
    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    append_xlsx_row(data, [column.header for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = data.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        data.column_dimensions[get_column_letter(index)].width = max(10, min(40, 2.2 * len(column.header) + 2))
    for row in rows:
        append_xlsx_row(data, [row.get(column.header) for column in columns])
    data.freeze_panes = "A2"

    lists = book.create_sheet(LISTS_SHEET)
    list_column = 0
    for index, column in enumerate(columns, start=1):
        if not column.choices:
            continue
        list_column += 1
        letter = get_column_letter(list_column)
        append_cell(lists, 1, list_column, column.header)
        for offset, choice in enumerate(column.choices, start=2):
            append_cell(lists, offset, list_column, choice)
        if column.several:
            continue  # 「A、B」 is not one item of a list: the 説明 sheet lists the values instead
        source = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(column.choices) + 1}"
        validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                                    errorTitle=column.header,
                                    error=f"{column.header}は一覧から選んでください（「{LISTS_SHEET}」シート）。")
        validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{ROWS_WITH_LISTS}")
        data.add_data_validation(validation)

    help_sheet = book.create_sheet(HELP_SHEET)
    append_xlsx_row(help_sheet, [f"{KIND_LABELS[kind]}の取り込み用テンプレート"])
    append_xlsx_row(help_sheet, ["「取り込み」シートの2行目から入力し、メニューの「データの取り込み」で読み込みます。"
                                 "橙色の列は必須です。"])
    append_xlsx_row(help_sheet, [])
    append_xlsx_row(help_sheet, ["列", "必須", "入力できる値"])
    for column in columns:
        values = column.note
        if column.choices:
            listed = "、".join(column.choices[:20]) + (" ほか" if len(column.choices) > 20 else "")
            values = (f"次から{'いくつでも（「、」で区切る）' if column.several else '1つ'}: {listed}"
                      + (f"　{column.note}" if column.note else ""))
        append_xlsx_row(help_sheet, [column.header, "必須" if column.required else "", values])
    help_sheet.column_dimensions["A"].width = 20
    help_sheet.column_dimensions["C"].width = 100
    for cell in help_sheet["C"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    write_atomically(out, lambda path: book.save(path))
    return len(rows)


def append_cell(sheet, row: int, column: int, value: str) -> None:
    """One text cell (never a formula, whatever it starts with)."""
    cell = sheet.cell(row=row, column=column, value=value)
    cell.data_type = "s"
