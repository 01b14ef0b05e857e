"""The 区市町村 side (services/submissions.py): a submission holds aggregate figures only, says whether its 年度
is locked, and the 短期集中予防サービス declaration obeys rights and the 年度's lock."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from kaigo_desktop.domain import roles
from kaigo_desktop.services import metro, submissions
from kaigo_desktop.services import submission_format as fmt
from kaigo_desktop.services.output_files import OutputRefused
from kaigo_desktop.services.rights import Forbidden
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import PeriodLockedError
from tests.metro_data import FY, Source

# Everything in a 区市町村's database that names or reaches a person, place or center.
PRIVATE_COLUMNS = {
    "places": ("id", "name", "kana", "address", "contact", "notes", "postal_code", "fee"),
    "centers": ("id", "name", "kana", "address", "phone", "notes"),
    "promoters": ("id", "name", "kana", "contact", "notes"),
    "gatherings": ("id", "notes"),
    "activities": ("id", "summary"),
    "members": ("id",),
    "assignments": ("id", "notes"),
    "expenses": ("id", "notes"),
}


def _private_values(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    found = set()
    for table, columns in PRIVATE_COLUMNS.items():
        for column in columns:
            found |= {str(row[0]) for row in conn.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")
                      if len(str(row[0])) >= 3}
    conn.close()
    return found


def test_a_submission_holds_no_names_contacts_or_records(sources: list[Source], tmp_path: Path) -> None:
    source = sources[0]
    out = tmp_path / "sub.kaigo-sub"
    with Database.open(source.path, user="区担当") as db:
        exported = submissions.export_submission(db, FY, source.code, out)
    private = _private_values(source.path)
    assert len(private) > 100  # the demo data holds plenty to leak
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["content.json", "header.json", "signature.json"]
        unpacked = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    leaked = sorted(value for value in private if value in unpacked)
    assert leaked == []
    assert source.code in unpacked and "weekly_participation_rate" in unpacked  # it does hold the figures
    assert not exported.locked and exported.warning == submissions.NOT_LOCKED_WARNING


def test_the_output_guard_of_reports_protects_the_database(sources: list[Source]) -> None:
    with Database.open(sources[0].path, user="区担当") as db:
        with pytest.raises(OutputRefused):
            submissions.export_submission(db, FY, sources[0].code, sources[0].path)


def test_a_locked_year_is_submitted_as_locked_and_its_declaration_frozen(db: Database, tmp_path: Path) -> None:
    from tests import period_data

    period_data.locked(db)
    exported = submissions.export_submission(db, period_data.FY, period_data.CHIYODA, tmp_path / "c.kaigo-sub",
                                             today=period_data.TODAY)
    assert exported.locked and exported.warning is None
    content = fmt.read_file(exported.path).content
    assert content.approval.locked and content.approval.centers == content.approval.centers_confirmed == 1
    with pytest.raises(submissions.DeclarationError, match="ロック"):
        submissions.set_short_term_service_declaration(db, period_data.FY, period_data.CHIYODA, True, 3)
    with pytest.raises(PeriodLockedError):  # the trigger, on any other path
        with db.write() as stamp:
            db.conn.execute("INSERT INTO short_term_service_declarations (fiscal_year, municipality_code, offered,"
                            " users, updated_at) VALUES (?, ?, 1, 3, ?)", (period_data.FY, period_data.CHIYODA,
                                                                            stamp.at))
    # An open 年度 takes it.
    submissions.set_short_term_service_declaration(db, period_data.FY + 1, period_data.CHIYODA, True, 3)
    assert submissions.short_term_service_declaration(db, period_data.FY + 1, period_data.CHIYODA).users == 3


def test_the_declaration_is_checked(db: Database) -> None:
    with pytest.raises(submissions.DeclarationError):
        submissions.set_short_term_service_declaration(db, FY, "131016", False, 5)
    with pytest.raises(submissions.DeclarationError):
        submissions.set_short_term_service_declaration(db, FY, "131016", True, -1)
    assert submissions.short_term_service_declaration(db, FY, "131016") == \
        submissions.ShortTermServiceDeclaration(False, None)
    db.actor = roles.Actor("職員", roles.STAFF, center_id="x")
    with pytest.raises(Forbidden):
        submissions.set_short_term_service_declaration(db, FY, "131016", True, 5)


def test_a_metro_database_refuses_the_municipal_side_and_the_reverse(db: Database, tmp_path: Path) -> None:
    with pytest.raises(metro.MetroError):
        metro.evaluation_sheet(db, FY)
    metro.init_metro(db)
    assert metro.is_metro_database(db)
    with pytest.raises(submissions.DeclarationError):
        submissions.set_short_term_service_declaration(db, FY, "131016", True, 5)
    with pytest.raises(submissions.DeclarationError):
        submissions.export_submission(db, FY, "131016", tmp_path / "x.kaigo-sub")


def test_init_metro_refuses_a_database_in_use_by_a_municipality(sources: list[Source]) -> None:
    with Database.open(sources[0].path, user="区担当") as db:
        with pytest.raises(metro.MetroError):
            metro.init_metro(db)
        assert not metro.is_metro_database(db)


def test_targets_indicators_and_rules(db: Database) -> None:
    metro.init_metro(db)
    sheet = metro.evaluation_sheet(db, 2022)
    assert [sheet.items[2022][i].target for i in "123"] == [6, 62, 7]  # seeded: 令和5年度まで
    assert sheet.items[2022]["1"].target_year == 2023
    metro.set_item_target(db, "1", 2026, 12)
    assert metro.evaluation_sheet(db, 2025).items[2025]["1"].target == 12
    assert metro.evaluation_sheet(db, 2023).items[2023]["1"].target == 6
    with pytest.raises(metro.MetroError):
        metro.set_item_target(db, "4", 2026, 1)
    with pytest.raises(metro.MetroError):
        metro.set_item_target(db, "1", 2026, 63)
    metro.set_indicator(db, "healthy_life_expectancy", 2025, 80.9, "東京都保健医療局", 2023)
    indicator = metro.evaluation_sheet(db, 2025).indicators["healthy_life_expectancy"]
    assert (indicator.tokyo, indicator.source, indicator.source_year) == (80.9, "東京都保健医療局", 2023)
    with pytest.raises(metro.MetroError):
        metro.set_indicator(db, "ikigai_rate", 2025, 55.0, "", None)  # a value needs its source
    with pytest.raises(metro.MetroError):
        metro.set_indicator(db, "ikigai_rate", 2025, 155.0, "調査", None)
    metro.set_item_rule(db, "1", 4)
    assert "4種類以上" in metro.evaluation_sheet(db, 2025).definitions["1"]
    with pytest.raises(metro.MetroError):
        metro.set_item_rule(db, "1", 6)
