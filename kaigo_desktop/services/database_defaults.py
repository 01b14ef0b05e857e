"""The defaults that belong to a database, not to the person using it: the 区市町村 and the
地域包括支援センター new records start on. They are kept in the database's settings table (keys
`default_municipality`, `default_center`, written by `init` and the welcome dialog), so two databases keep
their own and the demo never takes the real database's. The person's own preferences (name, text size,
recent files) stay in QSettings (gui/context.UserSettings)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.services import rights
from kaigo_desktop.services.demo_mark import is_demo_database
from kaigo_desktop.storage import aggregates, lookups, master_queries
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.settings_store import delete_setting, write_setting

MUNICIPALITY_KEY = "default_municipality"
CENTER_KEY = "default_center"


@dataclass(frozen=True)
class DatabaseDefaults:
    municipality: str = ""  # 全国地方公共団体コード, "" when not set
    center: str = ""  # a center's id, "" when not set


def load(db: Database) -> DatabaseDefaults:
    return DatabaseDefaults(aggregates.setting(db, MUNICIPALITY_KEY) or "", aggregates.setting(db, CENTER_KEY) or "")


def center_to_preselect(center_ids: Sequence[str], default_center: str) -> str | None:
    """The センター a new record of a 区市町村 starts on (place, promoter): the database's default center when
    it is one of that 区市町村's (`center_ids`), else the only center there is; None (「（なし）」) otherwise."""
    if default_center and default_center in center_ids:
        return default_center
    return center_ids[0] if len(center_ids) == 1 else None


def save(db: Database, defaults: DatabaseDefaults) -> DatabaseDefaults:
    """Store the database's defaults (区市町村管理者 only). A center must be a live one of that 区市町村."""
    rights.require(db, roles.ADMINISTER)
    _check(db, defaults)
    with db.write():
        for key, value in ((MUNICIPALITY_KEY, defaults.municipality), (CENTER_KEY, defaults.center)):
            if value:
                write_setting(db, key, value)
            else:
                delete_setting(db, key)
    return load(db)


def _check(db: Database, defaults: DatabaseDefaults) -> None:
    if defaults.municipality and lookups.municipality(db, defaults.municipality) is None:
        raise UserFacingError(f"区市町村コード {defaults.municipality} は東京都の62区市町村にありません。",
                              field="municipality")
    if defaults.center and (
            not defaults.municipality or not lookups.is_live(db, "centers", defaults.center)
            or lookups.record_municipality(db, "centers", defaults.center) != defaults.municipality):
        raise UserFacingError("既定の地域包括支援センターは、既定の区市町村のセンターから選んでください。",
                              field="center")


def adopt_personal_defaults(db: Database, municipality: str, center: str) -> DatabaseDefaults:
    """Before 0.x the defaults were kept per person (QSettings), for whichever database was open. Which
    database they were chosen for cannot be known, so they are taken over only where they plainly fit: a
    database we may write, not the demo, that has no defaults of its own yet and holds records of that
    区市町村 (the center only when it is one of this database's centers of that 区市町村). Anything else keeps
    its own (possibly empty) defaults."""
    stored = load(db)
    if stored.municipality or not municipality or db.readonly or is_demo_database(db):
        return stored
    if municipality not in master_queries.municipalities_in_use(db):
        return stored
    center_id = _center_of(db, municipality, center)
    with db.write():
        write_setting(db, MUNICIPALITY_KEY, municipality)
        if center_id:
            write_setting(db, CENTER_KEY, center_id)
    return load(db)


def _center_of(db: Database, municipality: str, center: str) -> str:
    """The id of the live center of `municipality` that `center` names (an id, or a name as early versions
    kept), "" when none."""
    if not center:
        return ""
    if lookups.is_live(db, "centers", center):
        return center if lookups.record_municipality(db, "centers", center) == municipality else ""
    ids = lookups.center_ids_by_name(db, municipality, center)
    return ids[0] if len(ids) == 1 else ""
