"""Report 通いの場参加者のフレイル状態の変化 (issue 19): per 通いの場 and 年度, the participants checked with the
基本チェックリスト, their frailty level at the first and the latest check, and how it changed. Aggregates only,
every count of people through the reports' 秘匿処理 (on unless turned off): it may go to 東京都."""

from __future__ import annotations

from pathlib import Path

from kaigo_desktop.domain.fiscal import format_fiscal_year
from kaigo_desktop.reports import REPORTS, Progress, ReportOptions, ReportResult
from kaigo_desktop.reports.model import INT, TEXT, Column, TableData, scope_label
from kaigo_desktop.reports.outcome_tables import CHANGE_HEADINGS, LEVEL_HEADINGS, TABLE, OutcomeRow, outcome_rows
from kaigo_desktop.services.outcomes import CHANGE_KEYS, LEVEL_KEYS, Outcomes, outcomes

TITLE = REPORTS["outcomes"][1]
DEFINITIONS = [
    ("参加者", "年度内に通いの場に参加していた人（参加期間が年度と重なる人）。2か所に参加する人はそれぞれで数え、"
             "「全体」では1人と数えます。"),
    ("チェック実施者", "そのうち年度内に基本チェックリストを実施した人。"),
    ("初回・最新", "初回はその人の最初のチェック（年度末まで）、最新は年度内の最後のチェックの判定。"),
    ("変化", "2回以上実施した人の、初回から最新への変化（改善・維持・悪化）。未回答のため判定できないものは判定不能。"),
]
_SHORT_LEVELS = {"robust": "ロバスト", "pre_frail": "プレフレイル", "frail": "フレイル", "undecided": "判定不能"}


def level_table(rows: list[OutcomeRow]) -> TableData:
    columns = [Column("通いの場", TEXT, 56), Column("チェック\n実施者", INT, 16)]
    columns += [Column(f"初回\n{_SHORT_LEVELS[k]}", INT, 16) for k in LEVEL_KEYS]
    columns += [Column(f"最新\n{_SHORT_LEVELS[k]}", INT, 16) for k in LEVEL_KEYS]
    body = [[row.place_name, row.checked, *(row.first_levels[k] for k in LEVEL_KEYS),
             *(row.latest_levels[k] for k in LEVEL_KEYS)] for row in rows]
    return TableData("levels", "1. 初回と最新のフレイル状態（人）", columns, body, total_rows={len(body) - 1})


def change_table(rows: list[OutcomeRow]) -> TableData:
    columns = [Column("通いの場", TEXT, 56), Column("2回以上\n実施", INT, 18)]
    columns += [Column(CHANGE_HEADINGS[k], INT, 16) for k in CHANGE_KEYS]
    body = [[row.place_name, row.compared, *(row.changes[k] for k in CHANGE_KEYS)] for row in rows]
    return TableData("changes", "2. フレイル状態の変化（人）", columns, body, total_rows={len(body) - 1})


def criteria_text(found: Outcomes) -> str:
    c = found.cutoffs
    return (f"基本チェックリスト25項目の該当数で、{c.pre_frail_from - 1}点以下 {LEVEL_HEADINGS['robust']}、"
            f"{c.pre_frail_from}〜{c.frail_from - 1}点 {LEVEL_HEADINGS['pre_frail']}、{c.frail_from}点以上 "
            f"{LEVEL_HEADINGS['frail']}")


def render(db, options: ReportOptions, out: Path, progress: Progress | None = None) -> ReportResult:
    from kaigo_desktop.reports import layout
    from kaigo_desktop.reports.tables import table_block
    from kaigo_desktop.services import setup
    from kaigo_desktop.services.stats import EmptyScope

    fiscal_year = options.required_fiscal_year()
    if progress:
        progress("基本チェックリストを集計しています")
    found = outcomes(db, fiscal_year, municipality_code=options.municipality_code, place_id=options.place_id)
    scope_name = (setup.require_municipality(db, options.municipality_code) if options.municipality_code
                  else "全区市町村")
    if found.total.checked == 0 and not options.allow_empty:
        raise EmptyScope(f"{format_fiscal_year(fiscal_year)}の{scope_name}には、基本チェックリストを実施した通いの場の"
                         "参加者がいません。すべて0の報告書になるため作成しません。")
    rows, suppressor = outcome_rows(found, suppress=options.suppress)
    meta, styles = layout.begin(TITLE, options, scope_label(options.municipality_code, scope_name),
                                fiscal_year=fiscal_year, landscape=True)
    story = layout.title_block(meta, styles, [
        ("判定基準", criteria_text(found)),
        ("秘匿処理", suppressor.statement()),
    ])
    for table in (level_table(rows), change_table(rows)):
        story += table_block(table, styles)
    story += [layout.text(note, styles.small) for note in suppressor.notes_for(TABLE)]
    story += layout.notes_block("用語", DEFINITIONS, styles, numbered=False)
    pages = layout.build_pdf(out, meta, story, styles)
    return ReportResult(out, pages, list(meta.font.warnings), hidden_cells=len(suppressor.hidden))
