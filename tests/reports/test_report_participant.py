"""The per-person print (a participant's own check history): made by who may see the person's identity, read
back from the PDF, audited; refused to a 推進員 and to staff of another center, writing nothing."""

from __future__ import annotations

import pytest
from report_checks import CREATED, flat_text

from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.services import rights
from tests.services.test_participants import SECRET_NAME, _as, world  # noqa: F401  (the fixture)


def _options(world) -> ReportOptions:
    return ReportOptions(participant_id=world["person"].id, created=CREATED)


@pytest.mark.parametrize("user", ["北職員", "管理"])
def test_print_names_the_person_and_their_answers(world, tmp_path, user):
    db = _as(world["db"], user)
    out = tmp_path / "person.pdf"
    generate("participant", db, _options(world), out)
    text = flat_text(out)
    assert SECRET_NAME in text and "A-1" in text and "北のさくら会" in text
    assert "バスや電車で1人で外出していますか" in text and "いいえ＊" in text  # q1 いいえ: a risk answer
    assert "22.2" in text  # BMI of 150 cm, 50 kg
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'view' AND detail LIKE '%print%'") == 1


@pytest.mark.parametrize("user", ["推進", "南職員"])
def test_print_refused_to_who_may_not_see_the_person(world, tmp_path, user):
    db = _as(world["db"], user)
    before = db.scalar("SELECT count(*) FROM audit_log")
    out = tmp_path / "person.pdf"
    with pytest.raises(rights.Forbidden, match="氏名・よみの閲覧"):
        generate("participant", db, _options(world), out)
    assert not out.exists()
    assert db.scalar("SELECT count(*) FROM audit_log") == before
