"""The データの取り込み (ほかのパソコンから) dialog: pick a .kaigo file, give its password if it has one, see what
importing would add, update, delete or leave in conflict (a dry run: nothing written), then import it.
A file from a PC not trusted yet shows who it claims to be and its fingerprint; the person compares it with the
sender (by phone) and may trust that PC here (「このパソコンを信頼して取り込む」)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QGroupBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.exchange_folders import BUNDLE_FILTER, ExchangeFolders
from kaigo_desktop.gui.exchange_progress import run_with_progress
from kaigo_desktop.gui.exchange_sizing import fit_wrapped_height, scaled_resize
from kaigo_desktop.gui.operations import CollectionOp
from kaigo_desktop.gui.widgets.dialog_parts import (
    button_row,
    path_row,
    push_button,
    stacked,
)
from kaigo_desktop.services import bundle_signing
from kaigo_desktop.services.bundle_signing import Signer
from kaigo_desktop.services.cancelling import Cancelled
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.exchange import (
    ImportSummary,
    PassphraseError,
    SameDatabaseError,
    UnknownPcError,
    give_new_database_id,
    import_bundle,
    is_encrypted,
)
from kaigo_desktop.services.exchange_labels import IMPORT_COUNTS, bundle_text, gap_text

TITLE = "データの取り込み（ほかのパソコンから）"
ASK_PASSWORD = "このファイルはパスワードで保護されています。\n送り主から聞いたパスワードを入力してください。"
ASK_AGAIN = "パスワードが違います。もう一度入力してください。\n（大文字・小文字、全角・半角も区別します）"
TRUST_BUTTON = "このパソコンを信頼して取り込む"


def changes(summary: ImportSummary) -> int:
    return summary.added + summary.updated + summary.deleted + summary.conflicts


class ExchangeImportDialog(QDialog):
    """Shows the dry run of the chosen file; 「取り込む」 writes it. `last_summary` is the real import."""

    def __init__(self, context: AppContext, parent: QWidget | None = None, *,
                 folders: ExchangeFolders | None = None):
        super().__init__(parent)
        self.context = context
        self.folders = folders or ExchangeFolders()
        self.setWindowTitle(TITLE)
        self.path: Path | None = None
        self._passphrase: str | None = None
        self.preview_summary: ImportSummary | None = None
        self.last_summary: ImportSummary | None = None
        self.progress_dialog = None
        self.open_conflicts_requested = False
        self.unknown_signer: Signer | None = None
        self._import_after_preview = False
        self._build()
        self._show_counts(None)
        self._set_status("取り込むファイル（.kaigo）を選んでください。ファイルを選ぶと、まず内容を確認します"
                         "（まだ何も書き込みません）。")

    def _build(self) -> None:
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("ほかのパソコンで書き出した .kaigo ファイル")
        self.browse_button = push_button("ファイルを選ぶ…", self.choose_file)

        self.preview_box = QGroupBox("取り込むと変わること")
        grid = QGridLayout(self.preview_box)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(16)
        bold = QFont(self.font())
        bold.setBold(True)
        self.count_labels: dict[str, QLabel] = {}
        for row, (attribute, label, explanation) in enumerate(IMPORT_COUNTS):
            name = QLabel(label)
            name.setFont(bold)
            count = QLabel("—")
            count.setObjectName(f"count_{attribute}")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            count.setMinimumWidth(count.fontMetrics().horizontalAdvance("000,000件"))
            text = QLabel(explanation)
            text.setWordWrap(True)
            grid.addWidget(name, row, 0)
            grid.addWidget(count, row, 1)
            grid.addWidget(text, row, 2)
            self.count_labels[attribute] = count
        self.status_label = QLabel()
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.trust_button = push_button(TRUST_BUTTON, self.trust_sender)
        self.trust_button.setObjectName("trust_button")
        self.trust_button.setVisible(False)
        self.import_button = push_button("取り込む", self.run_import)
        self.import_button.setEnabled(False)
        self.close_button = push_button(words.CLOSE, self.reject)
        stacked(self, path_row(self.path_edit, self.browse_button, "ファイル"), self.status_label,
               (self.preview_box, 1), button_row(right=(self.trust_button, self.import_button, self.close_button)))
        scaled_resize(self, 760, 0)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        fit_wrapped_height(self)

    # ---- showing -------------------------------------------------------------------------------

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)
        if self.isVisible():  # a longer message may need another line
            fit_wrapped_height(self)

    def _show_counts(self, summary: ImportSummary | None) -> None:
        for attribute, label in self.count_labels.items():
            label.setText("—" if summary is None else f"{getattr(summary, attribute):,}件")
        self.preview_box.setEnabled(summary is not None)

    def _set_busy(self, busy: bool) -> None:
        self.browse_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)
        if busy:
            self.import_button.setEnabled(False)

    # ---- choosing the file ---------------------------------------------------------------------

    def choose_file(self) -> None:
        path = file_dialogs.open_file(self, "取り込むファイルを選ぶ", BUNDLE_FILTER, self.folders.import_folder)
        if path:
            self.set_path(path)

    def set_path(self, path: Path) -> None:
        """A new file: forget the previous preview and password, then check this one (a dry run)."""
        self.path = path
        self.path_edit.setText(str(path))
        self.folders.import_folder = path.parent
        self.preview_summary = None
        self._passphrase = None
        self.import_button.setEnabled(False)
        self._show_unknown(None)
        self._show_counts(None)
        if is_encrypted(path) and not self._ask_passphrase(ASK_PASSWORD):
            return
        self.run_preview()

    def _offer_new_id(self) -> bool:
        """Returns True when the person agreed and the preview runs again."""
        answer = QMessageBox.question(self, TITLE, _offer_new_id_question(),
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        CollectionOp(self, self.context, _give_new_id, changes=Changes.of("settings")) \
            .success(lambda _new_id: self.run_preview()).run_in_background()
        return True

    def _ask_passphrase(self, question: str) -> bool:
        text, ok = QInputDialog.getText(self, TITLE, question, QLineEdit.EchoMode.Password)
        if not ok or not text:
            self._set_status("パスワードが入力されなかったため、確認を中止しました。何も書き込んでいません。")
            return False
        self._passphrase = text
        return True

    # ---- a PC not trusted yet ------------------------------------------------------------------

    def _show_unknown(self, signer: Signer | None) -> None:
        self.unknown_signer = signer
        self.trust_button.setVisible(signer is not None)
        if signer is not None:
            self._set_status("このファイルは、まだ信頼していないパソコンから書き出されています（何も書き込んでいません）。\n"
                             f"{signer.description()}\n"
                             "送り主に電話などで指紋を読み上げてもらい、一致したときだけ"
                             f"「{TRUST_BUTTON}」を押してください。")

    def trust_sender(self) -> None:
        """After the person confirms the fingerprint matched: trust that PC, then check the file again."""
        signer = self.unknown_signer
        if signer is None:
            return
        answer = QMessageBox.question(
            self, TITLE, f"送り主が読み上げた指紋は、次の指紋と一致しましたか？\n\n{signer.description()}\n\n"
            "一致したときだけ「はい」を押してください。このパソコンを信頼し、これからはこのパソコンからのファイルを"
            "取り込めるようになります（「信頼するパソコン」で取り消せます）。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return

        def trusted(_result) -> None:
            self._show_unknown(None)
            self._import_after_preview = True  # the person asked to import: check the file, then import it
            self.run_preview()

        def refused(error: BaseException) -> None:
            if not isinstance(error, bundle_signing.TrustError):
                raise error
            QMessageBox.warning(self, TITLE, str(error))

        CollectionOp(self, self.context, lambda db, _ctx: bundle_signing.trust(db, signer, signer.fingerprint),
                     changes=Changes.of("trust", [signer.database_id])) \
            .disabling(self.trust_button).success(trusted).failure(refused).run_in_background()

    # ---- dry run, then import ------------------------------------------------------------------

    def run_preview(self) -> None:
        self._start(dry_run=True)

    def run_import(self) -> None:
        if self.preview_summary is not None and not self.preview_summary.already_imported:
            self._start(dry_run=False)

    def _start(self, *, dry_run: bool) -> None:
        if self.progress_dialog is not None or self.path is None:
            return
        path, passphrase = self.path, self._passphrase

        def work(db, progress):
            return import_bundle(db, path, dry_run=dry_run, passphrase=passphrase, progress=progress)

        self._set_busy(True)
        self._set_status("内容を確認しています…（まだ何も書き込みません）" if dry_run else "取り込んでいます…")
        self.progress_dialog = run_with_progress(
            self, self.context, TITLE, "内容を確認しています…" if dry_run else "取り込んでいます…", work,
            lambda summary: self._finished(summary, dry_run), lambda error: self._failed(error, dry_run))

    def _finished(self, summary: ImportSummary, dry_run: bool) -> None:
        self.progress_dialog = None
        self._set_busy(False)
        self._show_counts(summary)
        if dry_run:
            self.preview_summary = summary
            if summary.already_imported:
                self._set_status("このファイルはすでに取り込み済みです。もう一度取り込んでも何も変わりません。")
            elif not changes(summary):
                self.import_button.setEnabled(True)
                self._set_status("取り込んでも変わる記録はありません（すべて取り込み済みか、同じ内容です）。"
                                 + notes_text(summary))
            else:
                self.import_button.setEnabled(True)
                self._set_status("確認しました（まだ何も書き込んでいません）。内容を確かめて「取り込む」を押してください。"
                                 "取り込みは全部まとめて行い、途中で失敗したときは何も書き込みません。\n"
                                 + bundle_text(summary) + notes_text(summary))
            if self._import_after_preview:
                self._import_after_preview = False
                self.run_import()
            return
        self.last_summary = summary
        self.preview_summary = None
        self.preview_box.setTitle("取り込んだ結果")
        self.context.announce(Changes.everything())  # any table may have changed
        self.context.status_did_change.emit(f"{self.path.name} を取り込みました。" if self.path else "取り込みました。")
        if summary.already_imported:
            self._set_status("このファイルはすでに取り込み済みでした。何も変わっていません。")
            return
        self._set_status("取り込みました。")
        done = "取り込みました。\n\n" + result_text(summary) + notes_text(summary)
        if summary.conflicts:
            answer = QMessageBox.question(
                self, TITLE, f"{done}\n\n競合が {summary.conflicts:,}件あります。どちらの版を残すかを選ぶまで、"
                "このパソコンの内容のままです。今すぐ「競合の解決」を開きますか？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
            self.open_conflicts_requested = answer == QMessageBox.StandardButton.Yes
        elif summary.gaps:
            QMessageBox.warning(self, TITLE, done)
        else:
            QMessageBox.information(self, TITLE, done)
        self.accept()

    def _failed(self, error: BaseException, dry_run: bool) -> None:
        self.progress_dialog = None
        self._import_after_preview = False
        self._set_busy(False)
        if isinstance(error, Cancelled):
            self._set_status("中止しました。何も書き込んでいません。")
            if dry_run:
                self._show_counts(None)
            else:  # the preview still holds: the person may try again
                self.import_button.setEnabled(self.preview_summary is not None)
            return
        if isinstance(error, PassphraseError) and dry_run:
            if self._ask_passphrase(ASK_AGAIN):
                self.run_preview()
            return
        if isinstance(error, SameDatabaseError) and dry_run and self._offer_new_id():
            return
        if isinstance(error, UnknownPcError) and dry_run:
            self.preview_summary = None
            self.import_button.setEnabled(False)
            self._show_counts(None)
            self._show_unknown(error.signer)
            return
        self.preview_summary = None
        self.import_button.setEnabled(False)
        self._show_counts(None)
        message = str(error) or type(error).__name__
        self._set_status(f"{'確認' if dry_run else '取り込み'}できませんでした。何も書き込んでいません。\n{message}")
        QMessageBox.warning(self, TITLE, f"取り込めませんでした。何も書き込んでいません。\n\n{message}")


def _give_new_id(db, _job_ctx) -> str:
    return give_new_database_id(db)


def _offer_new_id_question() -> str:
    return ("このファイルは、このパソコンのデータベース自身か、そのファイルをコピーしたデータベースから書き出されています。\n\n"
            "コピーしたデータベースを別々のパソコンで使っているときは、このパソコンのデータベースに新しい ID を付けると、"
            "別のデータベースとして取り込めるようになります（記録は何も変わりません）。\n\n新しい ID を付けて確認しなおしますか？")


def notes_text(summary: ImportSummary) -> str:
    """What the person should know beyond the counts: earlier bundles never imported, rows held back."""
    notes = [f"\n\n注意: {gap_text(gap)}" for gap in summary.gaps]
    if summary.pending:
        notes.append(f"\n\n保留中の記録が {summary.pending:,}件あります（関係する記録が届くと取り込みます）。"
                     "「競合の解決」の「保留中の記録」で確認・破棄できます。")
    return "".join(notes)


def result_text(summary: ImportSummary) -> str:
    return "\n".join(f"{label}: {getattr(summary, attribute):,}件" for attribute, label, _ in IMPORT_COUNTS)


def open_exchange_import_dialog(parent: QWidget | None, context: AppContext) -> None:
    """The menu entry 「データの取り込み（ほかのパソコンから）…」; offers 競合の解決 afterwards when needed."""
    dialog = ExchangeImportDialog(context, parent)
    dialog.exec()
    wanted = dialog.open_conflicts_requested
    dialog.deleteLater()
    if wanted:
        from kaigo_desktop.gui.conflicts_dialog import open_conflicts_dialog

        open_conflicts_dialog(parent, context)
