"""The sheet names of an Excel workbook, for the import dialog's sheet chooser (visible sheets first)."""

from __future__ import annotations

from pathlib import Path

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


def is_excel_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in EXCEL_SUFFIXES


def sheet_names(path: str | Path) -> list[str]:
    """Names of the visible sheets, then the hidden ones; [] when the file cannot be read as a workbook
    (the import's own check then explains why)."""
    from openpyxl import load_workbook  # only when a workbook is chosen: it costs start-up time

    try:
        book = load_workbook(Path(path), read_only=True)
    except Exception:  # noqa: BLE001 — a damaged or foreign file can fail in any way; the import reports it
        return []
    try:
        visible = [sheet.title for sheet in book.worksheets if sheet.sheet_state == "visible"]
        hidden = [sheet.title for sheet in book.worksheets if sheet.sheet_state != "visible"]
        return visible + hidden
    finally:
        book.close()
