"""The workbook reader of imports (services/xlsx_package.py, xlsx_rows.py behind importing_xlsx.read_sheet)
against workbooks written by openpyxl, read back by openpyxl as the independent reference, and against parts
rewritten at the XML or ZIP level for what openpyxl cannot write: saved formula results, rich text with
furigana, 和暦 built-in formats, a DTD, damaged members."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel

from kaigo_desktop.domain import records as r
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import RowError, import_file
from kaigo_desktop.services.importing_table import CellProblem, ErrorSink
from kaigo_desktop.services.importing_xlsx import read_sheet, workbook_sheet_names
from kaigo_desktop.services.xlsx_rows import _from_serial
from kaigo_desktop.storage.database import Database
from tests.table_state import counts

TODAY = date(2025, 6, 30)
UNREADABLE = "Excel ファイル（.xlsx）として読めません。ファイルが壊れているか、対応していない形式です"
HEADER = ["区市町村コード", "通いの場名称", "開催日", "参加者数", "開始時刻", "備考"]


@pytest.fixture
def sakura(database: Database) -> r.Place:
    return records.add(database, r.Place("131016", "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)


def rewrite(path: Path, edits: dict, *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Rewrite parts of a saved workbook: {part: new text, or a function of the old text}."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    for part, edit in edits.items():
        parts[part] = (edit(parts[part].decode("utf-8")) if callable(edit) else edit).encode("utf-8")
    parts = dict(sorted(parts.items(), key=lambda item: item[0] == "xl/worksheets/sheet1.xml"))  # the sheet last
    with zipfile.ZipFile(path, "w", compression) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(path: Path) -> Path:
    """As Excel saves text: the sheet's inline strings moved into a shared string table (or `sst` given)."""
    strings: list[str] = []

    def shared(found: re.Match) -> str:
        strings.append(found.group(3))
        return f'<c {found.group(1)}t="s"{found.group(2)}><v>{len(strings) - 1}</v></c>'

    with zipfile.ZipFile(path) as source:
        sheet = source.read("xl/worksheets/sheet1.xml").decode()
    sheet = re.sub(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', shared, sheet)
    rewrite(path, {"xl/worksheets/sheet1.xml": sheet})
    return add_shared_strings(path, f'<sst xmlns="{MAIN}">' + "".join(f"<si>{text}</si>" for text in strings)
                              + "</sst>")


def add_shared_strings(path: Path, sst: str) -> Path:
    return rewrite(path, {
        "xl/sharedStrings.xml": sst,
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
            "</Relationships>", f'<Relationship Id="rIdSST" Type="{SHARED_TYPE}" Target="sharedStrings.xml"/>'
                                "</Relationships>"),
        "[Content_Types].xml": lambda xml: xml.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" '
                                                       'ContentType="application/vnd.openxmlformats-officedocument.'
                                                       'spreadsheetml.sharedStrings+xml"/></Types>')})


def sheet_records(path: Path, sheet: str | None = None) -> tuple[list, list]:
    """(records, file-level errors) of one sheet, read whole."""
    sink = ErrorSink()
    found = read_sheet(path, sheet, sink)
    if found is None:
        return [], sink.final()
    try:
        return list(found.records), sink.final()
    finally:
        found.close()


VALUES = [
    ["文字", "テキスト 2", "  空白つき  ", "改行\nあり", "a=b"],
    [0, 1, -7, 131016, 2**40],
    [0.5, 12.25, 1e-7, 0.1 + 0.2, -3.75],
    [True, False, None, "", "x"],
    [datetime(2024, 5, 1), datetime(2024, 5, 1, 10, 30), date(1900, 1, 1), date(1900, 3, 1), datetime(2099, 12, 31)],
    [time(10, 0), time(23, 59, 59), time(0, 0, 1), datetime(1900, 2, 27, 12), date(1904, 1, 2)],
]


