"""Issue 18's evidence: three 区市町村 databases (demo data) export signed submissions into one 東京都 database;
the evaluation sheet's counts equal a recomputation written here in SQL against the three source databases; a
tampered or foreign-signed submission is refused whole; a replaced submission is counted once."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest

from kaigo_desktop.domain import rules
from kaigo_desktop.domain.fiscal import fiscal_year_range
from kaigo_desktop.services import metro, submissions
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.services.stats import fiscal_year_stats
from kaigo_desktop.services.submission_format import SubmissionError
from kaigo_desktop.storage.database import Database
from tests.metro_data import DECLARED, FY, Source


def _export(source: Source, out: Path, fiscal_year: int = FY, declare: bool = True) -> submissions.SubmissionExported:
    with Database.open(source.path, user="区担当") as db:
        index = int(source.path.stem[-1])
        if declare:
            offered, users = DECLARED[index]
            submissions.set_short_term_service_declaration(db, fiscal_year, source.code, offered, users)
        return submissions.export_submission(db, fiscal_year, source.code, out)


def _export_all(sources: list[Source], folder: Path, fiscal_year: int = FY) -> list[Path]:
    paths = []
    for source in sources:
        out = folder / f"{source.code}-{fiscal_year}.kaigo-sub"
        _export(source, out, fiscal_year)
        paths.append(out)
    return paths


# ---- the recomputation: plain SQL on each source database ------------------------------------------------

def _recomputed(source: Source, fiscal_year: int) -> dict:
    start, end = (d.isoformat() for d in fiscal_year_range(fiscal_year))
    march = (f"{fiscal_year + 1}-03-01", f"{fiscal_year + 1}-03-31")
    conn = sqlite3.connect(source.path)
    all_programs = conn.execute("SELECT SUM(bit) FROM program_types").fetchone()[0]
    masks = [row[0] for row in conn.execute(
        "SELECT p.programs FROM places p WHERE p.municipality_code = ? AND p.deleted_at IS NULL"
        " AND (p.start_date IS NULL OR p.start_date <= ?) AND (p.end_date IS NULL OR p.end_date >= ?)"
        " AND EXISTS (SELECT 1 FROM gatherings g WHERE g.place_id = p.id AND g.deleted_at IS NULL"
        "             AND g.held_on BETWEEN ? AND ?)", (source.code, end, start, *march))]
    offered = 0
    for mask in masks:
        offered |= mask
    promoters = conn.execute(
        "SELECT COUNT(*) FROM promoters WHERE municipality_code = ? AND deleted_at IS NULL AND start_date <= ?"
        " AND (end_date IS NULL OR end_date >= ?)", (source.code, end, start)).fetchone()[0]
    declared = conn.execute("SELECT offered, users FROM short_term_service_declarations"
                            " WHERE fiscal_year = ? AND municipality_code = ?", (fiscal_year, source.code)).fetchone()
    population = conn.execute("SELECT SUM(population_65_plus) FROM population WHERE fiscal_year = ?"
                              " AND municipality_code = ?", (fiscal_year, source.code)).fetchone()[0]
    conn.close()
    return {"1": offered & all_programs == all_programs, "2": promoters >= 1,
            "3": bool(declared and declared[0] and (declared[1] or 0) >= 1), "population": population}


def test_the_sheet_counts_what_the_sources_hold(sources: list[Source], metro_db: Database, tmp_path: Path) -> None:
    files = _export_all(sources, tmp_path)
    imported = metro.import_submissions(metro_db, files)
    assert sorted(i.municipality_code for i in imported) == sorted(s.code for s in sources)
    sheet = metro.evaluation_sheet(metro_db, FY)

    expected = {item: sorted(s.code for s in sources if _recomputed(s, FY)[item]) for item in ("1", "2", "3")}
    for item in ("1", "2", "3"):
        got = sheet.items[FY][item]
        assert got.municipalities == expected[item], item
        assert got.actual == len(expected[item])
    assert expected["3"] == [sources[0].code]  # declared with 4 users; 0 users and not offered are not counted
    assert expected["2"], "the demo data places promoters: 事項2 must count someone"
    assert 0 < len(expected["1"]) < len(sources), "事項1 must tell the sources apart to prove anything"
    # Nothing was submitted for the two 年度 before: they are counted, as zero.
    assert all(sheet.items[FY - 2][item].actual == 0 for item in ("1", "2", "3"))
    assert sheet.submitted == sorted(s.code for s in sources)
    assert len(sheet.missing) == 59 and not set(sheet.missing) & set(sheet.submitted)

    # Tokyo's 週1回以上参加率 = Σ participants ÷ Σ 65歳以上人口 (not a mean of the 区市町村 rates).
    weekly = population = 0
    for source in sources:
        with Database.open(source.path, readonly=True) as db:
            stats = fiscal_year_stats(db, FY, source.code)
        expected_rate = rules.participation_rate(stats.members_65_plus_weekly, stats.population_65_plus)
        assert sheet.indicators["weekly_participation_rate"].by_municipality[source.code] == expected_rate
        weekly += stats.members_65_plus_weekly
        population += _recomputed(source, FY)["population"]
    assert sheet.indicators["weekly_participation_rate"].tokyo == rules.participation_rate(weekly, population)

    as_json = metro.sheet_json(sheet)
    assert set(as_json) >= {"fiscal_year", "items", "indicators", "submitted", "missing"}
    assert set(as_json["items"]) == {"1", "2", "3"}
    assert set(as_json["items"]["1"]) >= {"target", "actual", "municipalities"}
    assert set(as_json["indicators"]) == {"weekly_participation_rate", "healthy_life_expectancy", "ikigai_rate"}
    assert as_json["items"]["1"]["target"] == 6 and as_json["items"]["2"]["target"] == 62
    json.dumps(as_json)  # plain JSON


def test_a_replaced_submission_is_counted_once_and_kept(sources: list[Source], metro_db: Database,
                                                       tmp_path: Path) -> None:
    first = _export_all(sources, tmp_path)
    metro.import_submissions(metro_db, first)
    # The first 区市町村 corrects its declaration and sends a new file.
    with Database.open(sources[2].path, user="区担当") as db:
        submissions.set_short_term_service_declaration(db, FY, sources[2].code, True, 9)
        submissions.export_submission(db, FY, sources[2].code, tmp_path / "again.kaigo-sub")
    [result] = metro.import_submissions(metro_db, [tmp_path / "again.kaigo-sub"])
    assert result.replaced and result.municipality_code == sources[2].code

    sheet = metro.evaluation_sheet(metro_db, FY)
    assert sheet.items[FY]["3"].municipalities == sorted([sources[0].code, sources[2].code])
    assert sheet.submitted.count(sources[2].code) == 1
    assert metro_db.scalar("SELECT COUNT(*) FROM metro_submissions WHERE municipality_code = ?",
                           (sources[2].code,)) == 2
    kept = metro_db.query("SELECT replaced_at, replaced_by_id, replaced_reason FROM metro_submissions"
                          " WHERE municipality_code = ? AND replaced_at IS NOT NULL", (sources[2].code,))
    assert len(kept) == 1 and kept[0]["replaced_by_id"] is not None and "置き換え" in kept[0]["replaced_reason"]
    statuses = {s.municipality_code: s for s in metro.submission_statuses(metro_db, FY)}
    assert len(statuses) == 62
    assert statuses[sources[2].code].replaced_count == 1 and statuses[sources[2].code].signature_ok
    assert statuses[sources[0].code].replaced_count == 0
    # The same file again changes nothing; the older one after the newer is refused.
    [again] = metro.import_submissions(metro_db, [tmp_path / "again.kaigo-sub"])
    assert again.unchanged
    with pytest.raises(SubmissionError, match="より新しい提出"):
        metro.import_submissions(metro_db, [first[2]])


def _rewrite(path: Path, out: Path, change) -> None:
    """Copy a submission with its members changed by `change(members) -> members`."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members = change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    out.write_bytes(buffer.getvalue())


