"""Layout of the PDF reports parsed back (pypdf): a directory of thousands of places keeps its No. column on one
line and names the 区市町村 in the running header of continuation pages; no text below 8 pt in any report (the
font operators of the page streams); Japanese line breaking (katakana words whole, no break after 「)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_checks import CHIYODA, CREATED, DEMO_TODAY, FY, page_texts

from kaigo_desktop.domain.records import Gathering, Place
from kaigo_desktop.reports import ReportOptions, generate
from kaigo_desktop.services import records
from kaigo_desktop.storage.database import Database

PLACES = 1_200  # past 1,000: the number that wrapped as 「1,00」「0」


@pytest.fixture(scope="module")
def directory_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("directory")
    with Database.open(folder / "many.sqlite3", create=True, user="準備") as db:
        places = [Place(CHIYODA, f"体操の会{n:04d}", f"タイソウノカイ{n:04d}", address=f"神田{n}-1",
                        start_date=date(2020, 4, 1), programs=("motor",)) for n in range(1, PLACES + 1)]
        records.add_many(db, places, today=DEMO_TODAY)
        first = db.scalar("SELECT id FROM places WHERE name = ?", ("体操の会0001",))
        records.add(db, Gathering(first, date(FY, 6, 1), attendance_total=10), today=DEMO_TODAY)
        out = folder / "directory.pdf"
        generate("places", db, ReportOptions(fiscal_year=FY, created=CREATED), out)
    return out


def header_right(page_text: str) -> str:
    """The running header's right part: 「令和7年度（2025年度）　…」 (drawn after the page's body)."""
    found = [line for line in page_text.splitlines() if line.startswith("令和7年度（2025年度）")]
    assert found, page_text[-300:]
    return found[-1]


def test_the_no_column_of_a_long_directory_never_wraps(directory_pdf: Path) -> None:
    texts = page_texts(directory_pdf)
    lines = [line.strip() for text in texts for line in text.splitlines()]
    numbers = [line.split(" ")[0] for line in lines if re.fullmatch(r"[\d,]+ 体操の会\d{4}", line.strip())
               or re.fullmatch(r"[\d,]+", line.split(" ")[0] if line else "x")]
    for n in (999, 1_000, 1_001, 1_200):
        assert f"{n:,}" in numbers, n
    # No fragment of a number: 「1,00」 alone or a lone digit where a number wrapped.
    assert not any(re.fullmatch(r"\d,\d{1,2}", number) for number in numbers)
    last = texts[-1]
    assert "1,200" in last and "体操の会1200" in last


def test_continuation_pages_name_the_municipality_in_the_running_header(directory_pdf: Path) -> None:
    texts = page_texts(directory_pdf)
    assert len(texts) > 10
    for number, text in enumerate(texts[2:], start=3):
        assert header_right(text).endswith("千代田区（131016）（続き）"), number
    assert header_right(texts[0]).endswith("千代田区（131016）")  # where the section begins


def test_promoter_sections_keep_their_municipality_on_every_page(demo: Database, tmp_path: Path) -> None:
    out = tmp_path / "promoters.pdf"
    generate("promoters", demo, ReportOptions(fiscal_year=FY, created=CREATED), out)
    texts = page_texts(out)
    section = re.compile(r"^(\S+（\d{6}）)$", re.M)
    current = None
    continued = 0
    for number, text in enumerate(texts, start=1):
        headings = [h for h in section.findall(text) if not h.startswith("令和")]
        scope = header_right(text).split("　", 1)[1]
        if headings and text.find(headings[0]) < 80:  # the page begins with a section
            assert scope.startswith(headings[0]), (number, scope)
            current = headings[-1]
        elif current and "注（定義）" not in text:
            assert scope == f"{current}（続き）", (number, scope)
            continued += 1
    assert continued >= 1  # the demo has a section longer than a page


FONT_SIZE = re.compile(rb"/[A-Za-z0-9+\-_.]+ ([\d.]+) Tf")


def font_sizes(path: Path) -> set[float]:
    sizes: set[float] = set()
    for page in PdfReader(str(path)).pages:
        sizes.update(float(size) for size in FONT_SIZE.findall(page.get_contents().get_data()))
    return sizes


def test_no_text_of_any_report_is_below_8_points(demo: Database, tmp_path: Path) -> None:
    promoter = demo.scalar("SELECT id FROM promoters WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    place = demo.scalar("SELECT id FROM places WHERE deleted_at IS NULL ORDER BY id LIMIT 1")
    month = (FY, 6)
    reports = {
        "submission": ReportOptions(fiscal_year=FY, created=CREATED),
        "promoters": ReportOptions(fiscal_year=FY, created=CREATED),
        "places": ReportOptions(fiscal_year=FY, created=CREATED),
        "activity": ReportOptions(fiscal_year=FY, promoter_id=promoter, created=CREATED),
        "attendance-sheet": ReportOptions(place_id=place, month=month, created=CREATED),
    }
    for kind, options in reports.items():
        out = tmp_path / f"{kind}.pdf"
        generate(kind, demo, options, out)
        sizes = font_sizes(out)
        assert sizes and min(sizes) >= 8, (kind, sorted(sizes))


def test_katakana_words_stay_whole_and_nothing_breaks_after_an_opening_bracket() -> None:
    from kaigo_desktop.reports.fonts import japanese_font
    from kaigo_desktop.reports.line_breaking import wrap_text

    font = japanese_font().name
    text = "地域のリハビリテーション専門職と「通いの場」のボランティアが、ストレッチ体操を支援します。"
    for width in range(90, 200, 7):
        lines = wrap_text(text, font, 9, width)
        assert "".join(lines) == text
        for word in ("リハビリテーション", "ボランティア", "ストレッチ"):
            assert any(word in line for line in lines), (width, lines)
        for line in lines[:-1]:
            assert not line.endswith("「"), lines
        for line in lines[1:]:
            assert line[0] not in "」、。ー", lines


def test_report_paragraphs_use_the_japanese_line_breaking(tmp_path: Path) -> None:
    from reportlab.lib.units import mm

    from kaigo_desktop.reports import layout
    from kaigo_desktop.reports.fonts import japanese_font

    font = japanese_font()
    meta = layout.ReportMeta("試し", "千代田区（131016）", CREATED, font)
    styles = layout.make_styles(font.name)
    # A note as long as a footnote, in a narrow column: reportlab's own CJK wrap splits the katakana words.
    note = "注1 推進員: リハビリテーション専門職・ボランティアコーディネーターなど「通いの場」を支える人。" * 3
    from reportlab.platypus import Table

    story = [Table([[[layout.text(note, styles.note)]]], colWidths=[62 * mm])]
    out = tmp_path / "note.pdf"
    layout.build_pdf(out, meta, story, styles)
    body = page_texts(out)[0]
    for word in ("リハビリテーション", "ボランティアコーディネーター"):
        assert body.count(word) == 3, (word, body)
