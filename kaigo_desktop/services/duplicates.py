"""Likely duplicate places and promoters, and merging two records into one.

Two names are "similar" when domain.text.name_key makes them equal: full/half width, spaces, ひらがな/カタカナ
and common variants (ヶ/ケ, 髙/高 …) do not count. The GUI asks similar_places / similar_promoters when a record
is added; the importer warns about new names similar to stored ones.

merge_places / merge_promoters move everything that refers to the duplicate to the survivor in one
transaction (all or nothing) and leave the duplicate as a soft-deleted tombstone whose 備考 says where it
went; a dry run reports the same and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain import roles
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.fiscal import format_fiscal_year, format_wareki
from kaigo_desktop.domain.text import name_key
from kaigo_desktop.services import rights
from kaigo_desktop.storage import duplicate_queries, merge_queries, repository
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.duplicate_queries import NamedRecord

__all__ = ["MergeRefused", "MergeResult", "SimilarNames", "SimilarRecord", "merge_places", "merge_promoters",
           "similar_places", "similar_promoters"]

SimilarRecord = NamedRecord  # id, name, kana, municipality_code of a live record


# ---------------------------------------------------------------- finding

class SimilarNames:
    """Live records of one kind by name key, read once per municipality; records added later (by an
    import, in the same transaction) are told with add()."""

    def __init__(self, db: Database, read: Callable[[Database, str], list[NamedRecord]]):
        self._db = db
        self._read = read
        self._by_code: dict[str, dict[str, list[NamedRecord]]] = {}
        self._where: dict[str, tuple[str, str]] = {}  # id → (municipality, key) it is filed under

    def _index(self, municipality_code: str) -> dict[str, list[NamedRecord]]:
        index = self._by_code.get(municipality_code)
        if index is None:
            index = self._by_code[municipality_code] = {}
            for record in self._read(self._db, municipality_code):
                self._put(record)
        return index

    def find(self, municipality_code: str, name: str, exclude_id: str | None = None) -> list[NamedRecord]:
        key = name_key(name)
        if not key:
            return []
        return [record for record in self._index(municipality_code).get(key, []) if record.id != exclude_id]

    def add(self, record: NamedRecord) -> None:
        """A record added or renamed since the index was read (its old name no longer counts)."""
        self._index(record.municipality_code)
        old = self._where.get(record.id)
        if old is not None:
            code, key = old
            self._by_code[code][key] = [entry for entry in self._by_code[code][key] if entry.id != record.id]
        self._put(record)

    def _put(self, record: NamedRecord) -> None:
        key = name_key(record.name)
        self._by_code[record.municipality_code].setdefault(key, []).append(record)
        self._where[record.id] = (record.municipality_code, key)


def similar_places(db: Database, municipality_code: str, name: str,
                   exclude_id: str | None = None) -> list[SimilarRecord]:
    """Live places of the municipality whose name matches `name` after normalising (the same name
    included), except exclude_id (the place being edited)."""
    return SimilarNames(db, duplicate_queries.live_places).find(municipality_code, name, exclude_id)


def similar_promoters(db: Database, municipality_code: str, name: str,
                      exclude_id: str | None = None) -> list[SimilarRecord]:
    """Live promoters of the municipality whose name matches `name` after normalising."""
    return SimilarNames(db, duplicate_queries.live_promoters).find(municipality_code, name, exclude_id)


# ---------------------------------------------------------------- merging

class MergeRefused(UserFacingError):
    """The two records cannot be merged; the message (Japanese) says why. Nothing was written."""

    kind = "merge_refused"


@dataclass
class MergeResult:
    survivor_id: str
    duplicate_id: str
    survivor_name: str
    duplicate_name: str
    moved: dict[str, int] = field(default_factory=dict)  # Japanese record label → live records moved
    dropped: list[str] = field(default_factory=list)  # what was not moved, and why
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        """A short Japanese report for the GUI and the CLI."""
        moved = "、".join(f"{label} {count:,}件" for label, count in self.moved.items() if count) or "移す記録なし"
        verb = "統合できます（試行のみ、書き込みなし）" if self.dry_run else "統合しました"
        lines = [f"「{self.duplicate_name}」を「{self.survivor_name}」に{verb}: {moved}"]
        return "\n".join(lines + self.dropped + [f"注意: {warning}" for warning in self.warnings])


class _RollBack(Exception):
    pass


def _pair(db: Database, record_type: type, survivor_id: str, duplicate_id: str, label: str) -> tuple:
    if survivor_id == duplicate_id:
        raise MergeRefused(f"同じ{label}どうしは統合できません。")
    found = []
    for record_id in (survivor_id, duplicate_id):
        record = repository.find(db, record_type, record_id)
        if record is None or record.meta.deleted_at is not None:
            raise MergeRefused(f"統合する{label}が見つかりません（削除済みの可能性があります）: {record_id}")
        found.append(record)
    survivor, duplicate = found
    if survivor.municipality_code != duplicate.municipality_code:
        raise MergeRefused(f"区市町村が異なる{label}は統合できません（「{survivor.name}」と「{duplicate.name}」）。")
    return survivor, duplicate


def _note(survivor: r.Place | r.Promoter) -> str:
    return f"「{survivor.name}」に統合（ID: {survivor.id}）"


def _run(db: Database, dry_run: bool, body: Callable[[], None], operation: str = "") -> None:
    try:
        with db.write():
            db.audit_operation(operation)
            body()
            if dry_run:
                raise _RollBack
    except _RollBack:
        pass


def _move_assignments(db: Database, result: MergeResult, column: str) -> None:
    twins = merge_queries.assignments_also_held_by(db, column, result.survivor_id, result.duplicate_id)
    if twins:
        merge_queries.soft_delete_assignments(db, twins)
        result.dropped.append(f"同じ担当（同じ開始日）が両方にあった{len(twins):,}件は「{result.survivor_name}」の"
                              f"ものを残し、「{result.duplicate_name}」のものは{words.TRASH}へ移しました。")
    result.moved["担当"] = merge_queries.live_reference_count(db, "assignments", column, result.duplicate_id)
    merge_queries.move_references(db, "assignments", column, result.duplicate_id, result.survivor_id)


def merge_places(db: Database, survivor_id: str, duplicate_id: str, *, dry_run: bool = False) -> MergeResult:
    """Merge the place duplicate_id into survivor_id: its gatherings, 参加者実人数, 担当 and activities move to
    the survivor (where both have 参加者実人数 for a 年度, or the same 担当, the survivor's is kept and the
    duplicate's deleted, as the result says); the duplicate is soft-deleted with 「…」に統合 in its 備考.
    Raises MergeRefused (nothing written) when the two cannot be merged."""
    rights.require(db, roles.ADMINISTER)
    survivor, duplicate = _pair(db, r.Place, survivor_id, duplicate_id, words.PLACE)
    outside = merge_queries.gatherings_outside(db, duplicate.id, survivor.start_date, survivor.end_date)
    if outside:
        period = "〜".join(format_wareki(d) if d else "" for d in (survivor.start_date, survivor.end_date))
        raise MergeRefused(
            f"「{duplicate.name}」の開催記録のうち{outside:,}件が「{survivor.name}」の開設期間（{period}）の外に"
            f"あるため統合できません。先に「{survivor.name}」の開始日・終了日を直してください。")
    result = MergeResult(survivor.id, duplicate.id, survivor.name, duplicate.name, dry_run=dry_run)

    def body() -> None:
        _move_place_references(db, result)
        merge_queries.tombstone(db, "places", duplicate.id, _note(survivor))

    _run(db, dry_run, body, f"統合: 「{duplicate.name}」を「{survivor.name}」に")
    return result


def _move_place_references(db: Database, result: MergeResult) -> None:
    for table, label in (("gatherings", words.GATHERING), ("activities", words.ACTIVITY)):
        result.moved[label] = merge_queries.live_reference_count(db, table, "place_id", result.duplicate_id)
        merge_queries.move_references(db, table, "place_id", result.duplicate_id, result.survivor_id)
    _move_assignments(db, result, "place_id")
    _move_members(db, result)


def _move_promoter_references(db: Database, result: MergeResult) -> None:
    for table, label in (("gatherings", words.GATHERING), ("activities", words.ACTIVITY)):
        result.moved[label] = merge_queries.live_reference_count(db, table, "promoter_id", result.duplicate_id)
        merge_queries.move_references(db, table, "promoter_id", result.duplicate_id, result.survivor_id)
    _move_assignments(db, result, "promoter_id")


def _move_center_references(db: Database, result: MergeResult) -> None:
    for table, label in (("places", words.PLACE), ("promoters", words.PROMOTER)):
        result.moved[label] = merge_queries.live_reference_count(db, table, "center_id", result.duplicate_id)
        merge_queries.move_references(db, table, "center_id", result.duplicate_id, result.survivor_id)


def move_references(db: Database, table: str, from_id: str, to_id: str, from_name: str, to_name: str) -> MergeResult:
    """Move what refers to the place or promoter from_id over to to_id, whether or not from_id is already in
    the trash (two PCs made the same place under one name and a person chose which record stays)."""
    result = MergeResult(to_id, from_id, to_name, from_name)
    mover = {"places": _move_place_references, "promoters": _move_promoter_references,
             "centers": _move_center_references}.get(table)
    if mover is not None:
        with db.write():
            mover(db, result)
    return result


def _move_members(db: Database, result: MergeResult) -> None:
    """参加者実人数 is one per place and 年度 (its id is made from both): the duplicate's rows are deleted and
    made again on the survivor, unless the survivor has that 年度 already (then the survivor's is kept)."""
    kept = {m.fiscal_year: m for m in merge_queries.live_members(db, result.survivor_id)}
    moved = 0
    for members in merge_queries.live_members(db, result.duplicate_id):
        repository.soft_delete(db, r.Members, members.id)
        survivor_members = kept.get(members.fiscal_year)
        if survivor_members is not None:
            result.dropped.append(
                f"{format_fiscal_year(members.fiscal_year)}の参加者実人数は両方にあるため、「{result.survivor_name}」の"
                f"値（{survivor_members.total:,}人）を残し、「{result.duplicate_name}」の値（{members.total:,}人）は"
                f"{words.TRASH}へ移しました。")
            continue
        repository.insert(db, replace(members, place_id=result.survivor_id, id=""))
        moved += 1
    result.moved["参加者実人数"] = moved


def merge_promoters(db: Database, survivor_id: str, duplicate_id: str, *, dry_run: bool = False) -> MergeResult:
    """Merge the promoter duplicate_id into survivor_id: the gatherings naming them, their 担当 and their
    activities move to the survivor (the same 担当 on both: the survivor's is kept); the duplicate is
    soft-deleted with 「…」に統合 in its 備考. Activities outside the survivor's 配置期間 are a warning.
    Raises MergeRefused (nothing written) when the two cannot be merged."""
    rights.require(db, roles.ADMINISTER)
    survivor, duplicate = _pair(db, r.Promoter, survivor_id, duplicate_id, words.PROMOTER)
    result = MergeResult(survivor.id, duplicate.id, survivor.name, duplicate.name, dry_run=dry_run)
    outside = merge_queries.activities_outside(db, duplicate.id, survivor.start_date, survivor.end_date)
    if outside:
        result.warnings.append(f"「{duplicate.name}」の活動記録のうち{outside:,}件は「{survivor.name}」の配置期間の"
                               "外になります。配置期間か活動日を確認してください。")

    def body() -> None:
        _move_promoter_references(db, result)
        merge_queries.tombstone(db, "promoters", duplicate.id, _note(survivor))

    _run(db, dry_run, body, f"統合: 「{duplicate.name}」を「{survivor.name}」に")
    return result
