"""The Excel and CSV exports read back (openpyxl, csv) and compared with plain SQL: one sheet per table,
Japanese headers, numbers stored as numbers, the 定義 sheet, UTF-8 with BOM."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from report_checks import CHIYODA, CREATED, FY, promoter_figures, submission_figures

from kaigo_desktop.reports import ReportOptions
from kaigo_desktop.reports.exports import export


def options(**kw) -> ReportOptions:
    kw.setdefault("created", CREATED)
    return ReportOptions(fiscal_year=FY, **kw)


def rows_of(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def by_label(ws) -> dict:
    return {row[0]: row[1:] for row in rows_of(ws)[1:]}


def test_xlsx_sheets_and_figures(demo, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    result = export(demo, "xlsx", options(suppress=False), out)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "定義"
    assert {"概要", "プログラム種別", "開催頻度", "運営主体", "参加者実人数（男女別）", "参加者実人数（年齢別）",
            "月別延べ参加者数", "調査対象の参加者", "会場種別", "主な活動内容", "1回あたりの参加者数", "専門職の関与",
            "区市町村別", "推進員 区市町村別", "配置状況", "推進員", "活動区分別", "支援した通いの場",
            "経費の内訳", "補助所要額"} == set(book.sheetnames[1:])
    assert result.pages == len(book.sheetnames)
    cover = by_label(book["定義"])
    assert cover["年度"] == ("令和7年度（2025年度）",) and cover["区市町村"] == ("全区市町村（東京都）",)
    assert cover["作成日"] == ("令和8年12月1日",)
    assert "定義: 実施状況報告書 注10 参加率" in cover

    f = submission_figures(demo, FY, None)
    summary = by_label(book["概要"])
    assert summary["活動中の通いの場（注2）"] == (f["places"], "か所")
    assert summary["延べ参加者数（注7）"] == (f["attendance"], "人")
    assert summary["参加者実人数（65歳以上）（注9）"] == (f["members_65"], "人")
    assert summary["参加率（注10）"] == (f["rate"], "%")
    assert rows_of(book["概要"])[0] == ("項目", "値", "単位")
    programs = by_label(book["プログラム種別"])
    assert {k: v[0] for k, v in programs.items()} == f["programs"]
    monthly = by_label(book["月別延べ参加者数"])
    assert monthly["計"] == (f["attendance"],)
    assert all(isinstance(v[0], int) for v in monthly.values())  # numbers as numbers
    assert book["概要"]["B2"].number_format == "#,##0"

    municipalities = book["区市町村別"]
    header = rows_of(municipalities)[0]
    assert header[:4] == ("区市町村コード", "区市町村", "活動中の通いの場", "調査対象") and "参加率（%）" in header
    assert len(rows_of(municipalities)) == 1 + 62 + 1  # all 62, data or not, and the total
    for row in rows_of(municipalities)[1:-1]:
        if row[2] == "データなし":
            assert submission_figures(demo, FY, row[0])["places"] == 0, row[1]
            continue
        g = submission_figures(demo, FY, row[0])
        assert row[2:11] == (g["places"], g["survey"], g["gatherings"], g["attendance"], g["members"],
                             g["members_65"], g["population"], g["rate"], g["professional"]), row[1]

    # Report 2: one sheet per table, the 区市町村 in front.
    subsidy = rows_of(book["補助所要額"])
    assert subsidy[0] == ("区市町村コード", "区市町村", "項目", "金額（円）", "算定")
    for code in {row[0] for row in subsidy[1:]}:
        g = promoter_figures(demo, FY, code)
        values = {row[2]: row[3] for row in subsidy[1:] if row[0] == code}
        assert values == {"(A) 対象経費": g["eligible"], "(B) 基準額": g["base"], "補助所要額": g["claim"]}
    promoters = rows_of(book["推進員"])
    assert promoters[0][:5] == ("区市町村コード", "区市町村", "氏名", "職種", "配置期間")
    assert len(promoters) - 1 == demo.scalar(
        "SELECT COUNT(*) FROM promoters WHERE deleted_at IS NULL AND start_date <= '2026-03-31'"
        " AND (end_date IS NULL OR end_date >= '2025-04-01')")


def test_xlsx_suppression_on_by_default(small, tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    result = export(small, "xlsx", options(municipality_code=CHIYODA), out)
    book = openpyxl.load_workbook(out)
    sexes = by_label(book["参加者実人数（男女別）"])
    assert sexes["男性"] == ("<5",) and sexes["女性"] == ("秘匿",) and sexes["計"] == (43,)
    cover = rows_of(book["定義"])
    hidden = [row[1] for row in cover if row[0] == "秘匿した欄"]
    assert "参加者実人数（男女別）: 「男性」 「<5」" in hidden
    assert result.hidden_cells == len(hidden) > 0
    assert "区市町村別" not in book.sheetnames  # one 区市町村: no per-区市町村 table
    export(small, "xlsx", options(municipality_code=CHIYODA, suppress=False), out)
    assert by_label(openpyxl.load_workbook(out)["参加者実人数（男女別）"])["男性"] == (3,)


def test_csv_folder_and_single_file_are_utf8_with_bom(small, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    export(small, "csv", options(suppress=False), folder)
    files = sorted(folder.iterdir())
    assert files[0].name == "00_定義.csv" and len(files) == 21
    for path in files:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    summary = list(csv.reader(io.StringIO((folder / "01_概要.csv").read_bytes().decode("utf-8-sig"))))
    assert summary[0] == ["項目", "値", "単位"]
    assert ["活動中の通いの場（注2）", "3", "か所"] in summary
    single = tmp_path / "all.csv"
    export(small, "csv", options(suppress=False), single)
    text = single.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert ["■概要"] in rows and ["■補助所要額"] in rows
    assert ["131016", "千代田区", "補助所要額", "4000000", "(A)と(B)の少ない額 × 補助率10/10（1,000円未満切捨て）"] in rows
