"""Ctrl+P on a list screen: the table as shown (its columns, and its rows when they fit on a few pages,
otherwise the rows in view) printed with a title and the date. Official outputs are the reports."""

from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QTableView, QWidget

from kaigo_desktop.domain.fiscal import format_wareki

MAX_ROWS = 2000  # more than this would be a report, not a printout of the screen


def rows_to_print(view: QTableView) -> range:
    total = view.model().rowCount()
    if total <= MAX_ROWS:
        return range(total)
    first = max(0, view.rowAt(0))
    last = view.rowAt(view.viewport().height() - 1)
    return range(first, (last if last >= 0 else min(total, first + 50) - 1) + 1)


def table_html(view: QTableView, title: str, today: date | None = None) -> str:
    model = view.model()
    columns = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
    header = "".join(
        f"<th>{html.escape(str(model.headerData(c, Qt.Orientation.Horizontal) or ''))}</th>" for c in columns)
    rows = rows_to_print(view)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(model.data(model.index(r, c)) or ''))}</td>" for c in columns)
        + "</tr>" for r in rows)
    shown = f"{len(rows):,}件" if len(rows) == model.rowCount() else \
        f"{model.rowCount():,}件のうち画面に表示中の{len(rows):,}件"
    return (f"<h2>{html.escape(title)}</h2><p>{format_wareki(today or date.today())}　{shown}</p>"
            "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
            f"<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>")


def print_table(view: QTableView, title: str, parent: QWidget | None = None,
                printer: QPrinter | None = None) -> bool:
    """Ask for a printer (unless one is given) and print; False when the user cancelled."""
    if printer is None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(f"{title}を印刷")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
    document = QTextDocument()
    document.setHtml(table_html(view, title))
    document.print_(printer)
    return True
