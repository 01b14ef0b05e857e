"""報告書 screen: choose a report and its conditions, make it off the GUI thread, look at it before saving (a
preview from a temporary file; 保存 then asks where), save it, open it to look or print."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QProgressDialog,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from kaigo_desktop.gui import file_dialogs, opening
from kaigo_desktop.gui.cancellable_progress import cancellable_progress, close_progress
from kaigo_desktop.gui.operations import QueryOp
from kaigo_desktop.gui.pdf_pages import PdfPreviewDialog, print_pdf
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.report_form import ALLOW_EMPTY_LABEL, ReportForm
from kaigo_desktop.gui.screens.report_job import ProgressRelay, keep_report, make_report
from kaigo_desktop.gui.screens.submission_export import SubmissionExportBox
from kaigo_desktop.reports import ReportResult
from kaigo_desktop.services import masters_view, overview, promoters_view
from kaigo_desktop.services.cancelling import Cancelled
from kaigo_desktop.services.stats import EmptyScope
from kaigo_desktop.storage.errors import StorageError

WARNING_STYLE = "background:#fff4ce; border:1px solid #c8a400; padding:6px; color:#3d3000;"
ERROR_STYLE = "color:#b00020;"


def _load_choices(db, today: date):
    return (masters_view.fiscal_year_choices(db, today), overview.municipalities(db),
            promoters_view.promoter_choices(db), promoters_view.place_choices(db))


def _remove_folder(folder: Path) -> None:
    """A preview's temporary folder, once nobody needs its file (a viewer may still hold it: then it stays
    for the system to clean)."""
    shutil.rmtree(folder, ignore_errors=True)


class ReportsScreen(Screen):
    title = "報告書"
    saves_to_database = False  # Ctrl+S saves a report file: fine in a read-only database

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self._choices_loaded = False
        self._job = None
        self._progress: QProgressDialog | None = None
        self._last_folder: Path | None = None
        self.last_result: ReportResult | None = None
        self.preview_dialog: PdfPreviewDialog | None = None  # the last preview shown
        self.relay = ProgressRelay(self)
        self.relay.message_did_change.connect(self._show_progress_message)

        self.form = ReportForm()
        self.form.conditions_did_change.connect(self._conditions_did_change)
        box = QGroupBox("作成する報告書")
        QVBoxLayout(box).addWidget(self.form)

        self.problem_label = QLabel()
        self.problem_label.setObjectName("report_problems")
        self.problem_label.setStyleSheet(ERROR_STYLE)
        self.problem_label.setWordWrap(True)
        self.create_button = QPushButton("作成して保存…(&S)")
        self.create_button.setObjectName("report_create")
        self.create_button.clicked.connect(self.create_and_save)
        self.print_button = QPushButton("印刷…（Ctrl+P）")
        self.print_button.setToolTip("PDF を作り、プリンターを選んで全ページを印刷します")
        self.print_button.clicked.connect(self.print_current)
        self.preview_first_button = QPushButton("作成してプレビュー(&V)")
        self.preview_first_button.setObjectName("report_preview_first")
        self.preview_first_button.setToolTip("保存する前に画面で確かめます。プレビューの「保存…」で保存先を選べます")
        self.preview_first_button.clicked.connect(self.preview_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_first_button)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)

        self.result_label = QLabel()
        self.result_label.setObjectName("report_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning_label = QLabel()
        self.warning_label.setObjectName("report_warnings")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.hide()
        self.open_button = QPushButton("開く(&O)")
        self.open_button.setObjectName("report_open")
        self.open_button.setToolTip("保存したファイルをパソコンのビューア（PDF は印刷もできます）で開きます")
        self.open_button.clicked.connect(self.open_last_result)
        self.preview_button = QPushButton("プレビュー")
        self.preview_button.setObjectName("report_preview")
        self.preview_button.clicked.connect(self.preview_last_result)
        self.folder_button = QPushButton("保存先のフォルダを開く")
        self.folder_button.clicked.connect(self._open_last_folder)
        result_buttons = QHBoxLayout()
        result_buttons.addWidget(self.preview_button)
        result_buttons.addWidget(self.open_button)
        result_buttons.addWidget(self.folder_button)
        result_buttons.addStretch(1)
        self.result_box = QGroupBox("作成した報告書")
        result_layout = QVBoxLayout(self.result_box)
        result_layout.addWidget(self.result_label)
        result_layout.addWidget(self.warning_label)
        result_layout.addLayout(result_buttons)
        self.result_box.hide()
        self.submission_box = SubmissionExportBox(context)

        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(self.problem_label)
        layout.addLayout(buttons)
        layout.addWidget(self.result_box)
        layout.addWidget(self.submission_box)
        layout.addStretch(1)

    # ---- Screen --------------------------------------------------------------------------------

    def activate(self) -> None:
        if not self._choices_loaded:
            today = self._today()
            self.create_button.setEnabled(False)
            self.preview_first_button.setEnabled(False)
            self.context.run(lambda db, _ctx: _load_choices(db, today),
                             on_done=lambda choices: self._fill(choices, today), on_error=self._show_error)
            self.submission_box.load(today)

    def _today(self) -> date:
        return getattr(self.window(), "today", None) or date.today()

    def _fill(self, choices, today: date) -> None:
        self.form.fill(*choices, today=today, default_municipality=self.context.defaults.municipality)
        self._choices_loaded = True
        self.create_button.setEnabled(True)
        self.preview_first_button.setEnabled(True)
        self._conditions_did_change()

    def save(self) -> bool:  # Ctrl+S: the screen's one way of saving
        self.create_and_save()
        return True

    def print_current(self) -> bool:  # Ctrl+P
        """Make the chosen PDF into a temporary file and print it through the printer dialog."""
        if not self.form.kind().is_pdf:
            self._show_problems(["印刷できるのは PDF の報告書です。報告書を選び直してください。"])
            return True
        folder = Path(tempfile.mkdtemp(prefix="kaigo-print-"))
        self._generate(folder / self.form.suggested_file_name(), purpose="print")
        return True

    def preview_current(self) -> None:
        """Make the chosen PDF into a temporary file and show it; its 「保存…」 asks where to keep it."""
        if not self.form.kind().is_pdf:
            self._show_problems(["プレビューできるのは PDF の報告書です。Excel・CSV は「作成して保存」で保存してください。"])
            return
        folder = Path(tempfile.mkdtemp(prefix="kaigo-preview-"))
        self._generate(folder / self.form.suggested_file_name(), purpose="preview")

    def screenshot_views(self):
        def with_result() -> QWidget:
            self.result_label.setText("保存しました: C:\\Users\\職員\\Documents\\"
                                      f"{self.form.suggested_file_name()}（2ページ）")
            self.result_box.show()
            return self
        def submission_exported() -> QWidget:
            self.result_box.hide()
            choice = self.submission_box.choice()
            if choice is not None:
                from kaigo_desktop.gui.screens.submission_export import suggested_file_name
                from kaigo_desktop.services.submissions import NOT_LOCKED_WARNING, SubmissionExported

                fiscal_year, code, name = choice
                self.submission_box.show_result(SubmissionExported(
                    Path("C:/Users/職員/Documents") / suggested_file_name(name, fiscal_year), fiscal_year, code,
                    False, NOT_LOCKED_WARNING))
            scroll = self.parentWidget()
            while scroll is not None and not isinstance(scroll, QScrollArea):
                scroll = scroll.parentWidget()
            if scroll is not None:  # at 200 % the box is below the fold: the picture is of it
                QApplication.processEvents()
                scroll.ensureWidgetVisible(self.submission_box)
            return self

        return [("reports", with_result), ("submission_export", submission_exported)]

    # ---- making a report -----------------------------------------------------------------------

    def _conditions_did_change(self) -> None:
        self.problem_label.clear()
        self.print_button.setEnabled(self.form.kind().is_pdf)
        self.preview_first_button.setEnabled(self.form.kind().is_pdf and self._choices_loaded)

    def _show_problems(self, problems: list[str]) -> None:
        self.problem_label.setText("\n".join(problems))

    def create_and_save(self) -> None:
        problems = self.form.problems()
        if problems:
            self._show_problems(problems)
            return
        chosen = self._ask_where_to_save()
        if chosen is not None:
            out, replace = chosen
            self._generate(out, purpose="save", replace=replace)

    def _ask_where_to_save(self) -> tuple[Path, bool] | None:
        """The file to save the chosen report as (the extension completed), and whether the user agreed to
        replace it; None when cancelled. Starts in the folder last used, else Documents."""
        kind = self.form.kind()
        folder = self._last_folder or file_dialogs.documents_folder()
        path = file_dialogs.save_file(self, f"{kind.title}を保存", kind.file_filter,
                                      folder / self.form.suggested_file_name())
        if path is None:
            return None
        out = path
        if out.suffix.lower() != kind.extension:
            out = out.with_name(out.name + kind.extension)
        self._last_folder = out.parent
        # The dialog asked before replacing the file it returned, not one whose name we completed.
        return out, out == path

    def _save_previewed(self, previewed: ReportResult) -> bool:
        """「保存…」 in the preview: the file already made is kept where the user chooses (not made again).
        False when the user cancelled the choice."""
        chosen = self._ask_where_to_save()
        if chosen is None:
            return False
        out, replace = chosen
        def kept(path: Path) -> None:
            _remove_folder(Path(previewed.path).parent)
            self._show_result(dataclasses.replace(previewed, path=path), "save")

        def refused(error: BaseException) -> None:
            _remove_folder(Path(previewed.path).parent)
            self._show_error(error)

        QueryOp(self, self.context, lambda db, _ctx: keep_report(db, Path(previewed.path), out, replace=replace)) \
            .success(kept).failure(refused).run_in_background()
        return True

    def _generate(self, out: Path, *, purpose: str, replace: bool = True) -> None:
        """purpose: "save" (out is where the user chose), "print" or "preview" (out is a temporary file)."""
        if self._job is not None:
            return
        problems = self.form.problems()
        if problems:
            self._show_problems(problems)
            return
        kind, options = self.form.kind(), self.form.options()
        relay = self.relay
        self._progress = cancellable_progress(self, "報告書の作成", f"{kind.title}を作成しています…")
        self._job = self.context.run(
            lambda db, job_ctx: make_report(db, job_ctx, kind, options, out, relay, replace=replace),
            on_done=lambda result: self._did_finish(result, purpose),
            on_error=self._did_fail)
        self._progress.canceled.connect(self._job.cancel)
        self.create_button.setEnabled(False)
        self.preview_first_button.setEnabled(False)

    def _show_progress_message(self, message: str) -> None:
        if self._progress is not None:
            self._progress.setLabelText(f"{self.form.kind().title}: {message}…")

    def _end_job(self) -> None:
        self._job = None
        if self._progress is not None:
            close_progress(self._progress)
            self._progress = None
        self.create_button.setEnabled(True)
        self.preview_first_button.setEnabled(self.form.kind().is_pdf)

    def _did_finish(self, result: ReportResult, purpose: str) -> None:
        self._end_job()
        if purpose == "preview":
            self.preview_dialog = PdfPreviewDialog(Path(result.path), self.form.kind().title, self,
                                                   on_save=lambda: self._save_previewed(result))
            self.preview_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            # Closed without saving: its temporary file goes (after 保存 it goes once copied).
            self.preview_dialog.rejected.connect(lambda: _remove_folder(Path(result.path).parent))
            self.preview_dialog.open()  # window-modal, no nested event loop
            return
        self._show_result(result, purpose)

    def _show_result(self, result: ReportResult, purpose: str) -> None:
        self.last_result = result
        kind = self.form.kind()
        details = [f"{result.pages}ページ" if kind.is_pdf else
                   f"通いの場 {result.pages:,}か所" if kind.export_format == "opendata" else f"{result.pages}表"]
        if kind.uses_suppress:
            details.append(f"秘匿処理 {'あり' if self.form.options().suppress else 'なし'}"
                           f"（秘匿した欄 {result.hidden_cells}）")
        self.preview_button.setVisible(kind.is_pdf)
        if purpose == "print":
            printed = print_pdf(Path(result.path), kind.title, self)
            self.result_label.setText(("印刷しました" if printed else "印刷を取り消しました")
                                      + f"（{'、'.join(details)}）")
        else:
            self.result_label.setText(f"保存しました: {result.path}（{'、'.join(details)}）")
        self.warning_label.setText("\n".join(f"⚠ {w}" for w in result.warnings))
        self.warning_label.setVisible(bool(result.warnings))
        self.result_box.show()
        self.context.status_did_change.emit(f"{kind.title}を作成しました")

    def _did_fail(self, error: BaseException) -> None:
        self._end_job()
        if isinstance(error, Cancelled):
            self.context.status_did_change.emit("報告書の作成を中止しました（ファイルは作られていません）")
            self._show_problems(["作成を中止しました。ファイルは保存されていません。"])
            return
        self._show_error(error)

    def _show_error(self, error: BaseException) -> None:
        if isinstance(error, EmptyScope):
            text = f"{error}記録がなくても作成するには「{ALLOW_EMPTY_LABEL}」にチェックを入れてください。"
        elif isinstance(error, (ValueError, StorageError)):
            text = str(error)  # our own messages, already in Japanese
        elif isinstance(error, PermissionError):
            text = f"ファイルに書き込めません。別のアプリで開いていないか、保存先を確かめてください。\n{error}"
        elif isinstance(error, OSError):
            text = f"ファイルを保存できませんでした（ディスクの空きや保存先を確かめてください）。\n{error}"
        else:
            raise error  # a bug: the app's exception hook shows it with details
        QMessageBox.warning(self, "報告書を作成できません", text)

    # ---- after saving --------------------------------------------------------------------------

    def preview_last_result(self) -> None:
        if self.last_result is not None:
            PdfPreviewDialog(Path(self.last_result.path), self.form.kind().title, self).exec()

    def open_last_result(self) -> None:
        if self.last_result is not None:
            opening.open_file(self, Path(self.last_result.path))

    def _open_last_folder(self) -> None:
        if self.last_result is not None:
            opening.open_folder(self, Path(self.last_result.path).parent)
