"""What the 通いの場 screen reads and writes: the searched, filtered and sorted list (in SQL), one place with
the promoters assigned to it, the choices of its form, and saving, removing and restoring a place."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date

from kaigo_desktop.domain.records import Municipality, Place
from kaigo_desktop.domain.text import to_katakana
from kaigo_desktop.domain.validation import FieldError, ValidationFailed
from kaigo_desktop.domain.vocab import PLACE_STATUSES, mask_to_programs, program_bit
from kaigo_desktop.services import records
from kaigo_desktop.services.database_defaults import center_to_preselect
from kaigo_desktop.services.validators import validate
from kaigo_desktop.storage import lookups, place_queries
from kaigo_desktop.storage.database import Database

SORT_KEYS: tuple[str, ...] = tuple(place_queries.PLACE_LIST_SORTS)
_PROGRAMS_BY_MASK = {mask: mask_to_programs(mask) for mask in range(32)}


@dataclass(frozen=True)
class PlaceQuery:
    """One state of the screen's search box, filters and sort."""

    text: str = ""  # words separated by spaces; each must appear in the name, kana or address
    municipality_code: str | None = None
    center_id: str | None = None
    program: str | None = None  # a program code: places offering it
    status: str | None = None
    deleted: bool = False  # True lists the trash
    order_by: str = "kana"
    descending: bool = False


@dataclass(slots=True)  # not frozen: a frozen dataclass is slower to build, and 10,000 are built per keystroke
class PlaceListRow:
    """One line of the table; fields in the order of storage.place_queries.LIST_COLUMNS."""

    id: str
    name: str
    kana: str
    municipality_code: str
    municipality_name: str
    center_id: str | None
    center_name: str
    address: str
    programs: tuple[str, ...]
    status: str
    start_date: date | None
    end_date: date | None
    deleted_at: str | None


@dataclass(frozen=True)
class CenterChoice:
    id: str
    municipality_code: str
    name: str


@dataclass(frozen=True)
class PlaceFieldChoices:
    """Everything the filters and the form offer to choose from."""

    municipalities: list[Municipality]
    centers: list[CenterChoice]
    venue_kinds: list[str]
    operator_kinds: list[str]
    main_activities: list[str]
    frequencies: list[str]
    statuses: tuple[str, ...] = PLACE_STATUSES

    def centers_of(self, municipality_code: str | None) -> list[CenterChoice]:
        return [c for c in self.centers if municipality_code is None or c.municipality_code == municipality_code]


@dataclass(frozen=True)
class AssignedPromoter:
    name: str
    start_date: date
    end_date: date | None
    promoter_deleted: bool = False


@dataclass(frozen=True)
class PlaceDetail:
    place: Place
    center_name: str = ""  # also for a center that has since gone to the trash
    promoters: list[AssignedPromoter] = field(default_factory=list)


def search_terms(text: str) -> list[tuple[str, str]]:
    """(as typed, as katakana) per word; half-width katakana is widened first (ｻｸﾗ → サクラ) so it meets the
    stored kana. Words split on any space, the IME's full-width one included."""
    return [(word, to_katakana(unicodedata.normalize("NFKC", word))) for word in text.split()]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def find_places(db: Database, query: PlaceQuery) -> list[PlaceListRow]:
    """The rows the table shows for one keystroke: filtered and sorted in SQL."""
    rows = place_queries.place_list(
        db, terms=search_terms(query.text), municipality_code=query.municipality_code,
        center_id=query.center_id, program_bit=program_bit(query.program) if query.program else 0,
        status=query.status, deleted=query.deleted, order_by=query.order_by, descending=query.descending)
    # Positional: the storage columns are the first fields of PlaceListRow, in the same order.
    return [PlaceListRow(*row[:8], _PROGRAMS_BY_MASK[row[8]], row[9], _day(row[10]), _day(row[11]), row[12])
            for row in rows]


def place_choices(db: Database) -> PlaceFieldChoices:
    return PlaceFieldChoices(
        municipalities=lookups.municipalities(db),
        centers=[CenterChoice(row["id"], row["municipality_code"], row["name"])
                 for row in place_queries.live_centers(db)],
        venue_kinds=lookups.vocabulary(db, "venue_kinds"),
        operator_kinds=lookups.vocabulary(db, "operator_kinds"),
        main_activities=lookups.vocabulary(db, "main_activity_kinds"),
        frequencies=lookups.vocabulary(db, "frequency_buckets"),
    )


