"""The データの取り込み dialog on a real database file: a dry-run preview writes nothing and shows row errors,
a good file imports after its preview, an Excel sheet chosen by name; checked with independent SQL."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QFileDialog

from kaigo_desktop.gui.context import AppContext
from kaigo_desktop.gui.import_dialog import ImportDialog
from kaigo_desktop.storage.database import Database

HEADER = "名称,名称カナ,区市町村コード,地域包括支援センター,住所,開始日,運動機能向上"
GOOD_ROWS = [HEADER,
             "さくら体操クラブ,サクラタイソウクラブ,131016,千代田地域包括支援センター,千代田区一番町1-1,令和6年4月1日,○",
             "いちょう脳トレ,,131016,,千代田区神田1-1,2023/10/1,"]
BAD_ROWS = GOOD_ROWS + ["ひまわり会,,131016,,,2024年13月40日,"]


def stored(db_path: Path, sql: str) -> list[tuple]:
    with Database.open(db_path) as db:
        return [tuple(row) for row in db.query(sql)]


def write_csv(path: Path, rows: list[str], encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def context(db_path: Path, start_context):
    return start_context(db_path, user="取り込みテスト")


@pytest.fixture
def dialog(qtbot, context: AppContext) -> ImportDialog:
    dialog = ImportDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def choose(dialog: ImportDialog, monkeypatch: pytest.MonkeyPatch, path: Path, kind: str = "places") -> None:
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(kind))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dialog.browse_button.click()


def check(qtbot, dialog: ImportDialog) -> None:
    dialog.check_button.click()
    qtbot.waitUntil(lambda: dialog._job is None and dialog.preview_result is not None, timeout=10_000)


def test_bad_row_is_shown_and_nothing_is_written(qtbot, dialog, db_path, tmp_path, monkeypatch, messages) -> None:
    choose(dialog, monkeypatch, write_csv(tmp_path / "places.csv", BAD_ROWS))
    assert dialog.encoding_combo.isEnabled() and not dialog.sheet_combo.isEnabled()
    assert not dialog.import_button.isEnabled()
    check(qtbot, dialog)
    table = dialog.preview.errors_table
    assert table.rowCount() >= 1 and not table.isHidden()
    assert table.item(0, 0).text() == "4"  # the header is line 1
    assert "開始日" in table.item(0, 1).text() + table.item(0, 2).text()
    assert not dialog.import_button.isEnabled()
    assert "エラー" in dialog.preview.summary_label.text()
    dialog.import_button.click()  # disabled: nothing happens
    qtbot.wait(100)
    assert stored(db_path, "SELECT COUNT(*) FROM places") == [(0,)]
    assert stored(db_path, "SELECT COUNT(*) FROM centers WHERE name = '千代田地域包括支援センター'") == [(0,)]


def test_good_csv_imports_after_its_preview(qtbot, dialog, context, db_path, tmp_path, monkeypatch, messages) -> None:
    choose(dialog, monkeypatch, write_csv(tmp_path / "places_sjis.csv", GOOD_ROWS, encoding="cp932"))
    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findData("cp932"))
    check(qtbot, dialog)
    result = dialog.preview_result
    assert result.ok and (result.rows, result.added, result.updated) == (2, 2, 0)
    assert "追加 2件" in dialog.preview.summary_label.text()
    assert stored(db_path, "SELECT COUNT(*) FROM places") == [(0,)]  # the preview wrote nothing
    assert dialog.import_button.isEnabled()
    changes = []
    context.changes_did_happen.connect(changes.append)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=10_000)
    assert stored(db_path, "SELECT name, kana, start_date FROM places WHERE deleted_at IS NULL ORDER BY start_date") \
        == [("いちょう脳トレ", "", "2023-10-01"), ("さくら体操クラブ", "サクラタイソウクラブ", "2024-04-01")]
    assert [(c.touches("places"), c.touches("gatherings")) for c in changes] == [(True, False)]
    assert messages and "取り込みました" in messages[-1]
    assert not dialog.import_button.isEnabled()  # not twice without a new preview


def test_changing_the_input_makes_the_preview_stale(qtbot, dialog, tmp_path, monkeypatch, messages) -> None:
    choose(dialog, monkeypatch, write_csv(tmp_path / "places.csv", GOOD_ROWS))
    check(qtbot, dialog)
    assert dialog.import_button.isEnabled()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("promoters"))
    assert not dialog.import_button.isEnabled() and dialog.preview_result is None


def test_xlsx_with_a_chosen_sheet(qtbot, dialog, db_path, tmp_path, monkeypatch, messages) -> None:
    book = openpyxl.Workbook()
    book.active.title = "説明"
    book.active.append(["このシートは説明です"])
    sheet = book.create_sheet("通いの場一覧")
    for line in GOOD_ROWS:
        sheet.append(line.split(","))
    path = tmp_path / "places.xlsx"
    book.save(path)
    choose(dialog, monkeypatch, path)
    assert [dialog.sheet_combo.itemText(i) for i in range(dialog.sheet_combo.count())] == ["説明", "通いの場一覧"]
    assert dialog.sheet_combo.isEnabled() and not dialog.encoding_combo.isEnabled()
    check(qtbot, dialog)
    assert not dialog.preview_result.ok  # the first sheet is not a places table
    assert not dialog.import_button.isEnabled()
    dialog.sheet_combo.setCurrentText("通いの場一覧")
    check(qtbot, dialog)
    assert dialog.preview_result.ok and dialog.preview_result.added == 2
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=10_000)
    assert stored(db_path, "SELECT COUNT(*) FROM places WHERE deleted_at IS NULL") == [(2,)]


def test_cancel_during_import_writes_nothing(qtbot, dialog, db_path, tmp_path, monkeypatch, messages) -> None:
    rows = [HEADER] + [f"体操の会{i},,131016,,,2024/4/1," for i in range(3000)]
    choose(dialog, monkeypatch, write_csv(tmp_path / "many.csv", rows))
    check(qtbot, dialog)
    assert dialog.preview_result.ok and dialog.preview_result.added == 3000
    dialog.import_button.click()
    dialog._job.cancel()  # as the progress dialog's 中止 does
    qtbot.waitUntil(lambda: dialog._job is None, timeout=20_000)
    if dialog.last_result is None:  # cancelled in time (the usual case)
        assert "中止" in dialog.preview.summary_label.text()
        assert stored(db_path, "SELECT COUNT(*) FROM places") == [(0,)]
    else:  # finished before the cancel was seen: then all of it
        assert stored(db_path, "SELECT COUNT(*) FROM places") == [(3000,)]


def test_the_dialog_lists_the_columns_of_the_chosen_kind(qtbot, dialog: ImportDialog) -> None:
    from kaigo_desktop.services.importing import layout_of

    qtbot.waitUntil(lambda: "区市町村コード" in dialog.columns_label.text())
    assert "名称（必須）" in dialog.columns_label.text() and "住所" in dialog.columns_label.text()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("members"))
    qtbot.waitUntil(lambda: "実人数（必須）" in dialog.columns_label.text())
    assert dialog.columns_label.text().count("、") == len(layout_of("members").headers) - 1


def test_save_template_writes_the_kinds_headers_where_the_user_chose(qtbot, dialog: ImportDialog, tmp_path,
                                                                       monkeypatch) -> None:
    from kaigo_desktop.services.importing import layout_of

    out = tmp_path / "推進員.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(out), "Excel (*.xlsx)"))
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("promoters"))
    dialog.template_button.click()
    qtbot.waitUntil(lambda: out.exists() and dialog.template_button.isEnabled())
    sheet = openpyxl.load_workbook(out)["取り込み"]
    assert tuple(cell.value for cell in sheet[1]) == layout_of("promoters").headers


def test_a_template_is_never_written_over_a_database_file(qtbot, dialog: ImportDialog, db_path, tmp_path,
                                                           monkeypatch, messages) -> None:
    disguised = tmp_path / "集計.xlsx"  # a copy of a database, named like a workbook
    disguised.write_bytes(db_path.read_bytes())
    before = disguised.read_bytes()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(disguised), ""))
    dialog.template_button.click()
    qtbot.waitUntil(lambda: len(messages) == 1)
    assert disguised.read_bytes() == before and "SQLite" in messages[0]
