"""Importing participants and their 基本チェックリスト (issue 19), all rows or none like every import: each cell read
by the domain's parsers (dates, 和暦, はい/いいえ, height and weight), each record validated and rights-checked by
the record services, so a センター職員 cannot import another center's participants."""

from __future__ import annotations

import dataclasses
from typing import Any

from kaigo_desktop.domain import checklist
from kaigo_desktop.domain import participants as pr
from kaigo_desktop.services import participants
from kaigo_desktop.services.importing_context import CODE, Context, lines_text
from kaigo_desktop.services.importing_table import Layout, Row
from kaigo_desktop.storage import lookups, participant_queries, repository
from kaigo_desktop.domain.text import is_digits

NUMBER = "参加者番号"
CENTER = "地域包括支援センター"

# ---------------------------------------------------------------- participants

PARTICIPANTS = Layout(
    headers=(NUMBER, CODE, CENTER, "生まれ年", "生まれ月", "性別", "氏名", "よみ", "通いの場", "参加開始日",
             "参加終了日"),
    required=(CODE, CENTER, "生まれ年", "生まれ月", "性別"),
)
PARTICIPANT_COLUMNS = {"number": NUMBER, "center_id": CENTER, "birth_year": "生まれ年", "birth_month": "生まれ月",
                       "sex": "性別", "name": "氏名", "kana": "よみ"}
ATTENDANCE_COLUMNS = {"place_id": "通いの場", "start_date": "参加開始日", "end_date": "参加終了日",
                      "participant_id": NUMBER}


def _whole_number(label: str):
    def parse(text: str) -> int:
        if not is_digits(text):
            raise ValueError(f"{label}は数字で入力してください: {text}")
        return int(text)
    return parse


def _center(ctx: Context, row: Row, code: str | None) -> str | None:
    name = row.text(CENTER)
    if code is None or not name:
        return None
    ids = lookups.center_ids_by_name(ctx.db, code, name)
    if not ids:
        row.error(CENTER, f"区市町村コード {code} に地域包括支援センター「{name}」が見つかりません。")
        return None
    return ids[0]


def _attend(ctx: Context, row: Row, person: pr.Participant, code: str) -> None:
    """通いの場 (names, 「、」-separated) from 参加開始日: one attendance each, unless already recorded."""
    start = ctx.read_date(row, "参加開始日")
    end = ctx.read_date(row, "参加終了日")
    for place_name in ctx.read_list(row, "通いの場"):
        found = ctx.place_in(row, code, place_name, "通いの場")
        if found is None:
            continue
        if start is None:
            if not row.column_failed("参加開始日"):
                row.error("参加開始日", "通いの場を書いた行には参加開始日を入力してください。")
            continue
        known = [a for a, _ in participant_queries.attendance_of(ctx.db, person.id)
                 if a.place_id == found[0] and a.start_date == start]
        if known:
            if known[0].end_date != end:
                ctx.save(row, dataclasses.replace(known[0], end_date=end), ATTENDANCE_COLUMNS, update=True)
        elif not row.failed:
            ctx.save(row, pr.Attendance(person.id, found[0], start, end), ATTENDANCE_COLUMNS)


def import_participants(ctx: Context, rows: list[Row]) -> None:
    seen: dict[tuple[str, str], int] = {}
    repeated: list[int] = []
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        code = ctx.municipality(row)
        center_id = _center(ctx, row, code)
        number = row.text(NUMBER)
        values: dict[str, Any] = dict(
            birth_year=row.value("生まれ年", _whole_number("生まれ年"), required=True),
            birth_month=row.value("生まれ月", _whole_number("生まれ月"), required=True),
            sex=row.value("性別", required=True), name=row.text("氏名"), kana=row.text("よみ"))
        if code is None or center_id is None or None in (values["birth_year"], values["birth_month"], values["sex"]):
            continue
        existing = None
        if number:
            if (center_id, number) in seen:
                repeated.append(row.line)
            seen.setdefault((center_id, number), row.line)
            ids = participant_queries.participant_ids_by_number(ctx.db, center_id, number)
            existing = repository.get(ctx.db, pr.Participant, ids[0]) if ids else None
        if existing is not None:
            # a blank 氏名/よみ keeps what is stored (a file without identities does not erase them)
            keep = {k: v for k, v in values.items() if not (k in ("name", "kana") and v == "")}
            record = dataclasses.replace(existing, **keep)
        else:
            record = pr.Participant(center_id, number, **values)
        if row.failed:
            ctx.check_only(row, record, PARTICIPANT_COLUMNS)
            continue
        if existing is None:
            saved = _add(ctx, row, record)
        else:
            saved = ctx.save(row, record, PARTICIPANT_COLUMNS, update=True)
        if saved is None:
            continue
        ctx.added += existing is None
        ctx.updated += existing is not None
        _attend(ctx, row, saved, code)
    if repeated:
        ctx.warn("同じセンター・参加者番号の行が複数あります（後の行の内容で更新します）: " + lines_text(repeated))


def _add(ctx: Context, row: Row, record: pr.Participant) -> pr.Participant | None:
    if not record.number:  # the center's next generated number (participants.add_participant)
        record = dataclasses.replace(record, number=participants.next_number(ctx.db, record.center_id))
    return ctx.save(row, record, PARTICIPANT_COLUMNS)


