"""提出状況 › 区市町村の鍵を信頼する: choose the trust file (services/bundle_signing's trust files, the same as for
bundles) and the 区市町村 (the one its name says is chosen), see the key's fingerprint, confirm it was checked
with the 区市町村, and trust it (services/metro.trust_municipality_key): that 区市町村's submissions are accepted
from then on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.gui.exchange_sizing import scaled_resize
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, is_user_error
from kaigo_desktop.gui.widgets.dialog_parts import button_row, path_row, push_button, stacked
from kaigo_desktop.services import bundle_signing, metro
from kaigo_desktop.services.changes import Changes

TITLE = "区市町村の鍵を信頼する"
TRUST_FILTER = "信頼ファイル (*.json);;すべてのファイル (*)"


class MetroTrustDialog(QDialog):
    def __init__(self, context, municipalities: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.signer: bundle_signing.Signer | None = None
        self.setWindowTitle(TITLE)
        self.municipality_combo = QComboBox()
        self.municipality_combo.setObjectName("metro_trust_municipality")
        for code, name in municipalities:
            self.municipality_combo.addItem(f"{name}（{code}）", code)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("metro_trust_file")
        self.path_edit.setReadOnly(True)
        self.browse_button = push_button("選ぶ(&B)…", self.choose_file)
        self.signer_label = QLabel("信頼ファイルを選ぶと、鍵の指紋がここに表示されます。")
        self.signer_label.setObjectName("metro_trust_signer")
        self.signer_label.setWordWrap(True)
        self.signer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confirmed_box = QCheckBox("この指紋を区市町村の担当者に読み上げてもらい、同じであることを確かめました(&C)")
        self.confirmed_box.setObjectName("metro_trust_confirmed")
        self.confirmed_box.setEnabled(False)
        self.trust_button = push_button("信頼する(&T)", self.trust)
        self.trust_button.setObjectName("metro_trust_ok")
        self.trust_button.setEnabled(False)
        self.trust_button.setDefault(True)
        cancel = push_button(words.CANCEL, self.reject)
        self.confirmed_box.toggled.connect(self._update_button)

        form = QFormLayout()
        caption = QLabel("区市町村(&M)")
        caption.setBuddy(self.municipality_combo)
        form.addRow(caption, self.municipality_combo)
        form.addRow("信頼ファイル", path_row(self.path_edit, self.browse_button))
        explanation = QLabel("区市町村の Kaigo Desktop で「信頼ファイルを保存」したファイルを選びます。信頼した鍵で署名された"
                             "提出ファイルだけを、その区市町村の提出として取り込みます。")
        explanation.setWordWrap(True)
        stacked(self, explanation, form, self.signer_label, self.confirmed_box, 1,
                button_row(right=(self.trust_button, cancel)))
        scaled_resize(self, 640, 320)

    def choose_file(self) -> None:
        path = file_dialogs.open_file(self, "信頼ファイルを選ぶ", TRUST_FILTER)
        if path:
            self.read_file(path)

    def read_file(self, path: Path) -> None:
        """Show who the file names and its fingerprint; the 区市町村 it names is chosen when it names one."""
        try:
            signer = bundle_signing.read_trust_file(path)
        except bundle_signing.TrustError as error:
            self.signer = None
            self.signer_label.setText(str(error))
            self.confirmed_box.setChecked(False)
            self.confirmed_box.setEnabled(False)
            self._update_button()
            return
        self.signer = signer
        self.path_edit.setText(str(path))
        self.signer_label.setText(f"指紋: {signer.fingerprint}\n{signer.description()}")
        # The 区市町村 its name says, as `metro trust add` finds it; when it says none, the user's choice stays.
        QueryOp(self, self.context, lambda db, _ctx: metro.municipality_of_trust_file(db, path)) \
            .success(self._choose_municipality).failure(lambda _error: None).run_in_background()
        self.confirmed_box.setChecked(False)
        self.confirmed_box.setEnabled(True)
        self._update_button()

    def _choose_municipality(self, code: str) -> None:
        index = self.municipality_combo.findData(code)
        if index >= 0:
            self.municipality_combo.setCurrentIndex(index)

    def _update_button(self) -> None:
        self.trust_button.setEnabled(self.signer is not None and self.confirmed_box.isChecked())

    def trust(self) -> None:
        if self.signer is None or not self.confirmed_box.isChecked():
            return
        code, name = self.municipality_combo.currentData(), self.municipality_combo.currentText()
        path, fingerprint = Path(self.path_edit.text()), self.signer.fingerprint

        def trusted(_result) -> None:
            self.context.status_did_change.emit(f"{name}の鍵を信頼しました")
            self.accept()

        def refused(error: BaseException) -> None:
            if not (is_user_error(error) or isinstance(error, OSError)):
                raise error
            QMessageBox.warning(self, TITLE, str(error))

        CollectionOp(self, self.context,
                     lambda db, _ctx: metro.trust_municipality_key(db, code, path, fingerprint),
                     changes=Changes.of("metro_trust", [code])) \
            .disabling(self.trust_button).success(trusted).failure(refused).run_in_background()
