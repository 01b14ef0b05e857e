"""Fuzzing the importers: more than 10,000 generated CSV files and Excel workbooks (random bytes, wrong and
truncated encodings, UTF-16, random and real headers, random cells, huge cells, formulas with and without
saved results, error values, empty and hidden sheets, damaged ZIPs and XML), each imported into a real
database. For every file:

- no crash: import_file returns an ImportResult (FileNotFoundError only for a missing file);
- no partial write: when the result has errors, or on a dry run, no table and not the change counter moved;
- every rejection explained: each RowError has a non-empty Japanese message.

Workbooks are mostly written by a small writer below (it can write what openpyxl cannot: saved formula
results, error cells, cells without addresses, wrong dimensions); some by openpyxl itself."""

from __future__ import annotations

import io
import os
import random
import re
import string
import zipfile
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import _KINDS, IMPORT_KINDS, ImportResult, RowError, format_result, import_file
from kaigo_desktop.storage.database import Database
from tests.table_state import counts

pytestmark = pytest.mark.slow

TODAY = date(2025, 6, 30)
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CASES: Counter[str] = Counter()  # generated files imported, per test
EXAMPLES = {  # max_examples of each fuzz test: 11,000 files in all
    "random_bytes": 2_000,
    "encodings": 2_500,
    "csv_rows": 2_500,
    "xlsx_cells": 2_200,
    "xlsx_damaged": 1_300,
    "xlsx_openpyxl": 500,
}


SCALE = float(os.environ.get("KAIGO_FUZZ_SCALE", "1"))  # e.g. 0.1 while working on the importer


def fuzz_settings(name: str):
    return settings(max_examples=max(1, round(EXAMPLES[name] * SCALE)), deadline=None, print_blob=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])


@pytest.fixture
def fuzz_db(tmp_path: Path):
    db = Database.open(tmp_path / "fuzz.sqlite3", create=True, user="ファズ")
    db.conn.execute("PRAGMA synchronous = OFF")  # speed only: commits and rollbacks behave the same
    records.add(db, r.Place("131016", "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)
    records.add(db, r.Promoter("131016", "山田花子", "保健師", date(2023, 4, 1)), today=TODAY)
    yield db
    db.close()


def check_import(db: Database, test: str, kind: str, path: Path, *, dry_run: bool = False, sheet: str | None = None,
                 encoding: str = "auto", missing: bool = False) -> ImportResult | None:
    """Import one generated file and check the three promises."""
    CASES[test] += 1
    before = counts(db)
    if missing:
        with pytest.raises(FileNotFoundError):
            import_file(db, kind, path, today=TODAY, dry_run=dry_run, sheet=sheet, encoding=encoding)
        assert counts(db) == before
        return None
    result = import_file(db, kind, path, today=TODAY, dry_run=dry_run, sheet=sheet, encoding=encoding)
    assert isinstance(result, ImportResult)
    for error in result.errors:
        assert isinstance(error, RowError)
        assert isinstance(error.message, str) and error.message.strip(), error
        assert JAPANESE.search(error.message), error
        assert error.line >= 0
    assert all(isinstance(w, str) and JAPANESE.search(w) for w in result.warnings)
    if result.errors or dry_run:
        assert counts(db) == before, result.errors[:3]
    assert result.rows >= 0 and result.added >= 0 and result.updated >= 0
    format_result(result)
    return result


# ---------------------------------------------------------------- cells

def _xml_text(text: str) -> str:
    return "".join(ch for ch in text if ch in "\t\n\r" or (" " <= ch and ch not in "\ufffe\uffff"
                                                            and not "\ud800" <= ch <= "\udfff"))


HEADERS = sorted({h for layout, _ in _KINDS.values() for h in layout.headers})
VALUES = [
    "", " ", "　", "131016", "13101", "１３１０１６", "999999", "さくら体操クラブ", "ないの会", "山田花子", "保健師",
    "占い師", "2024/5/1", "2024-05-01", "令和6年5月1日", "R6.5.1", "Ｒ６．５．１", "H31.4.30", "令和元年5月1日",
    "2024/13/1", "2024/2/30", "20240501", "45413", "2030/1/1", "10:00", "9時30分", "25:00", "○", "×", "はい", "TRUE",
    "たぶん", "12", "１２", "1,234", "-1", "12.5", "0", "2024", "令和6年度", "2024年度", "R6", "1800", "旅費",
    "備品購入費", "雑費", "その他", "昼寝", "体操（運動）、茶話会", "運動機能向上、口腔機能向上", "ヨガ", "保健師、歯科衛生士",
    "0190f0a0-0000-7000-8000-000000000000", "=1+1", "#N/A", '"', '""', "\r\n", ",", "、", ";", "\x00", "\ufeff",
]
cell_text = st.one_of(
    st.sampled_from(VALUES),
    st.text(max_size=20),
    st.text(alphabet=string.digits + "/.-年月日度令和平成RH０１２３４５６７８９：:", max_size=12),
    st.sampled_from(HEADERS),
)
huge_text = st.builds(lambda ch, n: ch * n, st.sampled_from(["あ", "x", "1", " ", "\n", '"']),
                      st.sampled_from([9_999, 10_000, 10_001, 50_000, 140_000]))
header_names = st.one_of(st.sampled_from(HEADERS), st.text(max_size=8), st.sampled_from(["", "メモ", "参加者数 "]))


@st.composite
def header_for(draw, kind: str) -> list[str]:
    """Mostly the kind's own headers (a random part, shuffled), sometimes random ones."""
    layout = _KINDS[kind][0]
    if draw(st.integers(0, 9)) == 0:
        return draw(st.lists(header_names, max_size=8))
    chosen = [h for h in layout.headers if h in layout.required or draw(st.booleans())]
    chosen = [h for h in chosen if draw(st.integers(0, 19)) > 0]  # now and then a required one missing
    chosen += draw(st.lists(header_names, max_size=1 if draw(st.integers(0, 4)) == 0 else 0))
    return draw(st.permutations(chosen))


kinds = st.sampled_from(IMPORT_KINDS)


# ---------------------------------------------------------------- 1. random bytes

@fuzz_settings("random_bytes")
@given(data=st.one_of(st.binary(max_size=600), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04",
                                                                    b"PK\x05\x06" + bytes(18),
                                                                    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])),
       kind=kinds, suffix=st.sampled_from([".csv", ".xlsx", ".txt", ".xls", ""]),
       encoding=st.sampled_from(["auto", "utf-8", "cp932"]), dry_run=st.booleans(),
       missing=st.integers(0, 49))
