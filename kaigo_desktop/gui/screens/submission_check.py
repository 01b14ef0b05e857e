"""提出前チェック screen: the checks before sending (services/submission_checks.run_checks, the rules `validate`
runs) for one 年度 and 区市町村 — each finding with its level, the records it concerns (double-click opens a place
or a gathering), and the completeness per center and month, as DHIS2 shows reporting rates."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTabWidget,
    QWidget,
)

from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.gui.operations import CollectionOp, QueryOp
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.masters_common import (
    add_choosers,
    fill_fiscal_years,
    fill_municipalities,
    year_and_municipality_combos,
)
from kaigo_desktop.gui.widgets.completeness_table import (
    completeness_table,
    show_completeness,
)
from kaigo_desktop.gui.widgets.approval_panel import ApprovalPanel
from kaigo_desktop.gui.widgets.dialog_parts import stacked
from kaigo_desktop.gui.widgets.wrapped_text_delegate import WrappedTextDelegate
from kaigo_desktop.gui.widgets.record_list_table import (
    read_only_item,
    record_list_table,
)
from kaigo_desktop.services import acknowledging, masters_view, overview
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.submission_checks import (
    ERROR,
    WARNING,
    CheckFinding,
    CheckReport,
    RecordRef,
    run_checks,
)

ALL_MUNICIPALITIES = "全区市町村"
LEVEL_COLORS = {ERROR: QColor("#c62828"), WARNING: QColor("#e65100")}
ACKNOWLEDGED_COLOR = QColor("#546e7a")  # a 注意 someone has looked at: still listed, no longer calling
OPENABLE = {"places": "通いの場", "gatherings": "開催記録"}  # record kinds a double-click opens


def _read_only_table(name: str, headers: tuple[str, ...], *, stretch: int | None = None) -> QTableWidget:
    """A list to read; `stretch` names the column that takes the width (its text wraps), else the last."""
    table = record_list_table(headers, stretch=() if stretch is None else (stretch,), name=name)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        table.setItemDelegateForColumn(stretch, WrappedTextDelegate(table))
        table.setWordWrap(True)
        table.setTextElideMode(Qt.TextElideMode.ElideNone)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return table


class SubmissionCheckScreen(Screen):
    title = "提出前チェック"

    record_open_requested = Signal(str, str)  # (kind, id): the main window opens the record's screen
    report_did_show = Signal()

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.report: CheckReport | None = None
        self._selected_key: str | None = None
        self._choices_loaded = False
        self._request = 0
        self.fiscal_year_combo, self.municipality_combo = year_and_municipality_combos("check")
        self.run_button = QPushButton("チェックする")
        self.summary = QLabel("")
        self.summary.setObjectName("check_summary")
        bar = QHBoxLayout()
        add_choosers(bar, (("年度(&Y)", self.fiscal_year_combo), ("区市町村(&M)", self.municipality_combo)))
        bar.addWidget(self.run_button)
        bar.addStretch(1)
        # The verdict on a line of its own: beside the choosers it squeezed them at 200 % text (「令和7年度」 cut).
        self.summary.setWordWrap(True)

        self.findings = _read_only_table("check_findings", ("区分", "内容", "区市町村", "対象"), stretch=1)
        self.records = _read_only_table("check_records", ("種類", "記録"))
        self.records_hint = QLabel("項目を選ぶと、対象の記録をここに表示します。通いの場と開催記録はダブルクリックで開きます。")
        self.records_hint.setWordWrap(True)
        # A 注意 someone looked at and judged right is acknowledged; approval asks for all of them to be.
        self.acknowledge_button = QPushButton("確認済みにする(&K)…")
        self.acknowledge_button.setObjectName("acknowledge_warning")
        self.withdraw_button = QPushButton("確認を取り消す")
        self.withdraw_button.setObjectName("withdraw_acknowledgement")
        self.acknowledged_label = QLabel("")
        self.acknowledged_label.setWordWrap(True)
        acknowledge_bar = QHBoxLayout()
        acknowledge_bar.addWidget(self.acknowledge_button)
        acknowledge_bar.addWidget(self.withdraw_button)
        acknowledge_bar.addWidget(self.acknowledged_label, 1)
        records_box = QWidget()
        stacked(records_box, acknowledge_bar, self.records_hint, (self.records, 1))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.findings)
        splitter.addWidget(records_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        self.completeness = completeness_table("check_completeness")
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, "チェック結果")
        self.tabs.addTab(self.completeness, "報告状況（月別）")
        self.approval = ApprovalPanel(context, self)
        stacked(self, bar, self.summary, self.approval, (self.tabs, 1))

        self.run_button.clicked.connect(self.refresh)
        self.fiscal_year_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.municipality_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.findings.currentCellChanged.connect(lambda row, *_: self._show_records(row))
        self.acknowledge_button.clicked.connect(self.acknowledge_selected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.records.cellDoubleClicked.connect(lambda row, _column: self._open_record(row))
        # A wrapped message needs its row as tall as its lines at the width the column has now.
        self.findings.horizontalHeader().sectionResized.connect(lambda *_: self.findings.resizeRowsToContents())
        context.changes_did_happen.connect(self._changes_happened)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # The wrapped messages take as many lines as the new width needs, once the columns have their width.
        QTimer.singleShot(0, self.findings.resizeRowsToContents)

    def _today(self) -> date:
        return getattr(self.window(), "today", None) or date.today()

    # ---- Screen --------------------------------------------------------------------------------

    def activate(self) -> None:
        if not self._choices_loaded:
            self._load_choices()
        elif self.report is None:
            self.refresh()

    def screenshot_views(self):
        return [("submission_check", lambda: self)]

    # ---- loading -------------------------------------------------------------------------------

    def _load_choices(self) -> None:
        today = self._today()
        self.summary.setText(words.LOADING)
        QueryOp(self, self.context,
                lambda db, _ctx: (masters_view.fiscal_year_choices(db, today), overview.municipalities(db))) \
            .success(lambda result: self._fill_choices(*result, today)).run_in_background()

    def _fill_choices(self, fiscal_years: list[int], municipalities, today: date) -> None:
        # The last complete 年度 is the one usually sent; the current one is offered too.
        fill_fiscal_years(self.fiscal_year_combo, fiscal_years, fiscal_year_of(today) - 1)
        fill_municipalities(self.municipality_combo, municipalities,
                            self.context.defaults.municipality or None, none_label=ALL_MUNICIPALITIES)
        self._choices_loaded = True
        self.refresh()

    def select(self, fiscal_year: int, municipality_code: str | None = None) -> None:
        """Choose a 年度 and 区市町村 (None = all) as the user would, and check."""
        for combo, value in ((self.fiscal_year_combo, fiscal_year), (self.municipality_combo, municipality_code)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        fiscal_year = self.fiscal_year_combo.currentData()
        if fiscal_year is None:
            return
        municipality, today = self.municipality_combo.currentData(), self._today()
        self._request += 1
        request = self._request
        self.summary.setText("チェック中…")
        self.approval.show_for(fiscal_year, municipality, today)
        QueryOp(self, self.context, lambda db, _ctx: run_checks(db, fiscal_year, municipality, today)) \
            .disabling(self.run_button) \
            .success(lambda report: self._show(request, report)).run_in_background()

    def _changes_happened(self, changes: Changes) -> None:
        if self.report is not None and not changes.is_empty:
            self.report = None  # checked again when next shown
            if self.isVisible():
                self.refresh()

    # ---- showing -------------------------------------------------------------------------------

    def _show(self, request: int, report: CheckReport) -> None:
        if request != self._request:
            return
        kept = self._selected_key  # the same finding stays selected after a re-check (e.g. acknowledged)
        self.report = report
        errors, warnings = len(report.errors), len(report.warnings)
        waiting = len(report.unacknowledged_warnings)
        if not report.ok:
            verdict = "エラーを直してから提出してください。"
        elif waiting:
            verdict = f"エラーはありません。未確認の注意が{waiting}件あります（確かめて「確認済みにする」）。"
        else:
            verdict = "エラーはありません。承認できます。"
        self.summary.setText(f"エラー {errors}件　注意 {warnings}件　{verdict}")
        self.summary.setStyleSheet("" if report.ok else f"color: {LEVEL_COLORS[ERROR].name()}; font-weight: bold;")
        names = {self.municipality_combo.itemData(i): self.municipality_combo.itemText(i)
                 for i in range(self.municipality_combo.count())}
        findings = report.errors + report.warnings
        self.findings.setRowCount(len(findings))
        for row, finding in enumerate(findings):
            acknowledged = report.is_acknowledged(finding)
            level = read_only_item(finding.level_label + ("（確認済み）" if acknowledged else ""))
            level.setForeground(ACKNOWLEDGED_COLOR if acknowledged else LEVEL_COLORS.get(finding.level, QColor("black")))
            counted = [r for r in finding.records if r.kind != "municipalities"]
            for column, item in enumerate((level, read_only_item(finding.message),
                                           read_only_item(names.get(finding.municipality_code, "") or ""),
                                           read_only_item(f"{len(counted):,}件" if counted else ""))):
                self.findings.setItem(row, column, item)
        QTimer.singleShot(0, self.findings.resizeRowsToContents)
        keys = [finding.key for finding in findings]
        row = keys.index(kept) if kept in keys else 0
        self._show_records(row if findings else -1)
        if findings:
            self.findings.selectRow(row)
        self._show_completeness(report)
        self.report_did_show.emit()

    def selected_finding(self) -> CheckFinding | None:
        return self._finding_at(self.findings.currentRow())

    def _records_of(self, row: int) -> list[RecordRef]:
        findings = (self.report.errors + self.report.warnings) if self.report else []
        if not 0 <= row < len(findings):
            return []
        return [r for r in findings[row].records if r.kind != "municipalities"]

    def _show_records(self, row: int) -> None:
        self._show_acknowledgement(row)
        records = self._records_of(row)
        self.records.setRowCount(len(records))
        for index, record in enumerate(records):
            kind = words.KIND_NAMES.get(record.kind, record.kind)
            self.records.setItem(index, 0, read_only_item(kind))
            self.records.setItem(index, 1, read_only_item(record.label))

    def _finding_at(self, row: int) -> CheckFinding | None:
        findings = (self.report.errors + self.report.warnings) if self.report else []
        return findings[row] if 0 <= row < len(findings) else None

    def _show_acknowledgement(self, row: int) -> None:
        finding = self._finding_at(row)
        if finding is not None:
            self._selected_key = finding.key
        warning = finding is not None and finding.level == WARNING
        acknowledged = warning and self.report.is_acknowledged(finding)
        self.acknowledge_button.setEnabled(warning and not acknowledged)
        self.withdraw_button.setEnabled(bool(acknowledged))
        if acknowledged:
            done = self.report.acknowledged[finding.key]
            by = f"（{done['acknowledged_by']}）" if done["acknowledged_by"] else ""
            note = f"　メモ: {done['note']}" if done["note"] else ""
            self.acknowledged_label.setText(f"確認済み {done['acknowledged_at'][:10]}{by}{note}")
        elif finding is not None and finding.level == ERROR:
            self.acknowledged_label.setText("エラーは確認済みにできません。記録を直してください。")
        else:
            self.acknowledged_label.setText("")

    def acknowledge_selected(self, *, note: str | None = None) -> None:
        """Acknowledge the selected 注意 after asking for a short note (why the figure stands)."""
        finding = self.selected_finding()
        if finding is None or finding.level != WARNING or self.report is None:
            return
        if note is None:
            note, ok = QInputDialog.getText(self, "注意を確認済みにする",
                                            "この注意を確かめました。理由のメモ（任意・200文字まで）:",
                                            QLineEdit.EchoMode.Normal, "")
            if not ok:
                return
        fiscal_year = self.report.fiscal_year
        CollectionOp(self, self.context, lambda db, _ctx: acknowledging.acknowledge(db, fiscal_year, [finding], note),
                     changes=Changes.of("acknowledgements")) \
            .disabling(self.acknowledge_button).run_in_background()

    def withdraw_selected(self) -> None:
        finding = self.selected_finding()
        if finding is None or self.report is None:
            return
        fiscal_year = self.report.fiscal_year
        CollectionOp(self, self.context, lambda db, _ctx: acknowledging.withdraw(db, fiscal_year, [finding]),
                     changes=Changes.of("acknowledgements")) \
            .disabling(self.withdraw_button).run_in_background()

    def _open_record(self, row: int) -> None:
        records = self._records_of(self.findings.currentRow())
        if 0 <= row < len(records) and records[row].kind in OPENABLE:
            self.record_open_requested.emit(records[row].kind, records[row].id)

    def _show_completeness(self, report: CheckReport) -> None:
        show_completeness(self.completeness, report.completeness)
