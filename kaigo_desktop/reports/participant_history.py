"""The per-person print (issue 19): one participant's 基本チェックリスト history, for the person themself — each
check's score, frailty level, BMI and domains, then the answers to the 25 items over the latest checks, and the
後期高齢者の質問票's answers (as words) over the latest ones. It names
the person, so only a センター職員 of their center and the 区市町村管理者 may make it; every print is audited."""

from __future__ import annotations

from pathlib import Path

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain.fiscal import format_wareki, format_wareki_short
from kaigo_desktop.reports import REPORTS, Progress, ReportOptions, ReportResult
from kaigo_desktop.reports.model import TEXT, Column, TableData
from kaigo_desktop.services.participants import ParticipantRecord, print_record

TITLE = REPORTS["participant"][1]
ANSWER_CHECKS = 5  # the latest checks (and 質問票) whose answers are listed item by item
_RESULT = {True: "該当", False: "—", None: "判定不能"}


def history_table(record: ParticipantRecord) -> TableData:
    domains = list(checklist.DOMAINS)
    columns = [Column("実施日", TEXT, 24), Column("該当数", TEXT, 14), Column("判定", TEXT, 30),
               Column("BMI", TEXT, 12)] + [Column(checklist.DOMAINS[c][0], TEXT, 17) for c in domains]
    rows = []
    for view in record.checks:
        r = view.result
        rows.append([format_wareki_short(view.check.checked_on),
                     f"{r.total}/25" + (f"（未回答{r.unanswered}）" if r.unanswered else ""), r.level_label,
                     checklist.bmi_text(r.bmi) or "—", *(_RESULT[r.domains[c].at_risk] for c in domains)])
    return TableData("history", "1. 基本チェックリストの結果", columns, rows)


def answers_table(record: ParticipantRecord) -> TableData:
    latest = record.checks[-ANSWER_CHECKS:]
    columns = [Column("No.", TEXT, 8), Column("質問", TEXT, 100)]
    columns += [Column(format_wareki_short(view.check.checked_on), TEXT, 18) for view in latest]
    rows = []
    for number, question in checklist.CHECKLIST_ITEMS.items():
        cells = []
        for view in latest:
            if number == checklist.BMI_ITEM:
                cells.append(checklist.bmi_text(view.result.bmi) or "未回答")
                continue
            answer = view.check.answers().yes.get(number)
            mark = "" if view.result.scores[number] != 1 else "＊"
            cells.append("未回答" if answer is None else (checklist.YES if answer else checklist.NO) + mark)
        rows.append([str(number), question, *cells])
    return TableData("answers", "2. 回答（＊は該当する回答）", columns, rows)


def questionnaire_table(record: ParticipantRecord) -> TableData:
    """The latest 質問票, item by item, each answer in the words of its choice (domain/checklist.py)."""
    latest = record.questionnaires[-ANSWER_CHECKS:]
    columns = [Column("No.", TEXT, 8), Column("類型", TEXT, 26), Column("質問", TEXT, 74)]
    columns += [Column(format_wareki_short(q.answered_on), TEXT, 18) for q in latest]
    rows = [[str(number), kind, question,
             *(checklist.questionnaire_answer_label(number, getattr(q, f"a{number}")) for q in latest)]
            for number, (kind, question, _choices) in checklist.QUESTIONNAIRE_ITEMS.items()]
    return TableData("questionnaires", "3. 後期高齢者の質問票の回答", columns, rows)


def _period(start, end) -> str:
    return f"{format_wareki(start)}〜{format_wareki(end) if end else ''}"


def render(db, options: ReportOptions, out: Path, progress: Progress | None = None) -> ReportResult:
    from kaigo_desktop.reports import layout
    from kaigo_desktop.reports.tables import table_block

    if not options.participant_id:
        raise ValueError("参加者（--participant ID）を指定してください。")
    record = print_record(db, options.participant_id)
    s = record.summary
    places = "、".join(f"{name}（{_period(a.start_date, a.end_date)}）" for a, name in record.attendance) or "—"
    meta, styles = layout.begin(TITLE, options, "", extra=[
        ("氏名", f"{s.name}（{s.kana}）" if s.kana else (s.name or "—")), ("参加者番号", s.number),
        ("生まれ", f"{s.birth_year}年{s.birth_month}月"), ("センター", s.center_name), ("通いの場", places)])
    c = record.cutoffs
    story = layout.title_block(meta, styles, [(
        "判定基準", f"該当数 {c.pre_frail_from - 1}以下 ロバスト（健常）、{c.pre_frail_from}〜{c.frail_from - 1} "
                    f"プレフレイル、{c.frail_from}以上 フレイル")])
    if not record.checks:
        story.append(layout.text("基本チェックリストの記録はまだありません。", styles.body))
    else:
        story += table_block(history_table(record), styles)
        story += table_block(answers_table(record), styles)
    if record.questionnaires:
        story += table_block(questionnaire_table(record), styles)
    pages = layout.build_pdf(out, meta, story, styles)
    return ReportResult(out, pages, list(meta.font.warnings))
