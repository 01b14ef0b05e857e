"""The shared pieces: 秘匿処理 rules, Japanese line breaking in table cells, cell formats, paged tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaigo_desktop.reports.model import INT, PERCENT, SECONDARY, SMALL, TEXT, Column, TableData, format_cell
from kaigo_desktop.reports.suppression import Suppressor, is_small, protect


def test_only_counts_of_one_to_four_are_small() -> None:
    assert [is_small(v) for v in (0, 1, 4, 5, None, True, 2.0)] == [False, True, True, False, False, False, False]


def test_group_hides_small_cells_and_one_more_when_a_single_one_could_be_worked_out() -> None:
    def build(s: Suppressor):
        return [s.group("表", [("A", 3), ("B", 40), ("C", 12), ("D", 0)], ("計", 55)),
                s.group("表2", [("A", 3), ("B", 2), ("C", 40)], ("計", 45)),
                s.group("表3", [("A", 2), ("B", 1)], ("計", 3)),
                s.group("表4", [("A", 3), ("B", 0)], ("計", 3))]

    (first, second, third, fourth), s = protect(build)
    assert first == ([SMALL, 40, SECONDARY, 0], 55)  # C (12) is the smallest other non-zero that protects A
    assert second == ([SMALL, SMALL, 40], 45)  # two hidden cells (3 + 2 = 5: 0…5 each) protect each other
    assert third == ([SMALL, SMALL], SMALL)
    assert fourth == ([SMALL, 0], SMALL)
    assert s.notes_for("表") == ["秘匿（1～4人を「<5」と表示）: A",
                                "二次秘匿（ほかの表や合計から逆算できないよう「秘匿」と表示）: C"]
    assert "「<5」と表示しています（8欄）" in s.statement() and "ほかに1欄を「秘匿」" in s.statement()


def test_two_small_cells_that_add_up_to_less_than_five_take_a_third() -> None:
    # A 1 and B 2 hidden alone: 45 − 42 = 3 leaves A only 0…3 (4 values): C (42) is hidden too.
    (shown, total), _ = protect(lambda s: s.group("表", [("A", 1), ("B", 2), ("C", 42)], ("計", 45)))
    assert shown == [SMALL, SMALL, SECONDARY] and total == 45


def test_the_same_figure_in_two_tables_is_hidden_in_both() -> None:
    # 概要 prints 実人数 and 65歳以上; the rest (4) is printed nowhere but 159 − 155 would give it away.
    def build(s: Suppressor):
        members = s.cell("概要", "実人数", 159, "members")
        older = s.cell("概要", "65歳以上", 155, "older")
        s.unpublished("rest", 4, sensitive=True)
        s.relation("members", ["older", "rest"])
        ages = s.group("年齢別", [("65歳未満", 4), ("65歳以上", 155)], ("計", 159), keys=["under", "older"],
                       total_key="members")
        return members, older, ages

    (members, older, ages), _ = protect(build)
    assert members == 159 and older is SECONDARY and ages == ([SMALL, SECONDARY], 159)


def test_a_count_printed_twice_must_agree() -> None:
    with pytest.raises(ValueError):
        protect(lambda s: (s.cell("表", "A", 3, "a"), s.cell("表2", "A", 4, "a")))


def test_disabled_suppressor_changes_nothing() -> None:
    (group, cell, rate), s = protect(lambda s: (s.group("表", [("A", 3)], ("計", 3)), s.cell("表", "B", 2),
                                               s.derived("表", "率", 0.1, [2])), enabled=False)
    assert group == ([3], 3) and cell == 2 and rate == 0.1
    assert s.hidden == [] and s.statement().startswith("なし")


def test_derived_figures_follow_their_sources() -> None:
    s = Suppressor()
    assert s.derived("表", "参加率", 0.2, [SMALL]) is SECONDARY
    assert s.derived("表", "参加率", 1.5, [120]) == 1.5
    assert s.derived("表", "参加率", None, [SMALL]) is None


def test_cell_formats() -> None:
    assert format_cell(1234567, INT) == "1,234,567"
    assert format_cell(1.5, PERCENT) == "1.5%"
    assert format_cell(0.2, INT) == "0.2"
    assert format_cell(None, INT) == "—"
    assert format_cell(SMALL, INT) == "<5" and format_cell(SECONDARY, INT) == "秘匿"
    assert format_cell("文京区", TEXT) == "文京区"


@pytest.fixture(scope="module")
def font() -> str:
    from kaigo_desktop.reports.fonts import japanese_font

    return japanese_font().name


def test_wrap_keeps_line_start_and_end_rules(font: str) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from kaigo_desktop.reports.tables import wrap_text

    text = "住民団体（自治会・NPO法人等）が運営する、週1回以上の体操教室です。連絡先は03-1234-5678。"
    for width in (40, 55, 70, 90, 120):
        lines = wrap_text(text, font, 8.5, width)
        assert "".join(lines) == text
        for line in lines[1:]:
            assert line[0] not in "、。）」・ー", lines
        for line in lines[:-1]:
            assert line[-1] not in "（「", lines
            assert stringWidth(line, font, 8.5) <= width + 2 * 8.5, lines  # at most the pushed-out characters
        if width >= 70:  # a number is never broken when it fits on a line
            assert any("03-1234-5678" in line for line in lines), lines
    assert wrap_text("短い", font, 8.5, 100) == ["短い"]
    assert wrap_text("一行目\n二行目", font, 8.5, 100) == ["一行目", "二行目"]


def test_paged_table_repeats_the_header_and_never_splits_a_row(tmp_path: Path, font: str) -> None:
    from datetime import date

    from pypdf import PdfReader

    from kaigo_desktop.reports import layout
    from kaigo_desktop.reports.fonts import japanese_font
    from kaigo_desktop.reports.tables import table_block

    rows = [[f"行{i:03d}", "とても長い説明の文が入るセルで、折り返して三行くらいになることがあります。" * (i % 3), i]
            for i in range(300)]
    data = TableData("t", "長い表", [Column("名前", TEXT, 30), Column("説明", TEXT, 100), Column("数", INT, 20)], rows)
    styles = layout.make_styles(font)
    meta = layout.ReportMeta("表のテスト", "テスト", date(2026, 1, 1), japanese_font())
    out = tmp_path / "t.pdf"
    pages = layout.build_pdf(out, meta, table_block(data, styles), styles)
    texts = [p.extract_text() for p in PdfReader(str(out)).pages]
    assert len(texts) == pages > 5
    seen = []
    for text in texts:
        lines = [line.strip() for line in text.splitlines()]
        assert "名前" in lines and "説明" in lines and "数" in lines  # the header on every page
        seen += [line for line in lines if line.startswith("行") and len(line) == 4]
    assert seen == [f"行{i:03d}" for i in range(300)]  # every row once, in order


def test_charts_start_at_zero_in_the_report_font(font: str) -> None:
    from reportlab.graphics.charts.barcharts import BarChart

    from kaigo_desktop.reports.charts import horizontal_bars, vertical_bars

    for drawing in (horizontal_bars(["運動機能向上", "低栄養予防"], [149, 31], width=300, font=font),
                    vertical_bars(["4月", "5月"], [0, 0], width=300, height=150, font=font)):
        chart = next(item for item in drawing.contents if isinstance(item, BarChart))
        assert chart.valueAxis.valueMin == 0 and chart.valueAxis.valueMax > 0
        assert chart.categoryAxis.labels.fontName == font and chart.valueAxis.labels.fontName == font
        assert drawing.initialFontName == font
