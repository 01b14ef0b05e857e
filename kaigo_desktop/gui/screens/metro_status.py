"""提出状況 (東京都): the 62 区市町村 for one 年度 — when each submitted, by whom, whether the signature and the
lock hold, the figures in brief — with those not submitted in red and marked 「✕ 未提出」; submission files are
imported here (several at once) and a 区市町村's key is trusted."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.gui import file_dialogs
from kaigo_desktop.gui.operations import CollectionOp, is_user_error
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.masters_common import NUMBER_ALIGNMENT, add_choosers, fill_fiscal_years
from kaigo_desktop.gui.screens.metro_common import (
    MISSING_BACKGROUND,
    MISSING_COLOR,
    MISSING_MARK,
    SUBMITTED_MARK,
    default_fiscal_year,
    fiscal_year_combo,
    format_indicator,
    metro_fiscal_years,
)
from kaigo_desktop.gui.widgets.record_list_table import read_only_item, record_list_table
from kaigo_desktop.services import metro
from kaigo_desktop.services.changes import Changes
from kaigo_desktop.services.metro import ImportedSubmission, SubmissionStatus

COLUMNS = ("区市町村", "提出", "提出日時", "提出者", "署名", "ロック", "通いの場", "推進員", "週1回以上参加率", "差し替え",
           "鍵")
SUBMISSION_FILTER = "提出ファイル (*.kaigo-sub);;すべてのファイル (*)"
# What a change to these means for the list: read again when next shown (or at once when shown).
SHOWN_KINDS = ("submissions", "metro_trust")


def _when(stamp: str | None) -> str:
    """A stored stamp as this PC's local time."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def _yes_no(value: bool | None, yes: str, no: str) -> str:
    return "" if value is None else (yes if value else no)


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def status_texts(status: SubmissionStatus, keys: int) -> tuple[str, ...]:
    """The row of one 区市町村, in COLUMNS order; `keys`: how many of its keys are trusted."""
    submitted = status.submitted_at is not None
    return (status.municipality_name, SUBMITTED_MARK if submitted else MISSING_MARK, _when(status.submitted_at),
            status.submitted_by or "", _yes_no(status.signature_ok, "○ 信頼済の鍵", "✕ 信頼が取り消された鍵"),
            _yes_no(status.locked, "ロック済", "✕ 未ロック"), _count(status.places), _count(status.promoters),
            format_indicator(status.weekly_participation_rate, metro.INDICATOR_UNITS[metro.WEEKLY]) if submitted else "",
            f"{status.replaced_count}回" if status.replaced_count else "",
            "信頼済" if keys == 1 else f"信頼済 {keys}" if keys else "未登録")


