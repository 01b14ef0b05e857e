"""The データの取り込み dialog: choose kind, file (CSV or Excel), sheet or encoding; 「確認」 previews a dry run;
「取り込む」 (only when the preview found no errors) writes everything in one transaction."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.gui.cancellable_progress import cancellable_progress, close_progress
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.import_preview import ImportPreview
from kaigo_desktop.gui.import_sheet_names import is_excel_path, sheet_names
from kaigo_desktop.gui.operations import QueryOp, is_user_error
from kaigo_desktop.gui.widgets.dialog_parts import (
    button_row,
    path_row,
    push_button,
    stacked,
)
from kaigo_desktop.services.cancelling import Cancelled, progress_that_stops
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.import_columns import ImportColumn, import_columns
from kaigo_desktop.services.importing import (
    IMPORT_KINDS,
    KIND_LABELS,
    ImportResult,
    import_file,
)

ENCODINGS = (("auto", "自動"), ("utf-8", "UTF-8"), ("cp932", "Shift_JIS"))
FILE_FILTER = "CSV・Excel ファイル (*.csv *.txt *.xlsx *.xlsm);;CSV (*.csv *.txt);;Excel (*.xlsx *.xlsm);;すべてのファイル (*)"


def columns_text(columns: list[ImportColumn]) -> str:
    """The headers a file of the kind may have, the required ones marked as every form marks them."""
    return "、".join(words.required(c.header) if c.required else c.header for c in columns)


def _import_job(kind: str, path: Path, sheet: str | None, encoding: str, dry_run: bool):
    def job(db: Any, job_ctx: Any) -> ImportResult:
        # Cancelled raised inside the import's transaction, so nothing is written.
        progress = progress_that_stops(job_ctx.progress, job_ctx.is_cancelled)
        return import_file(db, kind, path, dry_run=dry_run, progress=progress, sheet=sheet, encoding=encoding)
    return job


class ImportDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("データの取り込み")
        self.preview_result: ImportResult | None = None  # the dry run of what the inputs say now
        self.last_result: ImportResult | None = None  # the real import, once done
        self._progress: QProgressDialog | None = None
        self._job = None
        self._build()
        self._inputs_changed()

    def _build(self) -> None:
        self.kind_combo = QComboBox()
        for kind in IMPORT_KINDS:
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("CSV または Excel（.xlsx）ファイルを選んでください")
        self.browse_button = push_button("ファイルを選ぶ…", self.choose_file)
        self.sheet_combo = QComboBox()
        self.encoding_combo = QComboBox()
        for code, label in ENCODINGS:
            self.encoding_combo.addItem(label, code)
        self.template_button = push_button("テンプレートを保存…", self.save_template,
                                           tooltip="この内容の見出しと選択肢が入った Excel ファイルを保存します。")
        self.columns_label = QLabel()
        self.columns_label.setObjectName("import_columns")
        self.columns_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow("取り込む内容", button_row((self.kind_combo,), (self.template_button,)))
        form.addRow("列の見出し", self.columns_label)
        form.addRow("ファイル", path_row(self.path_edit, self.browse_button))
        form.addRow("シート（Excel）", self.sheet_combo)
        form.addRow("文字コード（CSV）", self.encoding_combo)
        self.preview = ImportPreview()
        self.check_button = push_button("確認", self.run_preview,
                                        tooltip="取り込む内容を調べて表示します。まだ何も書き込みません。")
        self.import_button = push_button("取り込む", self.run_import)
        self.close_button = push_button(words.CLOSE, self.reject)
        stacked(self, form, (self.preview, 1),
               button_row(right=(self.check_button, self.import_button, self.close_button)))
        for combo in (self.kind_combo, self.sheet_combo, self.encoding_combo):
            combo.currentIndexChanged.connect(self._inputs_changed)
        self.kind_combo.currentIndexChanged.connect(self._show_columns)
        self._show_columns()
        self.resize(760, 560)

    # ---- the columns a file needs, and a template of them -----------------------------------------

    def _show_columns(self) -> None:
        kind = self.kind_combo.currentData()
        self.columns_label.setText(words.LOADING)
        QueryOp(self, self.context, lambda db, _ctx: import_columns(db, kind)) \
            .success(lambda columns: self._columns_loaded(kind, columns)).run_in_background()

    def _columns_loaded(self, kind: str, columns: list[ImportColumn]) -> None:
        if kind == self.kind_combo.currentData():  # the user may have picked another kind meanwhile
            self.columns_label.setText(columns_text(columns))

    def save_template(self) -> None:
        kind = self.kind_combo.currentData()
        folder = Path(self.path_edit.text()).parent if self.path_edit.text() else file_dialogs.documents_folder()
        suggested = folder / f"{KIND_LABELS[kind]}_テンプレート.xlsx"
        path = file_dialogs.save_file(self, "テンプレートを保存", "Excel (*.xlsx)", suggested)
        if not path:
            return
        out = path.with_suffix(".xlsx")
        municipality = self.context.defaults.municipality or None
        fiscal_year = fiscal_year_of(date.today())

        def write(db: Any, _ctx: Any) -> int:
            from kaigo_desktop.reports.import_templates import write_template
            from kaigo_desktop.services.output_files import check_output_path

            check_output_path(out, db, force=True)  # the save dialog asked before replacing a file
            return write_template(db, kind, out, municipality_code=municipality, fiscal_year=fiscal_year)

        QueryOp(self, self.context, write).disabling(self.template_button) \
            .success(lambda _rows: self.context.status_did_change.emit(f"テンプレートを保存しました: {out}")) \
            .failure(self._template_failed).run_in_background()

    def _template_failed(self, error: BaseException) -> None:
        if not is_user_error(error):  # a bug goes to the exception hook
            raise error
        QMessageBox.warning(self, "テンプレートを保存", str(error))

    # ---- inputs ---------------------------------------------------------------------------------

    def choose_file(self) -> None:
        path = file_dialogs.open_file(self, "取り込むファイルを選ぶ", FILE_FILTER, self.path_edit.text())
        if path:
            self.set_path(str(path))

    def set_path(self, path: str) -> None:
        self.path_edit.setText(path)
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        if is_excel_path(path):
            self.sheet_combo.addItems(sheet_names(path))
        self.sheet_combo.blockSignals(False)
        self._inputs_changed()

    def _inputs_changed(self) -> None:
        """Any change of kind, file, sheet or encoding makes an earlier preview stale."""
        path = self.path_edit.text()
        excel = bool(path) and is_excel_path(path)
        self.sheet_combo.setEnabled(excel and self.sheet_combo.count() > 0)
        self.encoding_combo.setEnabled(bool(path) and not excel)
        self.preview_result = None
        self.check_button.setEnabled(bool(path) and self._job is None)
        self.import_button.setEnabled(False)
        if path:
            self.preview.clear("「確認」を押すと、取り込む内容をここに表示します（まだ何も書き込みません）。")

    def _options(self) -> tuple[str, Path, str | None, str]:
        path = self.path_edit.text()
        excel = is_excel_path(path)
        sheet = self.sheet_combo.currentText() if excel and self.sheet_combo.count() else None
        encoding = "auto" if excel else self.encoding_combo.currentData()
        return self.kind_combo.currentData(), Path(path), sheet, encoding

    # ---- running --------------------------------------------------------------------------------

    def run_preview(self) -> None:
        if self.path_edit.text():
            self._start(dry_run=True)

    def run_import(self) -> None:
        if self.preview_result is not None and self.preview_result.ok:
            self._start(dry_run=False)

    def _start(self, *, dry_run: bool) -> None:
        if self._job is not None:
            return
        kind, path, sheet, encoding = self._options()
        verb = "確認しています" if dry_run else "取り込んでいます"
        self._progress = cancellable_progress(self, "データの取り込み", f"{KIND_LABELS[kind]}を{verb}…")
        self._set_busy(True)
        self._job = self.context.run(
            _import_job(kind, path, sheet, encoding, dry_run),
            on_done=lambda result: self._finished(result, dry_run),
            on_error=lambda error: self._failed(error, dry_run),
            on_progress=self._show_progress)
        self._progress.canceled.connect(self._job.cancel)

    def _show_progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.kind_combo, self.browse_button, self.check_button, self.close_button):
            widget.setEnabled(not busy)
        if busy:
            self.import_button.setEnabled(False)

    def _end_job(self) -> None:
        self._job = None
        if self._progress is not None:
            close_progress(self._progress)
            self._progress = None
        self._set_busy(False)

    def _finished(self, result: ImportResult, dry_run: bool) -> None:
        self._end_job()
        self.preview.show_result(result)
        if dry_run:
            self.preview_result = result
            self.import_button.setEnabled(result.ok and result.rows > 0)
            return
        self.last_result = result
        self.preview_result = None
        self.import_button.setEnabled(False)
        if result.ok:
            # One kind per import (the kind chooser stays disabled while the import runs).
            self.context.announce(Changes.of(self.kind_combo.currentData()))
            QMessageBox.information(self, "データの取り込み", self.preview.summary_label.text())
        else:  # the file changed between the preview and the import: nothing was written
            QMessageBox.warning(self, "データの取り込み", "エラーがあったため、何も書き込みませんでした。\n"
                                "ファイルが確認のあとで変わった可能性があります。内容を確かめてください。")

    def _failed(self, error: BaseException, dry_run: bool) -> None:
        self._end_job()
        self.import_button.setEnabled(False)
        self.preview_result = None
        if isinstance(error, Cancelled):
            self.preview.clear("中止しました。何も書き込んでいません。")
            return
        if isinstance(error, FileNotFoundError):
            message = f"ファイルが見つかりません: {self.path_edit.text()}"
        elif isinstance(error, PermissionError):
            message = "ファイルを開けません。Excel などで開いたままなら閉じてから、もう一度お試しください。"
        else:
            message = str(error) or type(error).__name__
        self.preview.clear(f"{'確認' if dry_run else '取り込み'}できませんでした。何も書き込んでいません。\n{message}")
        QMessageBox.warning(self, "データの取り込み", f"取り込めませんでした。何も書き込んでいません。\n\n{message}")


def open_import_dialog(parent: QWidget | None, context: AppContext) -> None:
    """The menu entry 「データの取り込み…」."""
    dialog = ImportDialog(context, parent)
    dialog.exec()
    dialog.deleteLater()
