"""短期集中予防サービス cases (issue 19) at a large 区市町村's scale: N participants with two checks and a case
each. Prints medians of the 事項3 figures (`case_figures`) against the participants' outcome figures of the same
年度 (the baseline, same database, same run, alternating), of `list_cases` (which also writes the audit's view
entries) beside the 参加者 › 短期集中予防サービス page's list of one 年度 (`fiscal_year`, filtered by the domain's
in_fiscal_year after the query, alternating with the whole list), and of a dry-run `import cases` of N rows against a dry-run `import checks` of N rows (baseline).

    python benchmarks/bench_short_term_cases.py [--cases 2000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaigo_desktop.domain import participants as pr  # noqa: E402
from kaigo_desktop.domain import short_term_cases as stc  # noqa: E402
from kaigo_desktop.domain.records import Center, Place  # noqa: E402
from kaigo_desktop.services import importing, outcomes, records, short_term_cases  # noqa: E402
from kaigo_desktop.services.importing_cases import CASES  # noqa: E402
from kaigo_desktop.services.importing_participants import CHECKS  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402
from kaigo_desktop.storage.ids import new_id  # noqa: E402

CODE, FY, TODAY = "131016", 2025, date(2026, 6, 1)


def _answers(risky: int) -> dict:
    values = {f"q{n}": (1 if n in (1, 2, 3, 4, 5, 6, 7, 8, 16, 19) else 0) for n in range(1, 26) if n != 12}
    for n in range(1, 1 + risky):  # No.1–8 いいえ: risky
        values[f"q{n}"] = 0
    return {**values, "height_cm": 150.0, "weight_kg": 50.0}


def _build(path: Path, n: int) -> None:
    with Database.open(path, create=True, user="bench") as db:
        center = records.add(db, Center(CODE, "北センター"))
        place = records.add(db, Place(CODE, "さくら会", center_id=center.id, start_date=date(2020, 4, 1)))
        people, checks, cases = [], [], []
        for i in range(n):
            person = pr.Participant(center.id, f"{i + 1:06d}", 1940 + i % 15, 1 + i % 12, "女性", id=new_id())
            start = date(FY, 4, 1) + timedelta(days=i % 200)
            first = pr.FrailtyCheck(person.id, start, id=new_id(), **_answers(8))
            again = pr.FrailtyCheck(person.id, start + timedelta(days=100), id=new_id(), **_answers(i % 9))
            goes = i % 2 == 0
            cases.append(stc.ShortTermCase(
                person.id, start, "通いの場", assessed_on=start, initial_check_id=first.id,
                service_start_on=start + timedelta(days=3), service_end_on=start + timedelta(days=93),
                reassessed_on=start + timedelta(days=100), final_check_id=again.id,
                outcome=stc.TO_PLACE if goes else "自立", outcome_place_id=place.id if goes else None, id=new_id()))
            people.append(person)
            checks += [first, again]
        records.add_many(db, people, today=TODAY)
        records.add_many(db, [pr.Attendance(p.id, place.id, date(FY, 4, 1), id=new_id()) for p in people],
                         today=TODAY)
        records.add_many(db, checks, today=TODAY)
        records.add_many(db, cases, today=TODAY)


def _files(folder: Path, n: int) -> tuple[Path, Path]:
    cases, checks = folder / "cases.csv", folder / "checks.csv"
    with cases.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(CASES.headers))
        writer.writeheader()
        for i in range(n):
            day = date(FY + 1, 1, 5) + timedelta(days=i % 60)  # a second case each
            writer.writerow({"参加者番号": f"{i + 1:06d}", "区市町村コード": CODE, "紹介日": day.isoformat(),
                             "紹介元": "通いの場", "サービス開始日": (day + timedelta(days=2)).isoformat(),
                             "初回 握力(kg)": "18.5", "実施回数": "10"})
    with checks.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(CHECKS.headers))
        writer.writeheader()
        for i in range(n):
            day = date(FY + 1, 1, 5) + timedelta(days=i % 60)
            writer.writerow({"参加者番号": f"{i + 1:06d}", "区市町村コード": CODE, "実施日": day.isoformat(),
                             "No.1": "はい", "No.2": "いいえ", "身長(cm)": "150", "体重(kg)": "50"})
    return cases, checks


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {k: [] for k in ("figures", "outcomes", "list", "list FY", "import cases",
                                                      "import checks")}
    with tempfile.TemporaryDirectory(prefix="kaigo-bench-") as folder:
        path = Path(folder) / "cases.sqlite3"
        build = _timed(lambda: _build(path, args.cases))
        case_file, check_file = _files(Path(folder), args.cases)
        with Database.open(path, user="bench") as db:
            for run in range(args.repeat):
                pair = [("figures", lambda: short_term_cases.case_figures(db, FY, CODE)),
                        ("outcomes", lambda: outcomes.outcomes(db, FY, municipality_code=CODE))]
                imports = [("import cases", lambda: importing.import_file(db, "cases", case_file, dry_run=True)),
                           ("import checks", lambda: importing.import_file(db, "checks", check_file, dry_run=True))]
                for name, action in (pair + imports if run % 2 == 0 else pair[::-1] + imports[::-1]):
                    times[name].append(_timed(action))
                lists = [("list", lambda: short_term_cases.list_cases(db)),
                         ("list FY", lambda: short_term_cases.list_cases(db, fiscal_year=FY))]
                for name, action in (lists if run % 2 == 0 else lists[::-1]):
                    times[name].append(_timed(action))
            found = short_term_cases.case_figures(db, FY, CODE)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.cases} participants, each 2 checks and a case (built in {build:.1f} s); {found}")
    for name in times:
        print(f"  {name:<14} median {statistics.median(times[name]) * 1000:8.0f} ms"
              f"  {['%.0f' % (t * 1000) for t in times[name]]}")
    print(f"  peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
