"""Text size 100–200 % on a 1366×768 laptop: every screen (each navigation entry and the record forms, as the
screenshot command visits them) fits the available screen (1366×728: the taskbar takes the rest), no list cell
or header shows its text cut, and going back to 100 % gives back the 100 % sizes without a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QSizePolicy, QStyle, QStyleOptionViewItem, QTableView, QToolButton, QWidget

from kaigo_desktop.cli.records import TASKBAR_HEIGHT
from kaigo_desktop.gui.app import apply_text_scale, open_main_window
from kaigo_desktop.gui.main_window import MainWindow
from kaigo_desktop.gui.screenshots import settle
from kaigo_desktop.gui.widgets.wrapped_text_delegate import WrappedTextDelegate
from kaigo_desktop.services.demo import create_demo
from kaigo_desktop.storage.database import Database

pytestmark = pytest.mark.slow

AVAILABLE = QSize(1366, 768 - TASKBAR_HEIGHT)  # a 1366×768 screen less the Windows taskbar


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fit") / "demo.sqlite3"
    # Records up to today: the screens open on the current 年度, and their lists must have rows to check.
    Database.create_new(path, lambda db: create_demo(db, places=30, years=1, seed=3, today=date.today()),
                        user="デモ")
    return path


@pytest.fixture
def open_window(qapp, demo_db: Path, settings):
    """open_window(scale): the main window on the demo database at that text size, sized to the screen."""
    windows: list[MainWindow] = []

    def open_at(scale: int) -> MainWindow:
        apply_text_scale(qapp, scale)
        window = open_main_window(demo_db, settings)
        windows.append(window)
        window.resize(AVAILABLE)
        window.show()
        return window

    yield open_at
    for window in windows:
        for screen in window.built_screens():
            screen.discard_changes()
        window.hide()
        window.window_did_close.emit()
        window.deleteLater()
    apply_text_scale(qapp, 100)
    qapp.processEvents()


def every_view(window: MainWindow) -> Iterator[str]:
    """Show each screen and each of its record forms in turn (as `kaigo-desktop screenshots` does)."""
    for index, screen in enumerate(window.screens):
        window.navigation.setCurrentRow(index)
        settle(window)
        for name, make_view in screen.screenshot_views():
            view = make_view()
            settle(window)
            if view.isWindow() and view is not window:
                continue  # a detached copy made for a picture, not part of the window
            yield name


def cut_texts(window: MainWindow) -> tuple[list[str], int]:
    """Every header and visible cell of the window's lists whose text is wider than its column (Qt would show
    it cut with 「…」), and how many cells were looked at. A name whose whole text is its tool tip may be
    cut (that is how long names are shown), never a date or a number."""
    problems, looked_at = [], 0
    for view in window.findChildren(QTableView):
        if not view.isVisible() or view.model() is None:
            continue
        model, header = view.model(), view.horizontalHeader()
        # Qt draws the text inside the style's margin on both sides, the grid line taken off the cell.
        margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1) + 1
        first = max(0, view.rowAt(0))
        last = view.rowAt(view.viewport().height() - 1)
        last = model.rowCount() - 1 if last < 0 else last
        for column in range(model.columnCount()):
            if view.isColumnHidden(column):
                continue
            width = view.columnWidth(column)
            title = str(model.headerData(column, header.orientation()) or "")
            if header.sectionSizeHint(column) > width:
                problems.append(f"header {title!r}: {header.sectionSizeHint(column)} > {width}")
            for row in range(first, last + 1):
                index = model.index(row, column)
                delegate = view.itemDelegateForIndex(index)
                if isinstance(delegate, WrappedTextDelegate):
                    continue  # wraps onto more lines instead
                option = QStyleOptionViewItem()
                delegate.initStyleOption(option, index)
                text = option.text
                if not text or (str(index.data(3) or "") == text and not any(c.isdigit() for c in text)):
                    continue  # 3: ToolTipRole. A name may be cut when its tool tip shows it; a number never
                looked_at += 1
                needed = max(QFontMetrics(option.font).horizontalAdvance(line) for line in text.split("\n"))
                if needed + margin > width:
                    problems.append(f"{title!r} row {row}: {text!r} needs {needed + margin} > {width}")
    return problems, looked_at


def squeezed(window: MainWindow) -> list[str]:
    """Shown widgets narrower than their minimum (a layout with too little room cuts them at the right)."""
    problems = []
    for widget in window.findChildren(QWidget):
        if isinstance(widget, (QToolButton, QHeaderView)):
            continue  # Qt's own parts (a tab bar's scroll arrows, a field's clear button); headers: cut_texts
        hint = widget.minimumSizeHint()
        if (widget.isVisible() and hint.isValid() and widget.width() < hint.width()
                and widget.sizePolicy().horizontalPolicy() != QSizePolicy.Policy.Ignored):
            problems.append(f"{type(widget).__name__} {widget.objectName()!r}: {widget.width()} < {hint.width()}")
    return problems


def column_widths(window: MainWindow) -> dict[tuple[int, int], int]:
    """(list, column) → width of every column sized by the program (not those filling the spare width)."""
    stretch = QHeaderView.ResizeMode.Stretch
    return {(id(view), column): view.columnWidth(column) for view in window.findChildren(QTableView)
            if view.model() is not None for column in range(view.model().columnCount() - 1)
            if view.horizontalHeader().sectionResizeMode(column) != stretch}


@pytest.mark.parametrize("scale", [100, 150, 200])
def test_every_screen_fits_a_1366x768_laptop_and_no_list_text_is_cut(open_window, scale: int) -> None:
    window = open_window(scale)
    failures, looked_at = [], {}
    for name in every_view(window):
        hint, minimum = window.minimumSizeHint(), window.minimumSize()
        for what, size in (("minimumSizeHint", hint), ("minimumSize", minimum)):
            if size.width() > AVAILABLE.width() or size.height() > AVAILABLE.height():
                failures.append(f"{name}: {what} {size.width()}×{size.height()}")
        failures += [f"{name}: {problem}" for problem in squeezed(window)]
        problems, looked_at[name] = cut_texts(window)
        failures += [f"{name}: {problem}" for problem in problems]
    assert not failures, "\n".join(failures)
    for name in ("PlacesScreen", "GatheringsScreen", "GatheringMonthGrid", "PromotersScreen", "ActivitiesScreen",
                 "dashboard", "participants", "short_term_cases"):
        assert looked_at[name] >= 5, f"{name}: the lists had no rows to look at"


def test_the_short_term_case_form_fits_a_1366x768_laptop_at_200_percent(open_window) -> None:
    """The case form (a dialog over the 参加者 › 短期集中予防サービス page) is no larger than the screen, scrolls
    up and down instead, and cuts nothing at its right; its 保存 stays in sight below the scrolling form."""
    from kaigo_desktop.gui.screens.participant_pages import ParticipantPagesScreen

    window = open_window(200)
    pages = window.show_screen(ParticipantPagesScreen)
    assert isinstance(pages, ParticipantPagesScreen)
    pages.show_page(pages.cases)
    settle(window)
    assert pages.cases.table.case_model.rowCount() > 0, "the demo has cases this 年度"
    pages.cases.table.selectRow(0)
    dialog = pages.cases.open_chosen()
    assert dialog is not None
    try:
        settle(window)
        assert dialog.loaded
        failures = [f"dialog {what} {size.width()}×{size.height()}"
                    for what, size in (("minimumSizeHint", dialog.minimumSizeHint()), ("size", dialog.size()))
                    if size.width() > AVAILABLE.width() or size.height() > AVAILABLE.height()]
        failures += squeezed(dialog)
        assert not failures, "\n".join(failures)
        save = dialog.form.save_button
        assert save.isVisible() and save.parentWidget() is dialog and dialog.rect().contains(save.geometry())
    finally:
        dialog.form.discard_changes()
        dialog.hide()


def test_back_to_100_percent_gives_back_the_100_percent_sizes(open_window, qapp) -> None:
    window = open_window(100)
    list(every_view(window))
    widths_before = column_widths(window)
    minimum_before = window.minimumSizeHint()
    apply_text_scale(qapp, 200)
    list(every_view(window))
    assert window.minimumSizeHint().height() > minimum_before.height()  # the text did grow
    apply_text_scale(qapp, 100)
    settle(window)
    assert window.minimumSizeHint().width() <= minimum_before.width()  # at once, not once each screen is shown
    list(every_view(window))
    assert window.minimumSizeHint().width() <= minimum_before.width()
    assert window.minimumSizeHint().height() <= minimum_before.height()
    assert column_widths(window) == widths_before


def test_the_welcome_dialog_fits_the_screen_at_200_percent_with_a_long_path(qapp, qtbot) -> None:
    """A long 保存場所 gives way in its middle (「…」, the whole path in the tool tip) instead of widening the
    dialog past the screen (it was 1883 px wide at 200 %) or being cut at its end."""
    from PySide6.QtGui import QGuiApplication

    from kaigo_desktop.gui.welcome import WelcomeDialog

    path = Path("/home/someone/Documents/Kaigo Desktop/とても長いフォルダの名前/さらに長いサブフォルダ/kaigo.sqlite3")
    apply_text_scale(qapp, 200)
    try:
        dialog = WelcomeDialog(path, Path("/tmp/demo.sqlite3"), lambda _p: None)
        qtbot.addWidget(dialog)
        dialog.show()
        qapp.processEvents()
        assert dialog.width() <= QGuiApplication.primaryScreen().availableGeometry().width()
        assert dialog.path_label.toolTip() == str(path) and dialog.path_label.text() == str(path)
        assert dialog.path_label.width() >= dialog.path_label.minimumSizeHint().width()
    finally:
        apply_text_scale(qapp, 100)


@pytest.fixture(scope="module")
def metro_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.gui.metro_gui import build_metro_database

    return build_metro_database(tmp_path_factory.mktemp("fit-metro")).path


def test_the_metro_screens_fit_at_200_percent(qapp, metro_db: Path, settings) -> None:
    """東京都's database shows its own screens (提出状況, 評価シート, 設定): they fit the laptop at 200 % too."""
    apply_text_scale(qapp, 200)
    window = open_main_window(metro_db, settings)
    try:
        window.resize(AVAILABLE)
        window.show()
        settle(window)  # the database has said it is a metro one
        assert window.metro
        failures, names = [], []
        for name in every_view(window):
            names.append(name)
            hint, minimum = window.minimumSizeHint(), window.minimumSize()
            for what, size in (("minimumSizeHint", hint), ("minimumSize", minimum)):
                if size.width() > AVAILABLE.width() or size.height() > AVAILABLE.height():
                    failures.append(f"{name}: {what} {size.width()}×{size.height()}")
            failures += [f"{name}: {problem}" for problem in squeezed(window)]
            failures += [f"{name}: {problem}" for problem in cut_texts(window)[0]]
        assert names == ["metro_status", "metro_sheet", "metro_settings"]
        assert not failures, "\n".join(failures)
    finally:
        window.hide()
        window.window_did_close.emit()
        window.deleteLater()
        apply_text_scale(qapp, 100)
        qapp.processEvents()