def test_fuzz_random_bytes(fuzz_db: Database, tmp_path: Path, data: bytes, kind: str, suffix: str, encoding: str,
                           dry_run: bool, missing: int) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    if missing == 0:
        path.unlink()
    check_import(fuzz_db, "random_bytes", kind, path, dry_run=dry_run, encoding=encoding, missing=missing == 0)


# ---------------------------------------------------------------- 2. encodings

def _csv(rows: list[list[str]], quote_all: bool) -> str:
    def cell(text: str) -> str:
        if quote_all or any(ch in text for ch in ',"\r\n'):
            return '"' + text.replace('"', '""') + '"'
        return text
    return "\r\n".join(",".join(cell(c) for c in row) for row in rows) + "\r\n"


@st.composite
def csv_text(draw, kind: str) -> str:
    header = draw(header_for(kind))
    width = len(header)
    cell = st.one_of(cell_text, huge_text) if draw(st.integers(0, 9)) == 0 else cell_text
    rows = draw(st.lists(st.lists(cell, min_size=max(0, width - 1), max_size=width + 1), max_size=6))
    return _csv([header, *rows], draw(st.booleans()))


@fuzz_settings("encodings")
@given(data=st.data(), kind=kinds,
       codec=st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                              "euc_jp", "iso2022_jp", "latin-1"]),
       damage=st.sampled_from(["none", "none", "truncate", "flip", "insert"]),
       encoding=st.sampled_from(["auto", "auto", "utf-8", "cp932"]), dry_run=st.booleans())
def test_fuzz_encodings(fuzz_db: Database, tmp_path: Path, data: st.DataObject, kind: str, codec: str, damage: str,
                        encoding: str, dry_run: bool) -> None:
    raw = data.draw(csv_text(kind)).encode(codec, errors="replace")
    if damage == "truncate" and raw:
        raw = raw[:data.draw(st.integers(0, len(raw) - 1))]  # often in the middle of a multi-byte character
    elif damage == "flip" and raw:
        at = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1:]
    elif damage == "insert":
        at = data.draw(st.integers(0, len(raw)))
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    path = tmp_path / "enc.csv"
    path.write_bytes(raw)
    check_import(fuzz_db, "encodings", kind, path, dry_run=dry_run, encoding=encoding)


