"""Every refusal a service explains to the user is a UserFacingError with its own kind, raised in a real
situation: the GUI's operations tell it from a bug with one isinstance and branch on `kind`, never on the
wording; those that code catches as ValueError still are one (so the CLI's exit codes stay as they were)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain.errors import UserFacingError
from kaigo_desktop.domain.records import Place
from kaigo_desktop.services import bundle_crypto, bundle_format, bundle_signing, demo, duplicates, records
from kaigo_desktop.services import exchange, output_files, report_data, setup
from kaigo_desktop.storage.database import Database

CHIYODA, SHINJUKU = "131016", "131041"


def _refusal(action) -> UserFacingError:
    with pytest.raises(UserFacingError) as caught:
        action()
    return caught.value


def _place(db: Database, name: str, code: str = CHIYODA) -> Place:
    return records.add(db, Place(code, name, start_date=date(2024, 4, 1)), today=date(2025, 4, 1))


def test_demo_data_into_a_database_with_real_records(db: Database) -> None:
    _place(db, "さくら体操の会")
    refusal = _refusal(lambda: demo.create_demo(db, places=2, years=1))
    assert isinstance(refusal, demo.NotADemoDatabaseError) and refusal.kind == "not_a_demo_database"
    assert isinstance(refusal, ValueError)


def test_an_output_over_the_database_itself(db: Database) -> None:
    refusal = _refusal(lambda: output_files.check_output_path(db.path, db, force=True))
    assert isinstance(refusal, output_files.OutputRefused) and refusal.kind == "output_refused"
    assert isinstance(refusal, ValueError)


def test_merging_places_of_two_municipalities(db: Database) -> None:
    one, other = _place(db, "さくら体操の会"), _place(db, "さくら体操の会", SHINJUKU)
    refusal = _refusal(lambda: duplicates.merge_places(db, one.id, other.id))
    assert isinstance(refusal, duplicates.MergeRefused) and refusal.kind == "merge_refused"


def test_a_report_for_a_municipality_not_in_tokyo(db: Database) -> None:
    refusal = _refusal(lambda: report_data.municipality_label(db, "999999"))
    assert refusal.kind == "report_input"
    refusal = _refusal(lambda: setup.require_municipality(db, "999999"))
    assert refusal.kind == "unknown_municipality"


def test_a_bundle_that_is_not_one(db: Database, tmp_path: Path) -> None:
    refusal = _refusal(lambda: bundle_format.unpack(b"PK\x03\x04 not a zip at all"))
    assert isinstance(refusal, bundle_format.FormatError) and refusal.kind == "bundle_format"
    assert isinstance(refusal, ValueError)
    path = tmp_path / "broken.kaigo"
    path.write_bytes(b"not a bundle")
    refusal = _refusal(lambda: exchange.import_bundle(db, path))
    assert isinstance(refusal, exchange.BundleError) and refusal.kind == "bundle"


def test_a_wrong_passphrase_and_a_changed_signature(db: Database) -> None:
    sealed = bundle_crypto.encrypt(b"content", "正しい合言葉")
    refusal = _refusal(lambda: bundle_crypto.decrypt(sealed, "違う合言葉"))
    assert isinstance(refusal, bundle_crypto.PassphraseError) and refusal.kind == "passphrase"
    signature = bundle_signing.signature_member(db, b"{}", b"content")
    refusal = _refusal(lambda: bundle_signing.verify(signature, b"{}", b"changed"))
    assert isinstance(refusal, bundle_signing.SignatureError) and refusal.kind == "signature"


def test_a_trust_file_that_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "trust.kaigo-trust"
    path.write_bytes(b"garbage")
    refusal = _refusal(lambda: bundle_signing.read_trust_file(path))
    assert isinstance(refusal, bundle_signing.TrustError) and refusal.kind == "trust"


def test_every_refusal_kind_is_its_own() -> None:
    classes = [output_files.OutputRefused, bundle_format.FormatError, bundle_signing.SignatureError,
               bundle_signing.TrustError, bundle_signing.UnknownPcError, bundle_crypto.PassphraseError,
               bundle_crypto.SettingsError, duplicates.MergeRefused, demo.NotADemoDatabaseError,
               report_data.ReportInputError, setup.UnknownMunicipalityError, exchange.BundleError,
               exchange.SameDatabaseError, exchange.UnknownPcError, exchange.PassphraseError,
               exchange.ConflictError]
    assert all(issubclass(cls, UserFacingError) for cls in classes)
    kinds = [cls.kind for cls in classes]
    assert "error" not in kinds
    # an unknown PC and a wrong passphrase are each one situation, seen from the bundle and from exchange
    assert len(set(kinds)) == len(kinds) - 2
    assert exchange.UnknownPcError.kind == bundle_signing.UnknownPcError.kind
    assert exchange.PassphraseError.kind == bundle_crypto.PassphraseError.kind
