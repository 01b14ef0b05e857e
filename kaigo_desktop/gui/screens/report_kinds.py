"""What the 報告書 screen offers: each report or export, the pickers it needs, and its default file name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.reports import LEAVES_MUNICIPALITY, REPORTS


@dataclass(frozen=True)
class ReportKind:
    key: str  # a key of reports.REPORTS, or "xlsx"/"csv" for the exports
    title: str
    file_stem: str  # first part of the suggested file name
    extension: str  # ".pdf", ".xlsx", ".csv"
    description: str
    uses_promoter: bool = False
    uses_place: bool = False
    uses_month: bool = False
    whole_year_month: bool = False  # the month picker offers 「年度全体」 (activity report)
    uses_blank: bool = False
    uses_suppress: bool = False  # 秘匿処理 applies (and is on by default)
    export_format: str | None = None  # "xlsx"/"csv" for the exports

    @property
    def covers_fiscal_year(self) -> bool:
        """Figures of a whole 年度 (reports 1, 2, 4 and the exports): refused when it holds no records."""
        return self.export_format in ("xlsx", "csv") or self.key in ("submission", "promoters", "places")

    @property
    def is_pdf(self) -> bool:
        return self.export_format is None

    @property
    def file_filter(self) -> str:
        return {".pdf": "PDF ファイル (*.pdf)", ".xlsx": "Excel ブック (*.xlsx)",
                ".csv": "CSV ファイル (*.csv)"}[self.extension]


def _pdf(key: str, file_stem: str, description: str, **needs) -> ReportKind:
    return ReportKind(key, REPORTS[key][1], file_stem, ".pdf", description,
                      uses_suppress=key in LEAVES_MUNICIPALITY, **needs)


REPORT_KINDS: tuple[ReportKind, ...] = (
    _pdf("submission", "実施状況報告書", "東京都へ提出する通いの場の実施状況（年度・区市町村ごと）。"),
    _pdf("promoters", "推進員配置活動実績報告書", "東京都へ提出する推進員の配置と活動の実績。"),
    _pdf("activity", "推進員活動報告書", "推進員1人の活動記録（1か月または年度全体）。",
         uses_promoter=True, uses_month=True, whole_year_month=True),
    _pdf("places", "通いの場一覧", "年度に活動している通いの場の一覧（住民向け・窓口用）。"),
    _pdf("outcomes", "通いの場参加者のフレイル状態の変化",
         "通いの場ごとの基本チェックリスト実施者、初回と最新のフレイル判定、改善・維持・悪化（年度・区市町村ごと、"
         "少人数は秘匿）。"),
    _pdf("attendance-sheet", "開催記録表", "通いの場1か所の月の開催記録。白紙は手書き用の用紙です。",
         uses_place=True, uses_month=True, uses_blank=True),
    ReportKind("xlsx", "報告書1・2の表（Excel）", "報告書データ", ".xlsx",
               "報告書1・2の表を Excel ブックに書き出します（表ごとにシート）。",
               uses_suppress=True, export_format="xlsx"),
    ReportKind("csv", "報告書1・2の表（CSV）", "報告書データ", ".csv",
               "報告書1・2の表を1つの CSV ファイルに書き出します（Excel で開けます）。",
               uses_suppress=True, export_format="csv"),
    ReportKind("opendata", "通いの場オープンデータ（CSV）", "通いの場オープンデータ", ".csv",
               "今日活動中の通いの場を、厚生労働省の「通いの場オープンデータ」の列で CSV に書き出します"
               "（UTF-8・BOM 付き。区市町村の公開用）。年度の指定は使いません。",
               export_format="opendata"),
)


def participant_print_kind() -> ReportKind:
    """The per-person print (a participant's own check history): made from the 参加者 screen, where the person
    is chosen, not from the 報告書 screen (it names the person and is for them alone)."""
    return _pdf("participant", "基本チェックリストの記録", "参加者本人に渡す基本チェックリストの記録。")


_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\s]+')  # what Windows refuses, and spaces


def default_file_name(kind: ReportKind, fiscal_year: int | None, scope: str, subject: str = "",
                      month: tuple[int, int] | None = None) -> str:
    """「実施状況報告書_令和7年度_千代田区.pdf」: the report, its period, then whom it is about."""
    period = f"{month[0]}年{month[1]}月" if month else (format_fiscal_year(fiscal_year) if fiscal_year else "")
    parts = [kind.file_stem, period, subject or scope]
    cleaned = [_NOT_IN_FILE_NAMES.sub("", part) for part in parts]
    return "_".join(part for part in cleaned if part) + kind.extension
