"""The demo's 短期集中予防サービス cases (issue 19): realistic flows — most complete (re-assessed with a linked
check, decided at a 地域ケア会議), some go to a 通いの場 (their own), a few apply for 要介護認定 — every case
passing the domain's rules, and the 事項3 figures computed from them."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from kaigo_desktop.domain import short_term_cases as stc
from kaigo_desktop.services import short_term_cases
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.storage.database import Database

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    db = Database.open(tmp_path_factory.mktemp("demo") / "d.sqlite3", create=True, user="テスト")
    summary = create_demo(db, places=30, years=2, seed=7, today=TODAY)
    yield db, summary
    db.close()


def test_cases_flow_realistically(demo):
    db, summary = demo
    views = short_term_cases.list_cases(db)
    assert summary.cases == len(views) == db.scalar("SELECT count(*) FROM short_term_cases") > 5
    assert all(stc.check_case(v.case, TODAY) == [] for v in views)
    complete = [v for v in views if v.case.outcome]
    assert len(complete) > len(views) / 2
    assert all(v.case.final_check_id and v.final_level for v in complete)
    outcomes = Counter(v.case.outcome for v in complete)
    assert outcomes[stc.TO_PLACE] >= 2 and outcomes[stc.TO_PLACE] == max(outcomes.values())
    assert 0 < outcomes[stc.CARE_APPLICATION] < outcomes[stc.TO_PLACE]
    assert sum(v.improved is True for v in complete) > sum(v.improved is False for v in complete)
    # a 通いの場 outcome names a place the participant attends
    assert db.scalar("SELECT count(*) FROM short_term_cases k WHERE outcome = '通いの場へ' AND NOT EXISTS"
                     " (SELECT 1 FROM participant_places a WHERE a.participant_id = k.participant_id"
                     " AND a.place_id = k.outcome_place_id)") == 0
    assert any(v.case.followup6_on for v in complete)


def test_figures_from_the_demo(demo):
    db, _ = demo
    by_code = [row[0] for row in db.query("SELECT DISTINCT c.municipality_code FROM short_term_cases k JOIN"
                                          " participants p ON p.id = k.participant_id JOIN centers c ON c.id = p.center_id")]
    total = 0
    for code in by_code:
        for fiscal_year in (2024, 2025, 2026):
            found = short_term_cases.case_figures(db, fiscal_year, code)
            assert found.improved <= found.evaluated <= found.users and found.attending <= found.connected
            total += found.users
    # each begun case's participant is a user in at least one 年度
    assert total >= db.scalar("SELECT count(DISTINCT participant_id) FROM short_term_cases"
                              " WHERE service_start_on IS NOT NULL") > 0
