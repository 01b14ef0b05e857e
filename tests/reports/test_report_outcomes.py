"""Report 通いの場参加者のフレイル状態の変化 read back from the PDF: every figure equal to an independent SQL scoring
(without 秘匿処理), and with it no count of 1–4 people printed."""

from __future__ import annotations

from pathlib import Path

from report_checks import CREATED, after, cells, flat_text, number

from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.services.outcomes import CHANGE_KEYS, LEVEL_KEYS
from tests.services.test_outcomes import _expected

FY = 2026


def _make(demo, tmp_path: Path, suppress: bool) -> Path:
    out = tmp_path / f"outcomes-{suppress}.pdf"
    generate("outcomes", demo, ReportOptions(fiscal_year=FY, suppress=suppress, created=CREATED), out)
    return out


def test_figures_equal_independent_sql(demo, tmp_path):
    expected = _expected(demo, FY)
    items = cells(_make(demo, tmp_path, suppress=False))
    names = dict(demo.query("SELECT id, name FROM places"))
    assert expected[""]["checked"] > 20
    for place_id, e in expected.items():
        label = names[place_id] if place_id else "全体"
        levels = [number(v) for v in after(items, label, 1 + 2 * len(LEVEL_KEYS))]
        assert levels == [e["checked"], *(e["first"].get(k, 0) for k in LEVEL_KEYS),
                          *(e["latest"].get(k, 0) for k in LEVEL_KEYS)], label
        changes = [number(v) for v in after(items, label, 1 + len(CHANGE_KEYS), nth=1)]
        assert changes == [sum(e["changes"].values()), *(e["changes"].get(k, 0) for k in CHANGE_KEYS)], label


def test_suppressed_report_prints_no_small_count(demo, tmp_path):
    path = _make(demo, tmp_path, suppress=True)
    items = cells(path)
    expected = _expected(demo, FY)
    names = dict(demo.query("SELECT id, name FROM places"))
    for place_id in expected:
        row = after(items, names[place_id] if place_id else "全体", 1 + 2 * len(LEVEL_KEYS))
        assert not any(isinstance(number(v), int) and 1 <= number(v) <= 4 for v in row)
    text = flat_text(path)
    assert "「<5」と表示しています" in text and "判定基準" in text