@pytest.mark.parametrize("epoch_1904", [False, True], ids=["1900", "1904"])
@pytest.mark.parametrize("shared", [False, True], ids=["inline strings", "shared strings"])
def test_cells_read_as_openpyxl_reads_them(tmp_path: Path, epoch_1904: bool, shared: bool) -> None:
    """Every cell type openpyxl writes, with text inline (as openpyxl writes it) or in a shared string table
    (as Excel does), in both date systems, is read as openpyxl itself reads it back (floats as Excel shows
    them)."""
    book = openpyxl.Workbook()
    if epoch_1904:
        book.epoch = CALENDAR_MAC_1904
    for row in VALUES:
        book.active.append(row)
    path = tmp_path / "cells.xlsx"
    book.save(path)
    if shared:
        with_shared_strings(path)
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert ('t="s"' in xml) == shared
    assert (b"date1904" in zipfile.ZipFile(path).read("xl/workbook.xml")) == epoch_1904

    reference = openpyxl.load_workbook(path, read_only=True, data_only=True)
    expected = []
    for number, row in enumerate(reference.worksheets[0].iter_rows(values_only=True), 1):
        cells = [float(f"{v:.15g}") if isinstance(v, float) else v for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        expected.append((number, cells))
    reference.close()
    found, errors = sheet_records(path)
    assert not errors
    assert found == expected
    assert found[4][1][0] == datetime(2024, 5, 1) and found[5][1][0] == time(10, 0)


def test_serial_dates_as_openpyxl_converts_them() -> None:
    serials = [0, 0.25, 0.999999, 1, 1.5, 59, 59.99, 60, 60.5, 61, 45413, 45413.4375, 2900000.5, -1, -0.5]
    for value in serials:
        for epoch_1904, epoch in ((False, datetime(1899, 12, 30)), (True, CALENDAR_MAC_1904)):
            assert _from_serial(value, epoch_1904, False) == from_excel(value, epoch), (value, epoch_1904)
            assert _from_serial(value, epoch_1904, True) == from_excel(value, epoch, timedelta=True)
    assert _from_serial(1.5, False, True) == timedelta(days=1, hours=12)


# ---------------------------------------------------------------- what openpyxl cannot write

def test_saved_and_missing_formula_results_errors_and_booleans(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["a", "b", "c", "d", "e", "f"])
    book.active.append(["=1+1", '="x"', "=A1", "=NA()", "=TRUE()", "=B9"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    rewrite(path, {
        "xl/worksheets/sheet1.xml": lambda xml: xml
        .replace('<c r="A2"><f>1+1</f><v /></c>', '<c r="A2"><f>1+1</f><v>2</v></c>')
        .replace('<c r="B2"><f>"x"</f><v /></c>', '<c r="B2" t="str"><f>"x"</f><v>x</v></c>')
        .replace('<c r="C2"><f>A1</f><v /></c>', '<c r="C2" t="str"><f>A1</f><v></v></c>')  # Excel's saved ""
        .replace('<c r="D2"><f>NA()</f><v /></c>', '<c r="D2" t="e"><f>NA()</f><v>#N/A</v></c>')
        .replace('<c r="E2"><f>TRUE()</f><v /></c>', '<c r="E2" t="b"><f>TRUE()</f><v>1</v></c>')})
    found, errors = sheet_records(path)
    assert not errors
    (line, cells), = found[1:]
    assert line == 2 and cells[:3] == [2, "x", None] and cells[4] is True
    assert isinstance(cells[3], CellProblem) and "セルD2がエラー値（#N/A）" in cells[3].message
    assert isinstance(cells[5], CellProblem) and "セルF2の数式に計算結果が保存されていません" in cells[5].message


def test_rich_text_furigana_and_japanese_date_formats(tmp_path: Path) -> None:
    """Rich-text runs are joined and furigana (<rPh>) left out, in shared and inline strings; a cell styled
    with one of Japanese Excel's built-in date formats (31: yyyy"年"m"月"d"日", named by number only) is a
    date; a part written with a namespace prefix reads the same."""
    book = openpyxl.Workbook()
    book.active.append(["shared", "inline", 45413])
    path = tmp_path / "rich.xlsx"
    book.save(path)
    rewrite(path, {
        "xl/worksheets/sheet1.xml": lambda xml: xml
        .replace("<is><t>inline</t></is>", "<is><t>ひまわり</t><rPh sb='0' eb='4'><t>ヒマワリ</t></rPh></is>")
        .replace('<c r="A1" t="inlineStr"><is><t>shared</t></is></c>', '<c r="A1" t="s"><v>0</v></c>')
        .replace('<c r="C1" t="n"><v>45413</v></c>', '<c r="C1" s="1"><v>45413</v></c>'),
        "xl/styles.xml": lambda xml: re.sub(r'<cellXfs count="1">(.*?)</cellXfs>',
                                            r'<cellXfs count="2">\1<xf numFmtId="31" applyNumberFormat="1"/></cellXfs>',
                                            xml)})
    add_shared_strings(path, f'<x:sst xmlns:x="{MAIN}"><x:si><x:r><x:t>さくら</x:t></x:r><x:r><x:rPr><x:b/></x:rPr>'
                              '<x:t>体操</x:t></x:r><x:rPh sb="0" eb="3"><x:t>サクラ</x:t></x:rPh></x:si></x:sst>')
    found, errors = sheet_records(path)
    assert not errors
    assert found == [(1, ["さくら体操", "ひまわり", datetime(2024, 5, 1)])]


def test_an_xlsm_and_a_sheet_chosen_by_name(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "表紙"
    book.create_sheet("４月").append(["四月"])
    book.create_sheet("チャート外").append(["other"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    macro = tmp_path / "book.xlsm"
    macro.write_bytes(path.read_bytes())
    rewrite(macro, {"[Content_Types].xml": lambda xml: xml.replace(
        "spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml")})
    assert sheet_records(macro, "4月")[0] == [(1, ["四月"])]
    assert workbook_sheet_names(macro) == ["表紙", "４月", "チャート外"]


# ---------------------------------------------------------------- hostile and damaged files

BOMB = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_a_dtd_anywhere_is_refused(database: Database, tmp_path: Path, sakura: r.Place, part: str) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER[:4])
    book.active.append([131016, "さくら体操クラブ", datetime(2024, 5, 1), 5])
    path = tmp_path / "bomb.xlsx"
    book.save(path)
    with_shared_strings(path)
    rewrite(path, {part: lambda xml: BOMB + re.sub(r"^<\?xml[^>]*\?>", "", xml).replace("<v>", "<v>&c;", 1)})
    before = counts(database)
    result = import_file(database, "gatherings", path, today=TODAY)
    assert result.errors == [RowError(0, "", f"{UNREADABLE}（DTD（<!DOCTYPE>）を含む部品は読めません）。")]
    assert counts(database) == before


def _big_workbook(path: Path, rows: int) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("開催記録")
    sheet.append(HEADER[:4] + ["備考"])
    for i in range(rows):
        sheet.append([131016, "さくら体操クラブ", datetime(2024, 4, 1) + timedelta(days=i % 400), 5 + i % 9,
                      f"メモ {i} " * 3])
    book.save(path)
    return path


def test_a_member_damaged_further_down_is_refused_whole(database: Database, tmp_path: Path,
                                                        sakura: r.Place) -> None:
    """The sheet's compressed data is cut (zeroed) in its last third: the first rows read, then the ZIP
    member fails its check; the import is refused whole, with that error alone."""
    path = _big_workbook(tmp_path / "cut.xlsx", 6_000)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    header = 30 + len(info.filename.encode()) + len(info.extra)
    start = info.header_offset + header + info.compress_size * 2 // 3
    data[start:start + 2_000] = bytes(2_000)
    path.write_bytes(bytes(data))
    before = counts(database)
    result = import_file(database, "gatherings", path, today=TODAY)
    assert result.rows == result.added == 0
    assert len(result.errors) == 1 and result.errors[0].message.startswith(UNREADABLE)
    assert "xl/worksheets/sheet1.xml が" in result.errors[0].message
    assert counts(database) == before


def test_xml_cut_short_is_refused_whole(database: Database, tmp_path: Path, sakura: r.Place) -> None:
    path = _big_workbook(tmp_path / "short.xlsx", 3_000)
    rewrite(path, {"xl/worksheets/sheet1.xml": lambda xml: xml[:len(xml) * 3 // 4]})
    before = counts(database)
    result = import_file(database, "gatherings", path, today=TODAY)
    assert result.rows == result.added == 0
    assert len(result.errors) == 1 and "が XML として読めません" in result.errors[0].message
    assert counts(database) == before


@pytest.mark.parametrize("edit, detail", [
    (lambda xml: xml.replace('<c r="A2" t="inlineStr"><is><t>値</t></is>', '<c r="A2" t="s"><v>99</v>'),
     "セルA2の共有文字列（99番）がありません"),
    (lambda xml: xml.replace('<row r="2">', '<row r="2.5">'), "行番号 2.5 が読めません"),
    (lambda xml: xml.replace('<row r="2">', '<row r="1048577">'), "行番号 1048577 は Excel の範囲外です"),
    (lambda xml: xml.replace('<c r="A2"', '<c r="A0"'), "セル番地 A0 は Excel の範囲外です"),
    (lambda xml: xml.replace('<c r="B2" t="n"><v>5</v>', '<c r="B2" t="n"><v>five</v>'),
     "セルB2の数値 five が読めません"),
])
def test_damaged_cells_refuse_the_file_with_their_place(tmp_path: Path, edit, detail: str) -> None:
    book = openpyxl.Workbook()
    book.active.append(["見出し", "数"])
    book.active.append(["値", 5])
    path = tmp_path / "d.xlsx"
    book.save(path)
    rewrite(path, {"xl/worksheets/sheet1.xml": edit})
    found, errors = sheet_records(path)
    assert found == [] and errors == [RowError(0, "", f"{UNREADABLE}（{detail}）。")]


def test_a_cell_beyond_excels_length_is_a_row_error_with_its_length(database: Database, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["区市町村コード", "年度", "経費区分", "金額", "備考"])
    book.active.append([131016, 2024, "旅費", 1000, "placeholder"])
    path = tmp_path / "long.xlsx"
    book.save(path)
    rewrite(path, {"xl/worksheets/sheet1.xml": lambda xml: xml.replace("placeholder", "あ" * 100_000)})
    result = import_file(database, "expenses", path, today=TODAY)
    assert [(e.line, e.column) for e in result.errors] == [(2, "備考")]
    assert "100,000文字" in result.errors[0].message
    assert database.scalar("SELECT COUNT(*) FROM expenses") == 0


def test_sheet_names_for_the_dialog_read_no_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "メモ"
    book.active.sheet_state = "hidden"
    book.create_sheet("開催記録")
    path = tmp_path / "names.xlsx"
    book.save(path)
    rewrite(path, {"xl/worksheets/sheet2.xml": lambda xml: xml.replace("</sheetData>", "<row>")})  # unread
    assert workbook_sheet_names(path) == ["開催記録", "メモ"]
    (tmp_path / "not.xlsx").write_bytes(b"PK\x03\x04 broken")
    assert workbook_sheet_names(tmp_path / "not.xlsx") == []


def test_iso_date_cells(tmp_path: Path) -> None:
    """t="d" cells (ISO 8601, as Strict files and some programs write dates): a date, a date and time, a time;
    one that is no date is an error of its cell."""
    book = openpyxl.Workbook()
    book.active.append(["a", "b", "c", "d"])
    path = tmp_path / "iso.xlsx"
    book.save(path)
    rewrite(path, {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(
        "</row></sheetData>", '</row><row r="2"><c r="A2" t="d"><v>2024-05-01</v></c><c r="B2" t="d">'
        '<v>2024-05-01T10:30:00Z</v></c><c r="C2" t="d"><v>10:30:00</v></c><c r="D2" t="d"><v>someday</v></c>'
        "</row></sheetData>")})
    found, errors = sheet_records(path)
    assert not errors
    (line, cells), = found[1:]
    assert cells[:3] == [date(2024, 5, 1), datetime(2024, 5, 1, 10, 30), time(10, 30)]
    assert isinstance(cells[3], CellProblem) and "セルD2の日付 someday が読めません" in cells[3].message


@pytest.mark.parametrize("bound, value, detail", [
    ("MAX_UNCOMPRESSED_BYTES", 20_000, "展開すると大きすぎます"),  # what the parts declare they expand to
    ("SHARED_STRINGS_MEMORY", 50_000, "共有文字列が多すぎます"),  # what the strings would take once read
])
def test_bounds_refuse_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bound: str, value: int,
                                detail: str) -> None:
    """The bounds, lowered so that a small workbook meets them: refused whole, with the reason."""
    from kaigo_desktop.services import xlsx_package

    book = openpyxl.Workbook()
    for i in range(400):
        book.active.append([f"文字列 {i} " * 4, i])
    path = tmp_path / "big.xlsx"
    book.save(path)
    with_shared_strings(path)
    assert sheet_records(path)[1] == []
    monkeypatch.setattr(xlsx_package, bound, value)
    found, errors = sheet_records(path)
    assert found == [] and errors == [RowError(0, "", f"{UNREADABLE}（{detail}）。")]


def test_date_formats_as_openpyxl_decides_them() -> None:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    from kaigo_desktop.services.xlsx_package import shows_date, shows_duration

    codes = [*BUILTIN_FORMATS.values(), 'yyyy"年"m"月"d"日"', '[$-411]ggge"年"m"月"d"日"', "[$-ja-JP]gee.mm.dd",
             '"日"0', "0_m", "0\\d", "[Red]0.00", "[h]:mm", "[mm]:ss.00", "0;[h]", "General", "@", "#,##0 円",
             'm"月"d"日"(aaa)', "[DBNum1][$-411]yyyy/m/d", "d;@", "[ss]"]
    for code in codes:
        assert shows_date(code) == is_date_format(code), code
        assert shows_duration(code) == is_timedelta_format(code), code
