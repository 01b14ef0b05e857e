"""事項3 from the 区市町村's 短期集中予防サービス cases (issue 19): the submission carries the figures computed
from the cases (checked here against SQL on the source), small counts hidden; 東京都's sheet counts the 区市町村
from them when present, from the declaration otherwise; a format-1 submission (without them) is still read."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import msgspec

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain.fiscal import fiscal_year_range
from kaigo_desktop.services import metro, participants, short_term_cases, submissions
from kaigo_desktop.services import submission_format as fmt
from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.storage.database import Database
from tests.metro_data import DECLARED, FY, Source

RISKY_FRAIL = {f"q{n}": 0 for n in range(1, 9)}  # No.1–8 いいえ: 8 points, フレイル


def _answers(risky: dict) -> dict:
    safe = {f"q{n}": (1 if n in (1, 2, 3, 4, 5, 6, 7, 8, 16, 19) else 0) for n in range(1, 26) if n != 12}
    return {**safe, **risky, "height_cm": 150, "weight_kg": 50}


def _add_cases(source: Source, people: int, improved: int, connected: int, attending: int) -> None:
    """`people` users in FY at the 区市町村's first center: the first `improved` improve (フレイル → ロバスト), the
    rest stay フレイル; the first `connected` go to a 通いの場, the first `attending` of them still attend."""
    start = fiscal_year_range(FY)[0]
    with Database.open(source.path, user="区担当") as db:
        center = db.scalar("SELECT id FROM centers WHERE municipality_code = ? AND deleted_at IS NULL ORDER BY id",
                           (source.code,))
        place = db.scalar("SELECT id FROM places WHERE municipality_code = ? AND deleted_at IS NULL ORDER BY id",
                          (source.code,))
        today = date.today()
        for index in range(people):
            person = participants.add_participant(db, pr.Participant(center, f"C-{index}", 1940, 1, "女性"),
                                                  today=today)
            first = participants.add_check(db, pr.FrailtyCheck(person.id, start, **_answers(RISKY_FRAIL)),
                                           today=today)
            again = participants.add_check(db, pr.FrailtyCheck(
                person.id, start + timedelta(days=100), **_answers({} if index < improved else RISKY_FRAIL)),
                today=today)
            goes = index < connected
            short_term_cases.add_case(db, stc.ShortTermCase(
                person.id, start, "通いの場", assessed_on=start, initial_check_id=first.id,
                service_start_on=start + timedelta(days=5), service_end_on=start + timedelta(days=95),
                reassessed_on=start + timedelta(days=100), final_check_id=again.id,
                outcome=stc.TO_PLACE if goes else "自立", outcome_place_id=place if goes else None,
                followup6_on=start + timedelta(days=280) if goes else None,
                followup6_attending=int(index < attending) if goes else None), today=today)


def _users_by_sql(db: Database, code: str) -> int:
    start, end = (d.isoformat() for d in fiscal_year_range(FY))
    return db.scalar(
        "SELECT count(DISTINCT k.participant_id) FROM short_term_cases k JOIN participants p ON p.id = k.participant_id"
        " JOIN centers c ON c.id = p.center_id WHERE c.municipality_code = ? AND k.deleted_at IS NULL"
        " AND p.deleted_at IS NULL AND k.service_start_on <= ? AND coalesce(k.service_end_on, '9999') >= ?",
        (code, end, start))


def _export(source: Source, out: Path) -> fmt.Content:
    with Database.open(source.path, user="区担当") as db:
        offered, users = DECLARED[int(source.path.stem[-1])]
        submissions.set_short_term_service_declaration(db, FY, source.code, offered, users)
        submissions.export_submission(db, FY, source.code, out)
    return fmt.read_file(out).content


def test_the_submission_carries_the_figures_and_the_sheet_counts_them(sources: list[Source], metro_db: Database,
                                                                    tmp_path: Path) -> None:
    _add_cases(sources[0], people=12, improved=6, connected=7, attending=2)  # declared 4 users
    _add_cases(sources[1], people=2, improved=1, connected=0, attending=0)  # declared offered, 0 users
    contents = [_export(source, tmp_path / f"{i}.kaigo-sub") for i, source in enumerate(sources)]
    records = [c.short_term_records for c in contents]
    with Database.open(sources[0].path, readonly=True) as db:
        assert records[0].users == _users_by_sql(db, sources[0].code) == 12
    assert (records[0].evaluated, records[0].improved, records[0].improved_share) == (12, 6, 50.0)
    # attending 2 of 7 connected: both hidden (2 is small, and so would be 7 − 5 if 5 were shown)
    assert (records[0].connected, records[0].attending, records[0].attending_share) == (7, None, None)
    assert records[0].hidden == ["attending"]
    assert records[1].users is None and "users" in records[1].hidden  # 2 users: hidden
    assert records[2] is None  # no case: the declaration stands
    metro.import_submissions(metro_db, [tmp_path / f"{i}.kaigo-sub" for i in range(len(sources))])

    # at 1 user: both 区市町村 with cases (the hidden 2 counts as at least 1), not the one declaring none
    assert metro.evaluation_sheet(metro_db, FY).items[FY]["3"].municipalities == sorted(
        [sources[0].code, sources[1].code])
    # at 5 users: 12 from the cases counts (the declaration said 4); a hidden count does not
    metro.set_item_rule(metro_db, "3", 5)
    assert metro.evaluation_sheet(metro_db, FY).items[FY]["3"].municipalities == [sources[0].code]
    metro.set_item_rule(metro_db, "3", 13)
    assert metro.evaluation_sheet(metro_db, FY).items[FY]["3"].municipalities == []


def test_a_format_1_submission_is_still_read(sources: list[Source], tmp_path: Path) -> None:
    content = _export(sources[2], tmp_path / "old.kaigo-sub")
    as_dict = msgspec.to_builtins(content)
    del as_dict["short_term_records"]  # as format 1 wrote it
    old = fmt.decode_content(msgspec.json.encode(as_dict))
    assert old.short_term_records is None and old.short_term_service == content.short_term_service
    header = msgspec.to_builtins(fmt.read_file(tmp_path / "old.kaigo-sub").header)
    assert header["format_version"] == fmt.FORMAT_VERSION == 2
    msgspec.json.decode(msgspec.json.encode({**header, "format_version": 1}), type=fmt.Header)


def test_suppression_hides_small_counts_and_their_complements() -> None:
    shown = stc.suppressed(stc.CaseFigures(users=12, evaluated=10, improved=8, connected=6, attending=5))
    assert shown.improved is None and shown.improved_share is None  # 10 − 8 = 2 not improved
    assert shown.attending is None  # 5 attending is fine, but 6 − 5 = 1 stopped
    assert shown.users == 12 and shown.evaluated == 10 and shown.connected == 6
    shown = stc.suppressed(stc.CaseFigures(users=20, evaluated=15, improved=10, connected=3, attending=0))
    assert (shown.improved, shown.improved_share) == (10, 66.7)
    assert shown.connected is None and shown.attending is None and shown.hidden == ("connected", "attending")
