"""What the 参加者 screen's list costs (issue 19): services.participants_view.participant_list (the list with each
person's latest level and current places) against services.participants.list_participants alone (the baseline,
measured in the same run, alternating), and opening one participant's record (show_participant) — on a demo
database. Both lists show identities to the implicit administrator, so both write the audit trail's view rows.
Then a tenth of the extra participants go to the trash (one transaction) and the screen's trash list
(ParticipantFilter(deleted=True)) is timed beside the live list again, alternating.

    python benchmarks/bench_participants_screen.py [--places 200] [--extra 5000] [--repeat 5]

`--extra N` adds N participants at one center and place, each with two checks (the demo makes a couple of
hundred, whatever the places).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaigo_desktop.services import demo, participants, participants_view  # noqa: E402
from kaigo_desktop.services.participants_view import ParticipantFilter  # noqa: E402
from kaigo_desktop.storage.database import Database  # noqa: E402


def _median_ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms  {['%.0f' % (t * 1000) for t in times]}"


def _add_extra(db: Database, count: int, today: date) -> None:
    from kaigo_desktop.domain import checklist
    from kaigo_desktop.domain import participants as pr
    from kaigo_desktop.services import records

    center_id, place_id = db.conn.execute("SELECT center_id, id FROM places WHERE center_id IS NOT NULL"
                                          " ORDER BY id LIMIT 1").fetchone()
    safe = {f"q{n}": (1 if n in checklist.RISK_WHEN_NO else 0) for n in checklist.YES_NO_ITEMS}
    people = [pr.Participant(center_id, f"X{n:06d}", 1940 + n % 20, 1 + n % 12, "女性") for n in range(count)]
    with db.write():
        records.add_many(db, people, today=today)
        ids = [row[0] for row in db.query("SELECT id FROM participants WHERE number GLOB 'X*'")]
        records.add_many(db, [pr.Attendance(pid, place_id, date(2024, 4, 1)) for pid in ids], today=today)
        records.add_many(db, [pr.FrailtyCheck(pid, day, **{**safe, "q1": n % 2}) for n, pid in enumerate(ids)
                              for day in (date(2024, 6, 1), date(2025, 6, 1))], today=today)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--extra", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="kaigo-bench-") as folder:
        with Database.open(Path(folder) / "demo.sqlite3", create=True, user="bench") as db:
            demo.create_demo(db, places=args.places, years=2, seed=1, today=today)
            _add_extra(db, args.extra, today)
            people = db.scalar("SELECT count(*) FROM participants")
            checks = db.scalar("SELECT count(*) FROM frailty_checks")
            first = db.scalar("SELECT id FROM participants ORDER BY number LIMIT 1")
            timings: dict[str, list[float]] = {"baseline": [], "screen": [], "record": []}
            for run in range(args.repeat):
                order = ("baseline", "screen") if run % 2 == 0 else ("screen", "baseline")
                for kind in order:
                    start = time.perf_counter()
                    if kind == "baseline":
                        participants.list_participants(db)
                    else:
                        participants_view.participant_list(db, ParticipantFilter(), today=today)
                    timings[kind].append(time.perf_counter() - start)
                start = time.perf_counter()
                participants.show_participant(db, first)
                timings["record"].append(time.perf_counter() - start)
            trashed = [row[0] for row in db.query("SELECT id FROM participants WHERE number GLOB 'X*'"
                                                  " ORDER BY number LIMIT ?", (max(1, args.extra // 10),))]
            with db.write():
                for participant_id in trashed:
                    participants.remove_participant(db, participant_id)
            timings.update(live=[], trash=[])
            for run in range(args.repeat):
                for kind in (("live", "trash") if run % 2 == 0 else ("trash", "live")):
                    start = time.perf_counter()
                    participants_view.participant_list(db, ParticipantFilter(deleted=kind == "trash"), today=today)
                    timings[kind].append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"demo --places {args.places}: {people} participants, {checks} checks")
    print(f"  list_participants (baseline):       {_median_ms(timings['baseline'])}")
    print(f"  participant_list (the screen's list): {_median_ms(timings['screen'])}")
    print(f"  show_participant (one record):       {_median_ms(timings['record'])}")
    print(f"  after {len(trashed)} to the trash — live list: {_median_ms(timings['live'])}")
    print(f"                       trash list ({len(trashed)}): {_median_ms(timings['trash'])}")
    print(f"  peak RSS {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
