"""Three databases (two centers, one municipality) make random adds, edits, deletes, restores and natural-key
entries and renames offline, with clocks that may be hours apart, and exchange bundles in random orders; in the end, once the municipality has settled the conflicts and everyone has
received everything, all three hold the same records, repeated imports change nothing, and every version
that left a PC is either kept, superseded by a later edit of it, or written down in a conflict."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import json
import shutil
import tempfile
import uuid
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import exchange as ex
from kaigo_desktop.storage import database as database_module
from kaigo_desktop.storage import repository as repo
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import ConstraintError
from tests.exchange.test_exchange import _records, trust_each_other

NAMES = ("さくら会", "ひまわり会", "すみれ会")
PCS = ("a", "b", "town")
MUNICIPALITIES = ("131016", "131041")  # 千代田区, 新宿区: bundles may be filtered to one of them
_TEMPLATE: list[Path] = []


def _template() -> Path:
    if not _TEMPLATE:
        path = Path(tempfile.mkdtemp()) / "template.sqlite3"
        with Database.open(path, create=True) as db:
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


_CLOCK_SKEW_HOURS: contextvars.ContextVar[int] = contextvars.ContextVar("clock_skew_hours", default=0)


def _skewed_utc_now() -> str:
    at = datetime.now(timezone.utc) + timedelta(hours=_CLOCK_SKEW_HOURS.get())
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _skewed_writes(write, hours):
    """Database.write of one PC, stamping its transactions with that PC's (wrong) clock."""
    @contextlib.contextmanager
    def skewed():
        token = _CLOCK_SKEW_HOURS.set(hours())
        try:
            with write() as stamp:
                yield stamp
        finally:
            _CLOCK_SKEW_HOURS.reset(token)
    return skewed


