"""Three 区市町村 databases built from the demo data (small and quick) for the metropolitan view's tests
(tests/metro, issue 18): each submits for a 区市町村 of its own, with a 65歳以上人口 and a 短期集中予防サービス
declaration chosen here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from kaigo_desktop.domain.fiscal import fiscal_year_of
from kaigo_desktop.domain.records import Population
from kaigo_desktop.services import bundle_signing, records
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.storage.database import Database

FY = fiscal_year_of(date.today()) - 1  # the last 年度 that has ended: its reference month (March) is counted
POPULATIONS = {0: 1_000, 1: 2_000, 2: 300}
DECLARED = {0: (True, 4), 1: (True, 0), 2: (False, None)}  # per source: 短期集中予防サービス offered, users


@dataclass(frozen=True)
class Source:
    path: Path
    code: str  # the 区市町村 this database submits for
    trust_file: Path


def build_sources(folder: Path) -> list[Source]:
    sources, taken = [], set()
    for index, seed in enumerate((11, 12, 13)):
        path = folder / f"source{index}.sqlite3"
        with Database.open(path, create=True, user=f"区担当{index}") as db:
            create_demo(db, places=24, years=2, seed=seed)
            codes = [row[0] for row in db.query(
                "SELECT municipality_code FROM places GROUP BY municipality_code ORDER BY COUNT(*) DESC")]
            # The last source submits for its smallest 区市町村 (a town or village with few places), so that
            # not every source offers all five program types.
            code = next(c for c in (codes if index < 2 else reversed(codes)) if c not in taken)
            taken.add(code)
            # 65歳以上人口 small enough that the 区市町村 rates differ clearly, so that Tokyo's pooled rate and a
            # mean of the rates cannot agree by rounding.
            population_id = db.scalar("SELECT id FROM population WHERE municipality_code = ? AND fiscal_year = ?",
                                      (code, FY))
            population = records.get(db, Population, population_id)
            records.update(db, replace(population, population_65_plus=POPULATIONS[index],
                                               population_75_plus=None))
            # 事項3 here comes from the declarations chosen above: the demo's 短期集中予防サービス cases are taken
            # out (tests/metro/test_metro_short_term_records.py adds cases of its own).
            with db.write():
                db.conn.execute("DELETE FROM short_term_cases")
            trust = folder / f"trust{index}.json"
            bundle_signing.save_trust_file(db, trust)
        sources.append(Source(path, code, trust))
    return sources
