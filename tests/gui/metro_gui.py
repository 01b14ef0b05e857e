"""A 東京都 (metro) database as the app builds one, for the metro screens' tests and pictures: the three
区市町村 source databases of tests/metro_data.py (the metro tests' own) declare their 短期集中予防サービス and export
their signed submissions (services/submissions); one metro database trusts their keys and imports them
(services/metro)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kaigo_desktop.services import metro, submissions
from kaigo_desktop.storage.database import Database
from tests.metro_data import DECLARED, FY, build_sources

FISCAL_YEAR = FY  # the last 年度 that has ended: the one the screens open on


@dataclass
class MetroFixture:
    path: Path  # the metro database
    codes: list[str]  # the 区市町村 that submitted, in order of the sources
    sources: list[Path]  # their databases
    submissions: list[Path]  # their submission files
    trust_files: list[Path]


def build_metro_database(folder: Path, *, import_files: bool = True) -> MetroFixture:
    folder.mkdir(parents=True, exist_ok=True)
    sources = build_sources(folder)
    files = []
    for index, source in enumerate(sources):
        with Database.open(source.path, user="区市町村職員") as db:
            offered, users = DECLARED[index]
            submissions.set_short_term_service_declaration(db, FISCAL_YEAR, source.code, offered, users)
            out = folder / f"{source.code}.kaigo-sub"
            submissions.export_submission(db, FISCAL_YEAR, source.code, out)
        files.append(out)
    path = folder / "metro.sqlite3"
    Database.create_new(path, metro.init_metro, user="東京都職員")
    with Database.open(path, user="東京都職員") as db:
        for source in sources:
            metro.trust_municipality_key(db, source.code, source.trust_file, None)
        if import_files:
            metro.import_submissions(db, files)
    return MetroFixture(path, [s.code for s in sources], [s.path for s in sources], files,
                        [s.trust_file for s in sources])
