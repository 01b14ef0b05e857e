"""Report 1 (実施状況報告書) read back from the PDF and compared with figures computed by plain SQL; embedded fonts,
metadata, page numbers, byte stability, 秘匿処理 and the absence of personal data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_checks import (
    CHIYODA, CREATED, FY, HINODE, after, cells, flat_text, fonts, number, numbers, out_of_scope, page_texts,
    recorded_municipalities, submission_figures,
)

from kaigo_desktop import __version__
from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.services.stats import EmptyScope

FREQUENCIES = ("週1回以上", "月2回以上4回未満", "月1回以上2回未満", "月1回未満")
MUNICIPALITY_TABLE = "13. 区市町村別（東京都の62区市町村）"
MONTHS = [f"{FY}年{m}月" for m in range(4, 13)] + [f"{FY + 1}年{m}月" for m in (1, 2, 3)]


def make(db, out: Path, **options) -> object:
    options.setdefault("created", CREATED)
    return generate("submission", db, ReportOptions(fiscal_year=FY, **options), out)


def check_figures(items: list[str], f: dict) -> None:
    summary = "1. 概要"
    assert number(after(items, "活動中の通いの場（注2）", start=summary)[0]) == f["places"]
    assert number(after(items, "調査対象の通いの場（3月に開催あり）（注3）", start=summary)[0]) == f["survey"]
    assert number(after(items, "開催回数（注7）", start=summary)[0]) == f["gatherings"]
    assert number(after(items, "延べ参加者数（注7）", start=summary)[0]) == f["attendance"]
    assert number(after(items, "参加者実人数（注8）", start=summary)[0]) == f["members"]
    assert number(after(items, "参加者実人数（65歳以上）（注9）", start=summary)[0]) == f["members_65"]
    assert number(after(items, "65歳以上人口", start=summary)[0]) == f["population"]
    assert number(after(items, "参加率（注10）", start=summary)[0]) == f["rate"]
    assert number(after(items, "専門職が関与した通いの場（注11）", start=summary)[0]) == f["professional"]

    programs = "2. プログラム種別ごとの通いの場数（注4）"
    for label, count in f["programs"].items():
        assert number(after(items, label, start=programs)[0]) == count, label

    frequency = "3. 開催頻度別の通いの場数（届出・実績）（注5・注6）"
    for label in FREQUENCIES:
        declared, actual = numbers(after(items, label, 2, start=frequency))
        assert declared == f["declared"].get(label, 0), label
        assert actual == f["actual"].get(label, 0), label
    assert numbers(after(items, "未設定", 2, start=frequency)) == [f["declared"].get("未設定", 0), None]
    assert numbers(after(items, "計", 2, start=frequency)) == [f["places"], f["places"]]

    operators = "4. 運営主体別の通いの場数"
    for label, count in f["operators"].items():
        assert number(after(items, label, start=operators)[0]) == count, label
    assert number(after(items, "計", start=operators)[0]) == f["places"]

    sexes = "5. 参加者実人数（男女別）（注8）"
    assert number(after(items, "男性", start=sexes)[0]) == f["male"]
    assert number(after(items, "女性", start=sexes)[0]) == f["female"]
    assert number(after(items, "不明", start=sexes)[0]) == f["members"] - f["male"] - f["female"]
    assert number(after(items, "計", start=sexes)[0]) == f["members"]
    ages = "6. 参加者実人数（年齢別）（注8・注9）"
    assert number(after(items, "65歳未満", start=ages)[0]) == f["under_65"]
    assert number(after(items, "65～74歳", start=ages)[0]) == f["age_65_74"]
    assert number(after(items, "75歳以上", start=ages)[0]) == f["age_75_plus"]
    assert number(after(items, "不明", start=ages)[0]) == (
        f["members"] - f["under_65"] - f["age_65_74"] - f["age_75_plus"])

    monthly = "7. 月別延べ参加者数（注7）"
    for label in MONTHS:
        year, month = label.rstrip("月").split("年")
        assert number(after(items, label, start=monthly)[0]) == f["monthly"].get(f"{year}-{int(month):02d}", 0), label
    assert number(after(items, "計", start=monthly)[0]) == f["attendance"]


@pytest.mark.parametrize("source", ["demo", "small"])
@pytest.mark.parametrize("scope", ["all", "one"])
def test_every_figure_equals_independent_sql(request, tmp_path: Path, scope: str, source: str) -> None:
    """On the demo (large) and on the small set, which also holds trashed, closed and not-yet-open places and
    promoters with records inside the 年度 (conftest.add_out_of_scope): none of them may count."""
    db = request.getfixturevalue(source)
    code = db.scalar("SELECT municipality_code FROM places GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1") \
        if scope == "one" else None
    out = tmp_path / "r1.pdf"
    result = make(db, out, municipality_code=code, suppress=False)
    items = cells(out)
    f = submission_figures(db, FY, code)
    if source == "demo":
        assert f["gatherings"] > 1000 and f["members"] > 100  # the demo gives the check something to bite on
        assert f["roster_members"] > 0 or code is not None  # and roster places, whose 実人数 is computed
    else:
        assert all(out_of_scope(db, FY).values()), out_of_scope(db, FY)
    check_figures(items, f)
    if code is None:  # the per-区市町村 table: all 62 with their codes, and the total
        table = MUNICIPALITY_TABLE
        names = dict(db.conn.execute("SELECT code, name FROM municipalities").fetchall())
        assert len(names) == 62
        recorded = recorded_municipalities(db, FY)
        for c in names:
            assert after(items, c, start=table) == [names[c]]
            if c not in recorded:
                assert after(items, names[c], start=table) == ["データなし"], names[c]
                continue
            g = submission_figures(db, FY, c)
            row = numbers(after(items, names[c], 9, start=table))
            assert row == [g["places"], g["survey"], g["gatherings"], g["attendance"], g["members"], g["members_65"],
                           g["population"], g["rate"], g["professional"]], names[c]
        assert numbers(after(items, "計", 9, start=table)) == [
            f["places"], f["survey"], f["gatherings"], f["attendance"], f["members"], f["members_65"],
            f["population"], f["rate"], f["professional"]]
    else:
        assert MUNICIPALITY_TABLE not in items
    assert result.hidden_cells == 0


def test_fonts_are_embedded_truetype(demo, tmp_path: Path) -> None:
    out = tmp_path / "r1.pdf"
    make(demo, out)
    used = fonts(out)
    assert used and all(embedded for _, embedded in used), used


def test_metadata_page_numbers_and_header_on_every_page(demo, tmp_path: Path) -> None:
    out = tmp_path / "r1.pdf"
    result = make(demo, out)
    reader = PdfReader(str(out))
    assert reader.metadata.author == f"Kaigo Desktop {__version__}"
    assert reader.metadata.title.startswith("通いの場 実施状況報告書 令和7年度（2025年度）")
    assert reader.metadata["/CreationDate"].startswith("D:20261201")
    texts = page_texts(out)
    assert len(texts) == result.pages >= 2
    for n, text in enumerate(texts, start=1):
        assert f"{n} / {len(texts)}" in text
        assert "令和7年度（2025年度）" in text and "全区市町村（東京都）" in text
        assert "作成日 令和8年12月1日" in text
        width, height = reader.pages[n - 1].mediabox.width, reader.pages[n - 1].mediabox.height
        assert (round(width), round(height)) == (595, 842)  # A4 portrait


def test_same_data_and_date_give_the_same_bytes_and_only_the_date_differs(demo, tmp_path: Path) -> None:
    first, second, later = tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"
    make(demo, first)
    make(demo, second)
    assert first.read_bytes() == second.read_bytes()
    make(demo, later, created=date(2027, 1, 15))
    assert first.read_bytes() != later.read_bytes()
    strip = lambda texts: [t.replace("令和8年12月1日", "DATE").replace("令和9年1月15日", "DATE") for t in texts]  # noqa: E731
    assert strip(page_texts(first)) == strip(page_texts(later))
    meta_a, meta_c = dict(PdfReader(str(first)).metadata), dict(PdfReader(str(later)).metadata)
    for key in ("/CreationDate", "/ModDate"):
        assert meta_a.pop(key) != meta_c.pop(key)
    assert meta_a == meta_c


def test_suppression_is_on_by_default_and_states_what_it_hid(small, tmp_path: Path) -> None:
    out = tmp_path / "r1.pdf"
    result = make(small, out, municipality_code=HINODE)
    items = cells(out)
    text = flat_text(out)
    # 日の出町: 2 participants, 2 aged 75+, attendance 2 → all "<5"; the rate would give them away → 「秘匿」.
    summary = "1. 概要"
    assert after(items, "延べ参加者数（注7）", start=summary)[0] == "<5"
    assert after(items, "参加者実人数（注8）", start=summary)[0] == "<5"
    assert after(items, "参加率（注10）", start=summary)[0] == "秘匿"
    assert after(items, "75歳以上", start="6. 参加者実人数（年齢別）（注8・注9）")[0] == "<5"
    assert after(items, "女性", start="5. 参加者実人数（男女別）（注8）")[0] == "<5"
    assert after(items, "男性", start="5. 参加者実人数（男女別）（注8）")[0] == "0"  # 0 identifies no one
    assert "1～4人の欄を「<5」と表示しています" in text
    assert "秘匿（1～4人を「<5」と表示）:" in text and "「女性」" in text
    assert result.hidden_cells > 0
    # Places and gatherings are counted, never hidden.
    assert after(items, "活動中の通いの場（注2）", start=summary)[0] == "1"
    assert after(items, "開催回数（注7）", start=summary)[0] == "1"


def test_secondary_suppression_keeps_a_small_count_from_being_worked_out(small, tmp_path: Path) -> None:
    out = tmp_path / "r1.pdf"
    make(small, out, municipality_code=CHIYODA)
    items = cells(out)
    text = flat_text(out)
    sexes = "5. 参加者実人数（男女別）（注8）"
    # 千代田区: 男性 3, 女性 40, 不明 0, 計 43. 男性 alone is small and 43 − 40 would give it away, so the smallest
    # other non-zero count (女性) is hidden as well, as 「秘匿」.
    assert [after(items, label, start=sexes)[0] for label in ("男性", "女性", "不明", "計")] == ["<5", "秘匿", "0", "43"]
    assert "二次秘匿（ほかの表や合計から逆算できないよう「秘匿」と表示）: 「女性」" in text
    ages = "6. 参加者実人数（年齢別）（注8・注9）"
    # 65歳未満 1 and 不明 3 are both small: neither can be worked out from the other, nothing more is hidden.
    shown = [after(items, label, start=ages)[0] for label in ("65歳未満", "65～74歳", "75歳以上", "不明", "計")]
    assert shown == ["<5", "9", "30", "<5", "43"]
    assert after(items, f"{FY}年6月", start="7. 月別延べ参加者数（注7）")[0] == "33"


def test_no_suppress_shows_every_count(small, tmp_path: Path) -> None:
    out = tmp_path / "r1.pdf"
    result = make(small, out, municipality_code=HINODE, suppress=False)
    items = cells(out)
    assert after(items, "参加者実人数（注8）", start="1. 概要")[0] == "2"
    assert after(items, "参加率（注10）", start="1. 概要")[0] == "0.2"
    assert "なし（参加者の人数をすべてそのまま表示しています）。" in flat_text(out)
    assert "<5" not in items and result.hidden_cells == 0


def test_no_personal_data(small, tmp_path: Path) -> None:
    out = tmp_path / "r1.pdf"
    make(small, out)
    text = flat_text(out)
    for personal in ("山本", "03-1111-2222", "佐藤", "090-3333-4444", "雨天のため短縮", "山田花子", "会の運営を相談"):
        assert personal not in text
    # Not even the names of places: report 1 is counts only.
    assert "小さなお茶会" not in text


def test_a_year_without_data_makes_a_report_only_when_allowed(db, tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    with pytest.raises(EmptyScope, match="この年度の記録.*がありません"):
        make(db, out, municipality_code=CHIYODA)
    assert not out.exists()
    result = make(db, out, municipality_code=CHIYODA, allow_empty=True)
    items = cells(out)
    assert result.pages >= 1
    assert after(items, "活動中の通いの場（注2）", start="1. 概要")[0] == "0"
    assert after(items, "65歳以上人口", start="1. 概要")[0] == "未入力"
    assert after(items, "参加率（注10）", start="1. 概要")[0] == "65歳以上人口 未入力"


def test_survey_reference_month_setting_is_followed(small, tmp_path: Path) -> None:
    from kaigo_desktop.services import settings

    settings.save(small, settings.ComputationSettings(survey_reference_month=6))
    out = tmp_path / "r1.pdf"
    make(small, out, suppress=False)
    items = cells(out)
    # June 2025: 大きな体操の会 (10th) and 小さなお茶会 (5th) in 千代田区; none in 日の出町.
    assert after(items, "調査対象の通いの場（6月に開催あり）（注3）", start="1. 概要")[0] == "2"
    assert numbers(after(items, "千代田区", 2, start=MUNICIPALITY_TABLE)) == [2, 2]
    assert numbers(after(items, "日の出町", 2, start=MUNICIPALITY_TABLE)) == [1, 0]
    assert "基準月（6月）" in flat_text(out)