class Exchange(RuleBasedStateMachine):
    @initialize()
    def open_databases(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        self.dbs: dict[str, Database] = {}
        for name in PCS:
            path = self.folder / f"{name}.sqlite3"
            shutil.copyfile(_template(), path)
            db = Database.open(path, user=name)
            with db.write():
                db.conn.execute("UPDATE db_meta SET value = ? WHERE key = 'database_id'", (str(uuid.uuid4()),))
            db.database_id = db.meta("database_id")
            self.dbs[name] = db
        trust_each_other(*self.dbs.values())
        self.skew: dict[str, int] = {name: 0 for name in PCS}
        self._real_utc_now = database_module.utc_now
        database_module.utc_now = _skewed_utc_now
        for name, db in self.dbs.items():
            db.write = _skewed_writes(db.write, lambda name=name: self.skew[name])
        self.mailbox: dict[str, list[Path]] = {name: [] for name in PCS}
        self.sent_versions: set[tuple[str, str, str]] = set()
        self.imported: list[tuple[str, Path]] = []
        # Shared records from the start (the town's places, sent to both centers), so both sides edit them.
        town = self.dbs["town"]
        for name in ("共有の会", "共有の場"):
            place = repo.insert(town, r.Place(id="", municipality_code="131016", name=name))
            for total in (5, 8):
                repo.insert(town, r.Gathering(id="", place_id=place.id, held_on=date(2024, 5, 1),
                                              attendance_total=total))
        for center in ("a", "b"):
            self._export("town", center)
            ex.import_bundle(self.dbs[center], self.mailbox[center].pop())

    def teardown(self) -> None:
        if hasattr(self, "_real_utc_now"):
            database_module.utc_now = self._real_utc_now
        for db in getattr(self, "dbs", {}).values():
            db.close()
        shutil.rmtree(getattr(self, "folder", "/nonexistent"), ignore_errors=True)

    def _live(self, pc: str, table: str) -> list[str]:
        return [row[0] for row in self.dbs[pc].query(f"SELECT id FROM {table} WHERE deleted_at IS NULL ORDER BY id")]

    @rule(pc=st.sampled_from(PCS), name=st.sampled_from(NAMES), municipality=st.sampled_from(MUNICIPALITIES))
    def add_place(self, pc: str, name: str, municipality: str = "131016") -> None:
        try:
            repo.insert(self.dbs[pc], r.Place(id="", municipality_code=municipality, name=name))
        except ConstraintError:
            pass  # that name is taken on this PC

    @rule(pc=st.sampled_from(PCS), data=st.data(), total=st.integers(0, 30))
    def add_gathering(self, pc: str, data, total: int) -> None:
        places = self._live(pc, "places")
        if places:
            place = data.draw(st.sampled_from(places))
            repo.insert(self.dbs[pc], r.Gathering(id="", place_id=place, held_on=date(2024, 6, 1),
                                                  attendance_total=total))

    @rule(pc=st.sampled_from(PCS), data=st.data(), table=st.sampled_from(["places", "gatherings"]),
          notes=st.sampled_from(["", "雨天", "体操", "会場変更"]))
    def edit(self, pc: str, data, table: str, notes: str) -> None:
        ids = self._live(pc, table)
        if ids:
            kind = r.Place if table == "places" else r.Gathering
            record = repo.get(self.dbs[pc], kind, data.draw(st.sampled_from(ids)))
            repo.update(self.dbs[pc], dataclasses.replace(record, notes=notes))

    @rule(pc=st.sampled_from(PCS), data=st.data(), name=st.sampled_from(NAMES))
    def rename_place(self, pc: str, data, name: str) -> None:
        ids = self._live(pc, "places")
        if ids:
            place = repo.get(self.dbs[pc], r.Place, data.draw(st.sampled_from(ids)))
            try:
                repo.update(self.dbs[pc], dataclasses.replace(place, name=name))
            except ConstraintError:
                pass  # that name is taken on this PC

    @rule(pc=st.sampled_from(PCS), figure=st.sampled_from([12000, 12100]))
    def enter_population(self, pc: str, figure: int) -> None:
        # a natural-key record: the same 区市町村 and 年度 is one record (one id) on every PC
        repo.insert(self.dbs[pc], r.Population("131016", 2024, figure))

    @rule(pc=st.sampled_from(PCS), data=st.data())
    def delete_gathering(self, pc: str, data) -> None:
        ids = self._live(pc, "gatherings")
        if ids:
            repo.soft_delete(self.dbs[pc], r.Gathering, data.draw(st.sampled_from(ids)))

    @rule(pc=st.sampled_from(PCS), data=st.data())
    def restore_gathering(self, pc: str, data) -> None:
        ids = [row[0] for row in self.dbs[pc].query(
            "SELECT id FROM gatherings WHERE deleted_at IS NOT NULL ORDER BY id")]
        if ids:
            repo.restore(self.dbs[pc], r.Gathering, data.draw(st.sampled_from(ids)))

    @rule(pc=st.sampled_from(PCS), hours=st.sampled_from([0, -3, 5]))
    def set_clock(self, pc: str, hours: int) -> None:
        """PCs' clocks disagree by hours: later edits may carry earlier times."""
        self.skew[pc] = hours

    def _export(self, src: str, dst: str, municipality: str | None = None) -> None:
        path = self.folder / f"{src}-to-{dst}-{uuid.uuid4().hex[:8]}.kaigo"
        ex.export_bundle(self.dbs[src], path, destination=dst, municipality=municipality)
        with zipfile.ZipFile(path) as bundle:
            for table, block in json.loads(bundle.read("content.json"))["tables"].items():
                cols = block["columns"]
                for row in block["rows"]:
                    row = dict(zip(cols, row))
                    self.sent_versions.add((table, row["id"], f"{row['updated_at']}|{row['origin_db']}"))
        self.mailbox[dst].append(path)

    @rule(src=st.sampled_from(PCS), dst=st.sampled_from(PCS))
    def export(self, src: str, dst: str) -> None:
        if src != dst:
            self._export(src, dst)

    @rule(src=st.sampled_from(PCS), dst=st.sampled_from(PCS), municipality=st.sampled_from(MUNICIPALITIES))
    def export_one_municipality(self, src: str, dst: str, municipality: str) -> None:
        if src != dst:
            self._export(src, dst, municipality)

    @precondition(lambda self: any(self.mailbox.values()))
    @rule(data=st.data())
    def deliver(self, data) -> None:
        dst = data.draw(st.sampled_from([pc for pc in PCS if self.mailbox[pc]]))
        path = self.mailbox[dst].pop(data.draw(st.integers(0, len(self.mailbox[dst]) - 1)))
        ex.import_bundle(self.dbs[dst], path)
        self.imported.append((dst, path))

    @precondition(lambda self: bool(getattr(self, "imported", None)))
    @rule(data=st.data())
    def import_again_changes_nothing(self, data) -> None:
        dst, path = data.draw(st.sampled_from(self.imported))
        before = _records(self.dbs[dst])
        assert ex.import_bundle(self.dbs[dst], path).already_imported
        assert _records(self.dbs[dst]) == before

    @rule(keep=st.sampled_from(["local", "incoming"]))
    def town_resolves(self, keep: str) -> None:
        for conflict in ex.list_conflicts(self.dbs["town"]):
            try:
                ex.resolve_conflict(self.dbs["town"], conflict.id, keep=keep)
            except ex.ConflictError:
                pass

    def _deliver_all(self) -> None:
        for dst in PCS:
            while self.mailbox[dst]:
                ex.import_bundle(self.dbs[dst], self.mailbox[dst].pop())

    def teardown_check(self) -> None:
        # centers send to the town; the town settles; everyone sends to everyone until nothing moves
        for _ in range(6):
            for src in PCS:
                for dst in PCS:
                    if src != dst:
                        self._export(src, dst)
            self._deliver_all()
            for conflict in ex.list_conflicts(self.dbs["town"]):
                if conflict.id not in {c.id for c in ex.list_conflicts(self.dbs["town"])}:
                    continue  # settled by resolving another (the same record or its namesake)
                try:
                    ex.resolve_conflict(self.dbs["town"], conflict.id, keep="incoming")
                except ex.ConflictError:  # e.g. a rename into a name still taken: keep ours
                    ex.resolve_conflict(self.dbs["town"], conflict.id, keep="local")
        records = {pc: _records(self.dbs[pc]) for pc in PCS}
        assert records["a"] == records["town"] == records["b"]
        for db in self.dbs.values():  # the town's resolutions settle the same conflicts at the centers
            assert [c for c in ex.list_conflicts(db) if c.reason == "both_changed"] == []
        town = self.dbs["town"]
        kept = set()
        for table, row_id, at, origin, ancestors in town.query(
                "SELECT table_name, row_id, updated_at, origin_db, ancestors FROM exchange_base"):
            kept.add((table, row_id, f"{at}|{origin}"))
            kept.update((table, row_id, version) for version in json.loads(ancestors))
        recorded = set()
        for db in self.dbs.values():
            for conflict in ex.list_conflicts(db, include_resolved=True):
                for side in (conflict.local, conflict.incoming):
                    if side:
                        recorded.add((conflict.table, side["id"], f"{side['updated_at']}|{side['origin_db']}"))
        lost = self.sent_versions - kept - recorded
        assert not lost, f"versions lost without a conflict: {sorted(lost)[:5]}"


def test_three_pcs_converge() -> None:
    class Run(Exchange):
        def teardown(self) -> None:
            try:
                if hasattr(self, "dbs"):
                    self.teardown_check()
            finally:
                Exchange.teardown(self)

    Run.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None,
                                     suppress_health_check=list(HealthCheck))
    Run.TestCase().runTest()
