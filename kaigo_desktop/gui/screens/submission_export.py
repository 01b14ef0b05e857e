"""報告書 › 東京都への提出ファイル: choose the 年度 and 区市町村, where to save, and make the signed submission
file (services/submissions.export_submission) on the database thread; the result and, for a 年度 not locked,
the warning that its figures may still change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout

from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year
from kaigo_desktop.gui import file_dialogs, opening
from kaigo_desktop.gui.operations import CollectionOp, is_user_error
from kaigo_desktop.gui.screens.masters_common import (
    add_choosers,
    fill_fiscal_years,
    fill_municipalities,
    year_and_municipality_combos,
)
from kaigo_desktop.services import masters_view, overview
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.submissions import SubmissionExported, export_submission

TITLE = "東京都への提出ファイル"
EXTENSION = ".kaigo-sub"
FILE_FILTER = f"提出ファイル (*{EXTENSION});;すべてのファイル (*)"
WARNING_STYLE = "background:#fff4ce; border:1px solid #c8a400; padding:6px; color:#3d3000;"


def suggested_file_name(municipality_name: str, fiscal_year: int) -> str:
    return f"{municipality_name}_{format_fiscal_year(fiscal_year)}_東京都提出{EXTENSION}"


class SubmissionExportBox(QGroupBox):
    """The part of the 報告書 screen that writes the file sent to 東京都."""

    def __init__(self, context, parent=None):
        super().__init__(TITLE, parent)
        self.context = context
        self.last_result: SubmissionExported | None = None
        self._last_folder: Path | None = None
        self.fiscal_year_combo, self.municipality_combo = year_and_municipality_combos("submission")
        self.export_button = QPushButton("提出ファイルを作成…(&T)")
        self.export_button.setObjectName("submission_export")
        self.export_button.setToolTip("年度の集計値だけを署名付きで書き出します（氏名・連絡先・個々の記録は含みません）")
        self.export_button.setEnabled(False)  # until the choices are loaded
        self.export_button.clicked.connect(self.choose_file_and_export)
        explanation = QLabel("東京都の評価シートのために、年度の集計値（通いの場・推進員・補助・短期集中予防サービスの申告）を"
                             "このデータベースの鍵で署名して書き出します。氏名・住所・電話番号や個々の記録は含みません。")
        explanation.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setObjectName("submission_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.warning_label = QLabel()
        self.warning_label.setObjectName("submission_warning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(WARNING_STYLE)
        self.warning_label.hide()
        self.folder_button = QPushButton("保存先のフォルダを開く")
        self.folder_button.clicked.connect(self._open_folder)
        self.folder_button.hide()

        choosers = QHBoxLayout()
        add_choosers(choosers, (("年度(&Y)", self.fiscal_year_combo), ("区市町村(&U)", self.municipality_combo)))
        choosers.addWidget(self.export_button)
        choosers.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(choosers)
        layout.addWidget(self.result_label)
        layout.addWidget(self.warning_label)
        result_buttons = QHBoxLayout()
        result_buttons.addWidget(self.folder_button)
        result_buttons.addStretch(1)
        layout.addLayout(result_buttons)

    def load(self, today: date) -> None:
        """The 年度 and 区市町村 to offer, starting on the current 年度 and the database's own 区市町村."""
        self.context.run(lambda db, _ctx: (masters_view.fiscal_year_choices(db, today), overview.municipalities(db),
                                           masters_view.likely_municipality(db)),
                         on_done=lambda choices: self.fill(*choices, today))

    def fill(self, fiscal_years: list[int], municipalities, default_municipality: str, today: date) -> None:
        fill_fiscal_years(self.fiscal_year_combo, fiscal_years, fiscal_year_of(today))
        fill_municipalities(self.municipality_combo, municipalities, default_municipality or None)
        self.export_button.setEnabled(bool(fiscal_years) and self.municipality_combo.count() > 0)

    def choice(self) -> tuple[int, str, str] | None:
        fiscal_year, code = self.fiscal_year_combo.currentData(), self.municipality_combo.currentData()
        if fiscal_year is None or not code:
            return None
        return fiscal_year, code, self.municipality_combo.currentText()

    # ---- exporting -----------------------------------------------------------------------------

    def choose_file_and_export(self) -> None:
        choice = self.choice()
        if choice is None:
            return
        fiscal_year, code, name = choice
        folder = self._last_folder or file_dialogs.documents_folder()
        path = file_dialogs.save_file(self, f"{TITLE}を保存", FILE_FILTER, folder / suggested_file_name(name, fiscal_year))
        if path is None:
            return
        out = path if path.name.lower().endswith(EXTENSION) else path.with_name(path.name + EXTENSION)
        self._last_folder = out.parent
        # The dialog asked before replacing the file it returned, not one whose name we completed.
        self.export(fiscal_year, code, out, replace=out == path)

    def export(self, fiscal_year: int, municipality_code: str, out: Path, *, replace: bool) -> None:
        # A write: the first signature makes the database's key.
        CollectionOp(self, self.context,
                     lambda db, _ctx: export_submission(db, fiscal_year, municipality_code, out, force=replace),
                     changes=Changes()) \
            .disabling(self.export_button).showing_progress("提出ファイルを作成しています…") \
            .success(self.show_result).failure(self._refused).run_in_background()

    def show_result(self, result: SubmissionExported) -> None:
        self.last_result = result
        state = "ロック済みの年度" if result.locked else "ロックされていない年度"
        self.result_label.setText(f"保存しました: {result.path}\n"
                                  f"（{format_fiscal_year(result.fiscal_year)}・{self.municipality_combo.currentText()}・{state}）")
        self.result_label.show()
        self.warning_label.setText(f"⚠ {result.warning}" if result.warning else "")
        self.warning_label.setVisible(bool(result.warning))
        self.folder_button.show()
        self.context.status_did_change.emit(f"{TITLE}を作成しました")

    def _refused(self, error: BaseException) -> None:
        if is_user_error(error) or isinstance(error, ValueError):
            text = str(error)  # our own messages, in Japanese (the output-file guard's among them)
        elif isinstance(error, PermissionError):
            text = f"ファイルに書き込めません。別のアプリで開いていないか、保存先を確かめてください。\n{error}"
        elif isinstance(error, OSError):
            text = f"ファイルを保存できませんでした（ディスクの空きや保存先を確かめてください）。\n{error}"
        else:
            raise error  # a bug: the app's exception hook shows it with details
        QMessageBox.warning(self, f"{TITLE}を作成できません", text)

    def _open_folder(self) -> None:
        if self.last_result is not None:
            opening.open_folder(self, Path(self.last_result.path).parent)
