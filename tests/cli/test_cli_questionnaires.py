"""`import questionnaires` and `template questionnaires` (後期高齢者の質問票, issue 19) through main(): answers as
words (the domain's QUESTIONNAIRE_ITEMS), all rows or none with the line and column of a bad cell, a dry run that
writes nothing, a day already recorded updated, a 推進員 refused; the template's headers and drop-down choices."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from kaigo_desktop.services.importing_participants import QUESTIONNAIRES
from tests.cli.test_cli_participants import _scalar, _write, filled, run  # noqa: F401 - fixture

# Every item answered by its words; the stored numbers (1 = the first choice) written out by hand.
ANSWERS = {1: ("ふつう", 3), 2: ("やや不満", 3), 3: ("はい", 1), 4: ("いいえ", 2), 5: ("はい", 1), 6: ("いいえ", 2),
           7: ("はい", 1), 8: ("いいえ", 2), 9: ("はい", 1), 10: ("いいえ", 2), 11: ("いいえ", 2),
           12: ("やめた", 3), 13: ("はい", 1), 14: ("はい", 1), 15: ("いいえ", 2)}
COLUMNS = ", ".join(f"a{n}" for n in range(1, 16))


def _row(number: str, day: str, **answers: str) -> dict:
    return {"参加者番号": number, "区市町村コード": "131016", "回答日": day, **answers}


def _all_answers() -> dict:
    return {f"質問{n}": words for n, (words, _) in ANSWERS.items()}


def _count(path: Path) -> int:
    return _scalar(path, "SELECT count(*) FROM questionnaires WHERE deleted_at IS NULL")


def test_a_good_file_stores_the_answers_as_their_numbers(filled, tmp_path, capsys):  # noqa: F811
    rows = [_row("000001", "R6.6.1", **_all_answers()), _row("000002", "2024-06-02", 質問1="よい", 記入者="保健師A")]
    path = _write(tmp_path / "q.csv", QUESTIONNAIRES.headers, rows)
    assert run("--db", filled, "--user", "管理", "import", "questionnaires", path, "--dry-run") == 0
    assert _count(filled) == 0  # a dry run writes nothing
    assert run("--db", filled, "--user", "管理", "import", "questionnaires", path) == 0
    stored = _scalar(filled, f"SELECT json_array({COLUMNS}) FROM questionnaires q JOIN participants p"
                             " ON p.id = q.participant_id WHERE p.number = '000001' AND q.answered_on = '2024-06-01'")
    assert stored == "[" + ",".join(str(number) for _, number in ANSWERS.values()) + "]"
    assert _scalar(filled, "SELECT a1 || '/' || coalesce(a2, '未回答') || '/' || entered_by FROM questionnaires"
                           " WHERE answered_on = '2024-06-02'") == "1/未回答/保健師A"
    assert _scalar(filled, "SELECT entered_by FROM questionnaires WHERE answered_on = '2024-06-01'") == "管理"
    # the same participant and day again: updated, not added (and a blank 記入者 keeps the stored one)
    again = _write(tmp_path / "q2.csv", QUESTIONNAIRES.headers, [_row("000002", "2024-06-02", 質問1="よくない")])
    assert run("--db", filled, "--user", "管理", "import", "questionnaires", again) == 0
    assert _count(filled) == 2
    assert _scalar(filled, "SELECT a1 || '/' || entered_by FROM questionnaires"
                           " WHERE answered_on = '2024-06-02'") == "5/保健師A"


def test_a_bad_cell_refuses_the_whole_file_naming_line_and_column(filled, tmp_path, capsys):  # noqa: F811
    rows = [_row("000001", "2024-06-01", **_all_answers()),
            _row("000002", "2024-06-01", 質問1="とてもよい"),
            _row("000003", "2030-01-01", 質問12="吸う"),
            _row("999999", "2024-06-01")]
    path = _write(tmp_path / "bad.csv", QUESTIONNAIRES.headers, rows)
    assert run("--db", filled, "--user", "管理", "import", "questionnaires", path) == 1
    err = capsys.readouterr().err
    assert "3行目 [質問1]" in err and "よい・まあよい・ふつう・あまりよくない・よくない" in err
    assert "4行目 [質問12]" in err and "4行目 [回答日]" in err and "未来" in err
    assert "5行目 [参加者番号] 参加者番号 999999 の参加者が見つかりません。" in err
    assert _count(filled) == 0  # the good first row is not written either


def test_a_promoter_may_not_import_answers(filled, tmp_path, capsys):  # noqa: F811
    path = _write(tmp_path / "q.csv", QUESTIONNAIRES.headers, [_row("000001", "2024-06-01", 質問1="よい")])
    assert run("--db", filled, "--user", "推進", "import", "questionnaires", path) == 1
    assert _count(filled) == 0


def test_the_template_has_the_headers_and_the_choices_as_words(filled, tmp_path):  # noqa: F811
    out = tmp_path / "質問票.xlsx"
    assert run("--db", filled, "template", "questionnaires", "--out", out) == 0
    book = load_workbook(out)
    assert [c.value for c in book["取り込み"][1]] == list(QUESTIONNAIRES.headers)
    lists = {column[0].value: [c.value for c in column[1:] if c.value] for column in book["選択肢"].iter_cols()}
    assert lists["質問1"] == ["よい", "まあよい", "ふつう", "あまりよくない", "よくない"]
    assert lists["質問12"] == ["吸っている", "吸っていない", "やめた"]
    assert len(book["取り込み"].data_validations.dataValidation) >= 15
