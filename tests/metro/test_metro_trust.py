"""東京都 trusting a 区市町村's key (the trust file of `bundle trust export`): the fingerprint read out must match,
a key serves one 区市町村 only, trusting again changes nothing, and the 区市町村 can be read from the file's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaigo_desktop.services import bundle_signing, metro, setup
from kaigo_desktop.storage.database import Database
from tests.metro_data import Source


def test_a_key_is_trusted_for_one_municipality(sources: list[Source], metro_db: Database) -> None:
    first, second = sources[0], sources[1]
    again = metro.trust_municipality_key(metro_db, first.code, first.trust_file, None)
    assert len(metro.trusted_municipalities(metro_db)) == 3 and again.municipality_code == first.code
    with pytest.raises(metro.MetroError, match="別の区市町村"):
        metro.trust_municipality_key(metro_db, second.code, first.trust_file, None)
    with pytest.raises(metro.MetroError, match="指紋が一致しません"):
        metro.trust_municipality_key(metro_db, "131016", first.trust_file, "0000-0000-0000-0000-0000")
    with pytest.raises(setup.UnknownMunicipalityError):
        metro.trust_municipality_key(metro_db, "139999", first.trust_file, None)


def test_the_municipality_is_read_from_the_trust_files_name(tmp_path: Path) -> None:
    city = Database.open(tmp_path / "city.sqlite3", create=True, user="区")
    setup.initialise(city, "131016", "神田地域包括支援センター")
    bundle_signing.save_trust_file(city, tmp_path / "trust.json")
    fingerprint = bundle_signing.own_signer(city).fingerprint
    city.close()
    with Database.open(tmp_path / "tokyo.sqlite3", create=True, user="都") as tokyo:
        metro.init_metro(tokyo)
        code = metro.municipality_of_trust_file(tokyo, tmp_path / "trust.json")
        assert code == "131016"
        key = metro.trust_municipality_key(tokyo, code, tmp_path / "trust.json", fingerprint.lower())
        assert key.fingerprint == fingerprint
        (tmp_path / "other.json").write_text("{}", encoding="utf-8")
        with pytest.raises(metro.MetroError):
            metro.municipality_of_trust_file(tokyo, tmp_path / "other.json")
