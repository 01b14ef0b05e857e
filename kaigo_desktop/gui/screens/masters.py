"""マスタ・設定 screen: tabs for 65歳以上人口, 推進員配置事業の経費, 短期集中予防サービス, 地域包括支援センター and the
user's settings; the menu's verbs (Ctrl+N, Ctrl+S, Delete) act on the tab shown."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from kaigo_desktop.domain import roles
from kaigo_desktop.gui.operations import Then, finish
from kaigo_desktop.gui.screens.base import Screen
from kaigo_desktop.gui.screens.masters_backup import BackupSettingsPage
from kaigo_desktop.gui.screens.masters_centers import CentersPage
from kaigo_desktop.gui.screens.masters_common import MasterPage
from kaigo_desktop.gui.screens.masters_expenses import ExpensesPage
from kaigo_desktop.gui.screens.masters_members import MembersPage
from kaigo_desktop.gui.screens.masters_population import PopulationPage
from kaigo_desktop.gui.screens.masters_settings import SettingsPage
from kaigo_desktop.gui.screens.masters_short_term import ShortTermServicePage
from kaigo_desktop.gui.screens.masters_users import UsersPage
from kaigo_desktop.services.changes import Changes

# What the tabs show: a change to one of these is read again the next time the screen is shown.
SHOWN_KINDS = ("population", "expenses", "short_term_services", "centers", "places", "settings")


class MastersScreen(Screen):
    title = "マスタ・設定"

    def __init__(self, context, parent=None):
        super().__init__(context, parent)
        self.population = PopulationPage(context)
        self.members = MembersPage(context)
        self.expenses = ExpensesPage(context)
        self.short_term = ShortTermServicePage(context)
        self.centers = CentersPage(context)
        self.settings_page = SettingsPage(context)
        self.backup_page = BackupSettingsPage(context)
        self.users_page = UsersPage(context)
        self.pages: list[MasterPage] = [self.population, self.members, self.expenses, self.short_term, self.centers,
                                        self.settings_page, self.backup_page, self.users_page]
        self.tabs = QTabWidget()
        self.tabs.setObjectName("masters_tabs")
        for page in self.pages:
            self.tabs.addTab(page, page.title)
        QVBoxLayout(self).addWidget(self.tabs)
        self._stale = False
        context.changes_did_happen.connect(self._changes_happened)

    @property
    def current_page(self) -> MasterPage:
        return self.tabs.currentWidget()  # type: ignore[return-value]

    def show_page(self, page: MasterPage) -> MasterPage:
        self.tabs.setCurrentWidget(page)
        return page

    # ---- Screen --------------------------------------------------------------------------------

    def page_action(self, page: MasterPage) -> str:
        """The right a tab needs: 参加者実人数 is a center's own record, the 設定 tab holds the user's own
        preferences (text size), everything else belongs to the 区市町村管理者."""
        if page is self.members:
            return roles.WRITE_CENTER_RECORDS
        return roles.READ if not page.saves_to_database else roles.ADMINISTER

    def apply_rights(self, actor: roles.Actor) -> None:
        """Tabs the logged-in user may not use are disabled with the reason (the services refuse anyway)."""
        for index, page in enumerate(self.pages):
            allowed, reason = roles.may_use(actor, self.page_action(page))
            self.tabs.setTabEnabled(index, allowed)
            self.tabs.setTabToolTip(index, reason)
        if not self.tabs.isTabEnabled(self.tabs.currentIndex()):
            self.tabs.setCurrentIndex(next(i for i in range(len(self.pages)) if self.tabs.isTabEnabled(i)))

    def activate(self) -> None:
        self.apply_rights(self.context.actor)
        # Every tab is small: all are read when the screen is shown, so switching tabs never waits.
        for index, page in enumerate(self.pages):
            if not self.tabs.isTabEnabled(index):
                continue
            if not page.loaded or (self._stale and not page.has_unsaved_changes()):
                page.load()
        self._stale = False

    def _changes_happened(self, changes: Changes) -> None:
        if changes.touches(*SHOWN_KINDS):
            self._stale = True

    def new_record(self) -> bool:
        return not self.read_only and self.current_page.new_record()

    def save(self, then: Then | None = None) -> None:
        """Saves every tab with edits, one after another (the unsaved-changes guard covers the whole screen);
        read-only, only the user's own settings. then(True) when every one of them was saved."""
        pages = [page for page in self.pages
                 if page.has_unsaved_changes() and not (self.read_only and page.saves_to_database)]
        results: list[bool] = []

        def next_page(ok: bool | None = None) -> None:
            if ok is not None:
                results.append(ok)
            if len(results) == len(pages):
                finish(then, all(results))
            else:
                pages[len(results)].save(then=next_page)

        next_page()

    def delete_selected(self) -> bool:
        return not self.read_only and self.current_page.delete_selected()

    def write_widgets(self) -> list[QWidget]:
        return [widget for page in self.pages for widget in page.write_widgets()]

    def focus_search(self) -> bool:
        return self.current_page.focus_search()

    def has_unsaved_changes(self) -> bool:
        return any(page.has_unsaved_changes() for page in self.pages)

    def discard_changes(self) -> None:
        for page in self.pages:
            if page.has_unsaved_changes():
                page.discard_changes()

    def screenshot_views(self):
        def tab(page: MasterPage, prepare=None):
            def show():
                self.show_page(page)
                if prepare:
                    prepare()
                return self
            return show

        def first_center() -> None:
            if self.centers.rows:
                self.centers.table.selectRow(0)

        return [("masters_population", tab(self.population)), ("masters_members", tab(self.members)),
                ("masters_expenses", tab(self.expenses)), ("masters_short_term", tab(self.short_term)),
                ("masters_centers", tab(self.centers, first_center)), ("masters_settings", tab(self.settings_page)),
                ("masters_backup", tab(self.backup_page)), ("masters_users", tab(self.users_page))]