def _raise_promoters(members: dict) -> dict:
    """A forger's edit: more 推進員, the content hash in the header made to match again."""
    import hashlib

    content = json.loads(members["content.json"])
    content["promoters"]["placed"] += 5
    members["content.json"] = json.dumps(content).encode()
    header = json.loads(members["header.json"])
    header["content_sha256"] = hashlib.sha256(members["content.json"]).hexdigest()
    members["header.json"] = json.dumps(header).encode()
    return members


def test_tampered_foreign_and_unknown_submissions_are_refused_whole(sources: list[Source], metro_db: Database,
                                                                  tmp_path: Path) -> None:
    good = _export_all(sources, tmp_path)
    tampered = tmp_path / "tampered.kaigo-sub"
    _rewrite(good[0], tampered, _raise_promoters)
    with pytest.raises(SubmissionError, match="tampered.kaigo-sub.*署名が一致しません"):
        metro.import_submissions(metro_db, [good[1], tampered])
    assert metro_db.scalar("SELECT COUNT(*) FROM metro_submissions") == 0  # the good one was not imported either

    # Content changed without re-hashing: the header no longer matches.
    edited = tmp_path / "edited.kaigo-sub"
    _rewrite(good[0], edited, lambda m: {**m, "content.json": m["content.json"].replace(b'"placed":', b'"placed": ')})
    with pytest.raises(SubmissionError, match="edited.kaigo-sub"):
        metro.import_submissions(metro_db, [edited])

    # A database Tokyo does not trust, submitting in the name of a trusted 区市町村.
    stranger_path = tmp_path / "stranger.sqlite3"
    with Database.open(stranger_path, create=True, user="なりすまし") as db:
        create_demo(db, places=6, years=1, seed=99, today=date(FY + 1, 3, 31))
        foreign = tmp_path / "foreign.kaigo-sub"
        submissions.export_submission(db, FY, sources[0].code, foreign, allow_empty=True)
    with pytest.raises(SubmissionError, match="foreign.kaigo-sub.*信頼する鍵で署名されていません"):
        metro.import_submissions(metro_db, [foreign])

    # A trusted 区市町村's key signing for another 区市町村 (source 1 submitting as source 0).
    with Database.open(sources[1].path, user="区担当") as db:
        impostor = tmp_path / "impostor.kaigo-sub"
        submissions.export_submission(db, FY, sources[0].code, impostor, allow_empty=True)
    with pytest.raises(SubmissionError, match="別の区市町村"):
        metro.import_submissions(metro_db, [impostor])

    # Not a submission at all, and one far too large: refused before anything is unpacked.
    (tmp_path / "notes.kaigo-sub").write_bytes(b"hello")
    with pytest.raises(SubmissionError, match="notes.kaigo-sub"):
        metro.import_submissions(metro_db, [tmp_path / "notes.kaigo-sub"])
    (tmp_path / "huge.kaigo-sub").write_bytes(b"\0" * (1024 ** 2 + 1))
    with pytest.raises(SubmissionError, match="大きすぎます"):
        metro.import_submissions(metro_db, [tmp_path / "huge.kaigo-sub"])
    assert metro_db.scalar("SELECT COUNT(*) FROM metro_submissions") == 0


def test_any_damaged_byte_is_refused_with_a_japanese_message_or_changes_nothing(
        sources: list[Source], metro_db: Database, tmp_path: Path) -> None:
    """Hostile files: a valid submission with bytes flipped anywhere (zip structure, compressed data, signature)
    is refused as a SubmissionError — never another exception — unless the flip hit bytes nobody reads (zip
    time stamps), and then exactly the signed figures are imported."""
    import random

    [good] = _export_all(sources[:1], tmp_path)
    data = good.read_bytes()
    rng = random.Random(18)
    signed = json.loads(zipfile.ZipFile(good).read("content.json"))
    for attempt in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
        path = tmp_path / f"damaged{attempt}.kaigo-sub"
        path.write_bytes(bytes(damaged))
        try:
            metro.import_submissions(metro_db, [path])
        except SubmissionError as error:
            assert path.name in str(error)
            continue
        stored = metro_db.query("SELECT content FROM metro_submissions WHERE replaced_at IS NULL")
        assert [json.loads(row[0]) for row in stored] == [signed]