def place_detail(db: Database, place_id: str) -> PlaceDetail:
    place = records.get(db, Place, place_id)
    center_name = ""
    if place.center_id:
        center_name = place_queries.center_names(db, [place.center_id]).get(place.center_id, "")
    promoters = [AssignedPromoter(row["promoter_name"], date.fromisoformat(row["start_date"]),
                                  _day(row["end_date"]), row["promoter_deleted_at"] is not None)
                 for row in place_queries.place_assignments(db, place_id)]
    return PlaceDetail(place, center_name, promoters)


def place_with_promoters(db: Database, query: PlaceQuery, *, look_at: int = 200) -> str | None:
    """The first listed place that has promoters assigned (else the first one): a full example of the
    form, for screenshots."""
    rows = find_places(db, query)
    for row in rows[:look_at]:
        if place_queries.place_assignments(db, row.id):
            return row.id
    return rows[0].id if rows else None


def new_place(choices: PlaceFieldChoices, *, default_municipality: str = "", default_center: str = "",
              today: date | None = None) -> Place:
    """A blank place with the user's defaults. The settings may hold a code or a name for the 区市町村 and
    an id or a name for the センター; whatever does not match is left unchosen."""
    municipality = next((m for m in choices.municipalities
                         if default_municipality and default_municipality in (m.code, m.name)), None)
    code = municipality.code if municipality else ""
    center = next((c for c in choices.centers_of(code or None)
                   if default_center and default_center in (c.id, c.name)), None)
    if center is not None and not code:
        code = center.municipality_code
    center_id = center.id if center else None
    if code and center_id is None:  # no default center there: the only one, when there is one
        center_id = center_to_preselect([c.id for c in choices.centers_of(code)], "")
    return Place(code, "", center_id=center_id, start_date=today or date.today())


def _duplicate_name(db: Database, place: Place) -> list[FieldError]:
    if not place.municipality_code or not place.name.strip():
        return []
    others = [i for i in lookups.place_ids_by_name(db, place.municipality_code, place.name) if i != place.id]
    if others:
        return [FieldError("name", f"同じ区市町村に「{place.name}」という通いの場が既にあります。")]
    return []


def kana_for_sorting(kana: str) -> str:
    """Kana is stored in full-width katakana whatever was typed (ひらがな, ﾊﾝｶｸ), so that the list sorts
    by reading: hiragana would otherwise sort before every katakana name."""
    return to_katakana(unicodedata.normalize("NFKC", kana)).strip()


def save_place(db: Database, place: Place, *, today: date | None = None) -> Place:
    """Add (no id yet) or update; ValidationFailed names every problem, an unchosen 区市町村 and a name
    already used in the 区市町村 included. The name is trimmed and the kana made katakana."""
    place = replace(place, name=place.name.strip(), kana=kana_for_sorting(place.kana))
    errors = validate(db, place, today)
    if not place.municipality_code:  # say "choose one" rather than "code '' is not in Tokyo"
        errors = [e for e in errors if e.field != "municipality_code"]
        errors.append(FieldError("municipality_code", "区市町村を選んでください。"))
    errors += _duplicate_name(db, place)
    if errors:
        raise ValidationFailed(errors)
    return records.update(db, place, today=today) if place.id else records.add(db, place, today=today)


def remove_place(db: Database, place_id: str) -> None:
    """To the trash; the place keeps its gatherings and can be restored."""
    records.remove(db, Place, place_id)


def restore_place(db: Database, place_id: str) -> Place:
    """Back from the trash; refused (ValidationFailed on name) when a live place of the same 区市町村 has
    taken its name meanwhile."""
    place = records.get(db, Place, place_id)
    if _duplicate_name(db, place):
        raise ValidationFailed(FieldError(
            "name", f"同じ区市町村に「{place.name}」という通いの場が既にあるため、元に戻せません。"
                    "先に今ある方の名称を変えてください。"))
    records.restore(db, Place, place_id)
    return records.get(db, Place, place_id)
