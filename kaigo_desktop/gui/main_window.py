"""The main window: navigation between the screens, the menu bar with the usual shortcuts, and the
status bar (database file, current 年度, record counts)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kaigo_desktop.gui import file_dialogs
from kaigo_desktop import APP_NAME, __version__
from kaigo_desktop.domain import ui_words as words
from kaigo_desktop.domain.fiscal import fiscal_year_of, format_fiscal_year
from kaigo_desktop.gui import backup_dialog, icons, login
from kaigo_desktop.gui.context import READ_ONLY_IN_USE, AppContext
from kaigo_desktop.gui.exchange_menu import install_exchange_actions
from kaigo_desktop.gui.screens.base import Screen, Then
from kaigo_desktop.gui.widgets.elided_label import ElidedLabel
from kaigo_desktop.gui.widgets.vertical_scroll import VerticalScrollArea
from kaigo_desktop.services.demo_mark import DEMO_BAND_TEXT, is_demo_database
from kaigo_desktop.services.overview import is_metro_database, record_counts

# (navigation title, module under kaigo_desktop.gui.screens, class). Screens are imported and built when
# first shown, so start-up pays only for the first one.
SCREENS: tuple[tuple[str, str, str], ...] = (
    (words.PLACE, "places", "PlacesScreen"),
    (words.GATHERING, "gatherings", "GatheringsScreen"),
    (words.PROMOTER, "promoters", "PromotersScreen"),
    (words.ACTIVITY, "activities", "ActivitiesScreen"),
    ("参加者", "participant_pages", "ParticipantPagesScreen"),
    ("報告書", "reports", "ReportsScreen"),
    ("集計", "dashboard", "DashboardScreen"),
    ("提出前チェック", "submission_check", "SubmissionCheckScreen"),
    ("マスタ・設定", "masters", "MastersScreen"),
)
# The screens of a 東京都 (metro) database: it holds the 区市町村's submissions, not their records.
METRO_SCREENS: tuple[tuple[str, str, str], ...] = (
    ("提出状況", "metro_status", "MetroStatusScreen"),
    ("評価シート", "metro_sheet", "MetroSheetScreen"),
    ("設定", "metro_settings", "MetroSettingsScreen"),
)


def screen_type(index: int, screens: tuple[tuple[str, str, str], ...] = SCREENS) -> type[Screen]:
    _title, module, name = screens[index]
    return getattr(importlib.import_module(f"kaigo_desktop.gui.screens.{module}"), name)


DATABASE_FILTER = "Kaigo Desktop データベース (*.sqlite3 *.sqlite *.db);;すべてのファイル (*)"


class MainWindow(QMainWindow):
    window_did_close = Signal()
    database_open_requested = Signal(object)  # a Path: the app (gui/app.py Session) reopens the window on it
    restore_requested = Signal(object)  # a backup's Path: the Session closes the database, restores, reopens
    unlock_requested = Signal()  # read-only because in use: the Session offers to break the lock and reopen

    def __init__(self, context: AppContext, db_path: Path, today: date | None = None):
        super().__init__()
        self.context = context
        self.db_path = db_path
        self.today = today or date.today()
        self.setWindowTitle(f"{APP_NAME} {__version__} — {db_path.name}")
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.stack = QStackedWidget()
        self._built: dict[int, Screen] = {}
        self.refused_screens: dict[int, str] = {}  # screen index → why the logged-in user may not open it
        self.login_dialog = None
        self.screen_list = SCREENS  # METRO_SCREENS once the database says it is a metro one
        self.metro = False
        self._retired: list[QWidget] = []
        self._fill_navigation()
        icons.follow_text_size(self.navigation)
        central = QWidget()
        column = QVBoxLayout(central)
        column.addWidget(self._build_demo_band())
        layout = QHBoxLayout()
        column.addLayout(layout, 1)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._fit_navigation()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self.navigation.currentRowChanged.connect(self._navigate)
        self.navigation.setCurrentRow(0)
        context.changes_did_happen.connect(
            lambda changes: changes.touches("places", "gatherings", "promoters") and self.refresh_counts())
        self.refresh_counts()
        context.run(lambda db, _ctx: is_demo_database(db), on_done=self.demo_band.setVisible,
                    on_error=lambda _error: None)  # a file that did not open is explained elsewhere
        context.run(lambda db, _ctx: is_metro_database(db), on_done=lambda metro: metro and self.use_metro_screens(),
                    on_error=lambda _error: None)
        if context.read_only:
            self.show_read_only()
        self.resize(1200, 760)
        login.start(self)  # a database with users asks who is there before the window can be used

    # ---- navigation ----------------------------------------------------------------------------

    def _fill_navigation(self) -> None:
        for title, module, _name in self.screen_list:
            self.stack.addWidget(QWidget())  # a placeholder until the screen is first shown
            self.navigation.addItem(QListWidgetItem(icons.screen_icon(module), title))

    def use_metro_screens(self) -> None:
        """The database is a 東京都 one: 提出状況, 評価シート and 設定 instead of the 区市町村's screens, and the
        menu commands about records hidden. The screens built meanwhile are kept out of sight, not deleted:
        a reply to their first reads may still be on its way."""
        if self.metro:
            return
        self.metro = True
        self.screen_list = METRO_SCREENS
        self.navigation.blockSignals(True)
        for index in range(self.stack.count() - 1, -1, -1):
            widget = self.stack.widget(index)
            self.stack.removeWidget(widget)
            widget.hide()
            self._retired.append(widget)  # held here: once out of the stack, Python would delete it
        self._built.clear()
        self.refused_screens.clear()
        self.navigation.clear()
        self._fill_navigation()
        self.navigation.blockSignals(False)
        self._fit_navigation()
        self._fill_view_menu()
        for action in (self.new_action, self.delete_action, self.import_action, *self.merge_actions):
            action.setVisible(False)
        self.counts_label.hide()
        self.setWindowTitle(self.windowTitle().replace(f"— {self.db_path.name}", f"— {self.db_path.name}（東京都）"))
        self._activated_once = False
        self.navigation.setCurrentRow(-1)
        self.navigation.setCurrentRow(0)

    def screen_at(self, index: int) -> Screen:
        """The screen at `index`, built on first use in place of its placeholder."""
        if index not in self._built:
            placeholder = self.stack.widget(index)
            was_current = self.stack.currentIndex() == index
            screen = screen_type(index, self.screen_list)(self.context)
            screen.set_read_only(self.context.read_only)
            if hasattr(screen, "record_open_requested"):  # a screen listing records of other screens
                screen.record_open_requested.connect(self.open_record)
            # A screen taller than the window (200 % text on a 768 px laptop) scrolls up and down, never sideways.
            self.stack.insertWidget(index, VerticalScrollArea(screen))
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            if was_current:
                self.stack.setCurrentIndex(index)
            self._built[index] = screen
        return self._built[index]

    def built_screens(self) -> list[Screen]:
        """The screens built so far (the others are built when first shown)."""
        return list(self._built.values())

    @property
    def screens(self) -> list[Screen]:
        """Every screen (building those not shown yet: the screenshot command visits them all)."""
        return [self.screen_at(index) for index in range(len(self.screen_list))]

    @property
    def current_screen(self) -> Screen:
        return self.screen_at(self.stack.currentIndex())

    def show_screen(self, wanted: type[Screen]) -> Screen:
        index = next(i for i in range(len(self.screen_list)) if screen_type(i, self.screen_list) is wanted)
        self.navigation.setCurrentRow(index)
        return self.screen_at(index)

    def open_record(self, kind: str, record_id: str) -> None:
        """Show a place or a gathering on its own screen (from the 提出前チェック list)."""
        if kind == "places":
            from kaigo_desktop.gui.screens.places import PlacesScreen

            self.show_screen(PlacesScreen).show_place(record_id)
        elif kind == "gatherings":
            from kaigo_desktop.gui.screens.gatherings import GatheringsScreen

            self.show_screen(GatheringsScreen).edit_gathering(record_id)

    def _navigate(self, row: int) -> None:
        if row < 0:
            return
        if row in self.refused_screens:  # the View menu's shortcut too: the list item alone is disabled
            self._select_navigation(self.stack.currentIndex())
            self.statusBar().showMessage(self.refused_screens[row], 8000)
            return
        if self.stack.currentIndex() == row:
            if not getattr(self, "_activated_once", False):
                self._activated_once = True
                self.screen_at(row).activate()
            return
        # The navigation stays on the current screen until it agrees to be left (after a save, maybe).
        self._select_navigation(self.stack.currentIndex())
        self.current_screen.confirm_leave(lambda ok: ok and self._switch_to(row))

    def _select_navigation(self, row: int) -> None:
        self.navigation.blockSignals(True)
        self.navigation.setCurrentRow(row)
        self.navigation.blockSignals(False)

    def _switch_to(self, row: int) -> None:
        self._select_navigation(row)
        screen = self.screen_at(row)
        self.stack.setCurrentIndex(row)
        self._update_write_actions()
        screen.activate()

    # ---- menus ---------------------------------------------------------------------------------

    def _action(self, menu, text: str, shortcut, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _open_import(self) -> None:
        from kaigo_desktop.gui.import_dialog import open_import_dialog

        open_import_dialog(self, self.context)

    def _open_merge(self, kind: str) -> None:
        from kaigo_desktop.gui.merge_dialog import open_merge_dialog

        open_merge_dialog(self, self.context, kind)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("ファイル(&F)")
        self.new_action = self._action(file_menu, "新規(&N)", QKeySequence.StandardKey.New,
                                       lambda: self.current_screen.new_record())
        self.save_action = self._action(file_menu, "保存(&S)", QKeySequence.StandardKey.Save,
                                        lambda: self.current_screen.save())
        self.print_action = self._action(file_menu, "印刷(&P)…", QKeySequence.StandardKey.Print,
                                         lambda: self.current_screen.print_current())
        file_menu.addSeparator()
        self._action(file_menu, "別のデータベースを開く(&O)…", QKeySequence.StandardKey.Open,
                     self.choose_database).setIcon(icons.command_icon("open"))
        self.recent_menu = file_menu.addMenu("最近使ったデータベース(&R)")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        self.backup_action = self._action(file_menu, "バックアップを作成(&B)", None,
                                          lambda: backup_dialog.make_backup_now(self, self.context))
        self.restore_action = self._action(file_menu, "バックアップから復元(&E)…", None, self.choose_backup_to_restore)
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, "データの取り込み（CSV・Excel）(&I)…", None, self._open_import)
        merge_menu = file_menu.addMenu("重複の統合(&M)")
        self.merge_actions = [self._action(merge_menu, "通いの場…", None, lambda: self._open_merge("places")),
                              self._action(merge_menu, "推進員…", None, lambda: self._open_merge("promoters"))]
        file_menu.addSeparator()
        self.exchange_actions = install_exchange_actions(self, file_menu, self.context)
        file_menu.addSeparator()
        self.switch_user_action = self._action(file_menu, "ログアウト/利用者の切り替え(&L)…", None,
                                               lambda: login.switch_user(self))
        self.switch_user_action.setVisible(False)  # shown when the database has users
        self._action(file_menu, "終了(&X)", QKeySequence.StandardKey.Quit, self.close)
        edit_menu = self.menuBar().addMenu("編集(&E)")
        self.find_action = self._action(edit_menu, "検索(&F)", QKeySequence.StandardKey.Find,
                                        lambda: self.current_screen.focus_search())
        self.delete_action = self._action(edit_menu, f"{words.MOVE_TO_TRASH}(&D)", QKeySequence(Qt.Key.Key_Delete),
                                          lambda: self.current_screen.delete_selected())
        # What a read-only window disables (a menu added later that writes appends its actions here).
        self.write_actions = [self.new_action, self.save_action, self.delete_action, self.restore_action,
                              self.import_action, *self.merge_actions, *self.exchange_actions]
        self.view_menu = self.menuBar().addMenu("表示(&V)")
        self._fill_view_menu()

    def _fill_view_menu(self) -> None:
        self.view_menu.clear()
        for index, (title, module, _name) in enumerate(self.screen_list):
            screen_action = self._action(self.view_menu, title, QKeySequence(f"Ctrl+{index + 1}"),
                                         lambda _=False, i=index: self.navigation.setCurrentRow(i))
            screen_action.setIcon(icons.screen_icon(module))

    def _build_toolbar(self) -> None:
        """The common commands as picture and word under the menus: the menus' own actions, so shortcuts and
        what a read-only window or a screen disables stay one."""
        self.toolbar = icons.CommandToolBar("よく使う操作", self)
        for action, command, word in ((self.new_action, "new", "新規"), (self.save_action, "save", "保存"),
                                      (self.delete_action, "delete", words.MOVE_TO_TRASH), (self.find_action, "find", "検索"),
                                      (self.print_action, "print", "印刷")):
            action.setIcon(icons.command_icon(command))
            action.setIconText(word)
            action.setToolTip(f"{word}（{action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}）")
            self.toolbar.addAction(action)
        for action, command in ((self.backup_action, "backup"), (self.import_action, "import")):
            action.setIcon(icons.command_icon(command))
        self.addToolBar(self.toolbar)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for text in self.context.settings.recent_databases:
            path = Path(text)
            action = self.recent_menu.addAction(text if path.exists() else f"{text}（見つかりません）")
            action.setEnabled(path.exists() and path.resolve() != self.db_path.resolve())
            action.triggered.connect(lambda _=False, p=path: self.database_open_requested.emit(p))
        if not self.recent_menu.actions():
            self.recent_menu.addAction(words.NONE).setEnabled(False)

    def choose_database(self) -> None:
        """Pick a database file; the app closes this window (asking about unsaved changes) and opens it."""
        path = file_dialogs.open_file(self, "データベースを開く", DATABASE_FILTER, self.db_path.parent)
        if path:
            self.database_open_requested.emit(path)

    def choose_backup_to_restore(self) -> None:
        backup_dialog.choose_backup_to_restore(self, self.context, self.restore_requested.emit)

    def show_read_only(self) -> None:
        """Opened read-only (another program is writing it, or its folder is read-only): said in the title
        and the status bar, and every menu command that writes is disabled (screens disable their own)."""
        reason = self.context.read_only_reason
        self.setWindowTitle(f"{self.windowTitle()} 【読み取り専用】")
        self.read_only_label = QLabel(reason)
        self.read_only_label.setObjectName("read_only_reason")
        self.read_only_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.statusBar().insertPermanentWidget(0, self.read_only_label)
        if reason == READ_ONLY_IN_USE:  # a PC that crashed may have left its lock: a person may break it
            self.unlock_button = QPushButton("ロックを解除する…")
            self.unlock_button.setObjectName("unlock_button")
            self.unlock_button.setToolTip("ロックを残した PC がデータベースを使っていないときに、ロックを解除して編集用に開きます")
            self.unlock_button.clicked.connect(self.unlock_requested.emit)
            self.statusBar().insertPermanentWidget(1, self.unlock_button)
        for action in self.write_actions:
            action.setToolTip(reason)
            action.setStatusTip(reason)
        self._update_write_actions()

    def refuse_screen(self, title: str, reason: str) -> None:
        """Disable the screen titled `title` in the navigation with `reason` as tooltip ("" enables it again)."""
        index = next((i for i, (t, _m, _n) in enumerate(self.screen_list) if t == title), None)
        if index is None:
            return  # not a screen of this kind of database
        item = self.navigation.item(index)
        enabled = item.flags() | Qt.ItemFlag.ItemIsEnabled
        item.setFlags(enabled if not reason else enabled & ~Qt.ItemFlag.ItemIsEnabled)
        item.setToolTip(reason)
        if reason:
            self.refused_screens[index] = reason
            if self.stack.currentIndex() == index:
                self.navigation.setCurrentRow(0)
        else:
            self.refused_screens.pop(index, None)

    def _update_write_actions(self) -> None:
        """Read-only: every write command off, except Ctrl+S on a screen whose save writes only a file."""
        if not self.context.read_only:
            return
        for action in self.write_actions:
            action.setEnabled(False)
        self.save_action.setEnabled(not self.current_screen.saves_to_database)

    def confirm_leave_all(self, then: Then) -> None:
        """Every screen agrees to the window going (unsaved edits saved or dropped, as the user said), one
        after the other; then(False) as soon as one keeps the user."""
        screens = list(self._built.values())

        def ask(index: int) -> None:
            if index == len(screens):
                then(True)
            else:
                screens[index].confirm_leave(lambda ok: ask(index + 1) if ok else then(False))

        ask(0)

    def leave_then(self, go_on: Callable[[], object]) -> bool:
        """Before the window goes (closing, opening another database, a restore): True when it may go now;
        False when the user stays, or chose to save first — then `go_on` runs once the save is done."""
        outcome: list[bool] = []
        waiting = False

        def answered(ok: bool) -> None:
            if not waiting:
                outcome.append(ok)
            elif ok:
                go_on()

        self.confirm_leave_all(answered)
        waiting = True
        return outcome == [True]

    def _build_demo_band(self) -> QLabel:
        """A strip across the top of a demo database's window, so that nobody types real records into it.
        Its text follows the application font (100–200 %) and wraps rather than being cut."""
        self.demo_band = QLabel(DEMO_BAND_TEXT)
        self.demo_band.setObjectName("demo_band")
        self.demo_band.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_band.setWordWrap(True)
        self.demo_band.setStyleSheet("background: #ffc107; color: #1a1a1a; font-weight: bold; padding: 6px;"
                                     " border: 2px solid #b28704; border-radius: 3px;")
        self.demo_band.hide()  # shown once the database thread has read the mark
        return self.demo_band

    # ---- status bar ----------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        self.file_label = ElidedLabel(str(self.db_path))  # a long path gives way at 200 % text
        self.fiscal_year_label = QLabel(format_fiscal_year(fiscal_year_of(self.today)))
        self.counts_label = QLabel("")
        self.actor_label = QLabel("")  # 「鈴木（センター職員）」 once logged in (gui/login.py)
        self.actor_label.setObjectName("actor_label")
        self.actor_label.setVisible(False)
        for label in (self.actor_label, self.file_label, self.fiscal_year_label, self.counts_label):
            self.statusBar().addPermanentWidget(label)
        self.context.status_did_change.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def refresh_counts(self) -> None:
        self.context.run(lambda db, _ctx: record_counts(db), on_done=self._show_counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts_label.setText(
            f"通いの場 {counts['places']:,}　開催記録 {counts['gatherings']:,}　推進員 {counts['promoters']:,}")

    # ---- text size ---------------------------------------------------------------------------

    def _fit_navigation(self) -> None:
        """The navigation is as wide as its longest title at the current text size (100–200%)."""
        metrics = self.navigation.fontMetrics()
        titles = [self.navigation.item(i).text() for i in range(self.navigation.count())]
        widest = max((metrics.horizontalAdvance(title) for title in titles), default=0)
        self.navigation.setFixedWidth(max(170, widest + metrics.horizontalAdvance("あ") * 3))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FontChange:
            self._fit_navigation()
            # Screens and tabs not shown keep the sizes measured at the old text size until shown, and the
            # window would keep their (200 %) minimum after going back to 100 %: measure them all again.
            for layout in self.findChildren(QLayout):
                layout.invalidate()
        super().changeEvent(event)

    # ---- closing -------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.leave_then(self.close):  # saving first: the event is ignored and the window closes once saved
            event.accept()
            self.window_did_close.emit()
        else:
            event.ignore()
