"""The outputs that leave the building: five PDF reports and the Excel/CSV exports of reports 1 and 2.

Importing this package is cheap: reportlab and openpyxl are imported only when a report is made. Reports read
the database only through services (kaigo_desktop.services.report_data / report_lists / stats)."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

# kind → (module, title); the CLI and the GUI list reports from here.
REPORTS: dict[str, tuple[str, str]] = {
    "submission": ("kaigo_desktop.reports.submission", "通いの場 実施状況報告書"),
    "promoters": ("kaigo_desktop.reports.promoters", "介護予防・フレイル予防推進員 配置・活動実績報告書"),
    "activity": ("kaigo_desktop.reports.activity", "推進員 活動報告書"),
    "places": ("kaigo_desktop.reports.places", "通いの場一覧"),
    "attendance-sheet": ("kaigo_desktop.reports.attendance_sheet", "開催記録表"),
    "outcomes": ("kaigo_desktop.reports.outcome_report", "通いの場参加者のフレイル状態の変化"),
    "participant": ("kaigo_desktop.reports.participant_history", "基本チェックリストの記録"),
}
# Reports that go to 東京都: no participant's personal data, 秘匿処理 on unless turned off.
LEAVES_MUNICIPALITY = frozenset({"submission", "promoters", "outcomes"})

Progress = Callable[[str], None]


@dataclass
class ReportOptions:
    fiscal_year: int | None = None
    municipality_code: str | None = None  # None = all 区市町村
    promoter_id: str | None = None
    place_id: str | None = None
    participant_id: str | None = None  # the per-person print (report "participant")
    month: tuple[int, int] | None = None  # (year, month)
    blank: bool = False
    suppress: bool = True  # 秘匿処理 (reports 1 and 2 and the exports)
    created: date | datetime | None = None  # printed creation date; today when None
    font_path: str | Path | None = None  # the user's font setting
    allow_empty: bool = False  # make a report of a 年度 and 区市町村 without any record (else refused)
    submitted: str | None = None  # 「提出済み（令和7年5月10日ロック）」: a locked 年度 (set by with_period_lock)

    def created_or_today(self) -> date | datetime:
        return self.created or date.today()

    def required_fiscal_year(self) -> int:
        """The 年度 of a report that covers one (reports 1, 2, 4 and the exports)."""
        if self.fiscal_year is None:
            raise ValueError("年度（--fy）を指定してください。")
        return self.fiscal_year

    def counting_day(self) -> date:
        """The "today" a 年度 in progress is counted to (its last complete month before it): the creation
        date, so a report made again for the same day says the same."""
        created = self.created_or_today()
        return created.date() if isinstance(created, datetime) else created

    def require_records(self, stats, scope_name: str) -> None:
        """Refuse (EmptyScope, a UserFacingError) a 年度 and 区市町村 without records unless allow_empty."""
        if not self.allow_empty:
            from kaigo_desktop.services.stats import require_records

            require_records(stats, scope_name)


@dataclass
class ReportResult:
    path: Path
    pages: int = 0
    warnings: list[str] = field(default_factory=list)  # font not embedded, promoter cap exceeded …
    hidden_cells: int = 0  # cells withheld by 秘匿処理


def with_period_lock(db, options: ReportOptions) -> ReportOptions:
    """A report of a locked 年度 says so and is dated by the lock (not today), so that it is byte-identical
    whenever it is made again. A blank form is of no 年度's figures."""
    from kaigo_desktop.services import approval

    fiscal_year = options.fiscal_year
    if fiscal_year is None and options.month is not None:
        from kaigo_desktop.domain.fiscal import fiscal_year_of

        fiscal_year = fiscal_year_of(date(options.month[0], options.month[1], 1))
    locked_at = None if options.blank else approval.report_lock(
        db, fiscal_year, options.municipality_code, promoter_id=options.promoter_id, place_id=options.place_id)
    if locked_at is None:
        return options
    return dataclasses.replace(options, created=approval.lock_moment(locked_at),
                               submitted=approval.submitted_label(locked_at))


def generate(kind: str, db, options: ReportOptions, out: Path | str,
             progress: Progress | None = None) -> ReportResult:
    """Make report `kind` (a key of REPORTS) from the open database into `out` (written whole or not at all)."""
    if kind not in REPORTS:
        raise ValueError(f"不明な報告書です: {kind}（{', '.join(REPORTS)}）")
    module = importlib.import_module(REPORTS[kind][0])
    return module.render(db, with_period_lock(db, options), Path(out), progress=progress)
