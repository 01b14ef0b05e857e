"""Reading 短期集中予防サービス (C) cases (issue 19) with what their lists show (participant number, center, place)
and the checks their 事項3 figures are computed from. Live records only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.short_term_cases import ShortTermCase
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.rows import from_row


@dataclass(frozen=True)
class CaseRow:
    case: ShortTermCase
    participant: pr.Participant
    center_name: str
    place_name: str | None  # the 通いの場 of the outcome


_SELECT = (
    "SELECT k.*, p.id AS p_id, p.center_id AS p_center_id, p.number AS p_number, p.birth_year AS p_birth_year,"
    " p.birth_month AS p_birth_month, p.sex AS p_sex, p.name AS p_name, p.kana AS p_kana,"
    " c.name AS center_name, c.municipality_code AS municipality_code, pl.name AS place_name"
    " FROM short_term_cases k"
    " JOIN participants p ON p.id = k.participant_id AND p.deleted_at IS NULL"
    " JOIN centers c ON c.id = p.center_id"
    " LEFT JOIN places pl ON pl.id = k.outcome_place_id")


def _row(row) -> CaseRow:
    person = pr.Participant(row["p_center_id"], row["p_number"], row["p_birth_year"], row["p_birth_month"],
                            row["p_sex"], row["p_name"], row["p_kana"], row["p_id"])
    return CaseRow(from_row(ShortTermCase, row), person, row["center_name"], row["place_name"])


def cases(db: Database, *, center_id: str | None = None, municipality_code: str | None = None,
          participant_id: str | None = None, case_id: str | None = None) -> list[CaseRow]:
    """Live cases of live participants, by center, participant number, then referral date."""
    where, params = ["k.deleted_at IS NULL"], []
    for column, value in (("p.center_id", center_id), ("c.municipality_code", municipality_code),
                          ("k.participant_id", participant_id), ("k.id", case_id)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    rows = db.query(f"{_SELECT} WHERE {' AND '.join(where)}"
                    " ORDER BY c.name, length(p.number), p.number, k.referred_on, k.id", params)
    return [_row(row) for row in rows]


def cases_in_service(db: Database, municipality_code: str, start: date, end: date) -> list[ShortTermCase]:
    """Live cases of the 区市町村's live participants whose service began by `end` and had not ended before
    `start` (domain/short_term_cases.is_user_in decides again)."""
    rows = db.query(
        f"{_SELECT} WHERE k.deleted_at IS NULL AND c.municipality_code = ? AND k.service_start_on <= ?"
        " AND (k.service_end_on IS NULL OR k.service_end_on >= ?) ORDER BY k.id",
        (municipality_code, end.isoformat(), start.isoformat()))
    return [from_row(ShortTermCase, row) for row in rows]


def checks_by_id(db: Database, check_ids: list[str]) -> dict[str, pr.FrailtyCheck]:
    """Live checks with these ids."""
    found: dict[str, pr.FrailtyCheck] = {}
    for first in range(0, len(check_ids), 500):
        chunk = check_ids[first:first + 500]
        for row in db.query(f"SELECT * FROM frailty_checks WHERE id IN ({', '.join('?' * len(chunk))})"
                            " AND deleted_at IS NULL", chunk):
            found[row["id"]] = from_row(pr.FrailtyCheck, row)
    return found


def check_on(db: Database, participant_id: str, day: date) -> str | None:
    """The id of the participant's live check of that day (one a day at most)."""
    return db.scalar("SELECT id FROM frailty_checks WHERE participant_id = ? AND checked_on = ?"
                     " AND deleted_at IS NULL", (participant_id, day.isoformat()))