# ---------------------------------------------------------------- 3. CSV rows that often import

GOOD = {  # cells that import cleanly, so that many files land and many fail after good rows
    "区市町村コード": ["131016", "13101"], "通いの場名称": ["さくら体操クラブ"], "開催日": ["2024/5/1", "R6.5.8", "令和6年5月15日"],
    "参加者数": ["10", "１２"], "名称": ["あおば会", "こもれび会", "ひだまり会", "アオバ会"], "氏名": ["佐藤一郎", "山田花子"],
    "職種": ["保健師"], "配置開始日": ["2024/4/1"], "推進員": ["山田花子"], "活動日": ["2024/6/1"], "活動区分": ["その他"],
    "年度": ["2024", "令和6年度"], "実人数": ["30"], "65歳以上人口": ["12345"], "経費区分": ["旅費", "備品購入費"],
    "金額": ["120000", "1,000円"], "開始日": ["2024/4/1"], "運動機能向上": ["○", ""], "担当通いの場": ["さくら体操クラブ"],
}


@st.composite
def csv_rows(draw, kind: str) -> str:
    layout = _KINDS[kind][0]
    header = [h for h in layout.headers if h in layout.required or h in GOOD or draw(st.integers(0, 3)) == 0]
    if kind in ("gatherings", "members"):
        header = [h for h in header if h != "通いの場ID"]
    header = draw(st.permutations(header))

    good_row = st.tuples(*(GOOD_TEXT.get(h, st.just("")) for h in header)).map(list)
    noisy_row = st.tuples(*(GOOD_OR_RANDOM_TEXT.get(h, cell_text) for h in header)).map(list)
    rows = draw(st.lists(st.one_of(good_row, good_row, noisy_row), min_size=draw(st.sampled_from([0, 1, 1, 1])),
                         max_size=8))
    return _csv([header, *rows], draw(st.booleans()))


@fuzz_settings("csv_rows")
@given(data=st.data(), kind=kinds, codec=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]), dry_run=st.booleans())
def test_fuzz_csv_rows(fuzz_db: Database, tmp_path: Path, data: st.DataObject, kind: str, codec: str,
                       dry_run: bool) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(data.draw(csv_rows(kind)).encode(codec, errors="replace"))
    check_import(fuzz_db, "csv_rows", kind, path, dry_run=dry_run)


# ---------------------------------------------------------------- a small xlsx writer

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
STYLES = (f'<styleSheet xmlns="{NS}"><fonts count="1"><font/></fonts>'
          '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
          '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
          '<xf numFmtId="20" applyNumberFormat="1"/><xf numFmtId="22" applyNumberFormat="1"/></cellXfs></styleSheet>')


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell_xml(ref: str | None, kind: str, value: object, shared: list[str]) -> str:
    at = f' r="{ref}"' if ref else ""
    if kind == "blank":
        return ""
    if kind == "inline":
        return f'<c{at} t="inlineStr"><is><t xml:space="preserve">{escape(_xml_text(str(value)))}</t></is></c>'
    if kind == "shared":
        shared.append(_xml_text(str(value)))
        return f'<c{at} t="s"><v>{len(shared) - 1}</v></c>'
    if kind == "number":
        return f"<c{at}><v>{value!r}</v></c>"
    if kind in ("date", "time", "datetime"):
        style = {"date": 1, "time": 2, "datetime": 3}[kind]
        return f'<c{at} s="{style}"><v>{value!r}</v></c>'
    if kind == "bool":
        return f'<c{at} t="b"><v>{int(bool(value))}</v></c>'
    if kind == "error":
        return f'<c{at} t="e"><v>{escape(str(value))}</v></c>'
    if kind == "formula_number":
        return f"<c{at}><f>A1+1</f><v>{value!r}</v></c>"
    if kind == "formula_text":
        return f'<c{at} t="str"><f>CONCAT(A1)</f><v>{escape(_xml_text(str(value)))}</v></c>'
    if kind == "formula_empty":  # Excel's saved "" result
        return f'<c{at} t="str"><f>IF(A1="","",A1)</f><v></v></c>'
    if kind == "formula_unsaved":  # never calculated
        return f"<c{at}><f>SUM(A1:A9)</f></c>"
    if kind == "formula_openpyxl":
        return f"<c{at}><f>B2*2</f><v /></c>"
    raise AssertionError(kind)


