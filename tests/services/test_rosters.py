"""Rosters (issue 19): who came at a gathering. The 実人数 of a roster place and 年度 is computed — the distinct
participants recorded, checked here against an independent COUNT(DISTINCT) — with sex and age at the 年度's
1 April, and it replaces the typed figure in the stats; a typed figure for such a place and 年度 is refused; a
gathering's 参加者数 is never below its roster; only who may write participants records; a 推進員 sees numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.domain import roles
from kaigo_desktop.domain.records import Center, Gathering, Members, Place, Promoter
from kaigo_desktop.domain.validation import ValidationFailed
from kaigo_desktop.services import members_view, participants, records, rights, rosters, stats, users
from kaigo_desktop.storage.database import Database

CHIYODA = "131016"
TODAY = date(2025, 6, 1)
FY = 2024
SECRET_NAME = "名簿野花子"

# (number, birth year, birth month, sex): ages on 2024-04-01 are 65 (born 1959-03), 64 (1959-04: April births
# have not had the birthday yet), 75 (1949-01), 74 (1949-04)
PEOPLE = (("001", 1959, 3, "女性"), ("002", 1959, 4, "男性"), ("003", 1949, 1, "女性"), ("004", 1949, 4, "不明"))


@pytest.fixture
def world(tmp_path: Path):
    db = Database.open(tmp_path / "rosters.sqlite3", create=True, user="設定者")
    north = records.add(db, Center(CHIYODA, "北センター"))
    south = records.add(db, Center(CHIYODA, "南センター"))
    roster_place = records.add(db, Place(CHIYODA, "名簿のある会", center_id=north.id, start_date=date(2023, 4, 1)))
    typed_place = records.add(db, Place(CHIYODA, "数だけの会", center_id=north.id, start_date=date(2023, 4, 1)))
    promoter = records.add(db, Promoter(CHIYODA, "山田花子", "保健師", date(2024, 4, 1)))
    people = []
    for number, year, month, sex in PEOPLE:
        person = participants.add_participant(
            db, pr.Participant(north.id, number, year, month, sex, name=SECRET_NAME if number == "001" else ""),
            today=TODAY)
        records.add(db, pr.Attendance(person.id, roster_place.id, date(2024, 4, 1)), today=TODAY)
        people.append(person)
    first = records.add(db, Gathering(roster_place.id, date(2024, 5, 10), 3), today=TODAY)
    second = records.add(db, Gathering(roster_place.id, date(2024, 6, 14), 5), today=TODAY)
    records.add(db, Gathering(typed_place.id, date(2024, 5, 10), 12), today=TODAY)
    records.add(db, Members(typed_place.id, FY, 9, age_under_65=2, age_65_74=4, age_75_plus=3), today=TODAY)
    users.add_user(db, "管理", roles.ADMIN)
    users.add_user(db, "北職員", roles.STAFF, center_id=north.id)
    users.add_user(db, "南職員", roles.STAFF, center_id=south.id)
    users.add_user(db, "推進", roles.PROMOTER, promoter_id=promoter.id)
    yield dict(db=db, place=roster_place, typed=typed_place, people=people, first=first, second=second)
    db.close()


def _as(db: Database, name: str) -> Database:
    users.login(db, name, "")
    return db


def _independent_figures(db: Database, place_id: str, fiscal_year: int) -> tuple[int, int]:
    """(実人数, 65歳以上) of the place's roster in the 年度, counted here without the app's SQL."""
    return db.query(
        "SELECT COUNT(DISTINCT p.id),"
        " COUNT(DISTINCT CASE WHEN (? - p.birth_year - CASE WHEN p.birth_month >= 4 THEN 1 ELSE 0 END) >= 65"
        "  THEN p.id END)"
        " FROM gathering_participants gp JOIN gatherings g ON g.id = gp.gathering_id"
        " JOIN participants p ON p.id = gp.participant_id"
        " WHERE gp.deleted_at IS NULL AND g.deleted_at IS NULL AND p.deleted_at IS NULL AND g.place_id = ?"
        " AND g.held_on BETWEEN ? AND ?",
        (fiscal_year, place_id, f"{fiscal_year}-04-01", f"{fiscal_year + 1}-03-31"))[0]


def test_ages_at_the_fiscal_year_start_at_their_edges():
    assert [pr.age_at_fiscal_year_start(y, m, FY) for _, y, m, _ in PEOPLE] == [65, 64, 75, 74]


def test_computed_members_replace_the_typed_figure_in_the_stats(world):
    db = _as(world["db"], "北職員")
    a, b, c, d = (p.id for p in world["people"])
    rosters.record_roster(db, world["first"].id, [a, b, c], today=TODAY)
    rosters.record_roster(db, world["second"].id, [a, c, d], today=TODAY)  # a and c twice: counted once
    total, over_65 = _independent_figures(db, world["place"].id, FY)
    assert (total, over_65) == (4, 3)
    figures = stats.fiscal_year_stats(db, FY, CHIYODA, today=TODAY)
    assert figures.members_total == total + 9  # the typed place's figure still counts
    assert figures.members_65_plus == over_65 + 7
    assert figures.members_by_sex == {"男性": 1, "女性": 2, "不明": 1 + 9}
    sheet = {row.place_id: row for row in members_view.members_sheet(db, FY, CHIYODA)}
    roster_row = sheet[world["place"].id]
    assert roster_row.from_roster and roster_row.total == 4 and roster_row.record_id is None
    assert (roster_row.age_under_65, roster_row.age_65_74, roster_row.age_75_plus) == (1, 2, 1)
    assert not sheet[world["typed"].id].from_roster


def test_a_typed_figure_for_a_roster_place_is_refused_and_an_older_one_ignored(world):
    db = world["db"]
    records.add(db, Members(world["place"].id, FY, 40), today=TODAY)  # typed before any roster
    assert stats.fiscal_year_stats(db, FY, CHIYODA, today=TODAY).members_total == 40 + 9
    rosters.record_roster(db, world["first"].id, [world["people"][0].id], today=TODAY)
    assert stats.fiscal_year_stats(db, FY, CHIYODA, today=TODAY).members_total == 1 + 9  # 40 ignored
    with pytest.raises(ValidationFailed, match="記録から計算します"):
        records.add(db, Members(world["place"].id, FY, 41), today=TODAY)
    # the next 年度 has no roster yet: typed as before
    records.add(db, Members(world["place"].id, FY + 1, 7), today=TODAY)
    # the sheet sends the computed row back unchanged: saved; changed: refused
    entries = [members_view.MembersEntry(row.place_id, row.total, row.male, row.female, row.age_under_65,
                                         row.age_65_74, row.age_75_plus)
               for row in members_view.members_sheet(db, FY, CHIYODA)]
    members_view.save_members(db, FY, entries, today=TODAY)
    changed = [e if e.place_id != world["place"].id else members_view.MembersEntry(e.place_id, 2) for e in entries]
    with pytest.raises(ValidationFailed, match="記録から計算します"):
        members_view.save_members(db, FY, changed, today=TODAY)


def test_attendance_is_never_below_the_roster_at_its_edge(world):
    db = world["db"]
    people = [p.id for p in world["people"]]
    with pytest.raises(ValidationFailed, match="参加者数（3人）が、参加を記録した参加者の数（4人）より少なく"):
        rosters.record_roster(db, world["first"].id, people, today=TODAY)
    assert rosters.record_roster(db, world["first"].id, people[:3], today=TODAY) == 3  # equal: allowed
    gathering = records.get(db, Gathering, world["first"].id)
    gathering.attendance_total = 2
    with pytest.raises(ValidationFailed, match="参加者数（2人）"):
        records.update(db, gathering, today=TODAY)


def test_unticking_moves_to_the_trash_and_ticking_again_brings_the_same_entry_back(world):
    db = world["db"]
    a, b = world["people"][0].id, world["people"][1].id
    rosters.record_roster(db, world["first"].id, [a, b], today=TODAY)
    ids = dict(db.query("SELECT participant_id, id FROM gathering_participants"))
    rosters.record_roster(db, world["first"].id, [a], today=TODAY)
    assert db.scalar("SELECT deleted_at IS NOT NULL FROM gathering_participants WHERE participant_id = ?", (b,))
    rosters.record_roster(db, world["first"].id, [a, b], today=TODAY)
    assert dict(db.query("SELECT participant_id, id FROM gathering_participants WHERE deleted_at IS NULL")) == ids
    actions = [row[0] for row in db.query(
        "SELECT action FROM audit_log WHERE table_name = 'gathering_participants' ORDER BY seq")]
    assert actions[:2] == ["insert", "insert"] and len(actions) == 4  # audited: two in, one out, one back


def test_only_participants_of_the_place_on_that_day_can_be_recorded(world):
    db = world["db"]
    late = participants.add_participant(db, pr.Participant(world["place"].center_id, "005", 1945, 1, "男性"),
                                        today=TODAY)
    records.add(db, pr.Attendance(late.id, world["place"].id, date(2024, 6, 1)), today=TODAY)
    with pytest.raises(ValidationFailed, match="2024-05-10にこの通いの場の参加者として登録されていません"):
        rosters.record_roster(db, world["first"].id, [late.id], today=TODAY)
    assert db.scalar("SELECT count(*) FROM gathering_participants") == 0
    rosters.record_roster(db, world["second"].id, [late.id], today=TODAY)


@pytest.mark.parametrize("user", ["南職員", "推進"])
def test_who_may_not_write_participants_may_not_record_a_roster(world, user):
    db = _as(world["db"], user)
    with pytest.raises(rights.Forbidden):
        rosters.record_roster(db, world["first"].id, [world["people"][0].id], today=TODAY)


def test_the_choices_show_names_only_to_who_may_see_identities(world):
    db = world["db"]
    rosters.record_roster(db, world["first"].id, [world["people"][0].id], today=TODAY)
    staff = rosters.roster_of(_as(db, "北職員"), world["first"].id)
    assert staff.may_record and staff.choices[0].name == SECRET_NAME and staff.choices[0].present
    promoter = rosters.roster_of(_as(db, "推進"), world["first"].id)
    assert not promoter.may_record
    assert [c.label for c in promoter.choices] == ["001", "002", "003", "004"]
    assert SECRET_NAME not in repr(promoter)


def test_validate_reports_a_short_gathering_and_an_ignored_typed_figure(world):
    from kaigo_desktop.services import submission_checks

    db = world["db"]
    records.add(db, Members(world["place"].id, FY, 40), today=TODAY)
    people = [p.id for p in world["people"]]
    rosters.record_roster(db, world["first"].id, people[:3], today=TODAY)
    # a 参加者数 lowered behind the form's back (as a bundle from an older PC could): one short at the edge
    db.conn.execute("UPDATE gatherings SET attendance_total = 2 WHERE id = ?", (world["first"].id,))
    report = submission_checks.run_checks(db, FY, CHIYODA, today=TODAY)
    found = {f.code: f for f in report.findings}
    assert found["ROSTER_ABOVE_ATTENDANCE"].level == submission_checks.ERROR
    assert "参加者数（2人）" in found["ROSTER_ABOVE_ATTENDANCE"].message
    assert "入力済みの40人は集計に入りません" in found["MEMBERS_TYPED_IGNORED"].message
    db.conn.execute("UPDATE gatherings SET attendance_total = 3 WHERE id = ?", (world["first"].id,))
    assert "ROSTER_ABOVE_ATTENDANCE" not in {f.code for f in submission_checks.run_checks(db, FY, CHIYODA,
                                                                                            today=TODAY).findings}


# ---------------------------------------------------------------- import roster

def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


HEAD = "区市町村コード,通いの場名称,開催日,参加者番号"


def test_import_roster_adds_who_came_and_the_members_follow(world, tmp_path):
    from kaigo_desktop.services.importing import import_file

    db = world["db"]
    lines = [HEAD, "131016,名簿のある会,2024/5/10,001", "131016,名簿のある会,令和6年5月10日,002",
             "131016,名簿のある会,2024-06-14,002", "131016,名簿のある会,2024-06-14,004",
             "131016,名簿のある会,2024-06-14,004"]
    result = import_file(db, "roster", _file(tmp_path, lines), today=TODAY)
    assert result.ok, result.errors
    assert result.added == 4 and "6行目" in result.warnings[0]
    assert tuple(_independent_figures(db, world["place"].id, FY)) == (3, 2)
    assert stats.fiscal_year_stats(db, FY, CHIYODA, today=TODAY).members_total == 3 + 9


def test_import_roster_refuses_the_whole_file_with_row_errors(world, tmp_path):
    from kaigo_desktop.services.importing import import_file

    db = world["db"]
    lines = [HEAD,
             "131016,名簿のある会,2024/5/10,001",   # fine
             "131016,名簿のある会,2024/5/11,002",   # no gathering that day
             "131016,名簿のある会,2024/5/10,999",   # unknown number
             "131016,ない会,2024/5/10,003",          # unknown place
             "131016,名簿のある会,2024/5/10,003",
             "131016,名簿のある会,2024/5/10,004",
             "131016,名簿のある会,2024/5/10,002"]   # 4 present at a gathering of 参加者数 3
    result = import_file(db, "roster", _file(tmp_path, lines), today=TODAY)
    errors = {(e.line, e.column): e.message for e in result.errors}
    assert "2024-05-11の開催記録が見つかりません" in errors[(3, "開催日")]
    assert errors[(4, "参加者番号")] == "参加者番号 999 の参加者が見つかりません。"
    assert "「ない会」が見つかりません" in errors[(5, "通いの場名称")]
    assert "参加者数（3人）が、参加を記録した参加者の数（4人）より少なく" in errors[(2, "開催日")]
    assert db.scalar("SELECT count(*) FROM gathering_participants") == 0
    _as(db, "南職員")
    refused = import_file(db, "roster", _file(tmp_path, lines[:2]), today=TODAY)
    assert not refused.ok and "自分のセンター以外" in refused.errors[0].message

