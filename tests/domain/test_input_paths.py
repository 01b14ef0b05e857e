"""What one path accepts the others accept, with the same value: a count or a choice typed anywhere is read by
the domain (text.parse_count + validation.check_count; vocab.match_choice), by a real one-row CSV imported into a
real database, and — for counts — by the GUI's count editor (a real CountEdit, offscreen), and an exchange row
holding what the domain made of a choice is accepted as it is."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaigo_desktop.domain import records as r
from kaigo_desktop.domain.text import parse_count
from kaigo_desktop.domain.validation import FIELD_LIMITS, check_count, count_units
from kaigo_desktop.domain.vocab import match_choice
from kaigo_desktop.gui.widgets.count_and_time_edits import CountEdit
from kaigo_desktop.services import records
from kaigo_desktop.services.importing import import_file
from kaigo_desktop.services.received_rows import row_problems
from kaigo_desktop.storage import lookups
from kaigo_desktop.storage.database import Database

TODAY = date(2025, 6, 30)
CHIYODA = "131016"
REFUSED = "refused"
PATHS = settings(max_examples=50, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory):
    db = Database.open(tmp_path_factory.mktemp("paths") / "t.sqlite3", create=True, user="テスト")
    records.add(db, r.Place(CHIYODA, "さくら体操クラブ", start_date=date(2020, 4, 1)), today=TODAY)
    yield db
    db.close()


def one_row_csv(tmp_path: Path, header: list[str], row: list[str]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, row])
    path = tmp_path / "one.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def change_seq(db: Database) -> int:
    return db.scalar("SELECT value FROM db_meta WHERE key = 'change_seq'")


# ---------------------------------------------------------------- counts

DIGITS = "0123456789０１２３４５６７８９"


@st.composite
def typed_counts(draw) -> str:
    """Counts as people type them (grouped or not, full- or half-width, a unit, blanks), and near misses."""
    number = draw(st.integers(0, 12_000) | st.integers(0, 10 ** 7))
    text = f"{number:,}" if draw(st.booleans()) else str(number)
    if draw(st.booleans()):
        text = text.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    if draw(st.integers(0, 3)) == 0:  # a near miss, one time in four
        text = draw(st.sampled_from(["-", "+", "¥", ""])) + text + draw(st.sampled_from(["分", "円", ".5", ",", "人人"]))
    else:
        text += draw(st.sampled_from(["", "人", " 人", "　人", "名", ".0"]))
    return draw(st.sampled_from(["", " ", "　"])) + text + draw(st.sampled_from(["", " ", "　"]))


def domain_count(text: str) -> int | None | str:
    """What the domain makes of 実人数 typed as `text`: its value (None: blank) or REFUSED."""
    try:
        value = parse_count(text, field_label="実人数", units=count_units("total"))
    except ValueError:
        return REFUSED
    return REFUSED if check_count(value, "total", "実人数") else value


def imported_count(db: Database, tmp_path: Path, text: str) -> int | None | str:
    """What a one-row 参加者実人数 CSV with 実人数 `text` stores (None: refused as blank)."""
    place_id = db.scalar("SELECT id FROM places")
    before = change_seq(db)
    result = import_file(db, "members", one_row_csv(tmp_path, ["通いの場ID", "年度", "実人数"], [place_id, "2024", text]),
                         today=TODAY)
    if not result.ok:
        assert change_seq(db) == before  # a refused file writes nothing
        assert [e.column for e in result.errors] == ["実人数"], result.errors
        return None if result.errors[0].message == "実人数が入力されていません。" else REFUSED
    return db.scalar("SELECT total FROM members WHERE place_id = ? AND fiscal_year = 2024 AND deleted_at IS NULL",
                     (place_id,))


def edited_count(edit: CountEdit, text: str) -> int | None:
    """What the count editor holds after `text` is pasted or committed by the IME into it (refused: blank)."""
    edit.clear()
    edit.insert(text)
    return edit.value()


@PATHS
@given(text=st.one_of(typed_counts(), st.text(alphabet=DIGITS + ",，.-+ 　人分円¥ab", max_size=8)))
def test_a_count_reads_the_same_in_the_domain_the_import_and_the_count_editor(database, tmp_path, qtbot, text):
    edit = CountEdit()
    qtbot.addWidget(edit)
    domain = domain_count(text)
    assert imported_count(database, tmp_path, text) == domain
    assert edited_count(edit, text) == (None if domain == REFUSED else domain)
    if domain not in (None, REFUSED):
        assert edit.text() == str(domain)  # shown as the plain number it is


def test_the_count_editor_takes_every_count_up_to_the_bound_and_no_more(qtbot) -> None:
    edit = CountEdit()
    qtbot.addWidget(edit)
    limit = FIELD_LIMITS["total"]
    assert edited_count(edit, f"{limit:,}人") == limit
    assert edited_count(edit, f"{limit + 1:,}") is None
    assert domain_count(f"{limit + 1:,}") == REFUSED


def test_typing_a_grouped_count_key_by_key_gives_the_number(qtbot) -> None:
    edit = CountEdit()
    qtbot.addWidget(edit)
    qtbot.keyClicks(edit, "1,234")  # the comma alone is no count: refused as typed, the digits go on
    assert (edit.text(), edit.value()) == ("1234", 1234)


# ---------------------------------------------------------------- choices

# Width variants a spreadsheet or an IME gives: half-width brackets, full-width letters, half-width katakana.
_HALF_WIDTH = str.maketrans({"（": "(", "）": ")", "・": "･"})
_FULL_WIDTH_LETTERS = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(ord("A"), ord("Z") + 1)})


@st.composite
def typed_choices(draw, choices: list[str]) -> str:
    label = draw(st.sampled_from(choices))
    text = draw(st.sampled_from([label, label.split("（")[0], label[:2], label + "等"]))
    if draw(st.booleans()):
        text = text.translate(_HALF_WIDTH)
    if draw(st.booleans()):
        text = text.translate(_FULL_WIDTH_LETTERS)
    return draw(st.sampled_from(["", " ", "　"])) + text + draw(st.sampled_from(["", " ", "　"]))


def domain_choice(text: str, choices: list[str]) -> str | None:
    try:
        return match_choice(text, choices, label="運営主体")
    except ValueError:
        return REFUSED


def imported_choice(db: Database, tmp_path: Path, text: str) -> str:
    before = change_seq(db)
    result = import_file(db, "places", one_row_csv(tmp_path, ["名称", "区市町村コード", "運営主体"],
                                                    ["試しの場", CHIYODA, text]), today=TODAY)
    if not result.ok:
        assert change_seq(db) == before
        assert [e.column for e in result.errors] == ["運営主体"], result.errors
        return REFUSED
    return db.scalar("SELECT operator_kind FROM places WHERE name = '試しの場' AND deleted_at IS NULL")


def received_problems(db: Database, operator_kind: str) -> list[str]:
    """Why a place row arriving from another PC with this 運営主体 would be held ([] when it is taken)."""
    row = dict(db.query("SELECT * FROM places WHERE name = 'さくら体操クラブ'")[0])
    return row_problems(db, "places", {**row, "operator_kind": operator_kind}, TODAY)


@PATHS
@given(data=st.data())
def test_a_choice_reads_the_same_in_the_domain_and_the_import_and_exchange_takes_it(database, tmp_path, data):
    choices = lookups.vocabulary(database, "operator_kinds")
    text = data.draw(st.one_of(typed_choices(choices), st.text(alphabet="住民団体行政（）() 　ＮPO等", max_size=6)))
    domain = domain_choice(text, choices)
    if domain is None:  # blank: the import leaves the stored value as it is, nothing to compare
        return
    assert imported_choice(database, tmp_path, text) == domain
    if domain == REFUSED:
        assert received_problems(database, text)  # what no path reads is no stored value either
    else:
        assert received_problems(database, domain) == []


def test_exchange_takes_the_label_and_refuses_a_short_form_naming_the_choices(database) -> None:
    assert received_problems(database, "住民団体（自治会・NPO法人等）") == []
    problems = received_problems(database, "住民団体")
    assert len(problems) == 1 and problems[0].startswith("運営主体「住民団体」は選択肢にありません（「住民個人」、")


@pytest.mark.parametrize("text", ["20", "２０人", "1,234", "１，２３４人", " 7 ", "", "20分", "-1", "1.5", "12,34", "人"])
def test_the_forms_read_capacity_and_minutes_as_the_domain_does(text: str) -> None:
    from kaigo_desktop.gui.screens.activity_form import parse_minutes
    from kaigo_desktop.gui.screens.place_form import _parse_capacity

    def domain(field: str, label: str, typed: str) -> int | None | str:
        try:
            return parse_count(typed, field_label=label, units=count_units(field))
        except ValueError as error:
            return str(error)

    capacity, errors = _parse_capacity(text)
    assert (errors[0].message if errors else capacity) == domain("capacity", "定員", text)
    minutes_text = text.replace("人", "分")
    try:
        minutes: int | None | str = parse_minutes(minutes_text)
    except ValueError as error:
        minutes = str(error)
    assert minutes == domain("minutes", "時間（分）", minutes_text)