def build_xlsx(sheets: list[dict]) -> bytes:
    """A workbook: each sheet {name, state, rows: [[(kind, value)]], merged: [ref], dimension, addresses}."""
    shared: list[str] = []
    parts: dict[str, str] = {}
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>',
                 f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>',
                 f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>']
    rels = [f'<Relationship Id="rIdS" Type="{REL}/styles" Target="styles.xml"/>',
            f'<Relationship Id="rIdT" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>']
    entries = []
    for number, sheet in enumerate(sheets, 1):
        rows_xml = []
        for row_number, row in enumerate(sheet["rows"], 1):
            cells = "".join(_cell_xml(f"{_letters(col)}{row_number}" if sheet["addresses"] else None, kind, value,
                                      shared) for col, (kind, value) in enumerate(row))
            rows_xml.append(f'<row r="{row_number}">{cells}</row>' if sheet["addresses"] else f"<row>{cells}</row>")
        dimension = f'<dimension ref="{sheet["dimension"]}"/>' if sheet["dimension"] else ""
        merged = "".join(f'<mergeCell ref="{ref}"/>' for ref in sheet["merged"])
        merged = f'<mergeCells count="{len(sheet["merged"])}">{merged}</mergeCells>' if merged else ""
        parts[f"xl/worksheets/sheet{number}.xml"] = (
            f'<worksheet xmlns="{NS}">{dimension}<sheetData>{"".join(rows_xml)}</sheetData>{merged}</worksheet>')
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{CT}.worksheet+xml"/>')
        rels.append(f'<Relationship Id="rId{number}" Type="{REL}/worksheet" Target="worksheets/sheet{number}.xml"/>')
        entries.append(f'<sheet name={quoteattr(sheet["name"])} sheetId="{number}" state="{sheet["state"]}"'
                       f' r:id="rId{number}"/>')
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>")
    parts["_rels/.rels"] = (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument"'
                            ' Target="xl/workbook.xml"/></Relationships>')
    parts["xl/workbook.xml"] = f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>{"".join(entries)}</sheets></workbook>'
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{PKG}">{"".join(rels)}</Relationships>'
    parts["xl/styles.xml"] = STYLES
    parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{NS}" count="{len(shared)}" uniqueCount="{len(shared)}">'
                                     + "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in shared)
                                     + "</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def typed_cell(text: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[str, object]]:
    numbers = st.one_of(st.integers(-10, 10**9), st.floats(allow_nan=False, allow_infinity=False, width=64),
                        st.sampled_from([12.0, 12.000000000000002, 0.1 + 0.2, 45413, 45413.4375, 20240501, 131016,
                                         2024, 1e16, -0.0]))
    return st.one_of(
        st.tuples(st.sampled_from(["inline", "shared"]), text),
        st.tuples(st.sampled_from(["number", "formula_number"]), numbers),
        st.tuples(st.sampled_from(["date", "datetime"]),
                  st.one_of(st.integers(-5, 3_000_000), st.floats(-10, 3e6, allow_nan=False), st.just(60))),
        st.tuples(st.just("time"), st.floats(0, 1.5, allow_nan=False)),
        st.tuples(st.just("bool"), st.booleans()),
        st.tuples(st.just("error"), st.sampled_from(["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?"])),
        st.tuples(st.just("formula_text"), text),
        st.tuples(st.sampled_from(["formula_empty", "formula_unsaved", "formula_openpyxl", "blank"]), st.none()),
    )


SHEET_NAMES = ["Sheet1", "開催記録", "４月", "4月", "人口 ", "メモ", "通いの場", "Data"]
DATE_HEADERS = {"開催日", "活動日", "開始日", "終了日", "配置開始日", "配置終了日", "基準日"}
NUMBER_HEADERS = {"参加者数", "実人数", "65歳以上人口", "金額", "区市町村コード", "年度"}