class MetroStatusScreen(Screen):
    title = "提出状況"
    saves_to_database = False

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.statuses: list[SubmissionStatus] = []
        self.trusted_keys: dict[str, int] = {}  # 区市町村 → keys trusted (a new PC means a second key)
        self._stale = True
        self._request = 0

        self.fiscal_year_combo = fiscal_year_combo("metro_status")
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("metro_status_summary")
        self.summary_label.setWordWrap(True)
        self.import_button = QPushButton("提出ファイルを取り込む…(&I)")
        self.import_button.setObjectName("metro_import")
        self.import_button.setToolTip("区市町村から届いた提出ファイル（.kaigo-sub）を選びます。複数まとめて選べます")
        self.import_button.clicked.connect(self.choose_and_import)
        self.trust_button = QPushButton("区市町村の鍵を信頼する…(&K)")
        self.trust_button.setObjectName("metro_trust")
        self.trust_button.setToolTip("区市町村の信頼ファイルを読み込み、その区市町村の提出ファイルを受け付けるようにします")
        self.trust_button.clicked.connect(self.open_trust_dialog)
        # The counts beside the 年度, the buttons on a line of their own: all on one line, the counts were
        # squeezed into a column one word wide at 200 % text.
        bar = QHBoxLayout()
        add_choosers(bar, (("年度(&Y)", self.fiscal_year_combo),))
        bar.addWidget(self.summary_label, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.trust_button)
        buttons.addStretch(1)

        legend = QLabel(f"「{MISSING_MARK}」は、この年度の提出ファイルがまだ届いていない区市町村です（赤色）。"
                        "署名は取り込むときに信頼した鍵で確かめています（鍵が「未登録」の区市町村の提出ファイルは取り込めません）。"
                        "「未ロック」の提出は、数値が今後変わる可能性があります。")
        legend.setWordWrap(True)
        self.table = record_list_table(COLUMNS, stretch=(), name="metro_status_table")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the buttons

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(buttons)
        layout.addWidget(legend)
        layout.addWidget(self.table, 1)

        fill_fiscal_years(self.fiscal_year_combo, metro_fiscal_years(self._today()),
                          default_fiscal_year(self._today()))
        self.fiscal_year_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        context.changes_did_happen.connect(self._changes_happened)

    def _today(self) -> date:
        return getattr(self.window(), "today", None) or date.today()

    def fiscal_year(self) -> int:
        return self.fiscal_year_combo.currentData()

    # ---- Screen --------------------------------------------------------------------------------

    def activate(self) -> None:
        if self._stale:
            self.refresh()

    def write_widgets(self) -> list[QWidget]:
        return [self.import_button, self.trust_button]

    def focus_search(self) -> bool:
        self.table.setFocus()
        return True

    def screenshot_views(self):
        return [("metro_status", lambda: self)]

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches(*SHOWN_KINDS):
            self._stale = True
            if self.isVisible():
                self.refresh()

    # ---- the list ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._stale = False
        self._request += 1
        request, fiscal_year = self._request, self.fiscal_year()
        self.context.run(lambda db, _ctx: (metro.submission_statuses(db, fiscal_year),
                                           metro.trusted_municipalities(db)),
                         on_done=lambda result: request == self._request and self._fill(fiscal_year, *result))

    def _fill(self, fiscal_year: int, statuses: list[SubmissionStatus], keys) -> None:
        self.statuses = statuses
        self.trusted_keys = {}
        for key in keys:
            self.trusted_keys[key.municipality_code] = self.trusted_keys.get(key.municipality_code, 0) + 1
        red, pink = QBrush(MISSING_COLOR), QBrush(MISSING_BACKGROUND)
        numbers = {COLUMNS.index(name) for name in ("通いの場", "推進員", "週1回以上参加率", "差し替え")}
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(statuses))
        for row, status in enumerate(statuses):
            missing = status.submitted_at is None
            bad_signature = status.signature_ok is False
            for column, text in enumerate(status_texts(status, self.trusted_keys.get(status.municipality_code, 0))):
                item = read_only_item(text)
                if column in numbers:
                    item.setTextAlignment(NUMBER_ALIGNMENT)
                if missing:
                    item.setForeground(red)
                    item.setBackground(pink)
                    item.setToolTip(f"{status.municipality_name}: {format_fiscal_year(fiscal_year)}の提出がありません")
                elif bad_signature and column == COLUMNS.index("署名"):
                    item.setForeground(red)
                self.table.setItem(row, column, item)
        self.table.setUpdatesEnabled(True)
        submitted = sum(1 for s in statuses if s.submitted_at is not None)
        self.summary_label.setText(f"{format_fiscal_year(fiscal_year)}　提出 {submitted}／{len(statuses)}　"
                                   f"未提出 {len(statuses) - submitted}")

    # ---- importing -----------------------------------------------------------------------------

    def choose_and_import(self) -> None:
        paths = file_dialogs.open_files(self, "提出ファイルを取り込む", SUBMISSION_FILTER)
        if paths:
            self.import_files(paths)

    def import_files(self, paths) -> None:
        CollectionOp(self, self.context,
                     lambda db, job: metro.import_submissions(db, list(paths), progress=job.progress),
                     changes=Changes.of("submissions")) \
            .disabling(self.import_button, self.trust_button) \
            .showing_progress(f"提出ファイル {len(paths)}件を取り込んでいます…") \
            .success(self._imported).failure(self._import_refused).run_in_background()

    def _imported(self, imported: list[ImportedSubmission]) -> None:
        lines = [f"・{item.municipality_name}　{format_fiscal_year(item.fiscal_year)}"
                 + ("（前の提出を差し替えました）" if item.replaced else "")
                 + ("（取り込み済みの提出と同じです）" if item.unchanged else "")
                 + ("" if item.locked else "（未ロック: 数値は変わる可能性があります）") for item in imported]
        self.context.status_did_change.emit(f"提出ファイル {len(imported)}件を取り込みました")
        QMessageBox.information(self, "提出ファイルの取り込み",
                                f"{len(imported)}件を取り込みました。\n" + "\n".join(lines))

    def _import_refused(self, error: BaseException) -> None:
        if not (is_user_error(error) or isinstance(error, OSError)):
            raise error  # a bug: the exception hook shows it
        QMessageBox.warning(self, "提出ファイルを取り込めません",
                            f"{error}\n\nどのファイルも取り込んでいません。")

    def open_trust_dialog(self) -> None:
        from kaigo_desktop.gui.metro_trust_dialog import MetroTrustDialog

        dialog = MetroTrustDialog(self.context, [(s.municipality_code, s.municipality_name) for s in self.statuses],
                                  self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
