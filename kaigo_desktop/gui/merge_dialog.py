"""The 重複の統合 dialog: pick the record to keep and its duplicate (type-ahead), see what a merge would move
(a dry run), confirm, merge in one transaction, report. The duplicate becomes a tombstone in the trash."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.operations import CollectionOp, QueryOp, is_user_error
from kaigo_desktop.gui.widgets.dialog_parts import button_row, push_button, stacked
from kaigo_desktop.gui.widgets.type_ahead_combo import find_as_typed, label_search_texts
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.duplicates import (
    MergeRefused,
    MergeResult,
    merge_places,
    merge_promoters,
)
from kaigo_desktop.services.merge_candidates import MergeCandidates, merge_candidates

_KINDS = {"places": ("通いの場", merge_places), "promoters": ("推進員", merge_promoters)}


class RecordPicker(QComboBox):
    """A combo that finds a record by any part of its name as one types (IME-safe: the completer only reads
    committed text)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        find_as_typed(self)
        self.setMinimumContentsLength(24)

    def set_records(self, candidates: MergeCandidates) -> None:
        self.blockSignals(True)
        self.clear()
        for record in candidates.records:
            self.addItem(record.label, record.id)
        label_search_texts(self)
        self.setCurrentIndex(-1)
        self.blockSignals(False)

    def record_id(self) -> str | None:
        """The chosen record, only when the text is exactly one of the entries (no guessing)."""
        index = self.findText(self.currentText(), Qt.MatchFlag.MatchExactly)
        return self.itemData(index) if index >= 0 else None

    def select_id(self, record_id: str) -> None:
        self.setCurrentIndex(self.findData(record_id))


class MergeDialog(QDialog):
    def __init__(self, context: AppContext, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.kind = kind
        self.label, self._merge = _KINDS[kind]
        self.last_result: MergeResult | None = None
        self.setWindowTitle(f"重複した{self.label}の統合")
        self.survivor_picker = RecordPicker()
        self.duplicate_picker = RecordPicker()
        form = QFormLayout()
        form.addRow(f"残す{self.label}", self.survivor_picker)
        form.addRow(f"統合して削除する{self.label}", self.duplicate_picker)
        explanation = QLabel(f"統合すると、削除する{self.label}の記録（開催記録・担当など）が残す{self.label}に移り、"
                             f"削除する{self.label}はごみ箱に入ります。まず「確認」で移る内容を確かめてください。")
        explanation.setWordWrap(True)
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.check_button = push_button("確認", self.run_preview)
        self.merge_button = push_button("統合する", self.run_merge)
        self.close_button = push_button(words.CLOSE, self.reject)
        stacked(self, explanation, form, (self.summary_label, 1),
               button_row(right=(self.check_button, self.merge_button, self.close_button)))
        for picker in (self.survivor_picker, self.duplicate_picker):
            picker.currentTextChanged.connect(self._choice_changed)
        self.merge_button.setEnabled(False)
        self._previewed: tuple[str, str] | None = None
        self.resize(640, 320)
        self.reload()

    def reload(self, then=None) -> None:
        """Read the candidates on the database thread; the pickers fill when they arrive."""
        self.summary_label.setText("読み込み中…")
        QueryOp(self, self.context, lambda db, _ctx: merge_candidates(db, self.kind)) \
            .disabling(self.check_button) \
            .success(lambda candidates: self._fill(candidates, then)).run_in_background()

    def _fill(self, candidates: MergeCandidates, then=None) -> None:
        self.summary_label.setText("")
        for picker in (self.survivor_picker, self.duplicate_picker):
            picker.set_records(candidates)
        if candidates.similar_pair is not None:
            survivor, duplicate = candidates.similar_pair
            self.survivor_picker.select_id(survivor.id)
            self.duplicate_picker.select_id(duplicate.id)
            self.summary_label.setText(f"似た名前の{self.label}を選んでいます。残す方を確かめて「確認」を押してください。")
        elif not candidates.records:
            self.summary_label.setText(f"{self.label}がありません。")
        if then is not None:
            then()

    def _choice_changed(self) -> None:
        self._previewed = None
        self.merge_button.setEnabled(False)

    def _pair(self) -> tuple[str, str] | None:
        survivor, duplicate = self.survivor_picker.record_id(), self.duplicate_picker.record_id()
        if survivor is None or duplicate is None:
            self.summary_label.setText(f"残す{self.label}と削除する{self.label}を、一覧から選んでください。")
            return None
        return survivor, duplicate

    def run_preview(self) -> None:
        pair = self._pair()
        if pair is None:
            return

        def previewed(result: MergeResult) -> None:
            self.summary_label.setText(result.summary())
            self._previewed = pair
            self.merge_button.setEnabled(True)

        def refused(error: BaseException) -> None:
            if not isinstance(error, MergeRefused) and not is_user_error(error):
                raise error
            self.summary_label.setText(str(error))

        # A dry run: the merge's own checks and counts, rolled back, so nothing is announced.
        QueryOp(self, self.context, lambda db, _ctx: self._merge(db, *pair, dry_run=True)) \
            .disabling(self.check_button).success(previewed).failure(refused).run_in_background()

    def run_merge(self) -> None:
        pair = self._previewed
        if pair is None:
            return
        answer = QMessageBox.question(
            self, f"{self.label}の統合",
            f"「{self.duplicate_picker.currentText()}」を「{self.survivor_picker.currentText()}」に統合しますか？\n\n"
            f"「{self.duplicate_picker.currentText()}」はごみ箱へ移ります。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return

        def merged(result: MergeResult) -> None:
            self.last_result = result

            def reloaded() -> None:
                self.summary_label.setText(result.summary())
                QMessageBox.information(self, f"{self.label}の統合", result.summary())

            self.reload(then=reloaded)  # the duplicate is gone from the lists

        def refused(error: BaseException) -> None:
            if isinstance(error, MergeRefused):
                QMessageBox.warning(self, f"{self.label}の統合", str(error))
            else:  # storage trouble (locked, read-only): nothing was written
                QMessageBox.warning(self, f"{self.label}の統合",
                                    f"統合できませんでした。何も書き込んでいません。\n\n{error}")

        # Records of every kind hang off a place or promoter (gatherings, assignments, activities …).
        CollectionOp(self, self.context, lambda db, _ctx: self._merge(db, *pair), changes=Changes.everything()) \
            .disabling(self.check_button, self.merge_button, self.close_button) \
            .showing_progress(f"{self.label}を統合しています…").success(merged).failure(refused).run_in_background()


def open_merge_dialog(parent: QWidget | None, context: AppContext, kind: str) -> None:
    """The menu entry 「重複の統合…」; kind is "places" or "promoters"."""
    dialog = MergeDialog(context, kind, parent)
    dialog.exec()
    dialog.deleteLater()
