"""Setting a database up for one 区市町村 (and optionally its first 地域包括支援センター)."""

from __future__ import annotations

from kaigo_desktop.domain import roles
from kaigo_desktop.domain.codes import normalize_municipality_code
from kaigo_desktop.domain.records import Center
from kaigo_desktop.services import records, rights
from kaigo_desktop.storage import lookups
from kaigo_desktop.storage.database import Database
from kaigo_desktop.storage.errors import StorageError
from kaigo_desktop.storage.settings_store import write_setting


class UnknownMunicipalityError(StorageError):
    kind = "unknown_municipality"


def municipality_code_from_user(text: str) -> str:
    return normalize_municipality_code(text)


def require_municipality(db: Database, code: str) -> str:
    municipality = lookups.municipality(db, code)
    if municipality is None:
        raise UnknownMunicipalityError(f"区市町村コード {code} は東京都の62区市町村にありません。")
    return municipality.name


def initialise(db: Database, municipality_code: str, center_name: str | None = None) -> str:
    """Idempotent: running it again on the same database changes nothing but the default."""
    rights.require(db, roles.ADMINISTER)
    name = require_municipality(db, municipality_code)
    with db.write():
        write_setting(db, "default_municipality", municipality_code)
        if center_name and not lookups.center_ids_by_name(db, municipality_code, center_name):
            center = records.add(db, Center(municipality_code=municipality_code, name=center_name))
            write_setting(db, "default_center", center.id)
    lines = [f"区市町村: {name}（{municipality_code}）"]
    if center_name:
        lines.append(f"地域包括支援センター: {center_name}")
    return "\n".join(lines)
