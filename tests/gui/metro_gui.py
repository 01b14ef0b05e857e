"""A 東京都 (metro) database built as the app builds it: three 区市町村 databases from the demo data, each with
its own key, exporting its submission (services/submissions), trusted and imported into one metro database
(services/metro). Shared by the metro screens' tests and the screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kaigo_desktop.services import bundle_signing, metro, submissions
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.storage import master_queries
from kaigo_desktop.storage.database import Database

FISCAL_YEAR = 2024
SEEDS = (3, 5, 8)


@dataclass
class MetroFixture:
    path: Path  # the metro database
    codes: list[str]  # the 区市町村 that submitted, in order of the sources
    sources: list[Path]  # their databases
    submissions: list[Path]  # their submission files
    trust_files: list[Path]


def build_metro_database(folder: Path, *, places: int = 6, import_files: bool = True,
                         fiscal_year: int = FISCAL_YEAR) -> MetroFixture:
    """`fiscal_year`'s submissions (the demo's records end with that 年度, complete)."""
    today = date(fiscal_year + 1, 3, 31)
    folder.mkdir(parents=True, exist_ok=True)
    codes, sources, files, trust_files = [], [], [], []
    for seed in SEEDS:
        source = folder / f"source-{seed}.sqlite3"
        Database.create_new(source, lambda db, s=seed: create_demo(db, places=places, years=1, seed=s, today=today),
                            user="区市町村職員")
        db = Database.open(source, user="区市町村職員")
        try:
            code = next(c for c in master_queries.municipalities_in_use(db) if c not in codes)
            if seed == SEEDS[0]:  # one 区市町村 declares 短期集中予防サービス (事項3)
                submissions.set_short_term_service_declaration(db, fiscal_year, code, True, 12)
            out = folder / f"{code}.kaigo-sub"
            submissions.export_submission(db, fiscal_year, code, out, today=today)
            trust = folder / f"{code}-trust.json"
            bundle_signing.save_trust_file(db, trust)
        finally:
            db.close()
        codes.append(code)
        sources.append(source)
        files.append(out)
        trust_files.append(trust)
    path = folder / "metro.sqlite3"
    Database.create_new(path, metro.init_metro, user="東京都職員")
    db = Database.open(path, user="東京都職員")
    try:
        for code, trust in zip(codes, trust_files):
            metro.trust_municipality_key(db, code, trust, None)
        if import_files:
            metro.import_submissions(db, files)
    finally:
        db.close()
    return MetroFixture(path, codes, sources, files, trust_files)
