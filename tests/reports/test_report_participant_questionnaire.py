"""The per-person print carries the 後期高齢者の質問票: each item's answer in the words of its choice over the latest
質問票, read back from the PDF, and the attendance period's end once it has one."""

from __future__ import annotations

from datetime import date

from report_checks import CREATED, flat_text

from kaigo_desktop.domain import participants as pr
from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.services import participants, participants_view
from tests.services.test_participants import TODAY, _as, world  # noqa: F401  (the fixture)


def test_print_lists_the_questionnaire_answers_as_words(world, tmp_path):
    db = _as(world["db"], "北職員")
    person = world["person"].id
    participants.add_questionnaire(db, pr.Questionnaire(person, date(2024, 5, 1), a1=2, a2=4, a12=3), today=TODAY)
    participants.add_questionnaire(db, pr.Questionnaire(person, date(2025, 1, 15), a1=5, a15=1), today=TODAY)
    [(period, _)] = participants.show_participant(db, person).attendance
    participants_view.end_period(db, period.id, date(2025, 2, 28), today=TODAY)
    out = tmp_path / "person.pdf"
    generate("participant", db, ReportOptions(participant_id=person, created=CREATED), out)
    text = flat_text(out)
    assert "後期高齢者の質問票の回答" in text and "R6.5.1" in text and "R7.1.15" in text
    assert "あなたの現在の健康状態はいかがですか" in text and "ソーシャルサポート" in text
    assert "まあよい" in text and "よくない" in text and "不満" in text and "やめた" in text
    assert "令和7年2月28日" in text  # the period's end


def test_without_questionnaires_the_print_has_no_such_section(world, tmp_path):
    db = _as(world["db"], "北職員")
    out = tmp_path / "person.pdf"
    generate("participant", db, ReportOptions(participant_id=world["person"].id, created=CREATED), out)
    assert "後期高齢者の質問票" not in flat_text(out)
