"""Importing CSV files and Excel workbooks (the formats of /work/shared/formats.md): all rows or none.

A CSV file is read in UTF-8 (with or without BOM) or Shift_JIS/CP932, detected or chosen; a workbook (.xlsx)
one sheet, the first visible one or one named. Both become the same rows, so every kind reads both. The
whole file is imported inside one transaction; when any row has an error, or on a dry run, the transaction
is rolled back, so a dry run reports exactly what a real import would add and update (rows referring to
centers or places made by earlier rows of the same file included) and costs what the import costs.

A CSV file is streamed: rows are read, checked and (gatherings) written in chunks inside that transaction, so
memory does not grow with the file; errors are collected up to MAX_ERRORS while every row is still read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kaigo_desktop.services.importing_context import Context
from kaigo_desktop.storage.errors import PeriodLockedError
from kaigo_desktop.services.importing_figures import (
    ACTIVITIES,
    EXPENSES,
    GATHERINGS,
    MEMBERS,
    POPULATION,
    import_activities,
    import_expenses,
    import_gatherings,
    import_members,
    import_population,
)
from kaigo_desktop.services.importing_cases import CASES, import_cases
from kaigo_desktop.services.importing_participants import (
    CHECKS,
    PARTICIPANTS,
    QUESTIONNAIRES,
    import_checks,
    import_participants,
    import_questionnaires,
)
from kaigo_desktop.services.importing_rosters import ROSTER, import_roster
from kaigo_desktop.services.importing_registry import PLACES, PROMOTERS, import_places, import_promoters
from kaigo_desktop.services.importing_table import (
    MAX_ERRORS,
    CsvSource,
    ErrorSink,
    Layout,
    Row,
    RowError,
    build_rows,
    csv_records,
    encoding_name,
    open_csv,
    progress_reporter,
)
from kaigo_desktop.services.importing_xlsx import (
    Sheet,
    SheetUnreadable,
    column_letter,
    is_spreadsheet,
    merged_cell_hints,
    read_sheet,
)
from kaigo_desktop.storage.database import Database

__all__ = ["IMPORT_KINDS", "KIND_LABELS", "ImportResult", "RowError", "format_result", "import_file", "layout_of"]

IMPORT_KINDS = ("places", "gatherings", "promoters", "activities", "members", "population", "expenses",
                "participants", "checks", "questionnaires", "roster", "cases")

KIND_LABELS: dict[str, str] = {
    "places": "通いの場",
    "gatherings": "開催記録",
    "promoters": "推進員",
    "activities": "推進員活動記録",
    "members": "参加者実人数",
    "population": "65歳以上人口",
    "expenses": "推進員配置事業 経費",
    "participants": "参加者",
    "checks": "基本チェックリスト",
    "questionnaires": "後期高齢者の質問票",
    "roster": "開催記録の参加者",
    "cases": "短期集中予防サービスの記録",
}

_KINDS: dict[str, tuple[Layout, Callable[[Context, Iterable[Row]], None]]] = {
    "places": (PLACES, import_places),
    "gatherings": (GATHERINGS, import_gatherings),
    "promoters": (PROMOTERS, import_promoters),
    "activities": (ACTIVITIES, import_activities),
    "members": (MEMBERS, import_members),
    "population": (POPULATION, import_population),
    "expenses": (EXPENSES, import_expenses),
    "participants": (PARTICIPANTS, import_participants),
    "checks": (CHECKS, import_checks),
    "questionnaires": (QUESTIONNAIRES, import_questionnaires),
    "roster": (ROSTER, import_roster),
    "cases": (CASES, import_cases),
}


def layout_of(kind: str) -> Layout:
    """The headers a file of `kind` may have (one of IMPORT_KINDS)."""
    if kind not in _KINDS:
        raise ValueError(f"不明な取り込みの種類です: {kind}（{', '.join(IMPORT_KINDS)}）")
    return _KINDS[kind][0]


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


WRITE_CACHE_MIB = 128  # SQLite's page cache for the import's transaction (the whole process stays ≤ 300 MB)


class _RollBack(Exception):
    """Raised inside the import transaction to undo it (errors found, or a dry run)."""


def import_file(
    db: Database,
    kind: str,
    path: Path,
    *,
    dry_run: bool = False,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    sheet: str | None = None,
    encoding: str = "auto",
) -> ImportResult:
    """Import one CSV file or Excel workbook of `kind` (one of IMPORT_KINDS). `sheet` names the sheet of a
    workbook (default: the first visible one); `encoding` is the CSV's ("auto", "utf-8" or "cp932").
    Raises FileNotFoundError when the file is missing and ValueError for an unknown kind or encoding;
    every problem with the contents is an error in the result, and then nothing is written."""
    if kind not in _KINDS:
        raise ValueError(f"不明な取り込みの種類です: {kind}（{', '.join(IMPORT_KINDS)}）")
    encoding = encoding_name(encoding)
    layout, handler = _KINDS[kind]
    result = ImportResult(kind, dry_run=dry_run)
    path = Path(path)
    with path.open("rb") as probe:
        head = probe.read(8)
    sink = ErrorSink()
    if is_spreadsheet(path, head):
        workbook_sheet = read_sheet(path, sheet, sink)
        if workbook_sheet is None:
            result.errors = sink.final()
            return result
        try:
            return _import_rows(db, handler, layout, result, sink, path, workbook_sheet, None,
                                dry_run=dry_run, today=today, progress=progress)
        except SheetUnreadable as problem:  # the sheet turned out damaged further down: refused whole
            result.added = result.updated = 0
            result.errors, result.warnings = [RowError(0, "", str(problem))], []
            return result
        finally:
            workbook_sheet.close()
    if sheet:
        result.errors = [RowError(0, "", f"シート名（{sheet}）は Excel ファイル（.xlsx）のときだけ指定できます。")]
        return result
    source, problem = open_csv(path, encoding)
    if source is None:
        result.errors = [RowError(0, "", problem)]
        return result
    return _import_rows(db, handler, layout, result, sink, path, None, source, dry_run=dry_run, today=today,
                        progress=progress)


def _import_rows(db: Database, handler: Callable[[Context, Iterable[Row]], None], layout: Layout,
                 result: ImportResult, sink: ErrorSink, path: Path, workbook_sheet: Sheet | None,
                 source: CsvSource | None, *, dry_run: bool, today: date | None,
                 progress: Callable[[int, int], None] | None) -> ImportResult:
    """The rows of a sheet or a CSV file, streamed through the kind's handler inside one transaction."""
    if workbook_sheet is not None:
        if not workbook_sheet.first_line:
            result.warnings = [f"シート「{workbook_sheet.name}」は空です（取り込む行はありません）。"]
            return result
        table = build_rows(workbook_sheet.records, layout, sink, column_label=column_letter)
        expected = workbook_sheet.last_row - workbook_sheet.first_line
    else:
        assert source is not None
        table = build_rows(csv_records(source, sink), layout, sink)
        expected = source.lines - 1
    if table is None:
        if workbook_sheet is not None:
            workbook_sheet.read_to_end()  # its merged cells, which may explain a bad header
        result.errors = _with_hints(sink.final(), workbook_sheet)
        return result
    rows = table[0]  # counts the rows it hands out
    report = progress_reporter(progress, max(expected, 0))
    report(0)
    ctx = Context(db, today or date.today(), sink, report, expected_rows=max(expected, 0))
    try:
        with db.write():
            db.audit_operation(f"ファイルの取り込み: {path.name}")
            # The larger cache for the rows' writes only: the seal and the commit after them read and write
            # in order, and a cache refilled by them took a million-row import over 300 MB.
            with db.page_cache(WRITE_CACHE_MIB):
                handler(ctx, rows)
            if ctx.has_errors or dry_run:
                raise _RollBack
    except _RollBack:
        pass
    except PeriodLockedError as error:  # rows of a locked 年度 (written in bulk): the file is refused whole
        sink.add(0, "", str(error))
    result.rows = rows.count
    if rows.count:
        report.finish(rows.count)
    result.added, result.updated = ctx.added, ctx.updated
    result.errors, result.warnings = _with_hints(sink.final(), workbook_sheet), list(ctx.warnings)
    return result


def _with_hints(errors: list[RowError], sheet: Sheet | None) -> list[RowError]:
    if not errors or sheet is None:
        return errors
    return errors + [RowError(0, "", hint) for hint in merged_cell_hints(sheet, errors)]


def format_error(error: RowError) -> str:
    where = f"{error.line}行目 " if error.line else ""
    column = f"[{error.column}] " if error.column else ""
    return f"{where}{column}{error.message}"


def format_result(result: ImportResult) -> str:
    """A short Japanese summary for the CLI: the counts, then warnings and errors one a line."""
    label = KIND_LABELS.get(result.kind, result.kind)
    head = f"{label}: {result.rows:,}行を確認 — "
    if result.errors:
        count = f"{MAX_ERRORS:,}件以上" if len(result.errors) > MAX_ERRORS else f"{len(result.errors):,}件"
        head += f"エラー {count}のため書き込みませんでした"
    else:
        head += f"追加 {result.added:,}件、更新 {result.updated:,}件"
        if result.dry_run:
            head += "（試行のみ、書き込みなし）"
    lines = [head]
    lines += [f"注意: {warning}" for warning in result.warnings]
    lines += [format_error(error) for error in result.errors]
    return "\n".join(lines)