def _good_xlsx_cell(name: str) -> st.SearchStrategy[tuple[str, object]]:
    """A cell of this column that imports cleanly, typed as Excel would type it."""
    if name in DATE_HEADERS:
        return st.tuples(st.sampled_from(["date", "datetime"]), st.sampled_from([45383, 45413, 45420.0]))
    if name in NUMBER_HEADERS:
        values = {"区市町村コード": [131016, 13101], "年度": [2024, 2024.0]}.get(name, [10, 12.0, 30])
        return st.tuples(st.just("number"), st.sampled_from(values))
    return st.tuples(st.sampled_from(["inline", "shared"]), st.sampled_from(GOOD.get(name, [""])))


# Built once: making strategies anew for every cell costs more than importing the file.
RANDOM_CELL = typed_cell(cell_text)
RANDOM_OR_HUGE_CELL = typed_cell(st.one_of(cell_text, huge_text))
GOOD_CELL = {name: _good_xlsx_cell(name) for name in HEADERS}
BLANK_CELL = st.just(("blank", None))
GOOD_OR_RANDOM_CELL = {name: st.one_of(cell, cell, RANDOM_CELL) for name, cell in GOOD_CELL.items()}
GOOD_TEXT = {name: st.sampled_from(GOOD.get(name, [""])) for name in HEADERS}
GOOD_OR_RANDOM_TEXT = {name: st.one_of(cell, cell, cell_text) for name, cell in GOOD_TEXT.items()}


@st.composite
def xlsx_rows(draw, header: list[str], huge: bool) -> list[list[tuple[str, object]]]:
    """Rows under this header: mostly good cells (so files land, or fail after good rows), some random."""
    random_cell = RANDOM_OR_HUGE_CELL if huge else RANDOM_CELL
    good_row = st.tuples(*(GOOD_CELL.get(h, BLANK_CELL) for h in header)).map(list)
    noisy_row = st.tuples(*(GOOD_OR_RANDOM_CELL.get(h, random_cell) for h in header)).map(list)
    rows = draw(st.lists(st.one_of(good_row, good_row, noisy_row), min_size=1, max_size=6))
    if draw(st.integers(0, 4)) == 0:  # ragged rows, values right of the header
        rows.append(draw(st.lists(random_cell, max_size=len(header) + 2)))
    return rows


@st.composite
def good_header(draw, kind: str) -> list[str]:
    """The kind's required headers and those with good cells, in any order."""
    layout = _KINDS[kind][0]
    names = [h for h in layout.headers if (h in layout.required or h in GOOD) and h != "通いの場ID"]
    return draw(st.permutations(names))


@st.composite
def xlsx_sheet(draw, kind: str) -> dict:
    header = draw(st.one_of(header_for(kind), good_header(kind)))
    header_cells = [(draw(st.sampled_from(["inline", "shared"])), h) for h in header]
    rows = draw(xlsx_rows(header, draw(st.integers(0, 7)) == 0))
    layout = draw(st.sampled_from(["plain"] * 8 + ["title", "blank_first", "empty", "header_only"]))
    if layout == "empty":
        all_rows: list = []
    elif layout == "header_only":
        all_rows = [header_cells]
    elif layout == "title":
        all_rows = [[("inline", "令和6年度 一覧")], [], header_cells, *rows]
    elif layout == "blank_first":
        all_rows = [[], [("blank", None)], header_cells, *rows]
    else:
        all_rows = [header_cells, *rows]
    merged = draw(st.lists(st.sampled_from(["A1:B1", "A2:A3", "C2:D4", "B1:B3", "A1:A1"]), max_size=2))
    if draw(st.integers(0, 39)) == 0:
        merged.append(draw(st.sampled_from(["Z9:A1", "bad"])))  # no program writes these
    return {"name": draw(st.one_of(st.sampled_from(SHEET_NAMES), st.text(min_size=1, max_size=10).map(_xml_text)
                                   .filter(bool))),
            "state": draw(st.sampled_from(["visible", "visible", "hidden", "veryHidden"])),
            "rows": all_rows, "merged": merged, "addresses": draw(st.integers(0, 9)) > 0,
            "dimension": draw(st.sampled_from([None, "A1", "A1:B2", "A1:Z99", "XFD1048576"]))}


@st.composite
def workbook_file(draw) -> tuple[str, bytes, str | None]:
    kind = draw(kinds)
    sheets = draw(st.lists(xlsx_sheet(kind), min_size=1, max_size=3, unique_by=lambda s: s["name"]))
    names = [s["name"] for s in sheets]
    sheet = draw(st.one_of(st.none(), st.none(), st.sampled_from(names), st.sampled_from(SHEET_NAMES)))
    return kind, build_xlsx(sheets), sheet