# ---------------------------------------------------------------- checks

def item_header(number: int) -> str:
    return f"No.{number}"


HEIGHT, WEIGHT = "身長(cm)", "体重(kg)"
CHECKS = Layout(
    headers=(NUMBER, CODE, CENTER, "実施日", "記入者",
             *(item_header(n) for n in checklist.YES_NO_ITEMS if n < checklist.BMI_ITEM), HEIGHT, WEIGHT,
             *(item_header(n) for n in checklist.YES_NO_ITEMS if n > checklist.BMI_ITEM)),
    required=(NUMBER, CODE, "実施日"),
)
CHECK_COLUMNS = {"participant_id": NUMBER, "checked_on": "実施日", "entered_by": "記入者", "height_cm": HEIGHT,
                 "weight_kg": WEIGHT, **{f"q{n}": item_header(n) for n in checklist.YES_NO_ITEMS}}


def participant_of_row(ctx: Context, row: Row, code: str | None) -> str | None:
    """The live participant the row's 参加者番号 (and 地域包括支援センター, if given) names in the 区市町村."""
    number = row.value(NUMBER, required=True)
    if code is None or number is None:
        return None
    if row.text(CENTER):
        center_id = _center(ctx, row, code)
        if center_id is None:
            return None
        ids = participant_queries.participant_ids_by_number(ctx.db, center_id, number)
    else:
        ids = participant_queries.participant_ids_by_number_in(ctx.db, code, number)
    if len(ids) == 1:
        return ids[0]
    if not ids:
        row.error(NUMBER, f"参加者番号 {number} の参加者が見つかりません。")
    else:
        row.error(CENTER, f"参加者番号 {number} は複数のセンターにあります。{CENTER}の列で指定してください。")
    return None


def import_checks(ctx: Context, rows: list[Row]) -> None:
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        code = ctx.municipality(row)
        participant_id = participant_of_row(ctx, row, code)
        checked_on = ctx.read_date(row, "実施日", required=True)
        answers = {f"q{n}": row.value(item_header(n), lambda text, n=n: _answer(text, n))
                   for n in checklist.YES_NO_ITEMS}
        height = row.value(HEIGHT, lambda t: checklist.parse_measure(t, "身長", checklist.HEIGHT_CM_RANGE, "cm"))
        weight = row.value(WEIGHT, lambda t: checklist.parse_measure(t, "体重", checklist.WEIGHT_KG_RANGE, "kg"))
        if participant_id is None or checked_on is None:
            continue
        record = pr.FrailtyCheck(participant_id, checked_on, entered_by=row.text("記入者"),
                                 height_cm=None if height is None else float(height),
                                 weight_kg=None if weight is None else float(weight), **answers)
        if row.failed:
            ctx.check_only(row, record, CHECK_COLUMNS)
            continue
        if not record.entered_by:
            record = dataclasses.replace(record, entered_by=ctx.db.audit_name[:pr.ENTERED_BY_MAX_CHARS])
        if ctx.save(row, record, CHECK_COLUMNS) is not None:
            ctx.added += 1


def _answer(text: str, item: int) -> int | None:
    answer = checklist.parse_yes_no(text, item)
    return None if answer is None else int(answer)


# ---------------------------------------------------------------- 後期高齢者の質問票

def questionnaire_header(number: int) -> str:
    return f"質問{number}"


QUESTIONNAIRES = Layout(
    headers=(NUMBER, CODE, CENTER, "回答日", "記入者",
             *(questionnaire_header(n) for n in checklist.QUESTIONNAIRE_ITEMS)),
    required=(NUMBER, CODE, "回答日"),
)
QUESTIONNAIRE_COLUMNS = {"participant_id": NUMBER, "answered_on": "回答日", "entered_by": "記入者",
                         **{f"a{n}": questionnaire_header(n) for n in checklist.QUESTIONNAIRE_ITEMS}}


def import_questionnaires(ctx: Context, rows: list[Row]) -> None:
    """One 質問票 per participant and day: a row for a day already recorded updates it (a blank 記入者 keeps the
    stored one), else adds one (blank 記入者: the logged-in user, as typed entry does)."""
    for done, row in enumerate(rows, 1):
        ctx.report(done)
        code = ctx.municipality(row)
        participant_id = participant_of_row(ctx, row, code)
        answered_on = ctx.read_date(row, "回答日", required=True)
        answers = {f"a{n}": row.value(questionnaire_header(n),
                                      lambda text, n=n: checklist.questionnaire_choice(n, text))
                   for n in checklist.QUESTIONNAIRE_ITEMS}
        if participant_id is None or answered_on is None:
            continue
        known = [q for q in participant_queries.questionnaires_of(ctx.db, participant_id)
                 if q.answered_on == answered_on]
        entered_by = row.text("記入者") or (known[0].entered_by if known
                                            else ctx.db.audit_name[:pr.ENTERED_BY_MAX_CHARS])
        record = (dataclasses.replace(known[0], entered_by=entered_by, **answers) if known
                  else pr.Questionnaire(participant_id, answered_on, entered_by, **answers))
        if row.failed:
            ctx.check_only(row, record, QUESTIONNAIRE_COLUMNS)
            continue
        if ctx.save(row, record, QUESTIONNAIRE_COLUMNS, update=bool(known)) is not None:
            ctx.added += not known
            ctx.updated += bool(known)
