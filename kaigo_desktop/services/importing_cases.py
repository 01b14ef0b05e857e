"""Importing 短期集中予防サービス (C) cases (issue 19), all rows or none like every import: each cell read by the
domain's parsers (dates, 和暦, measures, choices, はい/いいえ, levels), each case validated and rights-checked by
the record services (a センター職員 cannot import another center's cases). A row whose participant already has a
live case with the same 紹介日 updates that case (a later file adds the re-assessment or the follow-ups). The
assessments link to the participant's 基本チェックリスト of the same day (import the checks first)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.domain.text import parse_flag
from kaigo_desktop.domain.vocab import match_choice
from kaigo_desktop.services.importing_context import CODE, Context
from kaigo_desktop.services.importing_participants import CENTER, NUMBER, participant_of_row
from kaigo_desktop.services.importing_table import Layout, Row
from kaigo_desktop.storage import short_term_case_queries

STAGES = {"initial": "初回", "final": "再"}
MEASURE_HEADERS = {name: f"{label}({unit})" for name, (label, _, unit) in stc.MEASURES.items()}


def measure_header(stage: str, name: str) -> str:
    return f"{STAGES[stage]} {MEASURE_HEADERS[name]}"


def followup_headers(months: int) -> tuple[str, str, str]:
    return f"{months}か月後 追跡日", f"{months}か月後 通いの場参加", f"{months}か月後 状態"


OUTCOME_PLACE = "結果の通いの場"
CASES = Layout(
    headers=(NUMBER, CODE, CENTER, "紹介日", "紹介元", "初回アセスメント日",
             *(measure_header("initial", name) for name in stc.MEASURES), "サービス開始日", "サービス終了日",
             "実施回数", "再アセスメント日", *(measure_header("final", name) for name in stc.MEASURES),
             "地域ケア会議日", "地域ケア会議の決定", "結果", OUTCOME_PLACE, *followup_headers(6), *followup_headers(12)),
    required=(NUMBER, CODE, "紹介日", "紹介元"),
)
CASE_COLUMNS: dict[str, str] = {
    "participant_id": NUMBER, "referred_on": "紹介日", "referral_source": "紹介元",
    "assessed_on": "初回アセスメント日", "initial_check_id": "初回アセスメント日",
    "service_start_on": "サービス開始日", "service_end_on": "サービス終了日", "sessions": "実施回数",
    "reassessed_on": "再アセスメント日", "final_check_id": "再アセスメント日", "meeting_on": "地域ケア会議日",
    "meeting_decision": "地域ケア会議の決定", "outcome": "結果", "outcome_place_id": OUTCOME_PLACE,
    **{f"{stage}_{name}": measure_header(stage, name) for stage in STAGES for name in stc.MEASURES},
    **{f"followup{m}_{part}": header for m in (6, 12)
       for part, header in zip(("on", "attending", "level"), followup_headers(m))},
}


def _flag(text: str) -> int:
    return int(parse_flag(text))


def _check_of(ctx: Context, row: Row, participant_id: str, day: date | None) -> str | None:
    return None if day is None else short_term_case_queries.check_on(ctx.db, participant_id, day)


def _values(ctx: Context, row: Row, code: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "referred_on": ctx.read_date(row, "紹介日", required=True),
        "referral_source": row.value("紹介元", lambda t: match_choice(t, stc.REFERRAL_SOURCES, label="紹介元"),
                                     required=True),
        "meeting_decision": row.text("地域ケア会議の決定"),
        "outcome": row.value("結果", lambda t: match_choice(t, stc.OUTCOMES, label="結果")) or "",
        "sessions": row.value("実施回数", stc.parse_sessions),
    }
    for name in ("assessed_on", "service_start_on", "service_end_on", "reassessed_on", "meeting_on"):
        values[name] = ctx.read_date(row, CASE_COLUMNS[name])
    for stage in STAGES:
        for name in stc.MEASURES:
            found = row.value(measure_header(stage, name), lambda t, name=name: stc.parse_measure(t, name))
            values[f"{stage}_{name}"] = None if found is None else float(found)
    for months in (6, 12):
        on, attending, level = followup_headers(months)
        values[f"followup{months}_on"] = ctx.read_date(row, on)
        values[f"followup{months}_attending"] = row.value(attending, _flag)
        values[f"followup{months}_level"] = row.value(level, lambda t, h=level: stc.parse_level(t, h))
    values["outcome_place_id"] = None
    if row.text(OUTCOME_PLACE) and code is not None:
        found = ctx.place_in(row, code, row.text(OUTCOME_PLACE), OUTCOME_PLACE)
        values["outcome_place_id"] = found[0] if found else None
    return values


def import_cases(ctx: Context, rows: list[Row]) -> None:
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        code = ctx.municipality(row)
        participant_id = participant_of_row(ctx, row, code)
        values = _values(ctx, row, code)
        if participant_id is None or values["referred_on"] is None or values["referral_source"] is None:
            continue
        values["initial_check_id"] = _check_of(ctx, row, participant_id, values["assessed_on"])
        values["final_check_id"] = _check_of(ctx, row, participant_id, values["reassessed_on"])
        known = [r.case for r in short_term_case_queries.cases(ctx.db, participant_id=participant_id)
                 if r.case.referred_on == values["referred_on"]]
        record = (dataclasses.replace(known[0], **values) if known
                  else stc.ShortTermCase(participant_id, **values))
        if row.failed:
            ctx.check_only(row, record, CASE_COLUMNS)
            continue
        if ctx.save(row, record, CASE_COLUMNS, update=bool(known)) is None:
            continue
        ctx.added += not known
        ctx.updated += bool(known)
        warning = stc.service_period_warning(record)
        if warning:
            ctx.warn(f"{row.line}行目: {warning}")
