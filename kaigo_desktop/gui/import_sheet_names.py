"""The sheet names of an Excel workbook, for the import dialog's sheet chooser (visible sheets first)."""

from __future__ import annotations

from pathlib import Path

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


def is_excel_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in EXCEL_SUFFIXES


def sheet_names(path: str | Path) -> list[str]:
    """Names of the visible sheets, then the hidden ones; [] when the file cannot be read as a workbook
    (the import's own check then explains why). Only the sheet list is read, however long the sheets are."""
    from kaigo_desktop.services.importing_xlsx import workbook_sheet_names

    return workbook_sheet_names(Path(path))
