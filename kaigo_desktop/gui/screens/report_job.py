"""Making a report on the database thread: progress messages back to the GUI, cancel, and the file in place
only when the whole report was made (a cancelled or failed run leaves no file and keeps an older one)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from kaigo_desktop.gui.screens.report_kinds import ReportKind
from kaigo_desktop.reports import ReportOptions, ReportResult
from kaigo_desktop.services.cancelling import Cancelled


class ProgressRelay(QObject):
    """Created on the GUI thread; emitting from the database thread is queued back to it."""

    message_did_change = Signal(str)


def make_report(db, job_ctx, kind: ReportKind, options: ReportOptions, out: Path,
                relay: ProgressRelay | None = None, *, replace: bool = True) -> ReportResult:
    """Runs on the database thread. Writes to a hidden file beside `out` and moves it into place at the end.
    `replace`: the user agreed to replace an existing `out` (the save dialog asked); the database, its
    backups and SQLite files are refused all the same (OutputRefused, a ValueError)."""
    from kaigo_desktop.services.output_files import check_output_path

    out = check_output_path(out, db, force=replace, exists_hint="別の名前で保存し直してください。")
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=out.suffix, dir=out.parent)
    os.close(handle)
    temporary = Path(name)

    def progress(message: str) -> None:
        # The reports call this between their steps: the place to stop when the user cancelled.
        if job_ctx.is_cancelled():
            raise Cancelled()
        if relay is not None:
            relay.message_did_change.emit(message)

    try:
        progress("準備しています")
        if kind.export_format == "opendata":
            from kaigo_desktop.reports.opendata import export_open_data

            written = export_open_data(db, temporary, municipality_code=options.municipality_code)
            result = ReportResult(temporary, written.rows, written.warnings)
        elif kind.export_format:
            from kaigo_desktop.reports.exports import export

            result = export(db, kind.export_format, options, temporary)
        else:
            from kaigo_desktop.reports import generate

            result = generate(kind.key, db, options, temporary, progress=progress)
        if job_ctx.is_cancelled():
            raise Cancelled()
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    result.path = out
    return result


def keep_report(db, made: Path, out: Path, *, replace: bool) -> Path:
    """Runs on the database thread. A report made for the preview (a temporary file) copied to `out`, with
    the same refusals as make_report (the database, its backups, SQLite files; an existing file unless
    `replace`) and the same care: a hidden copy beside `out` moved into place only once whole."""
    import shutil

    from kaigo_desktop.services.output_files import check_output_path

    out = check_output_path(out, db, force=replace, exists_hint="別の名前で保存し直してください。")
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=out.suffix, dir=out.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        shutil.copyfile(made, temporary)
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return out
