"""The データの書き出し dialog: a bundle file for another PC (送り先 remembered), with what changed since the last
one or everything, optionally one 区市町村 or center only, optionally protected by a password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.records import Municipality
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.exchange_folders import (
    BUNDLE_FILTER,
    BUNDLE_SUFFIX,
    ExchangeFolders,
)
from kaigo_desktop.gui.exchange_progress import run_with_progress
from kaigo_desktop.gui.exchange_sizing import fit_wrapped_height, scaled_resize
from kaigo_desktop.gui.operations import QueryOp
from kaigo_desktop.gui.widgets.choice_combo import ChoiceCombo
from kaigo_desktop.gui.widgets.searchable_combo import make_searchable, municipality_texts, set_search_texts
from kaigo_desktop.gui.widgets.dialog_parts import (
    button_row,
    path_row,
    push_button,
    stacked,
)
from kaigo_desktop.services.cancelling import Cancelled
from kaigo_desktop.services.exchange import (
    BundleSummary,
    Destination,
    destinations,
    export_bundle,
)
from kaigo_desktop.services.exchange_labels import counts_text, timestamp_text
from kaigo_desktop.services.output_files import check_output_path
from kaigo_desktop.services.places_view import CenterChoice, place_choices

TITLE = "データの書き出し"
PASSWORD_NOTE = ("パスワードを付けないと、このファイルを手に入れただれでも中身を読めます。USB メモリやメールで"
                 "渡すときは付けてください。パスワードはファイルと一緒に送らず、電話など別の方法で相手に伝えてください。")


@dataclass(frozen=True)
class ExportChoices:
    destinations: list[Destination]
    municipalities: list[Municipality]
    centers: list[CenterChoice]


def read_choices(db, _job_ctx=None) -> ExportChoices:
    choices = place_choices(db)
    return ExportChoices(destinations(db), choices.municipalities, choices.centers)


class ExportDialog(QDialog):
    """Accepted once a bundle is written; `last_summary` says what went into it."""

    def __init__(self, context: AppContext, parent: QWidget | None = None, *,
                 folders: ExchangeFolders | None = None, today: date | None = None):
        super().__init__(parent)
        self.context = context
        self.folders = folders or ExchangeFolders()
        self.today = today or date.today()
        self.last_summary: BundleSummary | None = None
        self.progress_dialog = None
        self._path_chosen = False  # the person picked a file: the destination no longer renames it
        self.setWindowTitle(TITLE)
        self.choices = ExportChoices([], [], [])  # filled when read_choices comes back from the database thread
        self.loaded = False
        self._build()
        self._destination_changed()
        self.last_sent_label.setText("読み込み中…")
        QueryOp(self, context, read_choices).disabling(self.export_button) \
            .success(self._choices_loaded).run_in_background()

    def _choices_loaded(self, choices: ExportChoices) -> None:
        self.choices = choices
        typed = self.destination  # the person may have typed a name while the list was on its way
        latest = max(choices.destinations, key=lambda d: d.last_sent_at or "", default=None)
        self.destination_combo.blockSignals(True)
        self.destination_combo.clear()
        for destination in choices.destinations:
            self.destination_combo.addItem(destination.name)
        self.destination_combo.setCurrentText(typed or (latest.name if latest else ""))
        self.destination_combo.blockSignals(False)
        self.municipality_combo.set_choices((m.code, m.name) for m in choices.municipalities)
        make_searchable(self.municipality_combo)  # a typed name, よみ or code chooses too
        set_search_texts(self.municipality_combo, municipality_texts(choices.municipalities))
        self._offer_centers()
        self._destination_changed()
        self.loaded = True

    # ---- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel("ほかのパソコン（区役所・地域包括支援センターなど）へ渡すファイルを作ります。"
                       "相手は「データの取り込み（ほかのパソコンから）」で取り込みます。")
        intro.setWordWrap(True)
        self.destination_combo = QComboBox()
        self.destination_combo.setEditable(True)
        self.destination_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.destination_combo.setMinimumContentsLength(20)
        self.destination_combo.lineEdit().setPlaceholderText("例: 区役所、○○地域包括支援センター")
        self.destination_combo.currentTextChanged.connect(lambda _text: self._destination_changed())
        self.last_sent_label = QLabel()
        self.last_sent_label.setObjectName("last_sent")

        self.since_last = QRadioButton("前回の書き出しから変わった分")
        self.since_all = QRadioButton("すべての記録")
        self.since_last.setChecked(True)
        since_group = QButtonGroup(self)
        for button in (self.since_last, self.since_all):
            since_group.addButton(button)
        since_row = QHBoxLayout()
        since_row.addWidget(self.since_last)
        since_row.addWidget(self.since_all)
        since_row.addStretch(1)

        self.municipality_combo = ChoiceCombo(none_label="すべての区市町村")
        self.municipality_combo.currentIndexChanged.connect(lambda _i: self._offer_centers())
        self.center_combo = ChoiceCombo(none_label="すべてのセンター")
        self._offer_centers()

        self.password_check = QCheckBox("パスワードで保護する")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_repeat = QLineEdit()
        self.password_repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("パスワード")
        self.password_repeat.setPlaceholderText("確認のため、もう一度")
        self.password_check.toggled.connect(self._password_toggled)
        self._password_toggled(False)
        password_note = QLabel(PASSWORD_NOTE)
        password_note.setWordWrap(True)
        password_note.setObjectName("password_note")

        self.path_edit = QLineEdit()
        self.path_edit.textEdited.connect(lambda _text: setattr(self, "_path_chosen", True))
        self.browse_button = push_button("保存先を選ぶ…", self.choose_file)

        form = QFormLayout()
        form.addRow("送り先", self.destination_combo)
        form.addRow("", self.last_sent_label)
        form.addRow("書き出す記録", since_row)
        form.addRow("区市町村", self.municipality_combo)
        form.addRow(words.CENTER, self.center_combo)
        form.addRow("保存先ファイル", path_row(self.path_edit, self.browse_button))
        password_box = QGroupBox("パスワード（任意）")
        password_form = QFormLayout()
        password_form.addRow("パスワード", self.password_edit)
        password_form.addRow("パスワード（確認）", self.password_repeat)
        password_layout = QVBoxLayout(password_box)
        password_layout.addWidget(password_note)
        password_layout.addWidget(self.password_check)
        password_layout.addLayout(password_form)

        self.export_button = push_button("書き出す", self.run_export)
        self.export_button.setDefault(True)
        self.close_button = push_button(words.CLOSE, self.reject)
        stacked(self, intro, form, password_box, 1, button_row(right=(self.export_button, self.close_button)))
        scaled_resize(self, 720, 0)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        fit_wrapped_height(self)

    def _offer_centers(self) -> None:
        code = self.municipality_combo.value()
        self.center_combo.set_choices((c.id, c.name) for c in self.choices.centers
                                      if code is None or c.municipality_code == code)

    def _password_toggled(self, on: bool) -> None:
        for edit in (self.password_edit, self.password_repeat):
            edit.setEnabled(on)
            if not on:
                edit.clear()

    # ---- inputs --------------------------------------------------------------------------------

    @property
    def destination(self) -> str:
        return self.destination_combo.currentText().strip()

    def _destination_changed(self) -> None:
        known = next((d for d in self.choices.destinations if d.name == self.destination), None)
        if known is None:
            self.last_sent_label.setText("この送り先へは初めてです。すべての記録を書き出します。"
                                         if self.destination else "送り先の名前を入力するか、一覧から選んでください。")
        else:
            self.last_sent_label.setText(f"前回の書き出し: {timestamp_text(known.last_sent_at)}")
        if not self._path_chosen:
            self.path_edit.setText(str(self.folders.default_path(self.destination, self.today))
                                   if self.destination else "")

    def choose_file(self) -> None:
        start = self.path_edit.text() or str(self.folders.default_path(self.destination, self.today))
        chosen = file_dialogs.save_file(self, "書き出すファイル", BUNDLE_FILTER, start)
        if chosen:
            path = str(chosen)
            if not path.lower().endswith(BUNDLE_SUFFIX):
                path += BUNDLE_SUFFIX
            self.path_edit.setText(path)
            self._path_chosen = True

    def _problem(self) -> tuple[str, QWidget] | None:
        """What stops the export, and where to fix it."""
        if not self.destination:
            return "送り先の名前を入力してください（例: 区役所）。", self.destination_combo
        if self.password_check.isChecked():
            if not self.password_edit.text():
                return "パスワードを入力してください。", self.password_edit
            if self.password_edit.text() != self.password_repeat.text():
                return "パスワードと確認用のパスワードが一致しません。もう一度入力してください。", self.password_repeat
        if not self.path_edit.text().strip():
            return "保存先ファイルを選んでください。", self.browse_button
        folder = Path(self.path_edit.text().strip()).parent
        if not folder.is_dir():
            return f"保存先のフォルダがありません: {folder}", self.browse_button
        return None

    # ---- running -------------------------------------------------------------------------------

    def run_export(self) -> None:
        if self.progress_dialog is not None:
            return
        problem = self._problem()
        if problem is not None:
            QMessageBox.warning(self, TITLE, problem[0])
            problem[1].setFocus()
            return
        out_path = Path(self.path_edit.text().strip())
        if out_path.exists() and QMessageBox.question(
                self, TITLE, f"同じ名前のファイルがあります。置き換えますか？\n{out_path}",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            return
        destination = self.destination
        since = "all" if self.since_all.isChecked() else "last"
        municipality, center = self.municipality_combo.value(), self.center_combo.value()
        passphrase = self.password_edit.text() if self.password_check.isChecked() else None

        def work(db, progress):
            # Replacing was agreed just above or in the save dialog; the database and backups never are.
            check_output_path(out_path, db, force=True)
            return export_bundle(db, out_path, destination=destination, since=since, municipality=municipality,
                                 center=center, passphrase=passphrase, progress=progress)

        self._set_busy(True)
        self.progress_dialog = run_with_progress(self, self.context, TITLE, f"「{destination}」あてに書き出しています…",
                                                 work, self._finished, self._failed)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.export_button, self.close_button, self.browse_button):
            widget.setEnabled(not busy)

    def _finished(self, summary: BundleSummary) -> None:
        self.progress_dialog = None
        self._set_busy(False)
        self.last_summary = summary
        self.folders.remember(summary.destination, summary.path.parent)
        self.context.status_did_change.emit(f"「{summary.destination}」あてのファイルを書き出しました: {summary.path.name}")
        QMessageBox.information(self, TITLE, summary_text(summary, encrypted=self.password_check.isChecked()))
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.progress_dialog = None
        self._set_busy(False)
        if isinstance(error, Cancelled):
            QMessageBox.information(self, TITLE, "書き出しを中止しました。ファイルは作っていません。")
            return
        if isinstance(error, PermissionError):
            message = "保存先に書き込めません。フォルダの権限や、USB メモリの書き込み禁止を確認してください。"
        elif isinstance(error, OSError):
            message = f"ファイルを書き出せませんでした（{error.strerror or error}）。空き容量や保存先を確認してください。"
        else:
            message = str(error) or type(error).__name__
        QMessageBox.warning(self, TITLE, f"書き出せませんでした。ファイルは作っていません。\n\n{message}")


def summary_text(summary: BundleSummary, *, encrypted: bool) -> str:
    counts = counts_text(summary.counts, "\n　")
    lines = [f"「{summary.destination}」あてのファイルを書き出しました。", str(summary.path), ""]
    if summary.total:
        lines += [f"書き出した記録（合計 {summary.total:,}件）:", f"　{counts}"]
    else:
        lines.append("前回の書き出しから変わった記録はありませんでした（記録のないファイルです）。")
    lines.append("")
    if encrypted:
        lines.append("パスワードで保護しています。パスワードはファイルと別の方法（電話など）で相手に伝えてください。")
    else:
        lines.append("パスワードは付けていません。ファイルの取り扱いに注意してください。")
    return "\n".join(lines)


def open_export_dialog(parent: QWidget | None, context: AppContext) -> None:
    """The menu entry 「データの書き出し（ほかのパソコンへ）…」."""
    dialog = ExportDialog(context, parent)
    dialog.exec()
    dialog.deleteLater()
