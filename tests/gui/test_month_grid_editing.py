"""The month grid as an Excel user works it: Delete/BackSpace empties the selected cells in one edit (undone with
Ctrl+Z, never the window's ゴミ箱 Delete), a block copied from Excel pastes from the current cell with its wrong
cells marked and listed before anything is saved, the columns stay put when a row's state changes, and public
holidays are marked on their days."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableWidgetSelectionRange

from kaigo_desktop.gui.screens.gathering_month_grid import _DAY_OFF, _ERROR_BRUSH, _SATURDAY
from tests.gui.conftest import save_and_wait
from tests.gui.test_gatherings_screen import (  # noqa: F401 - the fixtures of the gatherings screen's tests
    context, data, fill_row, open_grid, screen, stored,
)

CTRL = Qt.KeyboardModifier.ControlModifier


def texts(grid, row: int) -> list[str]:
    return [grid.table.item(row, column).text() for column in range(9)]


def is_error(grid, row: int, column: int) -> bool:
    return grid.table.item(row, column).background() == _ERROR_BRUSH


def test_delete_and_backspace_clear_the_selected_cells_in_one_edit(qtbot, screen, context, db_path, data) -> None:
    grid = open_grid(qtbot, screen, context, data["sakura"], 2024, 5)
    fill_row(grid, 1, "8", "12", "5", "7")
    fill_row(grid, 2, "15", "11", "4", "7")
    trashed = []  # the window's Delete (ゴミ箱へ) must not fire while the grid has the key
    QShortcut(QKeySequence(Qt.Key.Key_Delete), screen, lambda: trashed.append(True))
    grid.table.setFocus()
    grid.table.setCurrentCell(1, 2)
    grid.table.setRangeSelected(QTableWidgetSelectionRange(1, 2, 2, 3), True)  # 男性・女性 of two rows
    QTest.keyClick(grid.table, Qt.Key.Key_Delete)
    assert not trashed
    assert texts(grid, 1)[1:4] == ["12", "", ""] and texts(grid, 2)[1:4] == ["11", "", ""]
    assert "4個のセルを消しました" in grid.message.text() and "保存はまだです" in grid.message.text()
    assert grid.table.item(len(grid._rows), 2).text() == "0"  # the totals follow at once
    QTest.keyClick(grid.table, Qt.Key.Key_Z, CTRL)  # the whole Delete undone at once
    assert texts(grid, 1)[1:4] == ["12", "5", "7"] and texts(grid, 2)[1:4] == ["11", "4", "7"]
    grid.table.clearSelection()
    grid.table.setCurrentCell(2, 3)
    QTest.keyClick(grid.table, Qt.Key.Key_Backspace)
    assert texts(grid, 2)[1:4] == ["11", "4", ""] and grid.delegate.open_editor is None
    assert not [g for g in stored(db_path) if g.place_id == data["sakura"].id and g.held_on.day in (8, 15)]
    assert save_and_wait(qtbot, grid) is True
    saved = {g.held_on.day: g for g in stored(db_path) if g.place_id == data["sakura"].id and g.held_on.month == 5}
    assert (saved[15].attendance_total, saved[15].male, saved[15].female) == (11, 4, None)
    assert (saved[8].male, saved[8].female) == (5, 7)


def test_paste_from_excel_marks_the_wrong_cells_and_saves_nothing(qtbot, screen, context, db_path, data) -> None:
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 6)
    assert len(grid._rows) == 5
    # As Excel copies 5 rows: CRLF lines, full-width digits and 人 as typed in the sheet, a whole date, a note
    # with a line break (quoted), and one column more than the grid has.
    QApplication.clipboard().setText("3\t12\t5\t7\r\n10\t10\t6\t6\r\n17\t11\t五\t\r\n24\t１４人\t4\t10\r\n"
                                     "2024/6/28\t9\t\t\t\t\t\t\t\"雨天のため\n短縮\"\tはみ出し\r\n")
    grid.table.setFocus()
    grid.table.setCurrentCell(1, 0)  # pasted from the second row: the block needs a sixth row
    QTest.keyClick(grid.table, Qt.Key.Key_V, CTRL)
    assert [texts(grid, row)[:4] for row in range(1, 6)] == [
        ["3", "12", "5", "7"], ["10", "10", "6", "6"], ["17", "11", "五", ""], ["24", "14", "4", "10"],
        ["28", "9", "", ""]]
    assert texts(grid, 5)[8] == "雨天のため 短縮" and len(grid._rows) == 7  # and one empty row to type into
    # 男性+女性 > 参加者数: the three cells of that sum are wrong, not the whole row; 「五」 is no count.
    assert [is_error(grid, 2, column) for column in range(9)] == [False, True, True, True] + [False] * 5
    assert "男性と女性の合計（12人）が参加者数（10人）を超えています。" in grid.table.item(2, 2).toolTip()
    assert [is_error(grid, 3, column) for column in range(9)] == [False, False, True] + [False] * 6
    assert not any(is_error(grid, row, column) for row in (1, 4, 5) for column in range(9))
    assert [grid.table.verticalHeaderItem(row).text() for row in range(1, 7)] == [
        "追加", "エラー", "エラー", "追加", "追加", ""]  # the rows to fix, before any save
    message = grid.message.text()
    assert "5行を貼り付けました" in message and "はみ出した1列" in message and "保存はまだです" in message
    assert "10（月）：男性と女性の合計" in message and "17（月）：男性は0以上の整数で入力してください: 五" in message
    assert not [g for g in stored(db_path) if g.place_id == data["aoba"].id and g.held_on.month == 6]
    fill_row(grid, 2, "10", "12", "6", "6")
    assert save_and_wait(qtbot, grid) is False  # refused: the unreadable 「五」 is not saved as a blank
    assert "男性は0以上の整数で入力してください: 五" in grid.message.text()
    assert not [g for g in stored(db_path) if g.place_id == data["aoba"].id and g.held_on.month == 6]
    fill_row(grid, 3, "17", "11", "")
    assert save_and_wait(qtbot, grid) is True
    saved = sorted((g.held_on.day, g.attendance_total, g.male, g.notes) for g in stored(db_path)
                   if g.place_id == data["aoba"].id and g.held_on.month == 6)
    assert saved == [(3, 12, 5, ""), (10, 12, 6, ""), (17, 11, None, ""), (24, 14, 4, ""),
                     (28, 9, None, "雨天のため 短縮")]


def column_positions(grid) -> list[int]:
    origin = grid.table.viewport().mapTo(grid.table, QPoint(0, 0)).x()
    return [origin + grid.table.columnViewportPosition(column) for column in range(9)]


def test_columns_stay_put_and_the_state_word_is_not_the_column_word(qtbot, screen, context, data) -> None:
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 6)  # no stored rows: the row headers are blank
    qtbot.wait(20)
    before = column_positions(grid)
    fill_row(grid, 0, "3", "12")
    assert grid.table.verticalHeaderItem(0).text() == "追加"
    fill_row(grid, 1, "10", "10", "6", "6")
    assert save_and_wait(qtbot, grid) is False and grid.table.verticalHeaderItem(1).text() == "エラー"
    qtbot.wait(20)
    assert column_positions(grid) == before
    header_words = {grid.table.horizontalHeaderItem(column).text() for column in range(9)}
    assert "新規\n参加者" in header_words
    assert not {grid.table.verticalHeaderItem(row).text() for row in range(len(grid._rows))} & header_words


def test_public_holidays_and_weekends_are_marked_on_their_days(qtbot, screen, context, data) -> None:
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 5)
    fill_row(grid, 1, "3", "10")  # 憲法記念日, a Friday
    fill_row(grid, 2, "11", "10")  # a Saturday (the 4th is みどりの日)
    fill_row(grid, 3, "6", "10")  # 振替休日, a Monday
    fill_row(grid, 4, "7", "10")  # an ordinary Tuesday
    shown = [grid._display_text(grid.table.model().index(row, 0)) for row in range(1, 5)]
    assert shown == ["3（金・祝）", "11（土）", "6（月・祝）", "7（火）"]
    day = [grid.table.item(row, 0) for row in range(1, 5)]
    assert day[0].foreground() == _DAY_OFF[0] and day[2].foreground() == _DAY_OFF[0]
    assert day[1].foreground() == _SATURDAY[0] and day[3].foreground() != _DAY_OFF[0]
    assert grid.table.item(1, 5).background() == _DAY_OFF[2]  # the whole row tinted
    assert day[0].toolTip() == "祝日：憲法記念日" and day[2].toolTip() == "祝日：振替休日"
    metrics = grid.table.fontMetrics()
    assert metrics.horizontalAdvance("30（月・祝）") < grid.table.columnWidth(0)  # never 「3…」


def test_a_long_list_of_problems_leaves_room_for_the_grid(qtbot, screen, context, data) -> None:
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 6)
    grid.table.setFocus()
    grid.table.setCurrentCell(0, 0)
    grid.paste_text("".join(f"{day}\t5\t9\t\r\n" for day in range(1, 11)))  # ten rows, each 男性 > 参加者数
    lines = grid.message.text().splitlines()
    assert len(lines) == 6 and lines[-1].startswith("ほか6件")
    assert all(is_error(grid, row, 2) for row in range(10))


def test_counts_pasted_without_a_day_mark_the_day_cell(qtbot, screen, context, data) -> None:
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 6)
    grid.table.setFocus()
    grid.table.setCurrentCell(0, 1)  # from 参加者数: the rows have no day yet
    grid.paste_text("12\t5\t7\r\n")
    assert is_error(grid, 0, 0) and grid.table.item(0, 0).toolTip() == "日（1～月末）を入力してください。"
    assert "1行目：日（1～月末）を入力してください。" in grid.message.text()
    fill_row(grid, 0, "3", "12", "5", "7")
    assert not is_error(grid, 0, 0) and grid.table.verticalHeaderItem(0).text() == "追加"


def test_the_month_is_shown_and_typed_in_wareki(qtbot, screen, context, data) -> None:
    """The month picker shows 令和 and is typed whole like a date field (issue 15: all month pickers in 和暦)."""
    grid = open_grid(qtbot, screen, context, data["aoba"], 2024, 5)
    assert grid.month.editor.text() == "令和6年5月" and grid.month_label.text() == "（2024年5月）"
    grid.month.editor.setFocus()
    qtbot.wait(10)
    assert grid.month.editor.selectedText() == "令和6年5月"  # typing replaces it whole
    for typed, shown in (("R6.7", "令和6年7月"), ("令和６年８月", "令和6年8月"), ("2024/9", "令和6年9月"),
                         ("6.10", "令和6年10月")):
        grid.month.editor.setText(typed)
        grid.month.editor.editingFinished.emit()
        assert grid.month.editor.text() == shown
        qtbot.waitUntil(lambda: grid.sheet is not None
                        and (grid.sheet.year, grid.sheet.month) == grid.year_month(), timeout=10_000)
    assert grid.year_month() == (2024, 10)
    grid.month.editor.setText("10")  # the trap of a half-typed year: refused, the month kept
    grid.month.editor.editingFinished.emit()
    assert grid.year_month() == (2024, 10) and grid.month.editor.text() == "令和6年10月"
    assert grid.month.problem.isVisibleTo(grid) and "月として読めません" in grid.month.problem.text()
    grid.next_button.click()
    assert grid.month.editor.text() == "令和6年11月" and not grid.month.problem.isVisibleTo(grid)