# ---------------------------------------------------------------- 4. workbooks, cell by cell

@fuzz_settings("xlsx_cells")
@given(file=workbook_file(), dry_run=st.booleans())
def test_fuzz_xlsx_cells(fuzz_db: Database, tmp_path: Path, file: tuple[str, bytes, str | None],
                         dry_run: bool) -> None:
    kind, data, sheet = file
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    check_import(fuzz_db, "xlsx_cells", kind, path, dry_run=dry_run, sheet=sheet)


# ---------------------------------------------------------------- 5. damaged workbooks

def _damage(data: bytes, how: str, rng: random.Random) -> bytes:
    if how == "truncate":
        return data[:rng.randrange(len(data))]
    if how == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
        return bytes(out)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    name = rng.choice(sorted(parts))
    if how == "drop_part":
        del parts[name]
    elif how == "garble_xml":
        text = parts[name]
        at = rng.randrange(len(text) + 1)
        parts[name] = text[:at] + rng.choice([b"<", b"&", b"]]>", b"\x00", b"<c r='A0'>", b'<row r="-3">', b"\xff",
                                              b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", b'<c r="A1" t="s"><v>99</v></c>',
                                              b'<row r="99999999"><c><v>1</v></c></row>']) + text[at:]
    elif how == "cut_xml":
        parts[name] = parts[name][:rng.randrange(len(parts[name]) + 1)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return buffer.getvalue()


@fuzz_settings("xlsx_damaged")
@given(file=workbook_file(), how=st.sampled_from(["truncate", "flip", "drop_part", "garble_xml", "cut_xml"]),
       seed=st.integers(0, 2**32 - 1), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_fuzz_xlsx_damaged(fuzz_db: Database, tmp_path: Path, file: tuple[str, bytes, str | None], how: str,
                           seed: int, suffix: str) -> None:
    kind, data, sheet = file
    path = tmp_path / f"damaged{suffix}"
    path.write_bytes(_damage(data, how, random.Random(seed)))
    check_import(fuzz_db, "xlsx_damaged", kind, path, sheet=sheet)


# ---------------------------------------------------------------- 6. workbooks written by openpyxl

python_value = st.one_of(
    cell_text, st.integers(-10, 10**12), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.dates(date(1900, 3, 1), date(2100, 1, 1)), st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)),
    st.times(), st.sampled_from(["=1+1", "=A1", '=IF(A1="","",1)', None, time(10, 0), datetime(2024, 5, 1)]))


@fuzz_settings("xlsx_openpyxl")
@given(data=st.data(), kind=kinds, hidden_first=st.booleans(), dry_run=st.booleans())
def test_fuzz_xlsx_openpyxl(fuzz_db: Database, tmp_path: Path, data: st.DataObject, kind: str, hidden_first: bool,
                            dry_run: bool) -> None:
    header = data.draw(header_for(kind))
    book = openpyxl.Workbook()
    if hidden_first:
        book.active.title = "メモ"
        book.active.sheet_state = "hidden"
        sheet = book.create_sheet("データ")
    else:
        sheet = book.active
    sheet.append([_xml_text(h) for h in header])
    for row in data.draw(st.lists(st.lists(python_value, max_size=len(header) + 1), max_size=5)):
        sheet.append([_xml_text(v) if isinstance(v, str) else v for v in row])
    for cells in data.draw(st.lists(st.sampled_from(["A1:B1", "A2:A3", "B2:C2"]), max_size=1)):
        sheet.merge_cells(cells)
    path = tmp_path / "openpyxl.xlsx"
    book.save(path)
    check_import(fuzz_db, "xlsx_openpyxl", kind, path, dry_run=dry_run)


# ---------------------------------------------------------------- the count

def test_fuzz_total() -> None:
    """Runs after the fuzz tests above (file order): they imported at least 10,000 files between them."""
    if set(CASES) != set(EXAMPLES):
        pytest.skip(f"only part of the fuzz suite ran: {dict(CASES)}")
    total = sum(CASES.values())
    print(f"fuzz: {total:,} generated files imported, 0 crashes: {dict(CASES)}")
    assert total >= 10_000 * min(SCALE, 1), dict(CASES)
